"""The export workbook written while the customers are still being read.

Why: an export is paced by the server's limit, so while it reads, its process mostly waits; writing 20,000
users and their ``_ids`` as one workbook afterwards took 2.2-2.5 s more (xlsxwriter builds every cell's
XML and the shared strings when the book closes), 15 % on top of the reading. In xlsxwriter's
``constant_memory`` mode each row's XML is written when the next row starts, so appending each customer's
rows as soon as it and every customer before it are read spreads that work over the wait, and closing is
little more than zipping. The rows are the same as ``write_export`` writes (same sheets, columns, text
cells, formula guard); cells are inline strings rather than shared ones, which every reader takes.

The book is written under a temporary name and renamed when it is closed whole (``finish``); ``discard``
removes it when the export fails, so ``--out`` never holds half an export.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from batch.export.rows import ID_COLUMNS, ExportRows, Row
from batch.report.cells import neutralize
from schemas import SHEETS

#: Rows of each column looked at for its width (as ``batch.report.retry_form.write_workbook`` does).
WIDTH_ROWS = 200


class WorkbookStream:
    """``add`` writes the rows an ``ExportRows`` gained since the last call; ``finish`` closes and renames."""

    def __init__(self, out: Path, templates: Sequence[Row]) -> None:
        self._out = out
        self._tmp = out.with_name(f".{out.name}.tmp{out.suffix}")
        self._book = xlsxwriter.Workbook(
            str(self._tmp), {"strings_to_numbers": False, "strings_to_formulas": False, "constant_memory": True}
        )
        self._text = self._book.add_format({"num_format": "@"})
        self._bold = self._book.add_format({"bold": True, "num_format": "@"})
        names = [*(["templates"] if templates else []), "customers", "locations", "users", "_ids"]
        self._sheets: dict[str, tuple[Worksheet, tuple[str, ...]]] = {}
        self._written: dict[str, int] = {}
        self._widths: dict[str, list[int]] = {}
        for name in names:
            columns = ID_COLUMNS if name == "_ids" else tuple(SHEETS[name].column_names)
            sheet = self._book.add_worksheet(name)
            sheet.freeze_panes(1, 0)
            for c, column in enumerate(columns):
                sheet.write_string(0, c, column, self._bold)
            self._sheets[name] = (sheet, columns)
            self._written[name] = 0
            self._widths[name] = [len(column) for column in columns]
        if templates:
            self._append("templates", templates)

    def add(self, rows: ExportRows) -> None:
        """Write what ``rows`` holds beyond what was written (its lists only grow, in the listing's order)."""
        for name in ("customers", "locations", "users"):
            self._append(name, rows.sheets[name][self._written[name] :])
        self._append("_ids", rows.ids[self._written["_ids"] :])

    def finish(self, rows: ExportRows) -> Path:
        """The rest of ``rows``, the column widths, then the whole book under its own name."""
        self.add(rows)
        for name, (sheet, _) in self._sheets.items():
            for c, width in enumerate(self._widths[name]):
                sheet.set_column(c, c, max(min(width, 60) + 2, 10), self._text)
        self._book.close()
        os.replace(self._tmp, self._out)
        return self._out

    def discard(self) -> None:
        """The export failed: no file at ``--out``, no temporary one beside it."""
        try:
            self._book.close()
        finally:
            self._tmp.unlink(missing_ok=True)

    def _append(self, name: str, rows: Sequence[Mapping[str, str]]) -> None:
        sheet, columns = self._sheets[name]
        widths = self._widths[name]
        start = self._written[name]
        for r, row in enumerate(rows, start=start + 1):
            for c, column in enumerate(columns):
                value = row.get(column)
                if value:
                    cell = str(neutralize(value))
                    sheet.write_string(r, c, cell)
                    if r <= WIDTH_ROWS:
                        widths[c] = max(widths[c], len(cell))
        self._written[name] = start + len(rows)
