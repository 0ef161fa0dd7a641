"""``python -m habilita.simulators.dian``: run the DIAN simulator in the foreground."""

from __future__ import annotations

import argparse
import logging

from .config import SimulatorConfig, invoice_set
from .server import serve


def main(argv: list[str] | None = None) -> None:
    """Parse the command line and serve until interrupted."""
    parser = argparse.ArgumentParser(
        prog="python -m habilita.simulators.dian",
        description="Local DIAN habilitación simulator: SOAP service at /WcfDianCustomerServices.svc, "
                    "portal at /portal/..., state page at /.")
    parser.add_argument("--host", default="127.0.0.1", help="interface to listen on (default: 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8090, help="port to listen on (default: 8090)")
    parser.add_argument("--state", default="var/dian-sim.db", help="SQLite file of the simulator's state")
    parser.add_argument("--processing-seconds", type=float, default=3.0,
                        help="how long a batch stays 'en proceso de validación' (default: 3)")
    parser.add_argument("--invoice-set", type=int, nargs=3, metavar=("INVOICES", "CREDIT_NOTES", "DEBIT_NOTES"),
                        default=None, help="accepted documents the invoicing test set needs (default: 60 20 20)")
    parser.add_argument("--allowed-rejections", type=int, default=10,
                        help="rejected documents the invoicing test set tolerates (default: 10)")
    parser.add_argument("--access-log", action="store_true",
                        help="print a line per request (default: only warnings and errors; the worker polls often)")
    args = parser.parse_args(argv)
    if not args.access_log:
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
    config = SimulatorConfig(invoice_set=invoice_set(*(args.invoice_set or (60, 20, 20)),
                                                     allowed_rejections=args.allowed_rejections))
    print(f"DIAN simulator on http://{args.host}:{args.port}/ (state {args.state})", flush=True)
    try:
        serve(args.host, args.port, state_path=args.state, processing_seconds=args.processing_seconds,
              config=config)
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
