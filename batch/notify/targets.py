"""``--notify-url``: which kind of receiver a URL is, so each gets a message it can show.

By the URL, as a partner copies it from the receiving side:

- ``https://webexapis.com/v1/webhooks/incoming/…`` (any URL whose path has ``/webhooks/incoming/``): a
  Webex incoming webhook, ``{"markdown": …}``;
- ``webex://ROOM_ID``: a Webex space, posted by a bot (``WEBEX_BOT_TOKEN``) to ``{base_url}/messages``
  with the workbook to fix attached;
- ``https://hooks.slack.com/…``: Slack, ``{"text": …}``;
- a Teams *Workflows* URL (``*.logic.azure.com/workflows/…``, ``*.api.powerplatform.com/…``): an
  Adaptive Card;
- anything else: ``summary.json`` itself, signed with ``--notify-secret-file``.

A receiver behind another address (a relay, Mattermost's Slack-compatible hooks) is named with a prefix:
``slack+https://…``, ``teams+…``, ``webex+…``, ``json+…``. Only https, or plain http to this machine.
A webhook URL is itself a secret (whoever has it can post), so only its host is ever shown.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from urllib.parse import urlsplit

from batch.api.errors import is_loopback
from batch.errors import UsageError


class Kind(StrEnum):
    WEBEX = "webex"  # an incoming webhook
    WEBEX_ROOM = "webex-room"  # a space, through the bot's /messages
    SLACK = "slack"
    TEAMS = "teams"
    JSON = "json"  # summary.json, signed


PREFIXES = {"webex+": Kind.WEBEX, "slack+": Kind.SLACK, "teams+": Kind.TEAMS, "json+": Kind.JSON}
ROOM_SCHEME = "webex://"


@dataclass(frozen=True, slots=True)
class Target:
    """One receiver: its kind and where to post (``room_id`` for a Webex space)."""

    kind: Kind
    url: str = field(repr=False)  # a webhook URL is a credential
    room_id: str = ""

    @property
    def shown(self) -> str:
        """How messages name the receiver: its kind and host, never the path or query."""
        if self.kind == Kind.WEBEX_ROOM:
            return f"Webex space {self.room_id[:12]}…"
        return f"{self.kind} receiver at {urlsplit(self.url).hostname}"


def parse_target(raw: str) -> Target:
    """The receiver ``raw`` names; a usage error (exit 2, before the run) when it is not one we may post to."""
    text = raw.strip()
    if text.lower().startswith(ROOM_SCHEME):
        room = text[len(ROOM_SCHEME) :].strip("/")
        if not room or "/" in room:
            raise UsageError("--notify-url webex://ROOM_ID needs the space's id (Webex: the space's settings)")
        return Target(Kind.WEBEX_ROOM, text, room)
    kind = next((k for prefix, k in PREFIXES.items() if text.lower().startswith(prefix)), None)
    url = text.split("+", 1)[1] if kind is not None else text
    parts = urlsplit(url)
    host = parts.hostname or ""
    if not host or not (parts.scheme == "https" or (parts.scheme == "http" and is_loopback(host))):
        shown = f"{parts.scheme}://{host}" if host else "that value"
        raise UsageError(f"--notify-url must be https:// (plain http:// only to this machine), got {shown}")
    return Target(kind or kind_of(url), url)


def kind_of(url: str) -> Kind:
    """The receiver a plain https URL belongs to, by its host and path."""
    parts = urlsplit(url)
    host, path = (parts.hostname or "").lower(), parts.path.lower()
    if "/webhooks/incoming/" in path:
        return Kind.WEBEX
    if host == "hooks.slack.com":
        return Kind.SLACK
    if host.endswith(".logic.azure.com") and "/workflows/" in path:
        return Kind.TEAMS
    if host.endswith(".api.powerplatform.com") or host.endswith(".webhook.office.com"):
        return Kind.TEAMS
    return Kind.JSON
