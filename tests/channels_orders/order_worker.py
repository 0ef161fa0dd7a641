"""A worker of the order workflows and the reconciliation alone, in its own process (a test kills it).

``python -m tests.channels_orders.order_worker``, configured by the environment as
``habilita worker`` is, plus ``ERP_LIMIT_REQUESTS`` / ``ERP_LIMIT_WINDOW`` for the ERP limiter.
"""
from __future__ import annotations

import asyncio
import os

from habilita.activities.channel_orders import ErpLimit, channel_order_activities
from habilita.adapters.temporal import connect
from habilita.models.database import open_database
from habilita.settings import Settings
from habilita.worker import build_worker
from habilita.workflows.channel_order import ChannelOrderInvoicing
from habilita.workflows.channel_reconciliation import ChannelReconciliation


async def main() -> None:
    settings = Settings.from_env()
    open_database(settings.database_url)
    client = await connect(settings, identity=f"order-worker {os.getpid()}")
    limit = ErpLimit(int(os.environ.get("ERP_LIMIT_REQUESTS", "100")),
                     float(os.environ.get("ERP_LIMIT_WINDOW", "60")))
    worker = build_worker(client, settings, workflows=[ChannelOrderInvoicing, ChannelReconciliation],
                          activities=channel_order_activities(settings, client, erp_limit=limit))
    await worker.run()


if __name__ == "__main__":
    asyncio.run(main())
