"""Telephony batch jobs the emulator starts: the routing-prefix update a calling-location PUT may answer with
206 and a ``batchJobId`` (webex-lcs.json ``/telephony/config/jobs/updateRoutingPrefix``; WXC's
``update_and_wait_for_job``, webex-api.md §11.13).

The emulator applies the change at once, so a job reads ``COMPLETED`` when asked for; what it exercises is
the client taking a 206 as accepted work and finding the job it names.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute

from batch.emulator.http import CODE_NOT_FOUND, ApiProblem, EmulatorContext
from batch.emulator.org.scope import require_org, route
from batch.emulator.records import now_iso
from batch.emulator.state import Location, Org

BASE = "/v1/telephony/config/jobs/updateRoutingPrefix"
NAME = "updateroutingprefix"


def routes(ctx: EmulatorContext) -> list[BaseRoute]:
    return [route(ctx, BASE, list_jobs, "GET"), route(ctx, BASE + "/{job_id}", get_job, "GET")]


def routing_prefix_job(ctx: EmulatorContext, org: Org, location: Location) -> str:
    """Record a finished routing-prefix job for ``location`` and return its id."""
    job_id = ctx.state.new_id("JOB")
    stamp = now_iso()
    ctx.state.jobs[job_id] = {
        "name": NAME,
        "id": job_id,
        "trackingId": f"EMULATOR_{job_id[-12:]}",
        "sourceUserId": ctx.state.partner.admin.id,
        "sourceCustomerId": ctx.state.partner.org.id,
        "targetCustomerId": org.id,
        "instanceId": len(ctx.state.jobs) + 1,
        "jobExecutionStatus": [
            {
                "id": 1,
                "startTime": stamp,
                "endTime": stamp,
                "lastUpdated": stamp,
                "statusMessage": "COMPLETED",
                "exitCode": "COMPLETED",
                "createdTime": stamp,
            }
        ],
        "latestExecutionStatus": "COMPLETED",
        "latestExecutionExitCode": "COMPLETED",
        "counts": {"routingPrefixUpdated": 1, "routingPrefixFailed": 0},
        "locationId": location.id,
    }
    return job_id


async def list_jobs(ctx: EmulatorContext, request: Request) -> Response:
    org = require_org(ctx, request)
    found = [j for j in ctx.state.jobs.values() if j["targetCustomerId"] == org.id and j["name"] == NAME]
    return JSONResponse({"items": found})


async def get_job(ctx: EmulatorContext, request: Request) -> Response:
    org = require_org(ctx, request)
    job = ctx.state.jobs.get(request.path_params["job_id"])
    if job is None or job["targetCustomerId"] != org.id or job["name"] != NAME:
        raise ApiProblem(404, f"Job {request.path_params['job_id']} not found", CODE_NOT_FOUND)
    return JSONResponse(job)
