"""The longest value of each text field the workflows take: the length of the column it ends up in.

The console's model forms read their limits from the models' own columns; the workflows' update
dataclasses cannot import the models, so their limits are declared here and
``tests/habilita/test_input_rules.py`` holds each one equal to its column. A value longer than its
column would be cut, or refused by PostgreSQL deep inside an activity, instead of at its field.
"""
from __future__ import annotations

# Who acts: audit_event.actor and voucher_type.created_by.
ACTOR = 200
# The legal representative is stored sealed (one encrypted blob), so each field takes the limit of the
# company's column of the same kind: company.legal_name, company.email, company.phone. The position is
# printed on the letter's signature line and goes to the certificate authority: company.city's 100.
PERSON_NAME = 200
EMAIL = 200
PHONE = 40
POSITION = 100
# company.tax_id (a NIT or a cédula: the longest document number), company.check_digit.
DOCUMENT_NUMBER = 20
CHECK_DIGIT = 1
# A NIT typed with its check digit to confirm it: company.tax_id, a dash, company.check_digit.
TAX_ID_WITH_CHECK_DIGIT = 22
# dian_software.test_set_id and software_id (a GUID has 36).
DIAN_ID = 40
# voucher_type.prefix.
PREFIX = 10
