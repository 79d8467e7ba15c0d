"""What ``rtm-batch export`` prints: rows per sheet, each note on one line (code first), where the files are."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from rich.console import Console
from rich.table import Table

from batch.export.rows import Note

#: Notes printed one by one; past this, a line counts the rest (summary.json counts them by code).
SHOWN_NOTES = 50


def print_export(console: Console, counts: Mapping[str, int], notes: Sequence[Note], paths: Sequence[Path]) -> None:
    table = Table(title="Export", show_edge=False, title_justify="left")
    table.add_column("sheet")
    table.add_column("rows", justify="right")
    for sheet, rows in counts.items():
        table.add_row(sheet, str(rows))
    console.print(table)
    for note in notes[:SHOWN_NOTES]:
        console.print(f"warning: {note.code}: {note.message}", markup=False, highlight=False)
    if len(notes) > SHOWN_NOTES:
        console.print(f"… and {len(notes) - SHOWN_NOTES} more warnings (summary.json counts them by code)")
    console.print(f"{len(notes)} warning{'' if len(notes) == 1 else 's'}", markup=False)
    console.print(f"Written: {', '.join(str(p) for p in paths)}", markup=False)
