"""``rtm-batch history``: the recorded runs as a table a person scans for the night that went wrong."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console
from rich.table import Table

from batch.history.records import RunRecord

CHANGED = ("created", "updated", "removed")
TO_FIX = ("failed", "skipped", "invalid")


def print_history(console: Console, runs: Sequence[RunRecord]) -> None:
    """One line per run, newest first: when, how it ended, what changed, what needs a look, where."""
    if not runs:
        console.print("No runs recorded yet.")
        return
    table = Table(title="Runs", show_edge=False, title_justify="left")
    numbers = ("exit", "rows", "changed", "to fix", "429", "seconds")
    for name in ("started", "command", *numbers, "job", "reports"):
        table.add_column(name, justify="right" if name in numbers else "left")
    for run in runs:
        table.add_row(
            run.started.astimezone().strftime("%Y-%m-%d %H:%M"),
            run.command,
            str(run.exit_code),
            str(run.rows),
            str(sum(run.totals.get(s, 0) for s in CHANGED)),
            str(sum(run.totals.get(s, 0) for s in TO_FIX)),
            str(run.throttled),
            f"{run.wall_seconds:.1f}",
            short_label(run.label),
            run.out_dir or "",
        )
    console.print(table)
    for run in runs:
        if run.error and run.exit_code:
            console.print(f"{run.started.astimezone():%Y-%m-%d %H:%M} exit {run.exit_code}: {run.error}", markup=False)


def short_label(label: str) -> str:
    """``nightly.toml`` for ``config /etc/rtm-batch/nightly.toml``; the inputs' names for an inputs label."""
    kind, _, rest = label.partition(" ")
    names = [part.rsplit("/", 1)[-1] for part in rest.split(" ") if part]
    return ", ".join(names) if kind in ("config", "inputs") else label
