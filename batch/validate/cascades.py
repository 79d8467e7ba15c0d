"""Which root problem each dependent problem belongs to, so a summary shows root causes first.

A row that is invalid only because a row it names is (``dependency.invalid_parent``, whose message names
that row: ``batch.validate.rules.dependents.parent_named``) is counted under the row at the root of its
chain, so one bad customer does not fill a terminal with its users. With merged inputs every input has a
``customers,2``: a row is then known by its input's file too, as the messages name it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from batch.problems import Problem
from batch.validate.rules import source_file
from batch.validate.rules.dependents import RULE, parent_named

#: The rule of a problem that is only a consequence of another row's.
DEPENDENT = RULE

#: A row as the count knows it: (input file, sheet, row), the file "" for a single input.
RowRef = tuple[str, str, int | None]


def row_of(problem: Problem, merged: bool) -> RowRef:
    """The problem's row (a workbook's ``#sheet`` left off its source, as the messages write it)."""
    return (source_file(problem.source) if merged else "", problem.sheet, problem.row)


def cascades(problems: Sequence[Problem], roots: set[RowRef], merged: bool) -> Counter[RowRef]:
    """Dependent problems per root row: a row that is invalid only through its parent (a customer of an
    invalid template) passes its dependents on to that parent's row."""
    parent: dict[RowRef, RowRef] = {}
    for p in problems:
        if p.rule == DEPENDENT and (named := parent_named(p.message)) is not None:
            parent[row_of(p, merged)] = named
    counts: Counter[RowRef] = Counter()
    for first in parent.values():
        at: RowRef = first
        for _ in range(3):  # template → customer → location → user at most
            if at in roots or at not in parent:
                break
            at = parent[at]
        counts[at] += 1
    return counts
