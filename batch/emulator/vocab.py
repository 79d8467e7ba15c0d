"""Values the real API accepts, shared by every API family (wholesale bodies and org-level locations alike)."""

from __future__ import annotations

import functools
import zoneinfo


@functools.cache
def time_zones() -> frozenset[str]:
    """IANA names the API accepts (tzdata ships them, so this does not depend on the host)."""
    return frozenset(zoneinfo.available_timezones())
