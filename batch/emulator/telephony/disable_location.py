"""Taking a location out of Webex Calling, the way Webex requires before the location can be deleted
(webex-lcs.json: the safe-delete check ``precheckForDeletion``, the ``deleteCallingLocation`` job;
webex-locations.json: ``DELETE /locations/{id}`` refuses a location that still has calling).

The check's verdict, as the spec's ``LocationDeleteStatus`` defines it: ``BLOCKED`` when the location is the
org's last calling location, or users, workspaces, virtual lines or trunks use it, or a number order is
pending; ``FORCE_REQUIRED`` when a trunk nobody uses is there; ``UNBLOCKED`` otherwise. The job refuses what
the check blocks (409), and ``FORCE_REQUIRED`` without ``forceDelete`` (409). The emulator finishes the job at
once (it reads ``COMPLETED``): calling is off, the location's numbers are released, its main number cleared.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute

from batch.emulator.http import CODE_CONFLICT, CODE_INVALID, CODE_NOT_FOUND, ApiProblem, EmulatorContext, json_body
from batch.emulator.org.scope import require_location, require_org, route, text
from batch.emulator.records import now_iso
from batch.emulator.state import Location, Org, Person

CHECK = "/v1/telephony/config/locations/{location_id}/actions/precheckForDeletion/invoke"
JOBS = "/v1/telephony/config/jobs/locations/deleteCallingLocation"
JOB_NAME = "deletecallinglocation"


def routes(ctx: EmulatorContext) -> list[BaseRoute]:
    return [
        route(ctx, CHECK, safe_delete_check, "POST"),
        route(ctx, JOBS, start_job, "POST"),
        route(ctx, JOBS, list_jobs, "GET"),
        route(ctx, JOBS + "/{job_id}", get_job, "GET"),
    ]


def users_at(ctx: EmulatorContext, org: Org, location: Location) -> list[Person]:
    """Users placed in the location who still use calling: a subscriber, a number or an extension (a person
    whose subscription was removed stays in the org, but no longer uses the location)."""
    return [
        p
        for p in ctx.state.people_in_org(org.id)
        if p.location_id == location.id
        and (p.extension or p.phone_numbers or any(ctx.state.subscriber_by_email(e) for e in p.emails))
    ]


def verdict(ctx: EmulatorContext, org: Org, location: Location) -> dict[str, Any]:
    """The safe-delete check's answer (``SafeDeleteCheckForDisableCallingLocationResponse``)."""
    others = [loc for loc in ctx.state.locations_in_org(org.id) if loc.calling_enabled and loc.id != location.id]
    users = users_at(ctx, org, location)
    trunks = [t for t in ctx.state.trunks_in_org(org.id) if t.location_id == location.id]
    routed = [t for t in trunks if location.pstn_route is not None and location.pstn_route[1] == t.id]
    blocking = {
        "lastLocation": not others,
        "trunksInUseCount": len(routed),
        "usersInUseCount": len(users),
        "workspacesInUseCount": 0,
        "virtualLineInUseCount": 0,
        "numbersOrderPending": False,
    }
    blocked = any(v for v in blocking.values())
    unused = len(trunks) - len(routed)
    status = "BLOCKED" if blocked else "FORCE_REQUIRED" if unused else "UNBLOCKED"
    return {
        "locationDeleteStatus": status,
        "blocking": blocking,
        "nonBlocking": {"numbersPresent": bool(ctx.state.numbers_in_org(org.id, location.id))},
        "blockingUnlessForced": {"nonUserEntitiesInUse": bool(unused), "trunksCount": len(trunks)},
    }


def _calling_location(ctx: EmulatorContext, org: Org, location_id: str) -> Location:
    location = require_location(ctx, org, location_id)
    if not location.calling_enabled:
        raise ApiProblem(404, f"Location {location_id} is not a Webex Calling location", CODE_NOT_FOUND)
    return location


async def safe_delete_check(ctx: EmulatorContext, request: Request) -> Response:
    org = require_org(ctx, request)
    location = _calling_location(ctx, org, request.path_params["location_id"])
    return JSONResponse(verdict(ctx, org, location))


async def start_job(ctx: EmulatorContext, request: Request) -> Response:
    """``{locationId, locationName?, forceDelete?}`` → 202 with the job (``DisableCallingLocationJobStatus``)."""
    org = require_org(ctx, request)
    body = await json_body(request)
    location = _calling_location(ctx, org, text(body, "locationId") or "")
    force = body.get("forceDelete", False)
    if not isinstance(force, bool):
        raise ApiProblem(400, "forceDelete must be true or false", CODE_INVALID)
    status = verdict(ctx, org, location)["locationDeleteStatus"]
    if status == "BLOCKED":
        raise ApiProblem(
            409,
            f"Location {location.name!r} cannot be disabled for Webex Calling: the safe-delete check says BLOCKED",
            CODE_CONFLICT,
        )
    if status == "FORCE_REQUIRED" and not force:
        raise ApiProblem(409, f"Location {location.name!r} needs forceDelete: true to be disabled", CODE_CONFLICT)
    for number in ctx.state.numbers_in_org(org.id, location.id):
        ctx.state.remove_number(number.phone_number)
    location.calling_enabled = False
    location.main_number = None
    job = _job(ctx, org, location)
    return JSONResponse(job, status_code=202)


def _job(ctx: EmulatorContext, org: Org, location: Location) -> dict[str, Any]:
    job_id = ctx.state.new_id("JOB")
    stamp = now_iso()
    job = {
        "name": JOB_NAME,
        "id": job_id,
        "trackingId": f"EMULATOR_{job_id[-12:]}",
        "sourceUserId": ctx.state.partner.admin.id,
        "sourceCustomerId": ctx.state.partner.org.id,
        "targetCustomerId": org.id,
        "instanceId": len(ctx.state.jobs) + 1,
        "jobExecutionStatus": [
            {
                "id": 1,
                "lastUpdated": stamp,
                "statusMessage": "COMPLETED",
                "exitCode": "COMPLETED",
                "createdTime": stamp,
                "timeElapsed": "PT0S",
            }
        ],
        "latestExecutionStatus": "COMPLETED",
        "latestExecutionExitCode": "COMPLETED",
        "locationName": location.name,
        "locationId": location.id,
        "counts": {
            "totalVirtualExtensionsAccount": 0,
            "virtualExtensionsDeleted": 0,
            "virtualExtensionsDeleteFailed": 0,
            "totalFeatureAccounts": 0,
            "featureAccountsDeleted": 0,
            "featureAccountsDeleteFailed": 0,
        },
    }
    ctx.state.jobs[job_id] = job
    return job


async def list_jobs(ctx: EmulatorContext, request: Request) -> Response:
    org = require_org(ctx, request)
    found = [j for j in ctx.state.jobs.values() if j["name"] == JOB_NAME and j["targetCustomerId"] == org.id]
    return JSONResponse({"items": found})


async def get_job(ctx: EmulatorContext, request: Request) -> Response:
    org = require_org(ctx, request)
    job = ctx.state.jobs.get(request.path_params["job_id"])
    if job is None or job["name"] != JOB_NAME or job["targetCustomerId"] != org.id:
        raise ApiProblem(404, f"Job {request.path_params['job_id']} not found", CODE_NOT_FOUND)
    return JSONResponse(job)
