"""Support finds a process stuck on DIAN in the browser, reviews the action and retries it now.

A drill process fails its DIAN upload (the simulator's fault switch); a
support user logs in, filters the queue to retrying activities, ticks the
process, asks to retry it with a reason, confirms the count on the review
page and runs it; the process moves on. Screenshots land in
test-output/e2e/support_retries_a_process_stuck_on_dian_in_the_browser/.
"""
from __future__ import annotations

import pytest
from playwright.async_api import expect

from habilita.models import AuditEvent, User
from tests.support.conftest import wait_for, wait_for_step
from tests.support.drill import DrillInput, DrillProcess

pytestmark = pytest.mark.e2e

PASSWORD = "soporte-2024-x"


@pytest.fixture
def support_member(db) -> User:
    user = User(email="sofia@habilita.test", name="Sofía Ríos")
    user.set_roles(["support"])
    user.set_password(PASSWORD, must_change=False)
    user.save()
    return user


async def stuck_on_dian(start_drill, dian_faults):
    """A drill process whose DIAN upload has failed three times."""
    dian_faults(fail_always=True)
    handle = await start_drill()
    await wait_for_step(handle.id, "collect")
    await handle.execute_update(DrillProcess.provide, DrillInput(actor="ana@example.co"))

    async def failed_three_times():
        # Attempt 4 pending: the third has failed too, and the next is 20 s away (the drill's backoff),
        # so only "retry now" moves the process on while support looks at it.
        return any(p.attempt >= 4 for p in (await handle.describe()).raw_description.pending_activities)
    await wait_for(failed_three_times, "three failed DIAN uploads", seconds=30)
    return handle


async def test_support_retries_a_process_stuck_on_dian_in_the_browser(
        support_console_url, browser_page, screenshots, support_member, start_drill, dian_faults):
    page = browser_page
    handle = await stuck_on_dian(start_drill, dian_faults)

    await page.goto(support_console_url + "/auth/login")
    await page.fill("#email", support_member.email)
    await page.fill("#password", PASSWORD)
    await page.click("#login")
    await expect(page.locator("#shortcuts-title")).to_be_visible()

    await page.goto(support_console_url + "/admin/support/")
    await page.click("#signal-filter [data-signal='activity_retrying']")
    row = page.locator(f"#stuck-queue tr[data-workflow-id='{handle.id}']")
    await expect(row.locator(".why")).to_contain_text("HTTP 503")
    await screenshots(page, "queue-retrying")

    dian_faults()  # DIAN is back
    await row.locator("input[name='workflow_id']").check()
    await page.select_option("select[name='action']", "retry")
    await page.fill("input[name='reason']", "La DIAN volvió a responder")
    await page.click("#preview")
    await expect(page.locator("#touch-count")).to_have_attribute("data-count", "1")
    await screenshots(page, "review-retry")

    await page.click("#confirm")
    await expect(page.locator("body")).to_contain_text(handle.id)
    await screenshots(page, "retry-results")
    await wait_for_step(handle.id, "confirm", seconds=15)

    row = AuditEvent.get(AuditEvent.action == "support: retry now")
    assert (row.actor, row.reason, row.outcome) == (support_member.email, "La DIAN volvió a responder", "ok")
    await page.goto(support_console_url + "/admin/support/?signal=activity_retrying")
    await expect(page.locator(f"#stuck-queue tr[data-workflow-id='{handle.id}']")).to_have_count(0)
    await screenshots(page, "queue-after")

    # The process's history tells what happened, support's retry included. (Its replay verdict says
    # "not consistent": the drill is a test workflow, not one the product's code replays.)
    await page.goto(f"{support_console_url}/admin/history/{handle.id}")
    await expect(page.locator("#timeline")).to_contain_text("soporte: reintentó ya")
    await expect(page.locator("#timeline")).to_contain_text("comenzó el paso")
    await screenshots(page, "history")
