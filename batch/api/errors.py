"""Turning a failed Webex response into the ``ApiError`` subclass a caller can act on, and the base-URL check.

Kept apart from the request loop so the hot path stays short: nothing here runs for a successful request.
"""

from __future__ import annotations

import ipaddress
from typing import Any
from urllib.parse import urlsplit

import httpx

from batch.errors import (
    AmbiguousWriteError,
    ApiError,
    AuthError,
    ConflictError,
    NotFoundError,
    UsageError,
)

_BY_STATUS: dict[int, type[ApiError]] = {401: AuthError, 404: NotFoundError, 409: ConflictError}


def check_base_url(url: str) -> str:
    """The base URL without a trailing slash; plain http only to loopback, so a token never crosses a network."""
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname or ""
    except ValueError:
        raise UsageError(f"--base-url is not a URL: {_shown(url)}") from None
    if parts.scheme == "https" and host:
        return url.strip().rstrip("/")
    if parts.scheme == "http" and host and _is_loopback(host):
        return url.strip().rstrip("/")
    raise UsageError(
        f"--base-url must be https:// (plain http:// only to this machine: 127.0.0.1, ::1, localhost), "
        f"got {_shown(url)}"
    )


def is_loopback(host: str) -> bool:
    """``localhost`` or a loopback address: the only hosts plain http may go to."""
    return _is_loopback(host)


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _shown(url: str) -> str:
    """Scheme and host only: a URL can carry credentials (user:password@) that must not reach a message."""
    try:
        parts = urlsplit(url.strip())
        return f"{parts.scheme}://{parts.hostname or ''}" if parts.scheme else repr(url.strip()[:40])
    except ValueError:
        return "(unparseable)"


def same_origin(url: httpx.URL, base: httpx.URL) -> bool:
    """True when ``url`` is on the base URL's scheme, host and port (the only place the token may go)."""
    return url.scheme == base.scheme and url.host == base.host and url.port == base.port


def error_details(response: httpx.Response) -> tuple[str, int | None, str | None]:
    """(description, errorCode, trackingId) from a Webex error body, falling back to the headers and reason.

    Besides ``{message, errors, trackingId}`` the numbers API answers a JSON array
    ``[{"errors": [{number, errorCode, errorMessage, …}]}]`` (webex-api.md §10.3): its first item speaks.
    """
    description: str | None = None
    code: int | None = None
    tracking: str | None = None
    body = _body(response)
    items = item_errors(body)
    if items:
        first = items[0]
        description = "; ".join(str(i.get("errorMessage") or i.get("errorTitle") or "") for i in items)
        code = _as_int(first.get("errorCode"))
    elif isinstance(body, dict):
        errors = body.get("errors")
        first = errors[0] if isinstance(errors, list) and errors and isinstance(errors[0], dict) else {}
        description = first.get("description") or body.get("message")
        code = _as_int(first.get("errorCode", body.get("errorCode")))
        tracking = body.get("trackingId") if isinstance(body.get("trackingId"), str) else None
    tracking = tracking or response.headers.get("trackingid")
    if not description:
        description = response.reason_phrase or "no error description"
    return " ".join(str(description).split()), code, tracking


def _body(response: httpx.Response) -> Any:
    if not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        return None


def item_errors(body: Any) -> list[dict[str, Any]]:
    """The per-item errors of an array error body (``[{"errors": [...]}, ...]``); [] for any other body."""
    if not isinstance(body, list):
        return []
    return [e for item in body if isinstance(item, dict) for e in item.get("errors") or [] if isinstance(e, dict)]


def _as_int(value: Any) -> int | None:
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def status_error(response: httpx.Response, what: str, attempts: int, *, ambiguous: bool = False) -> ApiError:
    """The exception for a final error answer: ``AuthError`` for 401, ``NotFoundError`` 404, ``ConflictError`` 409."""
    description, code, tracking = error_details(response)
    status = response.status_code
    cls: type[ApiError] = AmbiguousWriteError if ambiguous else _BY_STATUS.get(status, ApiError)
    tail = f" (after {attempts} attempts)" if attempts > 1 else ""
    lead = "no clear answer, the change may or may not have been made: " if ambiguous else ""
    message = f"{what}: {lead}HTTP {status} {description}{tail}{_v1_hint(response)}"
    details = tuple(item_errors(_body(response))) if status == 400 else ()
    return cls(
        message,
        status=status,
        error_code=code,
        tracking_id=tracking,
        attempts=attempts,
        details=details,
        said=description,
    )


def _v1_hint(response: httpx.Response) -> str:
    """Every Webex API path starts with /v1: a 404 on a URL without it is almost always --base-url."""
    try:
        path = response.request.url.path
    except RuntimeError:  # a response built without a request
        return ""
    if response.status_code != 404 or "/v1/" in path or path.endswith("/v1"):
        return ""
    return "; the --base-url probably lacks /v1 (Webex: https://webexapis.com/v1)"


#: What OpenSSL says when the other end answers a TLS hello in plain text (an http server behind an https URL).
_PLAIN_HTTP_WORDS = ("wrong_version_number", "wrong version number", "http_request", "record layer failure")


def wrong_protocol(exc: BaseException, url: httpx.URL | str) -> UsageError | None:
    """An https:// URL whose server speaks plain http: one line with the fix, at once (issue 18). Retrying cannot
    help, and six attempts with backoff took 14 s of SSL errors before the run said anything."""
    text = f"{exc} {exc.__cause__ or ''}".lower()
    if not any(words in text for words in _PLAIN_HTTP_WORDS):
        return None
    target = httpx.URL(str(url))
    if target.scheme != "https":
        return None
    port = f":{target.port}" if target.port else ""
    hint = (
        "use http://"
        if _is_loopback(target.host)
        else "check --base-url: plain http:// is allowed only to this machine"
    )
    return UsageError(
        f"the server at {target.host}{port} answers plain HTTP, not HTTPS; {hint}"
        + (f" (--base-url http://{target.host}{port}/v1)" if _is_loopback(target.host) else "")
    )


def transport_error(exc: httpx.HTTPError, what: str, attempts: int, *, ambiguous: bool) -> ApiError:
    """The exception for a request that got no answer at all (connection refused, timeout, dropped)."""
    kind = _TRANSPORT_WORDS.get(type(exc).__name__, type(exc).__name__)
    if isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout)):
        kind += _server_of(exc)  # httpx's own words ("All connection attempts failed") name no server
    detail = " ".join(str(exc).split())[:160]
    if detail and detail.lower() != kind:
        kind = f"{kind}: {detail}"
    tail = f" (after {attempts} attempts)" if attempts > 1 else ""
    if ambiguous:
        message = f"{what}: no answer ({kind}); the change may or may not have been made{tail}"
        return AmbiguousWriteError(message, attempts=attempts)
    return ApiError(f"{what}: no answer ({kind}){tail}", attempts=attempts)


def _server_of(exc: httpx.RequestError) -> str:
    """`` to host:port`` of the request that failed, or "" when httpx did not keep it."""
    try:
        url = exc.request.url
    except RuntimeError:
        return ""
    return f" to {url.host}:{url.port or (443 if url.scheme == 'https' else 80)}"


_TRANSPORT_WORDS = {
    "ConnectError": "could not connect",
    "ConnectTimeout": "connect timed out",
    "ReadTimeout": "timed out waiting for the answer",
    "WriteTimeout": "timed out sending the request",
    "PoolTimeout": "no free connection",
    "RemoteProtocolError": "connection dropped",
    "ReadError": "connection dropped",
    "WriteError": "connection dropped while sending",
}
