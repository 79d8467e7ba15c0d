"""``plan --base-url``'s checks of what would fail at run time, beside its look-ups of what exists
(``batch.provision.preview.rows``): rows the server proves wrong become ``failed`` in the plan, with the reason.

They run in the look-ups' own session (one client, one memo), so a listing the look-ups read is not read
again."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from batch.jobs import FAILED, RowResult
from batch.plan.graph import Plan
from batch.provision.calling.number_check import plan_number_failures
from batch.provision.context import ActionContext
from batch.provision.preview.prechecks import prechecks


async def server_checks(ctx: ActionContext, plan: Plan, results: Sequence[RowResult]) -> list[RowResult]:
    """Users whose number is on none of their location's numbers (server or batch), then the rows Webex's
    prechecks refuse (``batch.provision.preview.prechecks``), become ``failed`` with the reason and its code,
    as the run fails them."""
    failures = await plan_number_failures(ctx, plan, results)
    checked = [_failed(r, *failures[_key(r)]) if _key(r) in failures else r for r in results]
    refusals = await prechecks(ctx, plan, checked)
    marked = []
    for r in checked:
        refusal = refusals.get(_key(r))
        marked.append(r if refusal is None else _failed(r, refusal.message, refusal.reason))
    return marked


def _key(result: RowResult) -> tuple[str, str, int]:
    """The row's key in the checks' answers (a removal, without a row, is in none of them: row -1)."""
    return (result.source, result.sheet, result.row if result.row is not None else -1)


def _failed(result: RowResult, why: str, reason: str) -> RowResult:
    return replace(result, status=FAILED, message=why, reason=reason)
