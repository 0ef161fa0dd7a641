"""``python -m habilita.simulators.erp --port 8093 --dian-url http://127.0.0.1:8090/WcfDianCustomerServices.svc``."""
from __future__ import annotations

import argparse

from .server import make_server
from .store import ErpState


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m habilita.simulators.erp",
        description="ERP (Siigo-like) public API simulator: token auth, catalogs, products, customers and "
                    "invoices, with rate limits, user blocking, idempotency and electronic invoices sent to DIAN. "
                    "Companies are set up through /_admin/... (state is in memory).")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8093, help="port to listen on (default 8093)")
    parser.add_argument("--dian-url", default=None,
                        help="DIAN SOAP service electronic invoices are sent to, e.g. the DIAN simulator's "
                             "http://127.0.0.1:8090/WcfDianCustomerServices.svc (default: none, sending is refused)")
    args = parser.parse_args(argv)
    server = make_server(ErpState(dian_url=args.dian_url), host=args.host, port=args.port)
    print(f"ERP simulator on http://{args.host}:{server.server_address[1]} (DIAN: {args.dian_url or 'none'})",
          flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
