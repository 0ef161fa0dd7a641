"""Run the simulator on a port: in a background thread (tests, dev stack) or in the foreground (CLI)."""

from __future__ import annotations

import threading

from werkzeug.serving import make_server as _werkzeug_server

from .app import SOAP_PATH, create_app


class SimulatorServer:
    """A running simulator; ``soap_url`` is what a ``DianClient`` is given."""

    def __init__(self, state_path: str, *, host: str = "127.0.0.1", port: int = 0, **app_options) -> None:
        self.app = create_app(state_path, **app_options)
        self._server = _werkzeug_server(host, port, self.app, threaded=True)
        self.host = host
        self.port = self._server.server_port
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """The base URL (portal, inspection endpoints)."""
        return f"http://{self.host}:{self.port}"

    @property
    def soap_url(self) -> str:
        """The URL of the SOAP service."""
        return self.url + SOAP_PATH

    @property
    def service(self):
        """The simulator's :class:`~habilita.simulators.dian.service.DianService` (its store and config)."""
        return self.app.extensions["dian_simulator"]["service"]

    def start(self) -> "SimulatorServer":
        """Serve in a daemon thread and return at once."""
        self._thread = threading.Thread(target=self._server.serve_forever, name=f"dian-sim:{self.port}", daemon=True)
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve in the calling thread until interrupted."""
        try:
            self._server.serve_forever()
        finally:
            self.stop()

    def stop(self) -> None:
        """Release hanging calls, stop serving and close the state database."""
        extension = self.app.extensions["dian_simulator"]
        extension["faults"].close()
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(timeout=10)
            self._thread = None
        self._server.server_close()
        extension["store"].close()

    def __enter__(self) -> "SimulatorServer":
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()


def make_server(state_path: str, *, host: str = "127.0.0.1", port: int = 0, **app_options) -> SimulatorServer:
    """A simulator bound to ``host:port`` (0: any free port), not yet serving; see :class:`SimulatorServer`."""
    return SimulatorServer(state_path, host=host, port=port, **app_options)


def serve(host: str, port: int, *, state_path: str, **app_options) -> None:
    """Serve the simulator in the foreground until interrupted."""
    make_server(state_path, host=host, port=port, **app_options).serve_forever()
