"""The emulator's messaging side: ``POST /v1/messages`` (a bot posting to a space: markdown, and one file as
multipart) and ``POST /v1/webhooks/incoming/{id}`` (an incoming webhook: JSON with ``markdown`` or
``text``), so tests see exactly what a notification delivered, file included.

As Webex: a message's text is at most 7,439 bytes (400 beyond); ``/messages`` needs the bot's bearer token
(``BOT_TOKEN``, or the emulator's own token) and a ``roomId``; an incoming webhook needs no token (its URL
is the secret). These routes check their own auth, so the app's middleware lets them through
(``OWN_AUTH``) and neither rate-limits nor counts them as API traffic. What arrived is listed, newest
last, at ``GET /_emulator/messages`` (files as base64 with their name, type and SHA-256).
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from dataclasses import asdict, dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from batch.emulator.http import EmulatorContext, error_body

#: The bot token the emulator's ``/messages`` accepts (besides the emulator's own token).
BOT_TOKEN = "emulator-bot-token"
#: Path prefixes whose routes authenticate themselves (the middleware lets them pass).
OWN_AUTH = ("/v1/messages", "/v1/webhooks/incoming/")
#: Webex's limit for ``text`` and ``markdown`` (bytes).
MAX_TEXT_BYTES = 7439
MAX_FILE_BYTES = 100 * 1024 * 1024


@dataclass(frozen=True)
class Received:
    """One message as it arrived."""

    route: str  # "messages" or "webhook"
    target: str  # the roomId, or the webhook's id
    markdown: str = ""
    text: str = ""
    files: list[dict[str, Any]] = field(default_factory=list)
    user_agent: str = ""


class Mailbox:
    """Every message the emulator was sent, in order."""

    def __init__(self) -> None:
        self.received: list[Received] = []

    async def post_message(self, request: Request, ctx: EmulatorContext) -> JSONResponse:
        auth = request.headers.get("authorization", "")
        if auth not in (f"Bearer {BOT_TOKEN}", f"Bearer {ctx.config.token}"):
            return JSONResponse(error_body("The request requires a valid access token."), status_code=401)
        content_type = request.headers.get("content-type", "")
        if content_type.startswith("multipart/form-data"):
            fields, files = _multipart(content_type, await request.body())
            if len(files) > 1:
                return JSONResponse(error_body("Only one file may be attached to a message."), status_code=400)
            if any(f["size"] > MAX_FILE_BYTES for f in files):
                return JSONResponse(error_body("The file is larger than 100 MB."), status_code=413)
        else:
            fields, files = await _json(request), []
        room = str(fields.get("roomId") or "")
        if not room:
            return JSONResponse(error_body("roomId, toPersonId or toPersonEmail is required."), status_code=400)
        problem = _too_long(fields)
        if problem:
            return JSONResponse(error_body(problem), status_code=400)
        message = Received(
            "messages", room, str(fields.get("markdown") or ""), str(fields.get("text") or ""), files, _agent(request)
        )
        self.received.append(message)
        body = {"id": "emu-message-" + secrets.token_hex(8), "roomId": room, "markdown": message.markdown}
        return JSONResponse(body | {"files": [f["name"] for f in files]} if files else body)

    async def post_webhook(self, request: Request) -> Response:
        fields = await _json(request)
        if not (fields.get("markdown") or fields.get("text")):
            return JSONResponse(error_body("markdown or text is required."), status_code=400)
        problem = _too_long(fields)
        if problem:
            return JSONResponse(error_body(problem), status_code=400)
        markdown, text = str(fields.get("markdown") or ""), str(fields.get("text") or "")
        self.received.append(Received("webhook", request.path_params["hook_id"], markdown, text, [], _agent(request)))
        return Response(status_code=204)  # as Webex answers an incoming webhook

    async def listing(self, request: Request) -> JSONResponse:
        return JSONResponse({"items": [asdict(m) for m in self.received]})


def _multipart(content_type: str, body: bytes) -> tuple[dict[str, str], list[dict[str, Any]]]:
    """A multipart/form-data body's text fields and files, read with the standard library's MIME parser
    (starlette's own form parsing needs python-multipart, one dependency more for one test route)."""
    message = BytesParser(policy=HTTP).parsebytes(f"Content-Type: {content_type}\r\n\r\n".encode() + body)
    fields: dict[str, str] = {}
    files: list[dict[str, Any]] = []
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition") or ""
        payload = part.get_payload(decode=True)
        content = payload if isinstance(payload, bytes) else b""
        if part.get_filename() is None:
            fields[str(name)] = content.decode("utf-8", "replace")
        elif name == "files":
            files.append(
                {
                    "name": part.get_filename(),
                    "content_type": part.get_content_type(),
                    "size": len(content),
                    "sha256": hashlib.sha256(content).hexdigest(),
                    "base64": base64.b64encode(content).decode(),
                }
            )
    return fields, files


async def _json(request: Request) -> dict[str, Any]:
    try:
        body = json.loads(await request.body() or b"{}")
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _too_long(fields: dict[str, Any]) -> str:
    for name in ("markdown", "text"):
        size = len(str(fields.get(name) or "").encode())
        if size > MAX_TEXT_BYTES:
            return f"The {name} is {size} bytes; the maximum message length is {MAX_TEXT_BYTES} bytes."
    return ""


def _agent(request: Request) -> str:
    return request.headers.get("user-agent", "")


def routes(ctx: EmulatorContext, mailbox: Mailbox | None = None) -> list[BaseRoute]:
    """The messaging routes, and the operator's listing of what arrived."""
    box = mailbox or Mailbox()

    async def post_message(request: Request) -> JSONResponse:
        return await box.post_message(request, ctx)

    return [
        Route("/v1/messages", post_message, methods=["POST"]),
        Route("/v1/webhooks/incoming/{hook_id}", box.post_webhook, methods=["POST"]),
        Route("/_emulator/messages", box.listing, methods=["GET"]),
    ]
