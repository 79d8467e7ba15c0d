"""What every org-level route shares: the APIs a partner calls with ``orgId`` after wholesale provisioning
(webex-api.md §4).

The handlers live in ``org/`` (organizations, people, roles), ``locations/`` and ``telephony/``. The helpers
here are the checks they share, so every endpoint words the same mistake the same way (no handler module is
imported here: no cycle). Auth, tracking ids, rate limits and faults are the app's middleware; handlers only
do business logic and raise ``ApiProblem`` for Webex-shaped errors.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from batch.emulator.http import CODE_FORBIDDEN, CODE_INVALID, CODE_NOT_FOUND, ApiProblem, EmulatorContext
from batch.emulator.state import Location, Org

#: Webex stores numbers as E.164: ``+``, country code (no leading 0), at most 15 digits.
E164 = re.compile(r"\+[1-9]\d{6,14}")

NOT_MANAGED = (
    "The partner is not authorized to manage organization {org_id}: "
    "GET /organizations/{org_id} first to add it to the partner's managed organizations"
)


Handler = Callable[[EmulatorContext, Request], Awaitable[Response]]


def route(ctx: EmulatorContext, path: str, handler: Handler, method: str) -> Route:
    """A starlette route whose endpoint calls ``handler(ctx, request)``: handlers stay plain functions."""

    async def endpoint(request: Request) -> Response:
        return await handler(ctx, request)

    return Route(path, endpoint, methods=[method])


def require_org(ctx: EmulatorContext, request: Request) -> Org:
    """The org named by ``?orgId=``; a partner tool must always pass it, an unknown one is a 404."""
    org_id = request.query_params.get("orgId")
    if not org_id:
        raise ApiProblem(400, "orgId is required", CODE_INVALID)
    org = ctx.state.org(org_id)
    if org is None:
        raise ApiProblem(404, f"Organization {org_id} not found", CODE_NOT_FOUND)
    if ctx.config.managed_org_handshake and org.id not in ctx.state.managed_orgs:
        raise ApiProblem(403, NOT_MANAGED.format(org_id=org.id), CODE_FORBIDDEN)  # webex-api.md §10.1
    return org


def require_location(ctx: EmulatorContext, org: Org, location_id: str) -> Location:
    """A location of ``org``; another org's location is as unknown as a made-up id."""
    location = ctx.state.locations.get(location_id)
    if location is None or location.org_id != org.id:
        raise ApiProblem(404, f"Location {location_id} not found", CODE_NOT_FOUND)
    return location


def text(
    body: dict[str, Any], name: str, *, required: bool = True, max_len: int | None = None, where: str = ""
) -> str | None:
    """A string field of a JSON body: present when required, a string, not blank, within ``max_len``."""
    label = f"{where}{name}"
    value = body.get(name)
    if value is None:
        if required:
            raise ApiProblem(400, f"{label} is required", CODE_INVALID)
        return None
    if not isinstance(value, str):
        raise ApiProblem(400, f"{label} must be a string", CODE_INVALID)
    if required and not value.strip():
        raise ApiProblem(400, f"{label} must not be blank", CODE_INVALID)
    if max_len is not None and len(value) > max_len:
        raise ApiProblem(400, f"{label} must be at most {max_len} characters, got {len(value)}", CODE_INVALID)
    return value


def string_list(body: dict[str, Any], name: str) -> list[str] | None:
    """A list-of-strings field, or None when absent."""
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ApiProblem(400, f"{name} must be a list of strings", CODE_INVALID)
    return value


def paged(
    ctx: EmulatorContext,
    request: Request,
    key: str,
    rows: list[Any],
    *,
    start_param: str,
    default_max: int,
    render: Any,
    extra: dict[str, Any] | None = None,
) -> JSONResponse:
    """One page of ``rows`` rendered under ``key``, with the ``Link: rel="next"`` header when more follow."""
    chunk, link = ctx.page(request, rows, start_param=start_param, default_max=default_max)
    body: dict[str, Any] = {key: [render(row) for row in chunk], **(extra or {})}
    return JSONResponse(body, headers={"Link": link} if link else None)


def query_bool(request: Request, name: str) -> bool | None:
    """``true``/``false`` query flags as Webex spells them; anything else is a 400."""
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return None
    if raw.lower() in ("true", "false"):
        return raw.lower() == "true"
    raise ApiProblem(400, f"{name} must be true or false, got {raw!r}", CODE_INVALID)


def compact(mapping: dict[str, Any]) -> dict[str, Any]:
    """Drop unset fields: Webex omits them rather than sending null (and the specs type them as strings)."""
    return {k: v for k, v in mapping.items() if v is not None and v != ""}
