"""How the access token gets onto each request: an ``httpx.Auth``, whichever way the token came.

One path for both kinds of token: ``StaticToken`` (``WEBEX_ACCESS_TOKEN``, ``--token-file``) here, and
``batch.api.tokens.TokenSource`` (an integration's refresh token) beside it, which also fetches the first
token in ``start`` and a new one when the API answers 401. httpx runs the flow inside every request it
sends, so no caller handles a header or a token.
"""

from __future__ import annotations

from collections.abc import Generator

import httpx


class Credentials(httpx.Auth):
    """An ``httpx.Auth`` that may have to fetch its first token before the run's first request."""

    async def start(self, http: httpx.AsyncClient) -> None:
        """Fetch what the first request needs through ``http`` (the run's one client); nothing by default."""


class StaticToken(Credentials):
    """A token given as it is: ``Authorization: Bearer <token>`` on every request, never refreshed."""

    def __init__(self, token: str) -> None:
        self._header = f"Bearer {token}"

    def __repr__(self) -> str:
        return "StaticToken()"  # never the token

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = self._header
        yield request
