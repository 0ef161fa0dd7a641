"""The ERP's limit per company: a test company's 10 requests a minute drain 100 orders without a 429 and
without blocking the API user; a 429 anyway is honoured (Retry-After) and teaches the limiter.

The ERP simulator is used as a library here with a faster clock for its guard (``Guard(clock=...)``): its
60-second window passes in one real second, so "10 a minute" is 10 a second and 100 orders take ~11 s
instead of 10 minutes. The worker's limiter is given the same window.
"""
from __future__ import annotations

import time

import pytest
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from habilita.activities.channel_orders import (
    ChannelOrderActivities,
    CompanyRateLimiter,
    ErpLimit,
    LimitWait,
    MatchProducts,
)
from habilita.channels.orders import Buyer, Order, OrderItem
from habilita.simulators.erp import ErpState, serve_in_thread
from habilita.simulators.erp.guard import Guard
from tests.channels.conftest import COMPANY_NIT, USERNAME, ErpAdmin, ErpSimulator
from tests.channels_orders.conftest import (
    ERP_PRODUCTS,
    RULES,
    make_connection,
    order_worker,
    terminate_orders,
)
from tests.harness import TEST_BOX

SPEED = 60  # ERP seconds per real second: its minute is our second
ORDERS = 100


@pytest.fixture
def erp_simulator():
    """The ERP simulator whose guard's clock runs ``SPEED`` times faster."""
    state = ErpState(guard=Guard(clock=lambda: time.monotonic() * SPEED))
    server = serve_in_thread(state)
    host, port = server.server_address[:2]
    url = f"http://{host}:{port}"
    yield ErpSimulator(url=url, state=state, admin=ErpAdmin(url))
    server.shutdown()
    server.server_close()


@pytest.fixture
def erp_account(erp_simulator):
    """A *test* company: 10 requests a (fast) minute."""
    erp_simulator.admin.create_company(test=True)
    erp_simulator.admin.add_products(ERP_PRODUCTS)
    return erp_simulator


async def test_a_test_companys_ten_a_minute_drain_a_hundred_orders_without_a_429_or_a_block(hub):
    assert hub.erp.admin.send("GET", f"/_admin/companies/{COMPANY_NIT}")["limit_per_minute"] == 10
    limiter = CompanyRateLimiter(ErpLimit(requests=10, window_seconds=60 / SPEED))
    async with order_worker(hub.client, hub.settings, hub.task_queue, limiter=limiter):
        started = time.monotonic()
        orders = [hub.create_order() for _ in range(ORDERS)]
        await hub.order_states(orders, "invoiced", seconds=80)
        took = time.monotonic() - started
        await terminate_orders(hub)

    assert hub.invoices_by_order() == {o: 1 for o in orders}
    assert limiter._held_until == {}, "the ERP answered 429"
    assert hub.erp.state.guard._blocked == set() and not any(hub.erp.state.guard._histories[USERNAME])
    # ~100 invoices + a lookup or two at 10 a second: the limit, not something else, set the pace.
    assert took >= (ORDERS / 10) * 0.9


def paid_order(*skus: str) -> Order:
    return Order(order_id="2000000000000777", status="paid", logistic_type="cross_docking",
                 source_channel="marketplace", date_created="2025-03-01T10:00:00.000-05:00",
                 last_updated="2025-03-01T10:00:00.000-05:00", currency="COP", buyer=Buyer(name="Laura Gómez"),
                 items=tuple(OrderItem(seller_sku=s, title=s, quantity=1, unit_price="1000") for s in skus))


def test_a_429_holds_the_company_for_its_retry_after_and_teaches_the_limiter(db, company, hub_settings,
                                                                              erp_account):
    erp_account.admin.configure("limit", {"per_minute": 2})
    connection = make_connection(company)
    limiter = CompanyRateLimiter(ErpLimit(requests=100, window_seconds=60))
    orders = ChannelOrderActivities(hub_settings, TEST_BOX, None, limiter=limiter)
    job = MatchProducts(connection_id=connection.id, company_tax_id=company.tax_id,
                        order=paid_order("CAM-ALG-M", "CAM-ALG-L", "LAMP-LED"), rules=RULES)

    with pytest.raises(ApplicationError) as limited:
        ActivityEnvironment().run(orders.match_products, job)

    failure = limited.value
    assert failure.type == "ErpRateLimited" and not failure.non_retryable
    assert failure.details[0]["code"] == "order.erp_rate_limited"
    # The ERP's Retry-After (its fast seconds; real ones in production) is the next attempt's delay.
    assert 1 <= failure.next_retry_delay.total_seconds() <= 60
    assert limiter.allowed(COMPANY_NIT) == 2  # learned: two calls fitted in the ERP's window
    with pytest.raises(LimitWait):
        limiter.acquire(COMPANY_NIT, max_wait=0)
    assert not any(erp_account.state.guard._histories[USERNAME]), "a 429 is not an error against the user"


def test_the_limiter_never_lets_a_company_exceed_its_window_and_keeps_companies_apart():
    now = [0.0]
    slept = []

    def sleep(seconds):
        slept.append(seconds)
        now[0] += seconds

    limiter = CompanyRateLimiter(ErpLimit(requests=3, window_seconds=10), clock=lambda: now[0], sleep=sleep)
    moments = []
    for _ in range(7):
        limiter.acquire("900700800", max_wait=60)
        moments.append(now[0])
    limiter.acquire("800111222", max_wait=0)  # another company is not held back by the first one's window
    window = 10 * 1.02 + 0.05
    assert all(sum(1 for m in moments if start <= m < start + window) <= 3 for start in moments)
    assert moments[:3] == [0.0, 0.0, 0.0] and moments[3] >= window
    limiter.acquire("900700800", max_wait=0)
    limiter.acquire("900700800", max_wait=0)  # the window of the 7th call is full now
    with pytest.raises(LimitWait):
        limiter.acquire("900700800", max_wait=0)

