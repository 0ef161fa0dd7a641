"""A local stand-in for DIAN's habilitación web service and portal.

It speaks the real SOAP protocol (``habilita.dian.soap`` and ``habilita.dian.wssecurity``), so
the product's real ``DianClient`` is what tests and the dev stack exercise.
"""

from .app import SOAP_PATH, create_app
from .config import SimulatorConfig, invoice_set, support_document_set
from .server import SimulatorServer, make_server, serve

__all__ = ["SOAP_PATH", "SimulatorConfig", "SimulatorServer", "create_app", "invoice_set", "make_server",
           "serve", "support_document_set"]
