"""What every route handler shares: the state, the config, the clock, Webex-shaped errors and paging.

Auth, tracking ids, rate limiting, latency and faults live in the app's middleware, so handlers (ours
and the API families') only do business logic and either return a response or raise ``ApiProblem``.
"""

from __future__ import annotations

import contextvars
import json
import uuid
from collections.abc import Sequence
from typing import Any, TypeVar

from starlette.requests import Request
from starlette.responses import JSONResponse

from batch.emulator.config import EmulatorConfig
from batch.emulator.state import EmulatorState

T = TypeVar("T")

#: errorCodes of the error bodies (Webex publishes few; these mirror observed ones).
CODE_INVALID = 25008  # "Missing or invalid field" as Webex Calling answers a bad body
CODE_NOT_FOUND = 4008
CODE_CONFLICT = 4003
CODE_NUMBER_UNAVAILABLE = 8361  # "[Error 8361] DN is unavailable : +12145559000" (validateNumbers)
CODE_FORBIDDEN = 4001

#: Tracking id of the request being handled; the middleware sets it, error bodies repeat it.
TRACKING_ID: contextvars.ContextVar[str] = contextvars.ContextVar("tracking_id", default="ROUTER_none")


def new_tracking_id() -> str:
    """Same shape as Webex's router ids (``ROUTER_<uuid>``, webex-api.md §5.3)."""
    return f"ROUTER_{uuid.uuid4()}"


class ApiProblem(Exception):
    """Raise from a handler to answer with a Webex error body (the app turns it into ``ctx.error``)."""

    def __init__(self, status: int, message: str, error_code: int | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.error_code = error_code


def error_body(message: str, error_code: int | None = None, tracking_id: str | None = None) -> dict[str, Any]:
    """``{message, errors:[{description, errorCode}], trackingId}`` as SPEC-ADM ``ErrorResponse``."""
    detail: dict[str, Any] = {"description": message}
    if error_code is not None:
        detail["errorCode"] = error_code
    return {"message": message, "errors": [detail], "trackingId": tracking_id or TRACKING_ID.get()}


class EmulatorContext:
    """Handed to every route module: one state, one config, one clock for the whole app."""

    def __init__(self, config: EmulatorConfig, state: EmulatorState | None = None) -> None:
        self.config = config
        self.state = state if state is not None else EmulatorState(config.seed)

    def clock(self) -> float:
        """The injected monotonic clock (tests move it instead of sleeping)."""
        return self.config.clock()

    def error(
        self, status: int, message: str, error_code: int | None = None, headers: dict[str, str] | None = None
    ) -> JSONResponse:
        """A Webex error response for the current request."""
        return JSONResponse(error_body(message, error_code), status_code=status, headers=headers)

    def page(
        self,
        request: Request,
        items: Sequence[T],
        *,
        start_param: str = "offset",
        default_max: int = 100,
        max_cap: int | None = None,
        link: bool = True,
    ) -> tuple[list[T], str | None]:
        """Slice ``items`` by ``start_param``/``max`` and build the RFC 5988 ``Link: <…>; rel="next"``.

        ``link=False``: no ``Link`` at all (the wholesale lists page by ``offset`` only, §10.6). With
        ``drop_next_filters`` the link keeps only the paging parameters (§10.5).
        """
        start = query_int(request, start_param, 0, minimum=0)
        size = query_int(request, "max", default_max, minimum=1)
        if max_cap is not None and size > max_cap:
            raise ApiProblem(400, f"max must be at most {max_cap}")
        chunk = list(items[start : start + size])
        if not link or start + size >= len(items):
            return chunk, None
        url = request.url
        if self.config.drop_next_filters:
            url = url.replace_query_params()
        url = url.include_query_params(**{start_param: start + size, "max": size})
        return chunk, f'<{url}>; rel="next"'

    @staticmethod
    def url(request: Request, path: str) -> str:
        """Absolute URL of ``path`` (e.g. ``/v1/wholesale/customers/ID``) on this server."""
        return str(request.base_url).rstrip("/") + path


def query_int(request: Request, name: str, default: int, *, minimum: int | None = None) -> int:
    """An integer query parameter or a 400 that names it."""
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ApiProblem(400, f"{name} must be an integer, got {raw!r}") from None
    if minimum is not None and value < minimum:
        raise ApiProblem(400, f"{name} must be at least {minimum}")
    return value


async def json_body(request: Request) -> dict[str, Any]:
    """The request's JSON object, or a 400 like Webex gives for an unreadable body."""
    raw = await request.body()
    if not raw:
        raise ApiProblem(400, "Request body is required")
    try:
        body = json.loads(raw)
    except ValueError:
        raise ApiProblem(400, "Request body is not valid JSON") from None
    if not isinstance(body, dict):
        raise ApiProblem(400, "Request body must be a JSON object")
    return body
