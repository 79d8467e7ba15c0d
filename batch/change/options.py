"""``ChangeControl``: the change-control part of a run's options, one value (house style 6)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from batch.change.clock import Clock, system_clock
from batch.change.saved import SavedPlan, read_plan
from batch.change.waves import WaveSize, check_max_fail_percent, parse_waves
from batch.change.window import Window, parse_window
from batch.errors import UsageError


@dataclass(frozen=True, slots=True)
class ChangeControl:
    """``--window`` (any of them open), ``--activate-numbers``, ``rtm-batch activate`` (``activate_only``:
    look-ups and activations only, for ``customers`` or every customer of the batch), ``--waves`` and
    ``--max-fail-percent``. ``clock`` is where windows and cut-over times read the time; tests hand in their
    own."""

    windows: tuple[Window, ...] = ()
    activate_numbers: bool = False
    activate_only: bool = False
    customers: frozenset[str] = frozenset()
    waves: tuple[WaveSize, ...] = ()
    max_fail_percent: float | None = None
    saved: SavedPlan | None = None  # run --plan: the approved plan
    approved_by: str | None = None
    clock: Clock = field(default=system_clock, repr=False, compare=False)


def change_control(
    windows: Sequence[str] = (),
    *,
    activate_numbers: bool = False,
    activate_only: bool = False,
    customers: Sequence[str] = (),
    waves: str | None = None,
    max_fail_percent: float | None = None,
    plan: Path | None = None,
    approved_by: str | None = None,
) -> ChangeControl:
    """From the command line's words; a bad ``--window`` is a ``UsageError`` (exit 2, one line)."""
    if approved_by is not None and plan is None:
        raise UsageError("--approved-by names who approved a saved plan: give it with --plan PLAN.json")
    if plan is not None and (activate_numbers or activate_only):
        raise UsageError(
            "--plan does exactly what the saved plan says, which activates no numbers: leave out "
            "--activate-numbers, or run rtm-batch activate in its own window"
        )
    return ChangeControl(
        tuple(parse_window(w) for w in windows),
        activate_numbers=activate_numbers or activate_only,
        activate_only=activate_only,
        customers=frozenset(c.strip() for c in customers if c.strip()),
        waves=parse_waves(waves) if waves else (),
        max_fail_percent=check_max_fail_percent(max_fail_percent),
        saved=read_plan(plan) if plan is not None else None,
        approved_by=approved_by.strip() if approved_by else None,
    )
