"""Support and audit: find stuck processes, move them on, read every process's history.

Services take a Temporal client and read ``models``; the admin pages and the
CLI are thin entry points over them.
"""
