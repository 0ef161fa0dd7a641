"""What several test packages share: the test codec key, settings built for a
test's folder, DIAN's portal as a person uses it, and a projection waiter."""
from __future__ import annotations

import asyncio
import base64
import os
import socket
from pathlib import Path

import requests
from temporalio.service import RPCError, RPCStatusCode

from habilita.adapters.secrets_box import SecretBox
from habilita.settings import Settings
from habilita.models import ProcessRecord

TEST_ENCRYPTION_KEY = base64.urlsafe_b64encode(b"k" * 32).decode()
# The application key's box of every test's settings: stored files are sealed with it.
TEST_BOX = SecretBox(TEST_ENCRYPTION_KEY)
POSTGRES_URL = os.environ.get("DATABASE_URL", "") if os.environ.get("DATABASE_URL", "").startswith("postgres") else ""
# Small test sets keep the suite fast; DIAN's 60/20/20 is the default in settings.
SMALL_SET = (2, 1, 1)


def test_settings(tmp_path: Path, **env: str) -> Settings:
    """Development settings on this test's folder and database, plus ``env``."""
    return Settings.from_env({
        "HABILITA_VAR": str(tmp_path / "var"),
        "DATABASE_URL": POSTGRES_URL or f"sqlite:///{tmp_path / 'habilita.db'}",
        "HABILITA_ENCRYPTION_KEY": TEST_ENCRYPTION_KEY,
        "SECRET_KEY": "test-secret-key",
        **env,
    })


test_settings.__test__ = False  # a helper, not a test


def free_port() -> int:
    """A loopback port nothing listens on now, for a server a test starts as a subprocess."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def simulator_env(dian_simulator, billing_url: str) -> dict[str, str]:
    """The settings that point habilita at a test's simulators, with a small test set."""
    return {
        "DIAN_URL": dian_simulator.soap_url,
        "BILLING_URL": billing_url,
        "TEST_SET_INVOICES": str(SMALL_SET[0]),
        "TEST_SET_CREDIT_NOTES": str(SMALL_SET[1]),
        "TEST_SET_DEBIT_NOTES": str(SMALL_SET[2]),
    }


class Portal:
    """What a person does at DIAN's portal, against the simulator."""

    def __init__(self, url: str) -> None:
        self.url = url

    def register(self, nit: str, legal_name: str, *, mode: str = "own", provider_nit: str | None = None) -> dict:
        return self._post("/portal/companies", {"nit": nit, "legal_name": legal_name, "mode": mode,
                                                "provider_nit": provider_nit})

    def request_test_resolution(self, nit: str, kind: str = "invoice") -> dict:
        return self._post(f"/portal/companies/{nit}/resolutions", {"kind": kind, "test": True})

    def associate_prefix(self, nit: str, prefix: str) -> dict:
        return self._post(f"/portal/companies/{nit}/prefixes", {"prefix": prefix})

    def enable_support_document(self, nit: str) -> dict:
        return self._post(f"/portal/companies/{nit}/support-document", {})

    def received(self) -> list[dict]:
        return requests.get(self.url + "/_received", timeout=10).json()

    def _post(self, path: str, body: dict) -> dict:
        response = requests.post(self.url + path, json=body, timeout=10)
        assert response.status_code < 300, f"DIAN portal {path}: {response.status_code} {response.text}"
        return response.json()


async def wait_for_step(workflow_id: str, step: str, *, status: str | None = None, seconds: float = 30):
    """Wait until the projection of ``workflow_id`` stands at ``step`` (and ``status``)."""
    record = None
    for _ in range(int(seconds / 0.05)):
        record = ProcessRecord.get_or_none(ProcessRecord.workflow_id == workflow_id)
        if record is not None and record.current_step == step and (status is None or record.status == status):
            return record
        await asyncio.sleep(0.05)
    raise AssertionError(f"{workflow_id} never reached step {step} ({status or 'any status'}); "
                         f"projection: {record and (record.current_step, record.status, record.last_error)}")


async def terminate(client, workflow_ids) -> None:
    """End these workflows so later tests on the session's server never meet
    them; ids are fixed per company and process. One already gone is fine:
    terminating a parent ends its children first."""
    for workflow_id in workflow_ids:
        try:
            await client.get_workflow_handle(workflow_id).terminate("test over")
        except RPCError as exc:
            if exc.status != RPCStatusCode.NOT_FOUND:
                raise


async def terminate_projected(client) -> None:
    """Terminate every workflow this test's database knows, children included."""
    await terminate(client, [r.workflow_id for r in ProcessRecord.select(ProcessRecord.workflow_id)])
