"""The ERP's two protections against a misbehaving integration.

**Rate limit, per company.** At most ``limit`` requests to ``/v1`` in any
sliding 60-second window: 100 a minute, 10 on a company flagged as a test
company (an admin may change a company's limit, e.g. for benchmarks). A
request over the limit is answered 429 ``requests_limit`` with a
``Retry-After`` header: the whole seconds until the oldest counted request
leaves the window. Refused requests are not counted, so backing off works.
``/auth`` is not rate limited.

**Blocking, per API user.** The user's last 20 answered requests are kept.
Once at least 10 are kept and more than 80 % of them are errors (any 4xx
except 429; 5xx are the ERP's fault and are not held against the user), the
user is blocked: every later request, ``/auth`` included, is answered 403
``blocked_user`` until an admin unblocks it (``POST
/_admin/users/<username>/unblock``). Blocked answers are not recorded.
This is why a client must never retry blindly against a refusal that
cannot succeed.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable

from .errors import ApiError

WINDOW_SECONDS = 60.0
PRODUCTION_LIMIT = 100
TEST_COMPANY_LIMIT = 10
HISTORY = 20
MIN_HISTORY = 10


def is_error(status: int) -> bool:
    """Whether an answer counts against the user: a 4xx other than 429."""
    return 400 <= status < 500 and status != 429


class Guard:
    """Rate windows per company and answer histories per user; thread-safe."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._windows: dict[str, deque[float]] = {}
        self._histories: dict[str, deque[bool]] = {}
        self._blocked: set[str] = set()

    def admit(self, company: str, limit: int) -> None:
        """Count one request of ``company``, or refuse it with 429 when the window is full."""
        now = self._clock()
        with self._lock:
            window = self._windows.setdefault(company, deque())
            while window and window[0] <= now - WINDOW_SECONDS:
                window.popleft()
            if len(window) >= limit:
                wait = max(1, math.ceil(window[0] + WINDOW_SECONDS - now))
                raise ApiError.one(
                    429, "requests_limit",
                    f"Se superó el límite de {limit} solicitudes por minuto de la compañía; "
                    f"reintente en {wait} segundos", limit, wait, headers={"Retry-After": str(wait)})
            window.append(now)

    def check_not_blocked(self, username: str) -> None:
        """Refuse with 403 ``blocked_user`` when ``username`` is blocked."""
        with self._lock:
            blocked = username in self._blocked
        if blocked:
            raise ApiError.one(
                403, "blocked_user",
                f"El usuario API {username} está bloqueado: más del 80 % de sus últimas "
                f"solicitudes fueron errores", username)

    def record(self, username: str, status: int) -> None:
        """Remember the answer given to ``username``; block it when the rule says so."""
        with self._lock:
            history = self._histories.setdefault(username, deque(maxlen=HISTORY))
            history.append(is_error(status))
            # errors / kept > 4/5, in integers so 8 of 10 is exactly 80 % (not blocked).
            if len(history) >= MIN_HISTORY and 5 * sum(history) > 4 * len(history):
                self._blocked.add(username)

    def unblock(self, username: str) -> None:
        """Lift a block and forget the user's history."""
        with self._lock:
            self._blocked.discard(username)
            self._histories.pop(username, None)
