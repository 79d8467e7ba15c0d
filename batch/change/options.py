"""``ChangeControl``: the change-control part of a run's options, one value (house style 6)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from batch.change.clock import Clock, system_clock
from batch.change.window import Window, parse_window


@dataclass(frozen=True, slots=True)
class ChangeControl:
    """``--window`` (any of them open), ``--activate-numbers``, and ``rtm-batch activate`` (``activate_only``:
    look-ups and activations only, for ``customers`` or every customer of the batch). ``clock`` is where
    windows and cut-over times read the time; tests hand in their own."""

    windows: tuple[Window, ...] = ()
    activate_numbers: bool = False
    activate_only: bool = False
    customers: frozenset[str] = frozenset()
    clock: Clock = field(default=system_clock, repr=False, compare=False)


def change_control(
    windows: Sequence[str] = (),
    *,
    activate_numbers: bool = False,
    activate_only: bool = False,
    customers: Sequence[str] = (),
) -> ChangeControl:
    """From the command line's words; a bad ``--window`` is a ``UsageError`` (exit 2, one line)."""
    return ChangeControl(
        tuple(parse_window(w) for w in windows),
        activate_numbers=activate_numbers or activate_only,
        activate_only=activate_only,
        customers=frozenset(c.strip() for c in customers if c.strip()),
    )
