"""Access tokens from an integration's refresh token, for runs nobody watches (contract §2, webex-api.md §10.2).

A developer token lives 12 hours and an integration's access token 14 days, so a long or nightly run takes
``WEBEX_CLIENT_ID``, ``WEBEX_CLIENT_SECRET`` and a refresh token (``WEBEX_REFRESH_TOKEN`` or
``--refresh-token-file``) and asks ``POST {base_url}/access_token`` for an access token at start and again
when the API answers 401 mid-run. ``TokenSource`` is the ``httpx.Auth`` of the run's one client: httpx runs
its flow inside every request, and the refresh goes out through that same client (proxy, User-Agent, TLS
settings and all). One refresh at a time: the first worker that sees a 401 refreshes, every other worker
waits for it (and a 401 for a token already replaced just uses the new one). A refresh token the server
rotates is written back to its file atomically with mode 0600, so tomorrow's run has it. No secret is ever
put into a message or a ``repr``: failures name the HTTP status and the server's own words only.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import AsyncGenerator, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio
import httpx

from batch.api.auth import Credentials
from batch.errors import AuthError, RunStopped, UsageError

#: The refresh request's auth: the form carries the integration's credentials, no (expired) bearer goes along.
NO_BEARER = httpx.Auth()
#: Refreshes one request may ask for before its 401 is final (a short-lived token can lapse again while the
#: resend is on the wire).
MAX_REFRESHES = 2


@dataclass(frozen=True)
class RefreshSettings:
    """Where a run's access tokens come from; the secrets are kept out of ``repr``."""

    base_url: str
    client_id: str
    client_secret: str = field(repr=False)
    refresh_token: str = field(repr=False)
    refresh_token_file: Path | None = None

    def source(self, *, on_failure: Callable[[str], None]) -> TokenSource:
        return TokenSource(self, on_failure=on_failure)


def read_secret(path: Path, option: str, hint: str) -> str:
    """A token or refresh token from the file an option names; a missing or empty file is one usage line
    (never echoing what the file holds)."""
    try:
        secret = path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise UsageError(f"cannot read {option} {path}: {exc.strerror}") from None
    if not secret:
        raise UsageError(f"{option} {path} is empty; {hint}")
    return secret


def refresh_settings(
    base_url: str, refresh_token_file: Path | None, environ: Mapping[str, str] = os.environ
) -> RefreshSettings | None:
    """The refresh settings when the environment (or ``--refresh-token-file``) gives them, else None."""
    client_id = environ.get("WEBEX_CLIENT_ID", "").strip()
    secret = environ.get("WEBEX_CLIENT_SECRET", "").strip()
    if refresh_token_file is None and not environ.get("WEBEX_REFRESH_TOKEN", "").strip():
        return None
    if not client_id or not secret:
        raise UsageError("a refresh token needs WEBEX_CLIENT_ID and WEBEX_CLIENT_SECRET (the integration's) too")
    if refresh_token_file is not None:
        refresh = read_secret(refresh_token_file, "--refresh-token-file", "put the refresh token in it")
    else:
        refresh = environ["WEBEX_REFRESH_TOKEN"].strip()
    return RefreshSettings(base_url.rstrip("/"), client_id, secret, refresh, refresh_token_file)


class TokenSource(Credentials):
    """An ``httpx.Auth`` holding the current access token and the one refresh in progress, shared by every
    worker of a run.

    The refresh is sent through the run's own ``httpx.AsyncClient`` (given to ``start``), so it goes
    through the same proxy, with the same User-Agent and TLS settings, as every other request.
    """

    def __init__(self, settings: RefreshSettings, *, on_failure: Callable[[str], None]) -> None:
        self.settings = settings
        self._refresh_token = settings.refresh_token
        self._on_failure = on_failure
        self._http: httpx.AsyncClient | None = None
        self._token: str | None = None
        self._lock = anyio.Lock()
        self._done: anyio.Event | None = None  # set while a refresh runs; requests wait on it
        self.refreshes = 0
        self.on_refreshed: Callable[[], None] | None = None

    def __repr__(self) -> str:
        return f"TokenSource(base_url={self.settings.base_url!r}, refreshes={self.refreshes})"

    async def start(self, http: httpx.AsyncClient) -> None:
        """The first access token; a refresh the server refuses stops the run before it starts (exit 2)."""
        self._http = http
        self._token = await self._fetch()
        self._refreshed()

    async def async_auth_flow(self, request: httpx.Request) -> AsyncGenerator[httpx.Request, httpx.Response]:
        """Bearer the current token; on a 401 refresh once per token and send the request again.

        A request never goes out while a refresh runs (it would carry the token being replaced), and a
        401 for a token another request has replaced already is simply sent again with the new one.
        """
        if self._done is not None:
            await self._done.wait()
        token = self._current()
        request.headers["Authorization"] = f"Bearer {token}"
        response = yield request
        for _ in range(MAX_REFRESHES):
            if response.status_code != 401:
                return
            await response.aread()  # its connection goes back to the pool before we wait for the refresh
            token = await self._replace(token)
            request.headers["Authorization"] = f"Bearer {token}"
            response = yield request

    async def _replace(self, rejected: str) -> str:
        """The token after ``rejected``: fetched by the first request to ask, the others wait for it. A failed
        refresh mid-run stops the run (``on_failure``, then ``RunStopped``: exit 3, resumable)."""
        async with self._lock:
            if self._token != rejected:
                return self._current()  # another request refreshed already: the resend takes the new token
            self._done = anyio.Event()
            try:
                self._token = await self._fetch()
            except AuthError as exc:
                reason = f"the access token expired and could not be refreshed: {exc}"
                self._on_failure(reason)
                raise RunStopped(reason) from None
            finally:
                self._done.set()
                self._done = None
        self._refreshed()
        return self._current()

    def token(self) -> str:
        """The current access token (after ``start``), for a caller that sends it by itself."""
        return self._current()

    def _current(self) -> str:
        if self._token is None:
            raise RuntimeError("TokenSource.start() must fetch the first token before any request")
        return self._token

    def _refreshed(self) -> None:
        if self.on_refreshed is not None:
            self.on_refreshed()

    async def _fetch(self) -> str:
        """``POST {base_url}/access_token`` through the run's client (no bearer: the form carries the
        integration's credentials); a rotated refresh token is kept and written back to its file."""
        if self._http is None:
            raise RuntimeError("TokenSource.start() was not awaited")
        settings = self.settings
        form = {
            "grant_type": "refresh_token",
            "client_id": settings.client_id,
            "client_secret": settings.client_secret,
            "refresh_token": self._refresh_token,
        }
        try:
            response = await self._http.post(f"{settings.base_url}/access_token", data=form, auth=NO_BEARER)
        except httpx.HTTPError as exc:
            raise AuthError(f"POST /access_token got no answer ({type(exc).__name__})") from None
        body = _json(response)
        token = body.get("access_token")
        if response.status_code != 200 or not isinstance(token, str) or not token:
            said = str(body.get("message") or body.get("error_description") or body.get("error") or "")[:120]
            raise AuthError(
                f"the refresh token was refused (POST /access_token: HTTP {response.status_code}"
                f"{': ' + said if said else ''}); check WEBEX_CLIENT_ID, WEBEX_CLIENT_SECRET and the refresh token",
                status=response.status_code,
            )
        rotated = body.get("refresh_token")
        if isinstance(rotated, str) and rotated and rotated != self._refresh_token:
            self._refresh_token = rotated
            if settings.refresh_token_file is not None:
                write_secret(settings.refresh_token_file, rotated)
        self.refreshes += 1
        return token


def write_secret(path: Path, value: str) -> None:
    """Replace ``path`` with ``value`` atomically (a temporary file beside it, then rename), mode 0600."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(value + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


#: What a person is told when the API refuses the token outright (one wording for run, plan and export).
TOKEN_REJECTED = (
    "the access token was rejected (HTTP 401): set WEBEX_ACCESS_TOKEN or --token-file to a valid token "
    "of a partner administrator (tokens from developer.webex.com expire after 12 hours)"
)


def rejected(exc: AuthError) -> AuthError:
    """A 401 on a command's first requests, in the words that say how to fix it."""
    return AuthError(TOKEN_REJECTED, status=exc.status, tracking_id=exc.tracking_id)
