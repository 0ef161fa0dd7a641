"""What the enablement processes (P1, P2) leave behind for a company.

Personal data and private keys are stored encrypted (``habilita.secrets_box``
blobs written by the activities); workflows only ever hold these rows' ids.
Every row a workflow creates carries a ``source_key`` built from the workflow
id and the step, unique, so a retried or re-run activity finds the row it
wrote instead of writing another.
"""
from __future__ import annotations

import peewee

from .base import BaseModel, utcnow
from .company import Company
from .files import StoredFile

PURPOSES = ("einvoicing", "support_document")
DOCUMENT_KINDS = ("invoice", "credit_note", "debit_note", "support_document", "support_adjustment")


class DianSoftware(BaseModel):
    """What DIAN's portal gave a company at registration; the PIN is sealed."""

    company = peewee.ForeignKeyField(Company, backref="dian_software", on_delete="CASCADE")
    operation_mode = peewee.CharField(max_length=20)
    test_set_id = peewee.CharField(max_length=40)
    software_id = peewee.CharField(max_length=40)
    software_owner_nit = peewee.CharField(max_length=20)
    sealed_pin = peewee.BlobField()
    source_key = peewee.CharField(max_length=300, unique=True)
    created_at = peewee.DateTimeField(default=utcnow)


class Representative(BaseModel):
    """A company's legal representative; ``sealed`` is the encrypted JSON of the form."""

    company = peewee.ForeignKeyField(Company, backref="representatives", on_delete="CASCADE")
    sealed = peewee.BlobField()
    source_key = peewee.CharField(max_length=300, unique=True)
    created_at = peewee.DateTimeField(default=utcnow)


class SigningCertificate(BaseModel):
    """An X.509 signing certificate with its private key sealed at rest.

    ``company`` is null for the provider's own certificate, the one it lends.
    """

    company = peewee.ForeignKeyField(Company, backref="certificates", null=True, on_delete="CASCADE")
    holder_nit = peewee.CharField(max_length=20)
    subject = peewee.CharField(max_length=300)
    serial_number = peewee.CharField(max_length=64)
    not_before = peewee.DateTimeField()
    not_after = peewee.DateTimeField()
    cert_pem = peewee.TextField()
    chain_pem = peewee.TextField(default="")
    sealed_key = peewee.BlobField()
    order_id = peewee.CharField(max_length=80, default="")
    source_key = peewee.CharField(max_length=300, unique=True)
    created_at = peewee.DateTimeField(default=utcnow)


class CertificateLoan(BaseModel):
    """The provider lending its certificate to a company, backed by a signed letter.

    ``loan_date`` is fixed by the first accepted upload and never moves;
    ``signed_letter`` is replaced by later uploads and cleared by "delete".
    """

    company = peewee.ForeignKeyField(Company, backref="loans", on_delete="CASCADE")
    purpose = peewee.CharField(max_length=20)
    workflow_id = peewee.CharField(max_length=200)
    representative = peewee.ForeignKeyField(Representative, null=True, on_delete="SET NULL")
    letter = peewee.ForeignKeyField(StoredFile, null=True, on_delete="SET NULL", backref="loan_letters")
    signed_letter = peewee.ForeignKeyField(StoredFile, null=True, on_delete="SET NULL",
                                           backref="signed_loan_letters")
    certificate = peewee.ForeignKeyField(SigningCertificate, null=True, on_delete="SET NULL")
    loan_date = peewee.DateTimeField(null=True)
    signed_letter_uploaded_at = peewee.DateTimeField(null=True)
    created_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("workflow_id", "purpose"), True),)


class NumberingResolution(BaseModel):
    """A numbering range DIAN authorized, as GetNumberingRange reported it."""

    company = peewee.ForeignKeyField(Company, backref="resolutions", on_delete="CASCADE")
    purpose = peewee.CharField(max_length=20)
    resolution_number = peewee.CharField(max_length=40)
    resolution_date = peewee.DateField()
    prefix = peewee.CharField(max_length=10)
    range_from = peewee.BigIntegerField()
    range_to = peewee.BigIntegerField()
    valid_from = peewee.DateField()
    valid_to = peewee.DateField()
    technical_key = peewee.CharField(max_length=100, default="")
    synced_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("company", "purpose", "resolution_number", "prefix"), True),)


class VoucherType(BaseModel):
    """How the company numbers one kind of document: prefix, resolution, next number."""

    company = peewee.ForeignKeyField(Company, backref="voucher_types", on_delete="CASCADE")
    document_kind = peewee.CharField(max_length=20)
    resolution = peewee.ForeignKeyField(NumberingResolution, on_delete="RESTRICT")
    prefix = peewee.CharField(max_length=10)
    range_from = peewee.BigIntegerField()
    range_to = peewee.BigIntegerField()
    next_number = peewee.BigIntegerField()
    created_by = peewee.CharField(max_length=200)
    source_key = peewee.CharField(max_length=300, unique=True)
    created_at = peewee.DateTimeField(default=utcnow)


class TestSetDocument(BaseModel):
    """One document of a DIAN test set: built once, sent at most once per round.

    Unique on (workflow id, document number): a crashed and retried activity
    reads what was built and sent instead of building or sending it again.
    """

    __test__ = False  # pytest: a model, not a test class

    workflow_id = peewee.CharField(max_length=200)
    document_number = peewee.CharField(max_length=40)
    document_kind = peewee.CharField(max_length=20)
    position = peewee.IntegerField()
    file_name = peewee.CharField(max_length=200, default="")
    track_id = peewee.CharField(max_length=200)
    signed_xml = peewee.BlobField()
    batch = peewee.IntegerField()
    round = peewee.IntegerField(default=1)
    zip_key = peewee.CharField(max_length=200, default="")
    status = peewee.CharField(max_length=20, default="built")
    status_code = peewee.CharField(max_length=10, default="")
    errors = peewee.TextField(default="")
    updated_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("workflow_id", "document_number"), True), (("workflow_id", "batch"), False))


class TestSetBatch(BaseModel):
    """One zip of a test-set round: written as "sending" before the upload,
    so a crash between upload and answer is detected rather than resent."""

    __test__ = False

    workflow_id = peewee.CharField(max_length=200)
    round = peewee.IntegerField()
    batch = peewee.IntegerField()
    file_name = peewee.CharField(max_length=200)
    state = peewee.CharField(max_length=20, default="sending")
    zip_key = peewee.CharField(max_length=200, default="")
    sent_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("workflow_id", "round", "batch"), True),)


class Notification(BaseModel):
    """A message for a company's people: DIAN approvals and rejections, reminders."""

    company = peewee.ForeignKeyField(Company, backref="notifications", null=True, on_delete="CASCADE")
    kind = peewee.CharField(max_length=40)
    title = peewee.CharField(max_length=200)
    body = peewee.TextField(default="")
    source_key = peewee.CharField(max_length=300, unique=True)
    created_at = peewee.DateTimeField(default=utcnow, index=True)
    read_at = peewee.DateTimeField(null=True)


ENABLEMENT_MODELS = [DianSoftware, Representative, SigningCertificate, CertificateLoan, NumberingResolution,
                     VoucherType, TestSetDocument, TestSetBatch, Notification]
