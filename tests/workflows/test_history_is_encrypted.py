"""What reaches Temporal's history is encrypted: the software PIN and the
representative's data never sit there in clear."""
from __future__ import annotations

import base64
import json

from temporalio.client import Client

from habilita.adapters.codec import ENCODING

from .conftest import wait_for_step
from .test_einvoicing_end_to_end import register, start_p1


def payloads_in(node) -> list[dict]:
    """Every payload (a dict with metadata and data) in a history's JSON, but
    what stays plain by design: search attributes, which Temporal indexes
    (step, status, the company's tax id), and the SDK's own records in a
    marker (a patch's id; a local activity's id, type, attempt and times)."""
    if isinstance(node, dict):
        if "metadata" in node and "data" in node:
            return [node]
        if "markerName" in node:
            return payloads_in(node["details"].get("result"))
        return [p for key, value in node.items() if key != "searchAttributes" for p in payloads_in(value)]
    if isinstance(node, list):
        return [p for value in node for p in payloads_in(value)]
    return []


async def test_the_raw_history_holds_no_pin_or_name_in_clear(client, task_queue, worker, company, portal, settings):
    handle = await start_p1(client, task_queue, company, settings)
    answer = await register(handle, portal, company)
    await wait_for_step(handle.id, "certificate")

    # A client without our codec sees exactly what the server stores.
    raw = Client(**{**client.config(), "data_converter": type(client.data_converter)()})
    history = json.loads((await raw.get_workflow_handle(handle.id).fetch_history()).to_json())
    payloads = payloads_in(history)

    assert len(payloads) > 5, "the history carries payloads"
    assert {base64.b64decode(p["metadata"]["encoding"]) for p in payloads} == {ENCODING}
    clear = b"".join(base64.b64decode(p["data"]) for p in payloads)
    assert answer["pin"].encode() not in clear
    assert company.tax_id.encode() not in clear and company.legal_name.encode() not in clear
    everything = json.dumps(history, ensure_ascii=False)  # the plain parts too: markers, search attributes
    assert answer["pin"] not in everything and company.legal_name not in everything
