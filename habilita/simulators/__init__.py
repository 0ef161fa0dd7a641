"""Local stand-ins for external systems, speaking their real protocols (dev stack and tests)."""
