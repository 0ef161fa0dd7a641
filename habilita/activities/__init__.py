"""Activities: every side effect, one module per process or external system."""
