"""The P1 enablement's settings: pointed at the simulators the root conftest starts."""
from tests.workflows.conftest import settings  # noqa: F401
