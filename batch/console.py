"""What the CLI prints for people: short summaries and problem tables (rich), plain off a terminal."""

from __future__ import annotations

import os
import sys
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table

from batch.jobs import KIND_ORDER
from batch.problems import Problem

if TYPE_CHECKING:
    from batch.plan.graph import Plan

#: How many problems the summary shows; the rest are in validation.csv.
SHOWN_PROBLEMS = 10


def make_console(stderr: bool = False) -> Console:
    """A console that never emits colour codes or live widgets into a pipe, a CI log or ``TERM=dumb``."""
    stream = sys.stderr if stderr else sys.stdout
    plain = not stream.isatty() or os.environ.get("CI") or os.environ.get("TERM") == "dumb"
    return Console(
        file=stream, no_color=bool(plain), highlight=False, soft_wrap=bool(plain), width=None if not plain else 160
    )


def validation_summary(
    console: Console,
    row_counts: dict[str, int],
    invalid_counts: dict[str, int],
    problems: Sequence[Problem],
) -> None:
    """Counts per sheet, then the first few problems as a table."""
    severities = Counter(p.severity for p in problems)
    table = Table(title="Validation", show_edge=False, title_justify="left")
    for name in ("sheet", "rows", "invalid", "errors", "warnings"):
        table.add_column(name, justify="left" if name == "sheet" else "right")
    per_sheet = Counter((p.sheet, p.severity) for p in problems)
    for sheet, rows in row_counts.items():
        table.add_row(
            sheet,
            str(rows),
            str(invalid_counts.get(sheet, 0)),
            str(per_sheet[(sheet, "error")]),
            str(per_sheet[(sheet, "warning")]),
        )
    console.print(table)
    console.print(f"{severities['error']} errors, {severities['warning']} warnings")
    if problems:
        _problem_table(console, problems)


def _problem_table(console: Console, problems: Sequence[Problem]) -> None:
    shown = sorted(problems, key=lambda p: (not p.is_error,))[:SHOWN_PROBLEMS]
    table = Table(show_edge=False)
    for name in ("sheet", "row", "column", "value", "severity", "message"):
        table.add_column(name, overflow="fold")
    for p in shown:
        value = p.value if len(p.value) <= 30 else p.value[:27] + "..."
        table.add_row(p.sheet, "" if p.row is None else str(p.row), p.column, value, p.severity, p.message)
    console.print(table)
    if len(problems) > len(shown):
        console.print(f"... and {len(problems) - len(shown)} more in validation.csv")


def plan_summary(console: Console, plan: Plan, rate: float) -> None:
    """Jobs per kind, the longest dependency chain and what a run would cost at ``rate`` requests/s."""
    table = Table(title="Plan", show_edge=False, title_justify="left")
    table.add_column("job")
    table.add_column("count", justify="right")
    for kind, count in sorted(plan.kind_counts().items(), key=lambda item: KIND_ORDER[item[0]]):
        table.add_row(kind.value, str(count))
    console.print(table)
    console.print(
        f"{len(plan.jobs)} jobs, depth {plan.depth()}, about {plan.estimated_calls()} API calls, "
        f"about {plan.estimated_seconds(rate):.0f} s at {rate:g} requests/s"
    )


def actions_summary(console: Console, actions: Mapping[str, Mapping[str, int]]) -> None:
    """``plan --base-url``: what a run would do per sheet (create, update, remove, unchanged, …)."""
    if not actions:
        return
    order = ("create", "update", "differs", "update refused", "unchanged", "remove", "remove refused")
    names = {name for counts in actions.values() for name in counts}
    shown = [n for n in order if n in names] + sorted(names - set(order))
    table = Table(title="Actions", show_edge=False, title_justify="left")
    table.add_column("sheet")
    for name in shown:
        table.add_column(name, justify="right")
    for sheet, counts in actions.items():
        table.add_row(sheet, *(str(counts.get(name, 0)) for name in shown))
    console.print(table)
