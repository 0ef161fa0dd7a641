"""``python -m habilita.simulators.billing --port 8091 --state var/billing.json``."""
from __future__ import annotations

import argparse
from http.server import ThreadingHTTPServer
from pathlib import Path

from .ledger import Ledger, Offer
from .server import make_handler


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m habilita.simulators.billing",
        description="Certificate billing and certificate-authority simulator: payments per NIT, "
                    "and real X.509 signing certificates issued for paid orders.")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8091, help="port to listen on (default 8091)")
    parser.add_argument("--state", type=Path, default=None,
                        help="JSON file keeping payments, issued certificates and the CA key across restarts "
                             "(default: in memory only)")
    parser.add_argument("--price", type=int, default=Offer.price, help="certificate price in COP")
    args = parser.parse_args(argv)
    ledger = Ledger(args.state, Offer(price=args.price))
    server = ThreadingHTTPServer((args.host, args.port), make_handler(ledger))
    print(f"billing simulator on http://{args.host}:{server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
