"""``plan --base-url``'s token, set up as ``run`` sets up its own (issue 18): an access token, or an integration's
refresh token exchanged for one at start, and a rejected token told in the same helpful line as ``run`` tells it.

A plan is a few look-ups long, so one access token fetched at start is enough (``run`` also refreshes on a 401
mid-run); a rotated refresh token is written back to its file by the same ``TokenSource`` ``run`` uses.
"""

from __future__ import annotations

import anyio

from batch.api.tokens import RefreshSettings
from batch.errors import AuthError

TOKEN_REJECTED = (
    "the access token was rejected (HTTP 401): set WEBEX_ACCESS_TOKEN or --token-file to a valid token "
    "of a partner administrator (tokens from developer.webex.com expire after 12 hours)"
)


class _Holder:
    """Takes the token ``TokenSource.start`` hands to a client."""

    token = ""

    def set_token(self, token: str) -> None:
        self.token = token


def access_token(settings: RefreshSettings) -> str:
    """An access token from the integration's refresh token; ``AuthError`` (exit 2) when it is refused."""

    async def fetch() -> str:
        holder = _Holder()
        await settings.source(on_failure=lambda reason: None).start(holder)
        return holder.token

    return anyio.run(fetch)


def rejected(exc: AuthError) -> AuthError:
    """A 401 on the first look-up, in ``run``'s words."""
    return AuthError(TOKEN_REJECTED, status=exc.status, tracking_id=exc.tracking_id)
