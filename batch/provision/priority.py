"""Shared look-ups first: a listing that many jobs wait on (a customer's subscribers, an org's full
administrators) is served before the rate limiter's other waiters.

Why: the limiter serves requests by job kind (setup before users), so a subscriber listing asked for by the
first user job waited behind every location look-up of the batch, and then thousands of user jobs, all
waiting on it, finished in one CPU burst during which no request was sent (bench-sync at 6,667 users: ~2 s
of idle network). Served first, the listings release the user jobs while the location look-ups still run.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from batch.api.client import PRIORITY

#: Ahead of every job kind (their priorities are 0 and up).
SHARED = -1


@contextlib.contextmanager
def shared_lookup() -> Iterator[None]:
    """Requests made inside are served before any job's own."""
    token = PRIORITY.set(SHARED)
    try:
        yield
    finally:
        PRIORITY.reset(token)
