"""A location the run created, deleted the way Webex requires (webex-lcs.json, webex-locations.json).

A calling location cannot be deleted: calling is disabled first, by a job, and only after the safe-delete
check allows it. ``BLOCKED`` (users, trunks in use, the org's last calling location, a number order) leaves
the location where it is, named with what blocks it; ``FORCE_REQUIRED`` (features or an unused trunk there)
is disabled with ``forceDelete``, since the run made the location and everything in it is the run's too.
"""

from __future__ import annotations

from typing import Any

import anyio

from batch.api.records import Written
from batch.errors import ApiError, AuthError
from batch.jobs import FAILED, PLANNED, SKIPPED, Outcome
from batch.reasons import Reason
from batch.undo.reverse import Gone, UndoContext, changed_since, undone
from batch.undo.steps import Step

CALLING = "/telephony/config/locations"
JOBS = "/telephony/config/jobs/locations/deleteCallingLocation"
#: How long undo waits for a disable-calling job (seconds), polling every JOB_POLL.
JOB_PATIENCE, JOB_POLL = 300.0, 1.0


async def delete_location(step: Step, ctx: UndoContext) -> Outcome:
    location_id, org_id = step.entry.ids.get("location_id", ""), ctx.org_of.get(step.customer, "")
    params = {"orgId": org_id}
    try:
        item = await ctx.read(f"/locations/{location_id}", params)
    except Gone:
        return undone("the location is already gone")
    for name, value in step.after.items():
        if item.get(name) != value:
            return changed_since(name, item.get(name), value)
    calling = await _has_calling(ctx, location_id, params)
    if ctx.dry_run:
        how = "disable calling (after the safe-delete check), then delete it" if calling else "delete it"
        return Outcome(PLANNED, message=f"would {how}")
    if calling:
        check: Written[None] = await ctx.client.write(
            "POST", f"{CALLING}/{location_id}/actions/precheckForDeletion/invoke", params=params
        )
        verdict = check.body or {}
        status = verdict.get("locationDeleteStatus")
        if status == "BLOCKED":
            message = f"left: Webex's safe-delete check says BLOCKED ({_blocking(verdict)})"
            return Outcome(SKIPPED, message=message, reason=Reason.UNDO_BLOCKED)
        body = {"locationId": location_id, "locationName": item.get("name"), "forceDelete": status == "FORCE_REQUIRED"}
        started: Written[None] = await ctx.client.write("POST", JOBS, params=params, json=body)
        finished = await _wait(ctx, str((started.body or {}).get("id") or ""), params)
        if finished is not None:
            return finished
    await ctx.client.write("DELETE", f"/locations/{location_id}", params=params)
    return undone("location deleted (calling disabled first)" if calling else "location deleted")


async def _has_calling(ctx: UndoContext, location_id: str, params: dict[str, str]) -> bool:
    try:
        await ctx.client.get(f"{CALLING}/{location_id}", params)
    except ApiError as err:
        if isinstance(err, AuthError) or err.status != 404:
            raise
        return False
    return True


def _blocking(verdict: dict[str, Any]) -> str:
    blocking = verdict.get("blocking") or {}
    said = [name for name, value in blocking.items() if value]
    return ", ".join(f"{name}: {blocking[name]}" for name in said) or "no reason given"


async def _wait(ctx: UndoContext, job_id: str, params: dict[str, str]) -> Outcome | None:
    """None once the disable-calling job completed; a failed row when it failed or took too long."""
    waited = 0.0
    while job_id:
        job = await ctx.client.get(f"{JOBS}/{job_id}", params)
        state = str(job.get("latestExecutionStatus") or "")
        if state == "COMPLETED":
            return None
        if state in ("FAILED", "ABANDONED", "STOPPED") or waited >= JOB_PATIENCE:
            message = f"the disable-calling job {job_id} is {state or 'unknown'}: the location was not deleted"
            return Outcome(FAILED, message=message, reason=Reason.API_REFUSED)
        await anyio.sleep(JOB_POLL)
        waited += JOB_POLL
    return None
