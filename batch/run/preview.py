"""``rtm-batch plan`` as a library call: validate, build the job graph, say what a run would do.

With a server it also looks up, read-only, which customers, locations and subscribers already exist, so
the partner sees before a run which rows will come back ``exists``.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import anyio

from batch.api.client import ClientConfig, WebexClient, check_base_url
from batch.jobs import EXISTS, PLANNED, ActionContext, RowResult
from batch.pipeline import validate_inputs
from batch.plan.graph import Plan, build_plan
from batch.report.results import row_results
from batch.report.summary import build_summary
from batch.report.writer import ReportPaths, write_reports
from batch.run.actions.customers import known_customers
from batch.run.actions.locations import named, org_locations
from batch.run.actions.users import known_subscribers
from batch.run.plan_checks import check_numbers


@dataclass(frozen=True, slots=True)
class PlanOutcome:
    """The graph, each row's expected result, and the reports written."""

    plan: Plan
    results: tuple[RowResult, ...]
    summary: Mapping[str, Any]
    paths: ReportPaths

    @property
    def exit_code(self) -> int:
        return int(self.summary["exit_code"])


def plan_batch(
    inputs: Sequence[Path], out_dir: Path, *, base_url: str | None = None, token: str = "", max_rate: float = 10.0
) -> PlanOutcome:
    """Validate and plan; rows found on the server (when ``base_url`` is given) are ``exists``."""
    started, clock = datetime.now(UTC), time.perf_counter()
    validation = validate_inputs(inputs, out_dir)
    plan = build_plan(validation.validated)
    results = row_results(validation.validated, plan, {}, not_run=PLANNED)
    api: dict[str, Any] = {"requests": 0, "retries": 0, "throttled": 0, "ambiguous": 0}
    if base_url is not None:
        config = ClientConfig(base_url=check_base_url(base_url), token=token, max_rate=max_rate)
        found, api = anyio.run(_existing, config, results, validation.validated.sheets)
        results = [_mark(r, found) for r in results]
        results, api = check_numbers(config, plan, results, api)
    summary = build_summary(results, api=api, wall_seconds=time.perf_counter() - clock, started=started, command="plan")
    paths = write_reports(out_dir, validation.loaded, results, summary)
    return PlanOutcome(plan, tuple(results), summary, paths)


def _mark(result: RowResult, found: Mapping[tuple[str, int], dict[str, str]]) -> RowResult:
    ids = found.get((result.sheet, result.row))
    if result.status != PLANNED or ids is None:
        return result
    return RowResult(result.sheet, result.row, result.key, EXISTS, "already on the server", ids)


async def _existing(
    config: ClientConfig, results: Sequence[RowResult], sheets: Mapping[str, Any]
) -> tuple[dict[tuple[str, int], dict[str, str]], dict[str, Any]]:
    """Read-only look-ups through the same listings ``run`` uses (so both agree on what exists): every
    wholesale customer once, then the locations and subscribers of the customers the batch names."""
    planned = {(r.sheet, r.row) for r in results if r.status == PLANNED}
    found: dict[tuple[str, int], dict[str, str]] = {}
    async with WebexClient(config) as client:
        ctx = ActionContext(client)
        customers = await known_customers(ctx)

        def customer(sheet: str, row: Mapping[str, Any], column: str) -> dict[str, Any] | None:
            on_server = customers.get(str(row[column] or "").casefold())
            return on_server if (sheet, row["_row"]) in planned else None

        for row in sheets["customers"].select("_row", "external_id").iter_rows(named=True):
            if c := customer("customers", row, "external_id"):
                found[("customers", row["_row"])] = {"customer_id": c["id"], "org_id": c.get("orgId", "")}
        for row in sheets["locations"].select("_row", "customer_external_id", "location_name").iter_rows(named=True):
            c = customer("locations", row, "customer_external_id")
            if c and c.get("orgId") and (loc := named(await org_locations(ctx, c["orgId"]), row["location_name"])):
                found[("locations", row["_row"])] = {"location_id": loc["id"]}
        for row in sheets["users"].select("_row", "customer_external_id", "email").iter_rows(named=True):
            c = customer("users", row, "customer_external_id")
            if c and (sub := (await known_subscribers(ctx, c["id"])).get(str(row["email"] or "").lower())):
                found[("users", row["_row"])] = {"subscriber_id": sub["id"], "person_id": sub.get("personId", "")}
        stats = client.stats
        api = {"requests": stats.requests, "retries": stats.retries, "throttled": stats.throttled}
    return found, api
