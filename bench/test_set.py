"""A full DIAN test set through the product: 100 documents from "start" to "accepted", vs building and signing them alone.

    .venv/bin/python bench/test_set.py [--dian-seconds 0.2] [--rounds 3]

One P1 process is taken to its test-set step (own certificate, issued by the
billing simulator), then staff start the test set: 60 invoices, 20 credit
notes and 20 debit notes, DIAN's set. The figure is the wall time from that
"start" (the update sent) until the DIAN simulator has accepted the set and
the process says so: the NIT locked, the documents built and signed (in the
worker, in this process), kept in the ledger, sent in two zips of 50, DIAN
validating each one (``--dian-seconds`` "in process" per zip, the
simulator's SOAP service checking every document's schema and signature, in
its own process) and the workflow polling it (at once, then after 1 s, then
with backoff). A line before the last says where the test set's own time
went, from its history.

The baseline is building and signing the same 100 documents alone, in this
process, with the same builder and a key of the same size
(``habilita.activities.test_set_builder.build_round``): the median of
``--rounds`` runs measured in the same run. The ratio is what everything
else costs on top: the ledger, DIAN's round trips and its validation, the
polling and the workflow. Ends with exactly one line:

    test set: 100 documents from start to accepted in 3.0 s (ratio 12.9 vs building and signing them alone, 0.23 s; DIAN simulator 0.2 s in process per zip)
"""
from __future__ import annotations

import argparse
import asyncio
import base64
import os
import statistics
import tempfile
import time
import uuid
from collections import defaultdict
from pathlib import Path

from temporalio.api.enums.v1 import EventType

from temporal_baseline import dev_server

from parts.flows import Console, Stack, bench_settings, simulator, start_test_set, to_the_test_set
from parts.p1 import make_companies

DIAN_SET = (60, 20, 20)


def build_and_sign_alone(company) -> float:
    """Seconds to build and sign the set's documents, as the worker's ``build_round`` does, nothing else."""
    from habilita.activities.test_set_builder import RoundCounts, build_round
    from habilita.dian.certificates import generate_test_certificate
    from habilita.dian.clock import colombia_now
    from habilita.dian.sample import SampleIssuer
    from habilita.dian.signing import Signer

    signer = Signer(generate_test_certificate(company.tax_id, company.legal_name))
    issuer = SampleIssuer(nit=company.tax_id, legal_name=company.legal_name, software_id=str(uuid.uuid4()),
                          pin="12345")
    began = time.perf_counter()
    documents = build_round(signer=signer, issuer=issuer, counts=RoundCounts(*DIAN_SET), round_number=1,
                            prefix="SETP", issued_at=colombia_now())
    assert len(documents) == sum(DIAN_SET)
    return time.perf_counter() - began


async def where_the_time_went(client, workflow_id: str) -> str:
    """The test set's own history: seconds from scheduling to completion per activity type, and in timers."""
    spent, scheduled, timers = defaultdict(float), {}, {}
    async for event in client.get_workflow_handle(workflow_id).fetch_history_events():
        at = event.event_time.ToDatetime()
        if event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
            scheduled[event.event_id] = (event.activity_task_scheduled_event_attributes.activity_type.name, at)
        elif event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
            name, began = scheduled[event.activity_task_completed_event_attributes.scheduled_event_id]
            spent[name] += (at - began).total_seconds()
        elif event.event_type == EventType.EVENT_TYPE_TIMER_STARTED:
            timers[event.timer_started_event_attributes.timer_id] = at
        elif event.event_type == EventType.EVENT_TYPE_TIMER_FIRED:
            spent["waiting between polls"] += (at - timers[event.timer_fired_event_attributes.timer_id]).total_seconds()
    return ", ".join(f"{name} {seconds:.2f} s" for name, seconds in sorted(spent.items(), key=lambda kv: -kv[1]))


async def run(args) -> str:
    from habilita.adapters.codec import data_converter
    from habilita.models.database import open_database, upgrade
    from habilita.processes import EINVOICING
    from habilita.worker import build_worker
    from habilita.workflows.test_set import ID_SUFFIX

    var = Path(tempfile.mkdtemp(prefix="bench-test-set-"))
    key = base64.urlsafe_b64encode(os.urandom(32)).decode()
    with simulator("dian-sim", "habilita.simulators.dian", "--state", str(var / "dian-sim.db"),
                   "--processing-seconds", str(args.dian_seconds), "--invoice-set", *map(str, DIAN_SET)) as dian_url, \
            simulator("billing-sim", "habilita.simulators.billing") as billing_url:
        settings = bench_settings(var, key, dian_url, billing_url)
        upgrade(open_database(settings.database_url))
        (company,) = make_companies(1, first_nit=900_700_000)
        alone = [build_and_sign_alone(company) for _ in range(args.rounds)]
        async with dev_server(data_converter(key)) as server:
            stack = Stack(settings, dian_url, billing_url, server.client, f"bench-{uuid.uuid4()}", Console())
            async with build_worker(server.client, settings, task_queue=stack.queue), stack.console:
                handle = await to_the_test_set(stack, company, loan=False, test_set=DIAN_SET)
                began = time.perf_counter()
                await start_test_set(stack, handle, company)
                await stack.console.wait_for(EINVOICING.workflow_id(company) + ID_SUFFIX, "accepted",
                                             status="completed", seconds=300)
                elapsed = time.perf_counter() - began
                breakdown = await where_the_time_went(server.client, EINVOICING.workflow_id(company) + ID_SUFFIX)
    baseline = statistics.median(alone)
    print(f"building and signing {sum(DIAN_SET)} documents alone: " + ", ".join(f"{a:.2f} s" for a in alone)
          + f" (median {baseline:.2f} s)")
    print(f"the test set's own time: {breakdown}")
    return (f"test set: {sum(DIAN_SET)} documents from start to accepted in {elapsed:.1f} s "
            f"(ratio {elapsed / baseline:.1f} vs building and signing them alone, {baseline:.2f} s; "
            f"DIAN simulator {args.dian_seconds:g} s in process per zip)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dian-seconds", type=float, default=0.2,
                        help="how long the DIAN simulator keeps each zip 'in process'")
    parser.add_argument("--rounds", type=int, default=3, help="baseline runs; the median counts")
    print(asyncio.run(run(parser.parse_args())))


if __name__ == "__main__":
    main()
