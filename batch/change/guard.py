"""What the run's engine asks of change control: the plan it runs, the actions it uses, and when to stop.

Kept to three calls so the engine (``batch.run.session``, ``batch.run.runner``) changes in three lines:
``shape_plan`` before the run, ``change_actions`` for the executor, ``window_closed`` / ``watch_window``
beside the signal watcher. A window that closes stops the run exactly as SIGTERM does (the stop control's
``stop_now``): no new requests, the journal flushed, partial reports, exit 3, and the same command resumes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import anyio

from batch.change.activate import activate, activation_only, with_activation
from batch.change.cutover import hold_until_cutover
from batch.change.drift import approved_actions, approved_plan, planned_results
from batch.change.options import ChangeControl
from batch.change.saved import check_plan
from batch.change.window import closed_line, closing_line, open_until
from batch.jobs import Kind, RowResult
from batch.plan.graph import Plan
from batch.provision.context import Action

#: How often an open window's end is looked at again (the clock may be a test's, running fast or jumping).
POLL_SECONDS = 1.0
NOTHING_TO_ACTIVATE = "nothing to activate: the row adds no numbers (or its customer was not asked for)"


def shape_plan(plan: Plan, change: ChangeControl) -> Plan:
    """The plan this run executes: with activations after the numbers, or activations alone."""
    if change.saved is not None:
        plan = approved_plan(plan, change.saved)
    if change.activate_only:
        return activation_only(plan, change.customers)
    return with_activation(plan) if change.activate_numbers else plan


def change_actions(actions: Mapping[Kind, Action], change: ChangeControl) -> dict[Kind, Action]:
    """The executor's actions: the activation added, the customer's held until its ``cutover_at``."""
    shaped = {**actions, Kind.ACTIVATE: activate}
    shaped[Kind.CUSTOMER] = hold_until_cutover(actions[Kind.CUSTOMER], change.clock)
    return approved_actions(shaped, change.saved) if change.saved is not None else shaped


def window_closed(change: ChangeControl) -> str | None:
    """Why nothing may start now (outside every ``--window``), or None."""
    if not change.windows:
        return None
    now = change.clock()
    return None if open_until(change.windows, now) is not None else closed_line(change.windows, now)


async def watch_window(change: ChangeControl, stop: Callable[[str], None]) -> None:
    """Ask for the stop once every window is closed (at once when the run starts outside them)."""
    if not change.windows:
        return
    while True:
        closes = open_until(change.windows, change.clock())
        if closes is None:
            stop(closing_line(change.windows))
            return
        left = (closes - change.clock()).total_seconds()
        await anyio.sleep(max(0.0, min(left, POLL_SECONDS)))


def shape_results(results: list[RowResult], change: ChangeControl) -> list[RowResult]:
    """``run --plan``: rows the plan does not act on, as it said."""
    return planned_results(results, change.saved) if change.saved is not None else results


def without_jobs(change: ChangeControl) -> str:
    """What a row the plan gives no job says (``row_results``' ``without_jobs``): under ``rtm-batch activate`` a
    row without numbers has nothing to activate (``exists``, said so), not a row the run failed to reach."""
    return NOTHING_TO_ACTIVATE if change.activate_only else ""


def check_change(change: ChangeControl, inputs: Sequence[Path], options: Mapping[str, Any]) -> None:
    """Before anything is written: a saved plan whose inputs or options are not this run's is refused (exit 2).
    ``options``: ``batch.change.saved.plan_options`` of the run."""
    if change.saved is not None:
        check_plan(change.saved, inputs, options)


def change_summary(change: ChangeControl) -> dict[str, Any]:
    """What summary.json says about change control: the applied plan and who approved it, the waves."""
    found: dict[str, Any] = {}
    if change.saved is not None:
        found["plan"] = {"path": str(change.saved.path), "sha256": change.saved.sha256, "created": change.saved.created}
        found["approved_by"] = change.approved_by
    if change.windows:
        found["windows"] = [w.spec for w in change.windows]
    return found
