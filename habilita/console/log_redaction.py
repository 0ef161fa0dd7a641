"""Password-reset and invitation tokens never reach a log.

A reset link is a bearer secret whose token travels in the URL path, and
werkzeug's request log ("GET /auth/reset/<token> HTTP/1.1" 200) and Flask's
error log ("Exception on /auth/reset/<token>") both write the path; peewee's
query log, at DEBUG, writes the outbox row that holds a mailed link. A filter
on those loggers blanks the token before any handler sees the record.
"""
from __future__ import annotations

import logging
import re

# A token is URL-safe base64 (secrets.token_urlsafe), possibly percent-encoded in a request line.
# The company's invitation link (/empresa/<token>) is a bearer secret too.
RESET_PATH = re.compile(r"(/auth/reset/|/empresa/)[A-Za-z0-9_\-%]+")
REDACTED = r"\1[redacted]"


class ResetTokenFilter(logging.Filter):
    """Rewrites a record whose message holds a reset link's path, with the token blanked."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = RESET_PATH.sub(REDACTED, message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


def keep_reset_tokens_out_of(*loggers: logging.Logger) -> None:
    """Put the filter on each of ``loggers`` once (the console may be built many times in a process)."""
    for logger in loggers:
        if not any(isinstance(existing, ResetTokenFilter) for existing in logger.filters):
            logger.addFilter(ResetTokenFilter())
