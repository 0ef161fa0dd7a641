"""``python -m habilita.receiver [--host H] [--port P]``: the notification receiver, with habilita's settings."""
from __future__ import annotations

import argparse
import logging
import signal
import threading

from habilita.models.database import open_database
from habilita.settings import Settings

from .server import make_server

# How long a stop may take before the kernel ends the process (SIGALRM, left at its default action, needs no
# Python to run): a notification cut short is sent again by the marketplace, which got no answer.
STOP_SECONDS = 10


def main(argv: list[str] | None = None) -> None:
    settings = Settings.from_env()
    parser = argparse.ArgumentParser(prog="python -m habilita.receiver",
                                     description="Receive marketplace order notifications (POST /notifications).")
    parser.add_argument("--host", default=settings.receiver_host)
    parser.add_argument("--port", type=int, default=settings.receiver_port)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    open_database(settings.database_url)
    server = make_server(settings, host=args.host, port=args.port)
    stopping = threading.Event()

    def stop(*_args) -> None:
        if not stopping.is_set():
            stopping.set()
            signal.alarm(STOP_SECONDS)
            threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    logging.getLogger(__name__).info("receiving notifications at %s/notifications (task queue %r)", server.url,
                                     settings.task_queue)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
        server.receiver.link.close()


if __name__ == "__main__":
    main()
