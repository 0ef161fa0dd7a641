"""The P1 enablement's own fixtures (DIAN and billing simulators over HTTP, settings pointing at them)."""
from tests.workflows.conftest import billing_simulator, dian_simulator, portal, settings  # noqa: F401
