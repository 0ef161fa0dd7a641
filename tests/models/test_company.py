"""Companies: tax ids validated at the field, unique per country, frozen once DIAN depends on them."""
import pytest

from habilita.messages import Problem
from habilita.models import Company, FieldError, TaxIdLocked, utcnow


def test_a_colombian_company_with_a_valid_nit_is_saved(db):
    company = Company.create(country="CO", tax_id="900.123.456", check_digit="8", legal_name="La Espiga SAS")
    assert (company.tax_id, company.display_tax_id) == ("900123456", "900123456-8")


def test_a_wrong_check_digit_is_refused_at_the_tax_id_field_and_nothing_is_stored(db):
    with pytest.raises(FieldError) as refused:
        Company.create(country="CO", tax_id="900123456", check_digit="3", legal_name="La Espiga SAS")
    assert refused.value.field == "tax_id"
    assert refused.value.problem == Problem("tax_id", "tax_id_check_digit",
                                            {"kind": "NIT", "number": "900123456", "expected": "8", "given": "3"})
    assert refused.value.message == "the check digit of NIT 900123456 is 8, not 3", "English, for logs"
    assert Company.select().count() == 0


def test_a_malformed_nit_is_refused_at_the_tax_id_field_with_what_is_wrong(db):
    with pytest.raises(FieldError) as refused:
        Company.create(country="CO", tax_id="12", check_digit="3", legal_name="La Espiga SAS")
    assert refused.value.problem == Problem("tax_id", "tax_id_length", {
        "kind": "NIT", "value": "12", "minimum": 3, "maximum": 15, "length": 2})
    with pytest.raises(FieldError) as refused:
        Company.create(country="CO", tax_id="900123456", check_digit="", legal_name="La Espiga SAS")
    assert refused.value.problem == Problem("check_digit", "required")


def test_a_chilean_rut_accepts_k_as_check_digit(db):
    company = Company.create(country="CL", tax_id="12.345.678", check_digit="5", legal_name="Los Andes SpA")
    assert company.display_tax_id == "12345678-5"
    with pytest.raises(FieldError) as refused:
        Company.create(country="CL", tax_id="76086428", check_digit="K", legal_name="Otra SpA")
    assert refused.value.problem == Problem("tax_id", "tax_id_check_digit",
                                            {"kind": "RUT", "number": "76086428", "expected": "5", "given": "K"})


def test_an_unknown_country_is_refused(db):
    with pytest.raises(FieldError) as refused:
        Company.create(country="PE", tax_id="20100070970", check_digit="1", legal_name="X")
    assert refused.value.problem == Problem("country", "one_of", {"choices": ["CO", "CL"]})


def test_two_companies_cannot_share_a_tax_id_in_one_country(db, company):
    with pytest.raises(FieldError) as refused:
        Company.create(country="CO", tax_id="900123456", check_digit="8", legal_name="Another")
    assert refused.value.problem == Problem("tax_id", "tax_id_taken", {"tax_id": "900123456-8"})
    assert Company.select().count() == 1


def test_a_legal_name_is_required(db):
    with pytest.raises(FieldError) as refused:
        Company.create(country="CO", tax_id="900123456", check_digit="8", legal_name="  ")
    assert refused.value.problem == Problem("legal_name", "required")


def test_once_locked_the_tax_id_cannot_change_but_other_fields_can(db, company):
    company.tax_id_locked_at = utcnow()
    company.tax_id_locked_reason = "DIAN's test set started with this NIT; it can no longer change"
    company.save()

    company.tax_id, company.check_digit = "901234567", "7"
    with pytest.raises(TaxIdLocked) as refused:
        company.save()
    assert refused.value.problem == Problem("tax_id", "tax_id_locked_because", {
        "reason": "DIAN's test set started with this NIT; it can no longer change"})
    assert Company.get_by_id(company.id).tax_id == "900123456"

    company = Company.get_by_id(company.id)
    company.legal_name = "Panadería La Espiga S.A.S."
    company.save()
    assert Company.get_by_id(company.id).legal_name == "Panadería La Espiga S.A.S."


def test_a_lock_reason_kept_as_a_message_is_carried_as_a_message(db, company):
    from habilita.messages.stored import as_text
    from habilita.messages import Message

    company.tax_id_locked_at = utcnow()
    company.tax_id_locked_reason = as_text(Message("tax_id_locked_by_test_set"))
    company.save()

    company.tax_id, company.check_digit = "901234567", "7"
    with pytest.raises(TaxIdLocked) as refused:
        company.save()
    assert refused.value.problem == Problem("tax_id", "tax_id_locked_because", {
        "reason": {"code": "tax_id_locked_by_test_set", "params": {}}})
    assert refused.value.message == ("the tax id can no longer change: DIAN ties the electronic invoicing "
                                     "enablement to this NIT since its test set started"), "English, for logs"
