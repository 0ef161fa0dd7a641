"""Processes in the console: which exist, their human steps, and their pages."""
