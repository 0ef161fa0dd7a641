"""An error's text as a person can read it in a list: no markup, one line, cut short.

A server's error page (``<html><body><h1>503 ...``) lands in exception
messages; the queue and the notifications show the words, not the tags.
"""
from __future__ import annotations

import html
import re

_TAG = re.compile(r"<[^>]{0,200}>")
_SPACE = re.compile(r"\s+")


def plain(text: str, limit: int = 300) -> str:
    """``text`` without HTML tags or entities, its whitespace collapsed, at most ``limit`` characters."""
    words = _SPACE.sub(" ", html.unescape(_TAG.sub(" ", text or ""))).strip()
    return words if len(words) <= limit else words[:limit - 1] + "…"
