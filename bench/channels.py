"""P4 end to end: a marketplace storm invoiced at the ERP, against the same invoices posted straight to the ERP.

    .venv/bin/python bench/channels.py [--orders 250] [--notifications 1000] [--seed 7]

Everything runs as it does in production, each in its own process but the
marketplace: a local Temporal dev server (a WAL SQLite file, as `make run`),
the ERP simulator (``python -m habilita.simulators.erp``), the notification
receiver (``python -m habilita.receiver``) and the order worker
(tests/channels_orders/order_worker.py: the order workflows and the
reconciliation, ``habilita.worker.build_worker``), on one SQLite database.
The marketplace simulator and its dispatcher (4 senders, the 500 ms rule)
run in this process, which records every delivery attempt's answer time.
The ERP's rate limit is lifted (``PUT /_admin/companies/<nit>/limit
{"per_minute": 1000000}``: ``null`` would put it back to the default 100;
the worker's own limiter raised to match), so the figure is our
pipeline's, not the ERP's quota.

1. A small storm warms everything up (connections, tokens, caches).
2. **Ours**: a settled storm (``StormSpec``: duplicates, cancellations,
   unpaid, fulfillment and excluded-channel orders, packs) is queued at the
   marketplace; the clock runs from then until the ERP holds the invoice of
   every eligible order (notification -> receiver -> order workflow ->
   invoice). Then: exactly one invoice per eligible order, none for another.
3. **Baseline**: the same invoices — the payloads built by the same code
   (``invoicing.invoice_payload`` with the products matched at the ERP) —
   posted straight to the ERP simulator through
   ``ErpClient.create_invoice`` with Idempotency-Keys, by as many threads
   as the worker runs activities at once, for a second ERP company with the
   same products and the buyers already created.

Ends with exactly one line:

    channels: 5.9 orders/s end to end (ratio 0.015 vs straight to the ERP), receiver p99 407 ms over 1,000 notifications
"""
from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import dataclasses
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import requests  # noqa: E402

from habilita.activities.channel_orders import ChannelOrderActivities, ErpLimit, MatchProducts  # noqa: E402
from habilita.adapters.codec import data_converter  # noqa: E402
from habilita.adapters.erp_client import ErpClient, Timeouts  # noqa: E402
from habilita.adapters.secrets_box import SecretBox  # noqa: E402
from habilita.channels import invoicing  # noqa: E402
from habilita.channels.configuration import ConnectionSettings  # noqa: E402
from habilita.channels.invoicing import ErpTax  # noqa: E402
from habilita.dian.clock import colombia_now  # noqa: E402
from habilita.models import ChannelConnection, Company  # noqa: E402
from habilita.models.database import open_database, upgrade  # noqa: E402
from habilita.settings import Settings  # noqa: E402
from habilita.simulators.marketplace.dispatcher import DeliveryPolicy  # noqa: E402
from habilita.simulators.marketplace.server import MarketplaceServer  # noqa: E402
from habilita.simulators.marketplace.store import Marketplace  # noqa: E402
from habilita.simulators.marketplace.storm import StormSpec, plan_storm, play_storm  # noqa: E402
from habilita.worker import ACTIVITY_SLOTS  # noqa: E402
from temporal_baseline import dev_server  # noqa: E402
from parts.worker_process import stop  # noqa: E402
from tests.channels.conftest import ACCESS_KEY, COMPANY_NIT, USERNAME, ErpAdmin  # noqa: E402
from tests.channels_orders.conftest import (  # noqa: E402
    CONFIGURATION,
    ERP_PRODUCTS,
    RULES,
    SELLER,
    TOKEN,
    make_connection,
)
from tests.harness import TEST_ENCRYPTION_KEY, free_port  # noqa: E402

# The baseline's ERP company: the same products, its own API user.
BASELINE_NIT, BASELINE_USER = "900700801", "baseline@apionmicrosoft.com"
NO_LIMIT = ErpLimit(requests=1_000_000, window_seconds=60)
POLL_SECONDS = 0.05
BASELINE_ROUNDS = 3


class TimedMarketplace(Marketplace):
    """The marketplace simulator, keeping every delivery attempt: (HTTP status, milliseconds to the answer)."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.attempts: list[tuple[int | None, int, bool]] = []
        self._attempts_lock = threading.Lock()

    def delivered(self, notification_id: str, *, acknowledged: bool, status: int | None, error: str,
                  millis: int, retry_in: float | None) -> None:
        with self._attempts_lock:
            self.attempts.append((status, millis, acknowledged))
        super().delivered(notification_id, acknowledged=acknowledged, status=status, error=error, millis=millis,
                          retry_in=retry_in)


def percentile(samples: list[float], q: int) -> float:
    return statistics.quantiles(samples, n=100, method="inclusive")[q - 1]


def wait_until_up(url: str, process: subprocess.Popen, log: Path, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args} exited at start: {log.read_text()[-2000:]}")
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{url} did not answer within {seconds:.0f} s: {log.read_text()[-2000:]}")
        time.sleep(0.1)


def spawn(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    with open(log, "ab") as out:
        return subprocess.Popen([sys.executable, *args], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)


def erp_invoice_count(erp: ErpAdmin, nit: str) -> int:
    return erp.send("GET", f"/_admin/companies/{nit}")["invoices"]


def invoices_by_order(erp: ErpAdmin, nit: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for invoice in erp.invoices(nit):
        order_id = invoice["observations"].split()[1]
        counts[order_id] = counts.get(order_id, 0) + 1
    return counts


def wait_for_invoices(erp: ErpAdmin, nit: str, count: int, seconds: float, what: str) -> float:
    """Poll the ERP until the company holds ``count`` invoices; the moment it did (perf_counter)."""
    deadline = time.monotonic() + seconds
    while (held := erp_invoice_count(erp, nit)) < count:
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what}: the ERP holds {held} invoices of {count} after {seconds:.0f} s")
        time.sleep(POLL_SECONDS)
    return time.perf_counter()


def wait_delivered(marketplace: Marketplace, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while marketplace.pending():
        if time.monotonic() > deadline:
            raise RuntimeError(f"{marketplace.pending()} notifications still pending after {seconds:.0f} s")
        time.sleep(0.1)


def baseline_payloads(settings: Settings, connection: ChannelConnection, plan, to_invoice: list[str],
                      conn_settings: ConnectionSettings, client: ErpClient) -> list[tuple[str, dict]]:
    """The eligible orders' invoices as the worker builds them (products matched at the baseline company by
    the same activity code, outside any worker), their buyers created there; (Idempotency-Key, payload)."""
    activities = ChannelOrderActivities(settings, SecretBox(settings.encryption_key), None, erp_limit=NO_LIMIT)
    taxes = {t.id: ErpTax(id=t.id, type=t.type, percentage=str(t.percentage)) for t in client.taxes() if t.active}
    orders = {p.order.order_id: p.order for p in plan.orders}
    today = colombia_now().date()
    created: set[str] = set()
    payloads = []
    for order_id in to_invoice:
        order = orders[order_id]
        matched = activities.match_products(MatchProducts(
            connection_id=connection.id, company_tax_id=BASELINE_NIT, order=order, rules=conn_settings.rules))
        if matched.missing:
            raise RuntimeError(f"bench setup: order {order_id} has products the ERP does not know: {matched.missing}")
        customer = invoicing.customer_payload(order, conn_settings)
        if customer["identification"] not in created:
            if client.find_customer(customer["identification"]) is None:
                client.create_customer(customer)
            created.add(customer["identification"])
        payload = invoicing.invoice_payload(order, conn_settings, matched.lines, taxes,
                                            customer_identification=customer["identification"], today=today)
        payloads.append((invoicing.idempotency_key(BASELINE_NIT, connection.id, order_id), payload))
    return payloads


def post_straight(client: ErpClient, payloads: list[tuple[str, dict]], threads: int) -> float:
    """Post every payload with ``threads`` at once; the seconds it took."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=threads) as pool:
        began = time.perf_counter()
        invoices = list(pool.map(lambda kp: client.create_invoice(kp[1], idempotency_key=kp[0]), payloads))
        elapsed = time.perf_counter() - began
    if len({i.id for i in invoices}) != len(payloads):
        raise RuntimeError("baseline: the ERP did not create one invoice per payload")
    return elapsed


def rekeyed(payloads: list[tuple[str, dict]], round_: int) -> list[tuple[str, dict]]:
    """The same payloads under fresh Idempotency-Keys (a round after the first creates new invoices)."""
    if round_ == 0:
        return payloads
    return [(invoicing.idempotency_key(BASELINE_NIT, round_, key), payload) for key, payload in payloads]


async def main(orders: int, notifications: int | None, seed: int, timeout: float) -> None:
    logging.getLogger("urllib3").setLevel(logging.ERROR)  # a shared ErpClient's pool, as in the worker
    with tempfile.TemporaryDirectory(prefix="bench-channels-") as folder:
        await run(Path(folder), orders, notifications, seed, timeout)


async def run(work: Path, orders: int, notifications: int | None, seed: int, timeout: float) -> None:
    key = TEST_ENCRYPTION_KEY  # the connection rows are sealed with the test box (tests/channels_orders)
    queue = f"bench-channels-{uuid.uuid4()}"
    database_url = f"sqlite:///{work / 'habilita.db'}"
    upgrade(open_database(database_url))
    company = Company.create(country="CO", tax_id="900123456", check_digit="8", legal_name="Bench SAS")
    connection = make_connection(company)
    conn_settings = ConnectionSettings(connection_id=connection.id, version=1, configuration=CONFIGURATION,
                                       rules=RULES)
    # The baseline's connection row: only to match its products with the worker's own code.
    baseline_connection = make_connection(company, state="disconnected")
    baseline_connection.erp_tax_id, baseline_connection.api_user = BASELINE_NIT, BASELINE_USER
    baseline_connection.marketplace_user_id = "1"
    baseline_connection.save()

    erp_port, receiver_port = free_port(), free_port()
    erp_url = f"http://127.0.0.1:{erp_port}"
    erp_log, receiver_log, worker_log = work / "erp.log", work / "receiver.log", work / "worker.log"
    processes: list[subprocess.Popen] = []
    marketplace = TimedMarketplace()
    marketplace.add_seller(SELLER, TOKEN)
    market = MarketplaceServer(("127.0.0.1", 0), marketplace, DeliveryPolicy())
    market.dispatcher.start()
    threading.Thread(target=market.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True).start()

    async with dev_server(data_converter(key)) as env:
        client = env.client
        base_env = {**os.environ, "DATABASE_URL": database_url, "HABILITA_VAR": str(work / "var"),
                    "TEMPORAL_ADDRESS": client.service_client.config.target_host,
                    "TEMPORAL_NAMESPACE": client.namespace, "TEMPORAL_TASK_QUEUE": queue,
                    "HABILITA_ENCRYPTION_KEY": key, "SECRET_KEY": "bench", "ERP_URL": erp_url,
                    "MARKETPLACE_URL": market.url, "MARKETPLACE_TOKEN": TOKEN,
                    "MARKETPLACE_APP_ID": marketplace.application_id, "HABILITA_RECONCILE_SECONDS": "60",
                    "ERP_LIMIT_REQUESTS": str(NO_LIMIT.requests), "ERP_LIMIT_WINDOW": str(NO_LIMIT.window_seconds)}
        settings = Settings.from_env(base_env)
        try:
            processes.append(spawn(["-m", "habilita.simulators.erp", "--port", str(erp_port)], base_env, erp_log))
            wait_until_up(erp_url + "/health", processes[-1], erp_log)
            erp = ErpAdmin(erp_url)
            for nit, username in ((COMPANY_NIT, USERNAME), (BASELINE_NIT, BASELINE_USER)):
                erp.create_company(nit, username=username, access_key=ACCESS_KEY)
                erp.add_products(ERP_PRODUCTS, nit=nit)
                erp.configure("limit", {"per_minute": NO_LIMIT.requests}, nit=nit)
            processes.append(spawn(["-m", "habilita.receiver", "--port", str(receiver_port)], base_env, receiver_log))
            receiver_url = f"http://127.0.0.1:{receiver_port}"
            wait_until_up(receiver_url + "/health", processes[-1], receiver_log)
            processes.append(spawn(["-m", "tests.channels_orders.order_worker"], base_env, worker_log))
            marketplace.set_notify_url(receiver_url + "/notifications")

            now = marketplace.clock()
            # 1. Warm up: the worker polling, the receiver's client connected, tokens and caches filled.
            warm = plan_storm(StormSpec(seed=seed + 1, orders=20, silent=0), now)
            play_storm(marketplace, warm)
            wait_for_invoices(erp, COMPANY_NIT, len(warm.manifest["groups"]["to_invoice"]), 120, "warm-up")
            wait_delivered(marketplace, 60)
            warm_invoices = erp_invoice_count(erp, COMPANY_NIT)
            marketplace.attempts.clear()

            # 2. Ours: the storm, from its notifications queued to the ERP's last invoice.
            plan = plan_storm(StormSpec(seed=seed, orders=orders, notifications=notifications, silent=0), now)
            to_invoice = plan.manifest["groups"]["to_invoice"]
            began = time.perf_counter()
            play_storm(marketplace, plan)
            ended = wait_for_invoices(erp, COMPANY_NIT, warm_invoices + len(to_invoice), timeout, "the storm")
            ours_seconds = ended - began
            wait_delivered(marketplace, 60)
            storm_ids = {p.order.order_id for p in plan.orders}
            held = {o: n for o, n in invoices_by_order(erp, COMPANY_NIT).items() if o in storm_ids}
            if held != {o: 1 for o in to_invoice}:
                wrong = {o: held.get(o, 0) for o in storm_ids if held.get(o, 0) != (1 if o in to_invoice else 0)}
                raise RuntimeError(f"not exactly one invoice per eligible order: {dict(list(wrong.items())[:5])}")
            attempts = list(marketplace.attempts)

            # 3. Baseline: the same invoices straight to the ERP, as many at once as the worker's activities.
            with ErpClient(erp_url, username=BASELINE_USER, access_key=ACCESS_KEY,
                           partner_id=settings.erp_partner_id,
                           timeouts=Timeouts(connect=settings.outside_connect_seconds,
                                             read=settings.outside_read_seconds)) as straight:
                payloads = baseline_payloads(settings, baseline_connection, plan, to_invoice,
                                             dataclasses.replace(conn_settings, connection_id=baseline_connection.id),
                                             straight)
                straight.check_credentials()
                # A few hundred invoices take a fraction of a second: the median of a few rounds.
                rounds = [post_straight(straight, rekeyed(payloads, n), ACTIVITY_SLOTS) for n in range(BASELINE_ROUNDS)]
                baseline_seconds = statistics.median(rounds)
        finally:
            marketplace.set_notify_url("")
            market.shutdown()
            market.server_close()
            market.dispatcher.stop()
            for process in reversed(processes):
                stop(process, seconds=15)

    millis = [m for _, m, _ in attempts]
    refused = sum(1 for status, _, ok in attempts if not ok and status == 503)
    late = sum(1 for status, _, ok in attempts if not ok and status != 503)
    sent = plan.manifest["counts"]["notifications"]
    ours = len(to_invoice) / ours_seconds
    straight_rate = len(payloads) / baseline_seconds
    p99 = percentile(millis, 99)
    print(f"  ours: {len(to_invoice)} invoices of {orders} orders in {ours_seconds:.1f} s; {sent:,} notifications "
          f"in {len(attempts):,} deliveries ({refused} answered 503 and {late} late: the marketplace sent those "
          f"again); receiver p50 {percentile(millis, 50):.0f} ms p99 {p99:.0f} ms max {max(millis)} ms")
    print(f"  straight to the ERP: {len(payloads)} invoices in {baseline_seconds:.2f} s with {ACTIVITY_SLOTS} threads "
          f"({straight_rate:.1f}/s, median of {BASELINE_ROUNDS} rounds)")
    print(f"channels: {ours:.1f} orders/s end to end (ratio {ours / straight_rate:.3f} vs straight to the ERP), "
          f"receiver p99 {p99:.0f} ms over {sent:,} notifications")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--orders", type=int, default=250, help="orders in the storm")
    parser.add_argument("--notifications", type=int, default=1000,
                        help="notifications in the storm (0: about five per paid order, as StormSpec does)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--timeout", type=float, default=240, help="seconds the storm may take")
    arguments = parser.parse_args()
    asyncio.run(main(arguments.orders, arguments.notifications or None, arguments.seed, arguments.timeout))
