"""``python -m habilita.simulators.marketplace --port 8094 --notify-url http://127.0.0.1:8000/hooks/ml``."""
from __future__ import annotations

import argparse

from .dispatcher import DeliveryPolicy
from .server import MarketplaceServer
from .store import DEFAULT_APPLICATION_ID, Marketplace


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m habilita.simulators.marketplace",
        description="Marketplace simulator (Mercado Libre's shape): orders per seller, notifications to a URL "
                    "with the 500 ms rule and retries, missed feeds, and seeded notification storms "
                    "(POST /_admin/storm). State is in memory.")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8094, help="port to listen on (default 8094)")
    parser.add_argument("--notify-url", default="",
                        help="where notifications are POSTed (settable later: POST /_admin/notify-url)")
    parser.add_argument("--application-id", default=DEFAULT_APPLICATION_ID,
                        help="the seller application's id (app_id of /missed_feeds)")
    parser.add_argument("--dev-seller", default="",
                        help="register this seller id at start, with the token of --dev-token")
    parser.add_argument("--dev-token", default="",
                        help="a fixed Bearer token for --dev-seller (default: a random one, printed)")
    parser.add_argument("--timeout", type=float, default=DeliveryPolicy.timeout,
                        help="seconds the receiver has to answer 200 (default 0.5)")
    args = parser.parse_args(argv)
    marketplace = Marketplace(application_id=args.application_id)
    if args.notify_url:
        marketplace.set_notify_url(args.notify_url)
    server = MarketplaceServer((args.host, args.port), marketplace, DeliveryPolicy(timeout=args.timeout))
    print(f"marketplace simulator on {server.url} (application {marketplace.application_id})", flush=True)
    if args.dev_seller:
        token = marketplace.add_seller(args.dev_seller, args.dev_token or None)
        if args.dev_token:  # the caller knows it: never in the log
            print(f"seller {args.dev_seller}: its token is the one given by --dev-token", flush=True)
        else:  # a random one is printed on purpose: it is the simulator's, never a real marketplace's
            print(f"seller {args.dev_seller}: Authorization: Bearer {token}", flush=True)
    server.dispatcher.start()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        server.dispatcher.stop()


if __name__ == "__main__":
    main()
