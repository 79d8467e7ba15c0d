"""Looking again, with growing waits, for an object Webex has just made but does not list yet.

Why: Webex lists lag behind creates (webex-api.md §10.8; seen at 3 s and more). A headquarters that
provisioning just made, a location or a subscriber a POST just accepted, are there; a single look-up that
misses them must not fail the row (and with it every row that needs it). The waits are those the client
gives a lost create (about two minutes), and end at the first look-up that finds the object.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

import anyio

T = TypeVar("T")

#: Seconds between look-ups: ~2 minutes in all, the first ones short (most lags are a few seconds).
LIST_LAG_WAITS = (0.5, 1.0, 2.0, 4.0, 8.0, 15.0, 30.0, 30.0, 30.0)


async def patiently(
    find: Callable[[], Awaitable[T | None]],
    *,
    waits: tuple[float, ...] = LIST_LAG_WAITS,
    sleep: Callable[[float], Awaitable[None]] = anyio.sleep,
) -> T | None:
    """``find()`` until it finds something, waiting ``waits`` in turn between tries; None when it never does."""
    found = await find()
    for wait in waits:
        if found is not None:
            return found
        await sleep(wait)
        found = await find()
    return found
