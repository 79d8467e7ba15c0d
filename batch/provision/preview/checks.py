"""``plan --base-url``'s checks of what would fail at run time, beside its look-ups of what exists
(``batch.provision.preview.rows``): rows the server proves wrong become ``failed`` in the plan, with the reason."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import anyio

from batch.api.client import ClientConfig, WebexClient
from batch.jobs import FAILED, RowResult
from batch.plan.graph import Plan
from batch.provision.calling.number_check import plan_number_failures
from batch.provision.context import ActionContext
from batch.provision.preview.prechecks import Refusal, prechecks


def check_numbers(
    config: ClientConfig, plan: Plan, results: Sequence[RowResult], api: Mapping[str, Any]
) -> tuple[list[RowResult], dict[str, Any]]:
    """Users whose number is on none of their location's numbers (server or batch) become ``failed``."""
    failures, stats = anyio.run(_failures, config, plan, results)
    counted = {key: api.get(key, 0) + stats.get(key, 0) for key in ("requests", "retries", "throttled")}
    found = [_failed(r, failures.get((r.sheet, r.row)) if r.row is not None else None) for r in results]
    return found, {**api, **counted}


def _failed(result: RowResult, why: str | None) -> RowResult:
    return result if why is None else RowResult(result.sheet, result.row, result.key, FAILED, why, result.ids)


def check_prechecks(
    config: ClientConfig, plan: Plan, results: Sequence[RowResult], api: Mapping[str, Any]
) -> tuple[list[RowResult], dict[str, Any]]:
    """Rows Webex's prechecks refuse become ``failed`` with the reason (``batch.provision.preview.prechecks``)."""
    refusals, stats = anyio.run(_refusals, config, plan, results)
    counted = {key: api.get(key, 0) + stats.get(key, 0) for key in ("requests", "retries", "throttled")}
    marked = []
    for r in results:
        refusal = refusals.get((r.sheet, r.row)) if r.row is not None else None
        if refusal is None:
            marked.append(r)
        else:
            marked.append(RowResult(r.sheet, r.row, r.key, FAILED, refusal.message, r.ids, reason=refusal.reason))
    return marked, {**api, **counted}


async def _refusals(
    config: ClientConfig, plan: Plan, results: Sequence[RowResult]
) -> tuple[dict[tuple[str, int], Refusal], dict[str, int]]:
    async with WebexClient(config) as client:
        found = await prechecks(ActionContext(client), plan, results)
        stats = client.stats
        return found, {"requests": stats.requests, "retries": stats.retries, "throttled": stats.throttled}


async def _failures(
    config: ClientConfig, plan: Plan, results: Sequence[RowResult]
) -> tuple[dict[tuple[str, int], str], dict[str, int]]:
    async with WebexClient(config) as client:
        failures = await plan_number_failures(ActionContext(client), plan, results)
        stats = client.stats
        return failures, {"requests": stats.requests, "retries": stats.retries, "throttled": stats.throttled}
