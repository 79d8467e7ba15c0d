"""Small readers of a request or an answer that the client's loop and the pager share (no state, no I/O)."""

from __future__ import annotations

import email.utils
import math
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import httpx

from batch.errors import ApiError

#: Longest Retry-After we honour (webex-api.md §10.9: 60 s seen from Webex; wxc_sdk caps at 60 too).
MAX_RETRY_AFTER = 60.0
#: Shortest wait a Retry-After buys, whatever it says: ``0`` or a negative value would have the whole pool send
#: again at once into a server that just refused (§11.8; WebexPythonSDK PR #262 waits 1 s for ``0``).
MIN_RETRY_AFTER = 1.0
#: A 429 without a readable ``Retry-After`` (absent, ``rand(30),add(30)``): a few seconds, as wxc_sdk waits 5 s
#: (§11.8); the client's own backoff starts at half a second, a pace a server that gave no figure just refused.
UNTOLD_RETRY_AFTER = 5.0


def retry_after(response: httpx.Response) -> float | None:
    """The answer's ``Retry-After`` in seconds, between ``MIN_RETRY_AFTER`` and ``MAX_RETRY_AFTER``; None when
    absent or unreadable (``rand(30),add(30)`` was seen, §11.8): the caller then picks its own wait.

    A date (the header's other form) counts from now; one already past is the minimum too.
    """
    raw = response.headers.get("retry-after")
    if raw is None:
        return None
    seconds: float | None
    try:
        seconds = float(raw)
    except ValueError:
        seconds = _seconds_until(raw)
    if seconds is None or math.isnan(seconds):
        return None
    return min(max(seconds, MIN_RETRY_AFTER), MAX_RETRY_AFTER)


def _seconds_until(raw: str) -> float | None:
    """Seconds from now to an HTTP-date, or None when ``raw`` is not one."""
    try:
        when = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return (when - datetime.now(UTC)).total_seconds()


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


#: Paths whose operations take ``onBehalfOfSubPartnerOrgId`` (webex-wholesale.json): every wholesale one, and the
#: consent email's ``/subscribers/{id}/emails/consentMove``, which has no ``/wholesale``.
ON_BEHALF_PATHS = ("/wholesale/", "/subscribers/")


def on_behalf(path: str, base_path: str) -> bool:
    """Whether a call to ``path`` (relative, or an absolute URL under the base URL's ``base_path``) is made on a
    sub-partner's behalf when the run acts for one: a sub-partner's customers are seen only so (§11.10)."""
    where = path_of(path)
    prefix = base_path.rstrip("/")
    if path.startswith(("http://", "https://")) and prefix and where.startswith(prefix + "/"):
        where = where[len(prefix) :]
    return where.startswith(ON_BEHALF_PATHS)


def one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:200] or "no detail"


def path_of(path: str) -> str:
    """The path for messages: no scheme, host or query string."""
    if path.startswith(("http://", "https://")):
        return httpx.URL(path).path
    return path.split("?", 1)[0]
