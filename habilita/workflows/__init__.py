"""Temporal workflows: deterministic orchestration, one module per process."""
