"""Indicators kept for a few seconds, shared by every request."""
from __future__ import annotations

import time

from habilita.console.timed_cache import TimedCache


def test_a_value_is_computed_once_while_it_is_fresh():
    calls = []
    cache = TimedCache(ttl=60)
    assert cache.get("figures", lambda: calls.append(1) or len(calls)) == 1
    assert cache.get("figures", lambda: calls.append(1) or len(calls)) == 1
    assert len(calls) == 1


def test_a_stale_value_is_computed_again():
    cache = TimedCache(ttl=0.05)
    cache.get("figures", lambda: "old")
    time.sleep(0.06)
    assert cache.get("figures", lambda: "new") == "new"


def test_a_zero_ttl_computes_every_time():
    cache = TimedCache(ttl=0)
    cache.get("figures", lambda: "first")
    assert cache.get("figures", lambda: "second") == "second"
