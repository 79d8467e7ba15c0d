"""``--heartbeat-url``: the Healthchecks protocol, so a night that never ran is noticed too.

``URL/start`` when the run starts, ``URL/<exit code>`` when it ends (0 is "up", anything else "down"),
both with ``?rid=<uuid>`` so the service pairs them and measures the run's length. A monitor that hears no
ping alerts by itself: the one failure a notification can never report is the run that did not happen.
The end ping's body is the run's one-line result, which Healthchecks shows in its log. Pings are
fire-and-forget with three tries: a monitoring outage never fails a provisioning run.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httpx

from batch.api.errors import is_loopback
from batch.errors import UsageError
from batch.notify.send import BACKOFF_SECONDS, TRIES


@dataclass(frozen=True, slots=True)
class Heartbeat:
    """The check's ping URL and this run's id for it."""

    url: str = field(repr=False)  # a ping URL is a credential: whoever has it can report for the check
    rid: str = field(default_factory=lambda: str(uuid.uuid4()))

    @property
    def host(self) -> str:
        return urlsplit(self.url).hostname or "?"

    def ping(self, http: httpx.Client, suffix: str, body: str = "", *, sleep: Callable[[float], None]) -> str | None:
        """Ping ``URL/suffix``; None when it was heard, else the warning line."""
        url = f"{self.url.rstrip('/')}/{suffix}"
        last = ""
        for attempt in range(1, TRIES + 1):
            try:
                response = http.post(url, params={"rid": self.rid}, content=body.encode())
            except httpx.HTTPError as exc:
                last = type(exc).__name__
            else:
                if response.is_success:
                    return None
                last = f"HTTP {response.status_code}"
            if attempt < TRIES:
                sleep(BACKOFF_SECONDS * 2 ** (attempt - 1))
        where = f"the heartbeat '{suffix}' to {self.host}"
        return f"warning: {where} failed after {TRIES} tries ({last}); the run itself is unaffected"


def check_heartbeat_url(url: str) -> Heartbeat:
    """A heartbeat for ``url`` if it is https (or http to this machine), else a usage error."""
    parts = urlsplit(url.strip())
    host = parts.hostname or ""
    if host and (parts.scheme == "https" or (parts.scheme == "http" and is_loopback(host))):
        return Heartbeat(url.strip())
    raise UsageError("--heartbeat-url must be https:// (plain http:// only to this machine)")
