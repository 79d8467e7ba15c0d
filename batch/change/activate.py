"""Number activation (contract §2, *Change control*): the batch's ``inactive`` numbers made active.

Numbers being ported are added ``inactive`` (``numbers_state``) and must be activated once the port
completes, usually in a change window days later. Why a job of its own (``activate:<location>``) rather than
an option of the numbers job: it is journalled, reported and resumed per location like every other write,
and ``rtm-batch activate`` runs it alone, with only look-ups before it, on a batch provisioned long ago.

Only the row's own numbers are touched, only those the server lists as ``INACTIVE``, and only where the
location's PSTN takes it (``PUT …/numbers`` is supported on Local Gateway and non-integrated CCP only,
webex-numbers.json); a location on an integrated PSTN fails with the reason and nothing is sent.
"""

from __future__ import annotations

from collections.abc import Mapping

from batch import keys
from batch.api.client import WebexClient
from batch.jobs import CREATED, EXISTS, FAILED, Job, Kind, Outcome
from batch.plan.graph import Plan
from batch.provision.calling import pstn
from batch.provision.context import Context
from batch.provision.failures import attempt
from batch.reasons import Reason

NUMBERS = "/telephony/config/numbers"
CALLING = "/telephony/config/locations"
#: Numbers per activation request (the deactivation limit of webex-numbers.json; activation names none).
PER_REQUEST = 500
STEP = "activate"


def activation_key(numbers_key: str) -> str:
    """``numbers:FI-1/hq`` → ``activate:FI-1/hq``: one activation per location, named like its numbers."""
    return keys.key(STEP, keys.natural_of(numbers_key))


def with_activation(plan: Plan) -> Plan:
    """``run --activate-numbers``: after each location's numbers job, a job that activates them."""
    added = [_activation(job, (job.key,), job.refs) for job in plan.jobs.values() if _has_numbers(job)]
    rows = dict(plan.rows)
    for job in added:
        if (row := job.row_id) is not None:
            rows[row] = (*rows.get(row, ()), job.key)
    return Plan({**plan.jobs, **{job.key: job for job in added}}, rows, plan.merged)


def activation_only(plan: Plan, customers: frozenset[str] = frozenset()) -> Plan:
    """``rtm-batch activate``: look-ups of the customers and locations (never a create) and the activations.

    ``customers`` (external ids) narrows it; empty means every customer of the batch. Rows without numbers
    get no jobs (the runner reports them as having nothing to activate)."""
    jobs: dict[str, Job] = {}
    rows: dict[tuple[str, str, int], tuple[str, ...]] = {}
    for job in plan.jobs.values():
        ckey = job.refs.get("customer", "")
        if not _has_numbers(job) or (customers and keys.natural_of(ckey) not in customers):
            continue
        ext = keys.natural_of(ckey)
        jobs.setdefault(ckey, Job(ckey, Kind.CUSTOMER_REF, "customers", None, fields={"external_id": ext}))
        location = plan.jobs[job.refs["location"]]
        found = _location_lookup(location, ckey)
        jobs.setdefault(found.key, found)
        activation = _activation(job, (found.key,), {"customer": ckey, "location": found.key})
        jobs[activation.key] = activation
        if (row := job.row_id) is not None:
            rows[row] = (ckey, found.key, activation.key)
    return Plan(jobs, rows, plan.merged)


def _location_lookup(location: Job, ckey: str) -> Job:
    """A look-up-only job for the location a numbers job names (the HQ's, or a further location)."""
    refs = {"customer": ckey}
    if location.kind is Kind.HQ:
        fields = {"hq_location_name": location.fields.get("hq_location_name")}
        return Job(location.key, Kind.HQ, "customers", None, (ckey,), refs, fields)
    name = location.fields.get("location_name")
    return Job(location.key, Kind.LOCATION_REF, "locations", None, (ckey,), refs, {"location_name": name})


def _has_numbers(job: Job) -> bool:
    return job.kind is Kind.NUMBERS and bool(job.fields.get("numbers"))


def _activation(numbers_job: Job, parents: tuple[str, ...], refs: Mapping[str, str]) -> Job:
    fields = {"numbers": list(numbers_job.fields.get("numbers") or ())}
    key = activation_key(numbers_job.key)
    return Job(key, Kind.ACTIVATE, numbers_job.sheet, numbers_job.row, parents, dict(refs), fields, numbers_job.source)


async def activate(job: Job, ctx: Context) -> Outcome:
    """Activate the row's numbers the location lists as ``INACTIVE``; ``exists`` when none is."""
    org_id = ctx.ids(job.refs["customer"])["org_id"]
    location_id = ctx.ids(job.refs["location"])["location_id"]
    ids = {"location_id": location_id}
    wanted = [str(n) for n in job.fields.get("numbers") or ()]
    where = f"location {keys.natural_of(job.key)}"

    async def work() -> Outcome:
        states = await number_states(ctx.client, org_id, location_id)
        missing = [n for n in wanted if n not in states]
        inactive = [n for n in wanted if states.get(n) == "INACTIVE"]
        note = f"; not on the location (add them first): {', '.join(missing)}" if missing else ""
        if not inactive:
            message = "no inactive number" + note if missing else ""
            return Outcome(FAILED if missing else EXISTS, ids=ids, message=message, reason=_missing(missing))
        connection = await pstn.connection(ctx, org_id, location_id)
        if connection is not None and connection.get("pstnConnectionType") in pstn.INTEGRATED:
            kind = pstn.INTEGRATED[str(connection.get("pstnConnectionType"))]
            message = (
                f"{where} is on {kind}: its provider activates its numbers, the API may not; "
                f"none was sent ({', '.join(inactive)} stay inactive)"
            )
            return Outcome(FAILED, ids=ids, message=message, reason=Reason.NUMBERS_INTEGRATED_PSTN)
        for start in range(0, len(inactive), PER_REQUEST):
            body = {"phoneNumbers": inactive[start : start + PER_REQUEST], "action": "ACTIVATE"}
            await ctx.client.write("PUT", f"{CALLING}/{location_id}/numbers", params={"orgId": org_id}, json=body)
        if missing:  # a failed row's message leads with the step ("activating numbers: activated …; not on …")
            message = f"activated {', '.join(inactive)}{note}"  # failed, yet these are active: undo's images
            before, after = {"inactive": inactive}, {"active": inactive}
            return Outcome(FAILED, ids=ids, message=message, reason=_missing(missing), before=before, after=after)
        message = ", ".join(inactive)  # the images: what undo deactivates again
        return Outcome(CREATED, ids=ids, message=message, before={"inactive": inactive}, after={"active": inactive})

    return await attempt(work, f"Could not activate the numbers of {where}")


def _missing(missing: list[str]) -> str:
    return Reason.NUMBERS_NOT_ON_LOCATION if missing else ""


async def number_states(client: WebexClient, org_id: str, location_id: str) -> dict[str, str]:
    """The location's numbers and their states (``ACTIVE``, ``INACTIVE``) as the server lists them now."""
    items = await client.get_all(NUMBERS, {"orgId": org_id, "locationId": location_id}, items_key="phoneNumbers")
    return {str(item.get("phoneNumber")): str(item.get("state") or "").upper() for item in items}
