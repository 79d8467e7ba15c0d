"""Posting a notification: the right body for each receiver, three tries, and the receiver's own answer when
it refuses, so the warning says *why* ("HTTP 400: invalid room id"), not just that it failed.

One ``httpx.Client`` per run's notifications, as httpx means it: ``trust_env=True`` (the proxy a partner's
network demands), a ``User-Agent: rtm-batch/<version>``. A plain https receiver gets ``summary.json``
byte for byte, signed: ``X-Rtm-Signature: sha256=<hex HMAC-SHA256 of the body under the secret>`` (the
GitHub webhook convention, so receivers already know how to check it). The secret, the bot token and the
webhook URL's path never appear in a message, a log line or a report.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from batch import __version__
from batch.notify.message import SLACK, WEBEX, RunNews, compose, teams_card
from batch.notify.targets import Kind, Target

TRIES = 3
BACKOFF_SECONDS = 1.0
TIMEOUT = 10.0
SIGNATURE = "X-Rtm-Signature"
#: How much of a receiver's refusal a warning quotes.
ANSWER_CHARS = 200
USER_AGENT = f"rtm-batch/{__version__}"


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file for a Webex space (the workbook to fix)."""

    name: str
    content: bytes
    media_type: str


@dataclass(frozen=True, slots=True)
class Delivery:
    """How posting to one receiver went: ``ok``, else the last HTTP status and the receiver's answer (or the
    transport error) for the warning."""

    target: Target
    ok: bool
    tries: int
    status: int | None = None
    answer: str = ""

    def warning(self) -> str:
        """The one line a failed notification is (the run itself is unaffected)."""
        why = f"HTTP {self.status}" if self.status is not None else "no answer"
        why += f": {self.answer}" if self.answer else ""
        tries = "1 try" if self.tries == 1 else f"{self.tries} tries"
        where = f"the notification to the {self.target.shown}"
        return f"warning: {where} failed after {tries} ({why}); the run itself is unaffected"


@dataclass(frozen=True, slots=True)
class Sender:
    """Posts to receivers; ``secret`` signs JSON bodies, ``bot_token`` and ``base_url`` reach Webex spaces."""

    secret: bytes = b""
    bot_token: str = ""
    base_url: str = "https://webexapis.com/v1"
    tries: int = TRIES
    backoff: float = BACKOFF_SECONDS
    sleep: Callable[[float], None] = time.sleep
    transport: httpx.BaseTransport | None = None

    def __repr__(self) -> str:
        return f"Sender(base_url={self.base_url!r}, signed={bool(self.secret)})"

    def client(self) -> httpx.Client:
        return httpx.Client(
            timeout=TIMEOUT, transport=self.transport, trust_env=True, headers={"User-Agent": USER_AGENT}
        )

    def deliver(
        self,
        http: httpx.Client,
        target: Target,
        news: RunNews,
        document: Mapping[str, Any],
        attachment: Attachment | None = None,
    ) -> Delivery:
        """Post ``news`` (or, to a JSON receiver, ``document``) to ``target``."""
        send = self._request(target, news, document, attachment)
        status, answer = None, ""
        for attempt in range(1, self.tries + 1):
            try:
                response = send(http)
            except httpx.HTTPError as exc:
                status, answer = None, type(exc).__name__
            else:
                if response.is_success:
                    return Delivery(target, True, attempt, response.status_code)
                status, answer = response.status_code, _answer(response)
                if 400 <= status < 500 and status not in (408, 429):
                    return Delivery(target, False, attempt, status, answer)  # asking again changes nothing
            if attempt < self.tries:
                self.sleep(self.backoff * 2 ** (attempt - 1))
        return Delivery(target, False, self.tries, status, answer)

    def _request(
        self, target: Target, news: RunNews, document: Mapping[str, Any], attachment: Attachment | None
    ) -> Callable[[httpx.Client], httpx.Response]:
        """One function that sends the request (called once per try)."""
        if target.kind == Kind.WEBEX:
            return _post_json(target.url, {"markdown": compose(news, WEBEX)})
        if target.kind == Kind.SLACK:
            return _post_json(target.url, {"text": compose(news, SLACK)})
        if target.kind == Kind.TEAMS:
            return _post_json(target.url, teams_card(news))
        if target.kind == Kind.WEBEX_ROOM:
            return self._room_message(target, news, attachment)
        body = json.dumps(dict(document), ensure_ascii=False, indent=2).encode()
        headers = {"Content-Type": "application/json"}
        if self.secret:
            headers[SIGNATURE] = signature(self.secret, body)
        return lambda http: http.post(target.url, content=body, headers=headers)

    def _room_message(
        self, target: Target, news: RunNews, attachment: Attachment | None
    ) -> Callable[[httpx.Client], httpx.Response]:
        """``POST {base_url}/messages`` as the bot: multipart with the file, JSON without one."""
        url = f"{self.base_url.rstrip('/')}/messages"
        auth = {"Authorization": f"Bearer {self.bot_token}"}
        fields = {"roomId": target.room_id, "markdown": compose(news, WEBEX)}
        if attachment is None:
            return lambda http: http.post(url, json=fields, headers=auth)
        files = {"files": (attachment.name, attachment.content, attachment.media_type)}
        return lambda http: http.post(url, data=fields, files=files, headers=auth)


def signature(secret: bytes, body: bytes) -> str:
    """``sha256=<hex>``: what a receiver recomputes over the raw body to trust it."""
    return "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()


def _post_json(url: str, payload: Mapping[str, Any]) -> Callable[[httpx.Client], httpx.Response]:
    return lambda http: http.post(url, json=dict(payload))


def _answer(response: httpx.Response) -> str:
    """The receiver's reason, on one line: a Webex-style ``message`` if the body has one, else the body."""
    text = response.text
    try:
        body = json.loads(text)
    except ValueError:
        body = None
    if isinstance(body, dict) and isinstance(body.get("message"), str):
        text = body["message"]
    line = " ".join(text.split())
    return line if len(line) <= ANSWER_CHARS else line[: ANSWER_CHARS - 1] + "…"
