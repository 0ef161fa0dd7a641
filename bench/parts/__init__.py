"""What several benches share beyond the Temporal baseline: real worker processes and P1 starts.

A folder, not a ``bench/*.py`` script: `make bench` runs every script there.
"""
