"""``--max-deletes`` for undo, as prune has it: over the limit nothing is deleted (the restores still happen).

Why each delete is read first: only a delete undo would really send may count. An object gone already, or
changed on the server since the run (left alone and named ``undo.changed_since``), sends nothing, so it must
neither push the count over the limit nor be reported ``undo.max_deletes``. Each delete's reversal runs once
as a dry run (the same reads, memoized, so the real pass reads nothing twice) and says how many objects it
would delete; its outcome stands when it would delete none. The reads run at once (they change nothing).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import partial

import anyio

from batch.errors import AuthError
from batch.jobs import PLANNED, SKIPPED, Outcome
from batch.reasons import Reason
from batch.undo.locations import delete_location
from batch.undo.reverse import REVERSALS, Reversal, UndoContext, guarded
from batch.undo.steps import DELETES, Action, Step


@dataclass(frozen=True, slots=True)
class Deletes:
    """What the deletes' reads found, by position in the steps: the outcome of each delete that sends nothing
    (gone, changed since, refused), the deletes that would send one, and how many objects per sheet."""

    settled: Mapping[int, Outcome]
    counted: frozenset[int]
    counts: Mapping[str, int]

    def refusal(self, max_deletes: int) -> Outcome | None:
        """The outcome of every delete when there are more than ``max_deletes``; None within it."""
        total = sum(self.counts.values())
        if total <= max_deletes:
            return None
        each = ", ".join(f"{sheet}: {n}" for sheet, n in sorted(self.counts.items()))
        message = (
            f"not deleted: undo would delete {total} objects ({each}), more than --max-deletes {max_deletes}; "
            f"run again with --max-deletes {total} if they are all meant to go"
        )
        return Outcome(SKIPPED, message=message, reason=Reason.UNDO_MAX_DELETES)


async def read_deletes(steps: Sequence[Step], ctx: UndoContext) -> Deletes:
    """Each delete step as a dry run, all at once (reads only: no order to keep): gone, changed since or
    refused ones settle here; the rest are counted."""
    settled: dict[int, Outcome] = {}
    counted: set[int] = set()
    counts: dict[str, int] = {}

    async def read(index: int, step: Step) -> None:
        looking = replace(ctx, dry_run=True, would_delete=0)  # its own count; the client and the reads shared
        outcome = await guarded(step, looking, partial(reversal(step), step, looking))
        if outcome.status != PLANNED:
            settled[index] = outcome
        elif looking.would_delete:  # (numbers a user holds now are only named: a step may delete none)
            counted.add(index)
            counts[step.sheet] = counts.get(step.sheet, 0) + looking.would_delete

    try:
        async with anyio.create_task_group() as group:
            for index, step in enumerate(steps):
                if step.action in DELETES:
                    group.start_soon(read, index, step)
    except* AuthError as refused:  # the token: one line (exit 2)
        raise refused.exceptions[0] from None
    return Deletes(settled, frozenset(counted), counts)


def reversal(step: Step) -> Reversal:
    """The function that reverses ``step`` (a location's deletion lives in ``batch.undo.locations``)."""
    return delete_location if step.action == Action.DELETE_LOCATION else REVERSALS[step.action]
