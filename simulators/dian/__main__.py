"""``python -m simulators.dian``: run the DIAN simulator in the foreground."""

from __future__ import annotations

import argparse

from .server import serve


def main(argv: list[str] | None = None) -> None:
    """Parse the command line and serve until interrupted."""
    parser = argparse.ArgumentParser(
        prog="python -m simulators.dian",
        description="Local DIAN habilitación simulator: SOAP service at /WcfDianCustomerServices.svc, "
                    "portal at /portal/..., state page at /.")
    parser.add_argument("--host", default="127.0.0.1", help="interface to listen on (default: 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8090, help="port to listen on (default: 8090)")
    parser.add_argument("--state", default="var/dian-sim.db", help="SQLite file of the simulator's state")
    parser.add_argument("--processing-seconds", type=float, default=3.0,
                        help="how long a batch stays 'en proceso de validación' (default: 3)")
    args = parser.parse_args(argv)
    print(f"DIAN simulator on http://{args.host}:{args.port}/ (state {args.state})", flush=True)
    try:
        serve(args.host, args.port, state_path=args.state, processing_seconds=args.processing_seconds)
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
