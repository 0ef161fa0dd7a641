"""GetNumberingRange answers 100/301/302/303/401 from what was done at the portal."""

from __future__ import annotations

import datetime as dt

from habilita.dian.clock import colombia_now

from .conftest import COMPANY_NIT, OTHER_NIT, PROVIDER_NIT, client_for


def ask(client, company, *, owner: str = COMPANY_NIT, software: str | None = None):
    return client.get_numbering_range(account_code=company.nit, account_code_t=owner,
                                      software_code=software or company.software_id)


def test_no_resolution_yet_is_301(client, company):
    answer = ask(client, company)
    assert (answer.operation_code, answer.ranges) == ("301", ())


def test_a_resolution_without_associated_prefix_is_302(portal, client, company):
    portal.post(f"/portal/companies/{COMPANY_NIT}/resolutions", {"prefix": "FE", "from_number": 1, "to_number": 5000})
    assert ask(client, company).operation_code == "302"


def test_associated_prefixes_are_listed_with_100(portal, client, company):
    created = portal.post(f"/portal/companies/{COMPANY_NIT}/resolutions", {
        "prefix": "FE", "from_number": 1, "to_number": 5000, "resolution_number": "18764000123",
        "resolution_date": "2025-03-01", "valid_from": "2025-03-01", "valid_to": "2027-03-01"})
    portal.post(f"/portal/companies/{COMPANY_NIT}/resolutions", {"prefix": "OTRO", "from_number": 1, "to_number": 9})
    portal.post(f"/portal/companies/{COMPANY_NIT}/prefixes", {"prefix": "FE"})
    answer = ask(client, company)
    assert answer.operation_code == "100"
    [found] = answer.ranges
    assert (found.prefix, found.from_number, found.to_number, found.resolution_number) == ("FE", 1, 5000, "18764000123")
    assert (found.resolution_date, found.valid_date_from, found.valid_date_to) == (
        dt.date(2025, 3, 1), dt.date(2025, 3, 1), dt.date(2027, 3, 1))
    assert found.technical_key == created["technical_key"] and len(found.technical_key) == 64


def test_a_resolution_given_no_dates_is_in_force_from_today_in_colombia(portal, company):
    """An invoice issued now carries Colombia's date: between 00:00 and 05:00 UTC that is the day before the
    machine's, and a range dated by the machine would refuse it (FAB05c)."""
    created = portal.post(f"/portal/companies/{COMPANY_NIT}/resolutions", {"prefix": "FE", "from_number": 1,
                                                                           "to_number": 5000})
    today = colombia_now().date()
    assert (created["resolution_date"], created["valid_from"]) == (today.isoformat(), today.isoformat())
    assert created["valid_to"] == today.replace(year=today.year + 2).isoformat()


def test_the_test_range_of_own_software_is_setp(portal, client, company):
    portal.post(f"/portal/companies/{COMPANY_NIT}/resolutions", {"test": True})
    portal.post(f"/portal/companies/{COMPANY_NIT}/prefixes", {"prefix": "SETP"})
    [found] = ask(client, company).ranges
    assert (found.prefix, found.resolution_number, found.from_number, found.to_number, found.technical_key) == (
        "SETP", "18760000001", 990000000, 995000000, "fc8eac422eba16e22ffd8c6f94b3f40a6e38162c")


def test_software_of_another_owner_is_303(client, company):
    assert ask(client, company, owner=OTHER_NIT).operation_code == "303"
    assert ask(client, company, software="00000000-0000-4000-8000-000000000000").operation_code == "303"


def test_a_certificate_of_an_unrelated_nit_is_401(simulator, client, company, stranger_cert):
    with client_for(simulator, stranger_cert) as stranger:
        assert ask(stranger, company).operation_code == "401"


def test_the_provider_asks_for_its_client_in_provider_mode(simulator, portal, provider_cert):
    company = portal.register(COMPANY_NIT, mode="provider", provider_nit=PROVIDER_NIT)
    portal.post(f"/portal/companies/{COMPANY_NIT}/resolutions", {"test": True})
    portal.post(f"/portal/companies/{COMPANY_NIT}/prefixes", {"prefix": "SETT"})
    with client_for(simulator, provider_cert) as provider:
        answer = ask(provider, company, owner=PROVIDER_NIT)
    assert answer.operation_code == "100" and answer.ranges[0].prefix == "SETT"
