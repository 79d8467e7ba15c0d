"""``--notify-url``: tell someone how a night's run ended, by POSTing its ``summary.json`` (contract §2).

Sent when the run ends however it ends (exit 0, 1 and 3), after the reports are written, so the message and
the files agree. Only https, or plain http to this machine (the summary names customers' counts, not
secrets, but a partner's network is no place for plain text). No token or other credential is sent.
Three tries with backoff; a notification that cannot be delivered is a warning line, never a failed run:
the provisioning it reports on happened.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

import httpx

from batch.api.errors import is_loopback
from batch.errors import UsageError

TRIES = 3
BACKOFF_SECONDS = 1.0
TIMEOUT = 10.0


def check_notify_url(url: str) -> str:
    """The URL, if it is https (or http to loopback); else a usage error before the run starts."""
    parts = urlsplit(url.strip())
    host = parts.hostname or ""
    if host and (parts.scheme == "https" or (parts.scheme == "http" and is_loopback(host))):
        return url.strip()
    shown = url if len(url) <= 80 else url[:77] + "..."
    raise UsageError(f"--notify-url must be https:// (plain http:// only to this machine), got {shown!r}")


def notify(
    url: str,
    summary: Mapping[str, Any],
    *,
    tries: int = TRIES,
    backoff: float = BACKOFF_SECONDS,
    sleep: Callable[[float], None] = time.sleep,
    transport: httpx.BaseTransport | None = None,
) -> str | None:
    """POST ``summary`` as JSON; None when it was delivered (a 2xx), else the warning line to print."""
    last = ""
    with httpx.Client(timeout=TIMEOUT, transport=transport, trust_env=True) as http:
        for attempt in range(1, tries + 1):
            try:
                response = http.post(url, json=dict(summary), headers={"User-Agent": "rtm-batch"})
            except httpx.HTTPError as exc:
                last = f"{type(exc).__name__}"
            else:
                if response.is_success:
                    return None
                last = f"HTTP {response.status_code}"
            if attempt < tries:
                sleep(backoff * 2 ** (attempt - 1))
    host = urlsplit(url).hostname or url
    return f"warning: the notification to {host} failed after {tries} tries ({last}); the run itself is unaffected"
