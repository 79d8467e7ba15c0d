"""``plan --base-url``'s token, set up as ``run`` sets up its own (issue 18): an access token, or an integration's
refresh token exchanged for one at start, and a rejected token told in the same helpful line as ``run`` tells it.

A plan is a few look-ups long, so one access token fetched at start is enough (``run`` also refreshes on a 401
mid-run); a rotated refresh token is written back to its file by the same ``TokenSource`` ``run`` uses.
"""

from __future__ import annotations

import anyio
import httpx

from batch.api.http import HEADERS
from batch.api.tokens import RefreshSettings


def access_token(settings: RefreshSettings) -> str:
    """An access token from the integration's refresh token; ``AuthError`` (exit 2) when it is refused. The
    refresh goes out as every request of the tool does: the environment's proxy, the tool's User-Agent."""

    async def fetch() -> str:
        source = settings.source(on_failure=lambda reason: None)
        async with httpx.AsyncClient(headers=HEADERS, timeout=30.0, trust_env=True) as http:
            await source.start(http)
        return source.token()

    return anyio.run(fetch)
