"""The ERP's rate limit per company and its blocking of a user whose requests are mostly errors."""

from __future__ import annotations

import pytest
import requests

from habilita.adapters.erp_errors import ErpCredentialsRefused, ErpRateLimited, ErpRefused, ErpUserBlocked

from .conftest import ACCESS_KEY, COMPANY_NIT, USERNAME, client_for


def test_a_test_company_gets_ten_requests_a_minute_then_429_with_retry_after(erp_simulator):
    erp_simulator.admin.create_company(test=True)
    with client_for(erp_simulator) as client:
        for _ in range(10):
            client.taxes()
        with pytest.raises(ErpRateLimited) as limited:
            client.taxes()
        assert (limited.value.status, limited.value.code, limited.value.retryable) == (429, "requests_limit", True)
        assert 1 <= limited.value.retry_after <= 60
        token = requests.post(erp_simulator.url + "/auth", json={"username": USERNAME, "access_key": ACCESS_KEY},
                              headers={"Partner-Id": "habilita"}, timeout=10).json()["access_token"]
        raw = requests.get(erp_simulator.url + "/v1/taxes", timeout=10,
                           headers={"Partner-Id": "habilita", "Authorization": f"Bearer {token}"})
        assert raw.status_code == 429 and 1 <= int(raw.headers["Retry-After"]) <= 60
        # Refused requests are neither counted nor held against the user.
        for _ in range(15):
            with pytest.raises(ErpRateLimited):
                client.taxes()
        erp_simulator.admin.configure("limit", {"per_minute": 1000})
        assert client.taxes()


def test_a_production_company_gets_a_hundred_a_minute(erp_simulator):
    erp_simulator.admin.create_company()
    with client_for(erp_simulator) as client:
        for _ in range(100):
            client.taxes()
        with pytest.raises(ErpRateLimited):
            client.taxes()
        erp_simulator.admin.configure("limit", {"per_minute": None}, nit=COMPANY_NIT)
        with pytest.raises(ErpRateLimited):
            client.taxes()


def test_a_user_whose_requests_are_mostly_errors_is_blocked(erp_simulator):
    erp_simulator.admin.create_company()
    with client_for(erp_simulator) as client:
        client.taxes()  # /auth and this call: 2 answers that are not errors

        def fail() -> None:
            with pytest.raises(ErpRefused) as refused:
                client.get_invoice("no-such-invoice")
            assert refused.value.code == "not_found"

        for _ in range(8):
            fail()
        assert client.taxes()  # 8 errors of 10 is exactly 80 %: not yet blocked; now 8 of 11
        fail()
        fail()  # 10 of 13 = 77 %
        fail()
        fail()  # 12 of 15 = 80 %
        fail()  # 13 of 16 = 81 %: blocked
        with pytest.raises(ErpUserBlocked) as blocked:
            client.taxes()
        assert (blocked.value.status, blocked.value.code) == (403, "blocked_user")
    with client_for(erp_simulator) as fresh, pytest.raises(ErpUserBlocked):
        fresh.check_credentials()
    erp_simulator.admin.send("POST", f"/_admin/users/{USERNAME}/unblock")
    with client_for(erp_simulator) as fresh:
        assert fresh.taxes()


def test_repeated_wrong_access_keys_block_the_user(erp_simulator):
    erp_simulator.admin.create_company()
    with client_for(erp_simulator, access_key="wrong") as client:
        for _ in range(10):
            with pytest.raises(ErpCredentialsRefused) as refused:
                client.check_credentials()
            assert refused.value.status == 401
        with pytest.raises(ErpUserBlocked):
            client.check_credentials()
