"""``plan --base-url`` sees what ``run`` would meet (issue 17 item 6): Webex's own prechecks, asked read-only.

- ``POST /wholesale/customers/validate`` for each customer the run would create and
  ``POST /wholesale/subscribers/validate`` for each user it would create in a customer that exists; the
  answer's ``message`` is trusted, not the status alone (webex-api.md §11.19: a refusal can be a 200);
- ``validateNumbers`` for the numbers a location would gain: ``Unavailable`` (another organization's) or
  ``Invalid`` fails the row, ``Duplicate`` ("DN is in use": already this org's, e.g. a previous run's) is fine;
- a row naming a customer that is on neither the batch nor the server fails as the run would fail it;
- an announcement language Webex does not offer fails the location's row.

Prechecks change nothing on the server (they are POSTs by name only), so a plan still writes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from batch import keys
from batch.api.client import Written
from batch.errors import ApiError, AuthError
from batch.jobs import PLANNED, Job, Kind, RowResult
from batch.plan.graph import Plan
from batch.provision.context import ActionContext
from batch.provision.customers import template_missing
from batch.provision.fields.bodies import customer_body, text
from batch.provision.lookups import CALLING, CUSTOMERS, SUBSCRIBERS, Known, known_customers
from batch.reasons import Reason

VALIDATE_NUMBERS = "/telephony/config/actions/validateNumbers/invoke"
#: validateNumbers states that a run's add-numbers would be refused for.
REFUSED_NUMBERS = frozenset({"Unavailable", "Invalid"})


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why the run would fail a row, as its reason code and message."""

    reason: Reason
    message: str


Row = tuple[str, str, int]  # (source, sheet, row): merged inputs repeat row numbers


async def prechecks(ctx: ActionContext, plan: Plan, results: Sequence[RowResult]) -> dict[Row, Refusal]:
    """(source, sheet, row) → why the run would fail it, for rows the plan would send (``planned``)."""
    planned = {(r.source, r.sheet, r.row): r.message for r in results if r.status == PLANNED and r.row is not None}
    known = await known_customers(ctx)
    found: dict[Row, Refusal] = {}
    languages: set[str] | None = None
    for job in plan.jobs.values():
        at = (job.source, job.sheet, job.row or 0)
        if job.row is None or at not in planned or at in found:
            continue
        creates = planned[at] == "create"  # the row's own object is not on the server
        ref = plan.jobs.get(job.refs.get("customer", ""))
        refusal = await _check(ctx, job, known, creates, ref is not None and ref.kind is Kind.CUSTOMER_REF)
        if refusal is None and job.kind is Kind.CALLING and (wanted := text(job.fields.get("announcement_language"))):
            languages = languages if languages is not None else await _languages(ctx)
            if languages and wanted.casefold() not in languages:
                offered = ", ".join(sorted(languages))
                message = f"announcement_language {wanted} is not one Webex offers ({offered}): choose one of them"
                refusal = Refusal(Reason.API_REFUSED, message)
        if refusal is not None:
            found[at] = refusal
    return found


async def _check(ctx: ActionContext, job: Job, known: Known, creates: bool, named_only: bool) -> Refusal | None:
    """``named_only``: the row's customer is not in the batch, only named by it (it must be on the server)."""
    ext = str(job.fields.get("external_id") or job.fields.get("customer_external_id") or "")
    if not ext and "customer" in job.refs:  # a step of a row (its numbers): the customer it works in
        ext = keys.natural_of(job.refs["customer"])
    customer = known.get(ext.casefold())
    try:
        if (named_only or job.kind is Kind.CUSTOMER_REF) and customer is None:
            message = (
                f"customer {ext} is neither in this batch nor on the server: add it to the customers sheet or "
                "correct customer_external_id"
            )
            return Refusal(Reason.CUSTOMER_NOT_FOUND, message)
        if job.kind is Kind.CUSTOMER and customer is None and creates:
            if (missing := template_missing(job, ext)) is not None:
                return Refusal(Reason.CUSTOMER_TEMPLATE_REQUIRED, missing.message)
            return _judged(await ctx.client.write("POST", f"{CUSTOMERS}/validate", json=customer_body(job.fields)))
        if job.kind is Kind.SUBSCRIBER and creates and customer is not None and customer.get("id"):
            # The email and the package (another organization's user, a package the customer lacks); a calling
            # user's number is judged against the locations' numbers (checks.py), so the body leaves it out.
            email = str(job.fields.get("email_normalized") or "").lower()
            package = str(job.fields.get("package_resolved") or "")
            body = {"customerId": str(customer["id"]), "email": email, "packages": [package]}
            if job.fields.get("calling"):
                return None  # Webex's precheck wants the calling data, which a new location does not have yet
            return _judged(await ctx.client.write("POST", f"{SUBSCRIBERS}/validate", json=body))
        if job.kind is Kind.NUMBERS and customer is not None and customer.get("orgId"):
            return await _numbers(ctx, str(customer["orgId"]), [str(n) for n in job.fields.get("numbers") or ()])
    except AuthError:
        raise
    except ApiError as err:
        return Refusal(Reason.API_REFUSED, f"Webex's precheck refuses it: {err}")
    return None


def _judged(written: Written[Any]) -> Refusal | None:
    """A precheck's answer: ``message: success`` passes; anything else is the refusal, in Webex's words."""
    body: Mapping[str, Any] = written.body or {}
    said = str(body.get("message") or "")
    if not said or said.casefold() == "success":
        return None
    errors = "; ".join(str(e.get("description") or "") for e in body.get("errors") or [] if isinstance(e, dict))
    return Refusal(Reason.API_REFUSED, f"Webex's precheck refuses it: {errors or said}")


async def _numbers(ctx: ActionContext, org_id: str, numbers: list[str]) -> Refusal | None:
    if not numbers:
        return None
    written: Written[None] = await ctx.client.write(
        "POST", VALIDATE_NUMBERS, params={"orgId": org_id}, json={"phoneNumbers": numbers}
    )
    body: Mapping[str, Any] = written.body or {}
    items = body.get("phoneNumbers") or body.get("numbers") or []  # the live API's spelling first (§11.14)
    refused = [i for i in items if isinstance(i, dict) and i.get("state") in REFUSED_NUMBERS]
    if not refused:
        return None
    said = "; ".join(
        f"{i.get('phoneNumber') or i.get('number')}: {i.get('state')} ({' '.join(i.get('detail') or [])})"
        for i in refused
    )
    return Refusal(Reason.NUMBERS_UNAVAILABLE, f"validateNumbers refuses {said}: remove them from this row")


async def _languages(ctx: ActionContext) -> set[str]:
    """The announcement languages Webex offers (codes, case-folded); empty when it will not say."""
    try:
        body = await ctx.client.get(f"{CALLING.rsplit('/', 1)[0]}/announcementLanguages")
    except AuthError:
        raise
    except ApiError:
        return set()
    return {str(item.get("code")).casefold() for item in body.get("languages") or [] if item.get("code")}
