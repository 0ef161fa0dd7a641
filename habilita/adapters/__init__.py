"""Adapters: one module per outside system (DIAN, billing, mail, Temporal, the secret box)."""
