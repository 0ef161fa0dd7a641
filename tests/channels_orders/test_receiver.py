"""The notification receiver: junk is refused naming its field, strangers are ignored, an order notification
becomes a signal-with-start within the marketplace's 500 ms — and a 503 in time when Temporal is away."""
from __future__ import annotations

import time

import pytest
import requests
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

from habilita.models import ChannelConnection
from habilita.receiver import serve_in_thread
from habilita.receiver.server import RECONNECT_PAUSE
from tests.channels_orders.conftest import SELLER

# Answers within the marketplace's 500 ms: measured with no other test on the CPU.
pytestmark = pytest.mark.timed


def post(receiver, body, *, raw: bytes | None = None) -> tuple[requests.Response, float]:
    started = time.monotonic()
    if raw is not None:
        response = requests.post(receiver.url + "/notifications", data=raw, timeout=5)
    else:
        response = requests.post(receiver.url + "/notifications", json=body, timeout=5)
    return response, time.monotonic() - started


def notification(order_id: str = "2000000000000123", **changes) -> dict:
    return {"resource": f"/orders/{order_id}", "topic": "orders_v2", "user_id": int(SELLER),
            "application_id": 5503910054141466, "attempts": 1, "sent": "2025-03-01T15:00:00.000Z",
            "received": "2025-03-01T15:00:00.000Z", **changes}


@pytest.mark.parametrize("body, raw, field", [
    (None, b"not json", "body"),
    ({"topic": "orders_v2", "user_id": 1, "application_id": 2}, None, "resource"),
    (notification(resource="/orders/12a"), None, "resource"),
    (notification(resource="/orders/1?x=1"), None, "resource"),
    (notification(user_id="12 34"), None, "user_id"),
    (notification(attempts=-1), None, "attempts"),
    ([1, 2], None, "notification"),
])
async def test_junk_is_refused_naming_its_field_and_starts_nothing(hub, body, raw, field):
    response, _ = post(hub.receiver, body, raw=raw)
    assert response.status_code == 400 and response.json()["field"] == field
    assert hub.receiver.receiver.counts["accepted"] == 0


async def test_other_topics_and_sellers_nobody_listens_to_are_acknowledged_and_ignored(hub):
    other_topic, _ = post(hub.receiver, notification(topic="questions", resource="/questions/1"))
    stranger, _ = post(hub.receiver, notification(user_id=555))
    assert (other_topic.status_code, stranger.status_code) == (200, 200)
    assert "ignored" in other_topic.json() and "ignored" in stranger.json()
    ChannelConnection.update(state="connecting").where(ChannelConnection.id == hub.connection.id).execute()
    hub.receiver.receiver.cache_seconds = 0
    connecting, _ = post(hub.receiver, notification())
    assert connecting.status_code == 200 and "ignored" in connecting.json()
    assert hub.receiver.receiver.counts["accepted"] == 0


async def test_an_order_notification_signal_with_starts_its_workflow_in_time(running):
    hub = running
    answers = [post(hub.receiver, notification("2000000000000456")) for _ in range(3)]
    assert [a.status_code for a, _ in answers] == [200, 200, 200]
    assert all(took < 0.5 for _, took in answers), [took for _, took in answers]
    workflow_id = answers[0][0].json()["workflow_id"]
    assert workflow_id == hub.workflow_id("2000000000000456")
    description = await hub.client.get_workflow_handle(workflow_id).describe()
    assert description.workflow_type == "ChannelOrderInvoicing"
    # The marketplace has no such order: the read fails for good and the order waits in error for a person.
    rows = await hub.order_states(["2000000000000456"], "error", seconds=30)
    assert "order 2000000000000456 not found" in rows["2000000000000456"].reason


async def test_without_temporal_the_answer_is_503_within_500_ms_so_the_marketplace_retries(hub, hub_settings):
    def unreachable():
        return Client.connect("127.0.0.1:9", namespace="habilita")

    receiver = serve_in_thread(hub_settings, client_factory=unreachable)
    try:
        answers = [post(receiver, notification()) for _ in range(3)]
    finally:
        receiver.close()
    assert [a.status_code for a, _ in answers] == [503, 503, 503]
    assert all(took < 0.5 for _, took in answers), [took for _, took in answers]
    with pytest.raises(RPCError) as missing:
        await hub.client.get_workflow_handle(hub.workflow_id("2000000000000123")).describe()
    assert missing.value.status == RPCStatusCode.NOT_FOUND


async def test_after_a_failed_connection_it_answers_503_at_once_and_connects_again_after_a_pause(hub, hub_settings):
    attempts = []

    async def away_then_back():
        attempts.append(time.monotonic())
        if len(attempts) == 1:
            raise ConnectionError("Temporal is away")
        return await Client.connect(hub.client.service_client.config.target_host, namespace=hub.client.namespace)

    receiver = serve_in_thread(hub_settings, client_factory=away_then_back)
    try:
        away = [post(receiver, notification("2000000000000789")) for _ in range(3)]
        tried_while_away = len(attempts)
        time.sleep(RECONNECT_PAUSE)
        back, _ = post(receiver, notification("2000000000000789"))
    finally:
        receiver.close()
    assert [a.status_code for a, _ in away] == [503, 503, 503]
    assert tried_while_away == 1, "no new attempt within the pause"
    assert all(took < 0.5 for _, took in away), [took for _, took in away]
    assert back.status_code == 200, back.text
    assert len(attempts) == 2
    await hub.client.get_workflow_handle(back.json()["workflow_id"]).terminate("test over")
