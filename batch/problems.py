"""Problems found in the input are data, not exceptions (frictionless' ``CellError`` idea).

A ``Problem`` names the sheet, the Excel row (header = 1, first data row = 2), the column, the
offending value, a stable rule code users can search for, and a message that says how to fix it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]

#: Column order of ``validation.csv`` (contract §3).
PROBLEM_COLUMNS = ("sheet", "row", "column", "value", "severity", "rule", "message")


@dataclass(frozen=True, slots=True)
class Problem:
    """One finding about one cell (or one row when ``column`` is empty)."""

    sheet: str
    row: int | None
    column: str
    value: str
    severity: Severity
    rule: str
    message: str
    #: The input the row came from (the loader's ``_source``: ``path#sheet`` or a CSV file's path); "" for a
    #: finding about no one input. Merged inputs repeat row numbers, so (source, sheet, row) names a row.
    source: str = ""

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def as_row(self) -> tuple[str, int | None, str, str, str, str, str]:
        return (self.sheet, self.row, self.column, self.value, self.severity, self.rule, self.message)


@dataclass(frozen=True, slots=True)
class RuleCount:
    """How many problems of one rule a sheet has, and how many of them are ``Problem`` records: past a cap the
    rest are only counted (a million rows of junk must not make millions of records), and every summary must
    still give the true number."""

    sheet: str
    rule: str
    severity: Severity
    found: int
    listed: int

    @property
    def not_listed(self) -> int:
        return self.found - self.listed


def sort_key(problem: Problem) -> tuple[int, str, int, str, str]:
    """Problems read best in workbook order: sheet order, then input, row, column."""
    order = {"templates": 0, "customers": 1, "locations": 2, "users": 3}
    return (order.get(problem.sheet, 9), problem.source, problem.row or 0, problem.column, problem.rule)
