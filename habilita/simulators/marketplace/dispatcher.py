"""Sending notifications to the seller application's URL, as the marketplace does.

A POST of the notification JSON; only an HTTP 200 within ``timeout`` (500 ms,
the marketplace's rule) acknowledges it. Anything else — another status, a
refused connection, an answer that came too late — leaves it missed
(``/missed_feeds``) and, while attempts remain, sends it again later with
``attempts`` + 1. Several workers send at once, as a busy marketplace does,
so notifications overtake each other.
"""
from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass

from .store import Delivery, Marketplace

# The receiver is named by URL; proxies from the environment must not come between.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@dataclass(frozen=True)
class DeliveryPolicy:
    """``retry_delays``: seconds before the 2nd, 3rd... attempt (its length + 1 = attempts in all)."""

    timeout: float = 0.5
    retry_delays: tuple[float, ...] = (1.0, 5.0, 30.0)
    workers: int = 4

    @property
    def max_attempts(self) -> int:
        return len(self.retry_delays) + 1


class Dispatcher:
    """Worker threads taking due notifications from a :class:`Marketplace` and POSTing them."""

    def __init__(self, marketplace: Marketplace, policy: DeliveryPolicy = DeliveryPolicy()) -> None:
        self.marketplace = marketplace
        self.policy = policy
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> Dispatcher:
        for number in range(self.policy.workers):
            thread = threading.Thread(target=self._run, name=f"marketplace-notifier-{number}", daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=self.policy.timeout + 2)
        self._threads.clear()

    def _run(self) -> None:
        while not self._stop.is_set():
            delivery = self.marketplace.next_delivery(timeout=0.2)
            if delivery is not None:
                self.send(delivery)

    def send(self, delivery: Delivery) -> bool:
        """POST one notification and record the outcome; True when acknowledged."""
        attempts = delivery.body["attempts"]
        status, error, millis = post(delivery, self.policy.timeout)
        acknowledged = status == 200 and not error
        retry_in = None
        if not acknowledged and attempts < self.policy.max_attempts:
            retry_in = self.policy.retry_delays[attempts - 1]
        self.marketplace.delivered(delivery.notification_id, acknowledged=acknowledged, status=status,
                                   error=error, millis=millis, retry_in=retry_in)
        return acknowledged


def post(delivery: Delivery, timeout: float) -> tuple[int | None, str, int]:
    """(HTTP status or None, what went wrong or "", milliseconds taken).

    An answer after ``timeout`` counts as no answer even if it was a 200: the
    marketplace stopped waiting.
    """
    request = urllib.request.Request(delivery.url, data=json.dumps(delivery.body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    started = time.monotonic()
    status, error = None, ""
    try:
        with _OPENER.open(request, timeout=timeout) as response:  # nosec B310 # set_notify_url takes http and https only
            status = response.status
            response.read()
    except urllib.error.HTTPError as exc:
        status, error = exc.code, f"HTTP {exc.code}"
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        if isinstance(reason, TimeoutError):
            error = f"no answer within {int(timeout * 1000)} ms"
        else:
            error = f"no answer: {reason}"
    millis = int((time.monotonic() - started) * 1000)
    if not error and millis > timeout * 1000:
        error = f"answered after {millis} ms (more than {int(timeout * 1000)} ms)"
    elif not error and status != 200:
        error = f"HTTP {status} (only 200 acknowledges)"
    return status, error, millis
