"""The dev stack's enablement demo (habilita/demo_enablement.py), seeded twice
against the simulators over HTTP: the companies land at their stages, and the
second run neither starts nor repeats anything.

It lives beside the enablement tests for their simulator fixtures.
"""
from __future__ import annotations

import dataclasses
import time

from habilita.demo import seed_companies
from habilita.demo.enablement import seed_enablement_demo
from habilita.models import CertificateLoan, ProcessRecord, Representative

from tests.harness import terminate

from .conftest import wait_for_step


async def test_the_demo_puts_companies_at_several_steps_of_p1_and_p2_and_seeding_again_changes_nothing(
        client, worker, db, settings, task_queue, portal):
    settings = dataclasses.replace(settings, task_queue=task_queue)
    seed_companies()
    started = time.monotonic()
    reached = await seed_enablement_demo(client, settings, wait_seconds=20)
    elapsed = time.monotonic() - started
    try:
        assert reached == {
            "einvoicing-CO-900123456": "dian_registration",
            "einvoicing-CO-901234567": "certificate",
            "einvoicing-CO-901234567-certificate": "signed_letter",
            "einvoicing-CO-860512780": "test_set",
            "einvoicing-CO-901555444": "enabled",
            "support_document-CO-901555444": "certificate",
        }
        assert elapsed < 15, f"seeding took {elapsed:.1f} s"
        assert ProcessRecord.get_by_id("einvoicing-CO-860512780-certificate").current_step == "issued"
        assert ProcessRecord.get_by_id("support_document-CO-901555444").status == "waiting"
        await wait_for_step("support_document-CO-901555444-certificate", "representative", status="waiting")
        rows = (ProcessRecord.select().count(), Representative.select().count(), CertificateLoan.select().count())
        received = len(portal.received())

        again = await seed_enablement_demo(client, settings, wait_seconds=20)
        assert again == reached
        assert (ProcessRecord.select().count(), Representative.select().count(),
                CertificateLoan.select().count()) == rows
        assert len(portal.received()) == received
    finally:
        running = ProcessRecord.select().where(ProcessRecord.status.in_(("running", "waiting")))
        await terminate(client, [record.workflow_id for record in running])
