"""Small readers of a request or an answer that the client's loop and the pager share (no state, no I/O)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from batch.errors import ApiError

#: Longest Retry-After we honour (webex-api.md §10.9: 60 s seen from Webex; wxc_sdk caps at 60 too).
MAX_RETRY_AFTER = 60.0


def retry_after(response: httpx.Response) -> float | None:
    """The answer's ``Retry-After`` in seconds, capped at ``MAX_RETRY_AFTER``; None when absent or a date."""
    raw = response.headers.get("retry-after")
    if raw is None:
        return None
    try:
        return min(max(float(raw), 0.0), MAX_RETRY_AFTER)
    except ValueError:
        return None  # an HTTP-date: rare enough that our own backoff will do


def json_of(response: httpx.Response, read: str | None = None) -> dict[str, Any] | None:
    """The JSON object of an answer; a read whose answer is not JSON (a proxy's HTML page) is an ApiError.

    For a write that succeeded a body we cannot parse is no reason to call it failed: ``None``. A JSON
    array (the numbers API answers some errors so) comes back as ``{"items": [...]}``.
    """
    if not response.content:
        return None
    try:
        body = response.json()
    except ValueError:
        if read is None:
            return None
        kind = response.headers.get("content-type", "no content type")
        raise ApiError(f"GET {path_of(read)}: the answer is not JSON (HTTP {response.status_code}, {kind})") from None
    return body if isinstance(body, dict) else {"items": body}


def org_of(url: httpx.URL | str, params: Mapping[str, Any] | None) -> str | None:
    """The ``orgId`` a request is scoped to (in its params, or in an absolute next-page URL)."""
    if params and params.get("orgId"):
        return str(params["orgId"])
    if isinstance(url, httpx.URL) and (org_id := url.params.get("orgId")) is not None:
        return str(org_id)
    return None


def one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:200] or "no detail"


def path_of(path: str) -> str:
    """The path for messages: no scheme, host or query string."""
    if path.startswith(("http://", "https://")):
        return httpx.URL(path).path
    return path.split("?", 1)[0]
