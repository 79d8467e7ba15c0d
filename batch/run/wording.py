"""Lines the run says to a person about its own state, worded in one place (counts with the right plurals)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from batch.jobs import CREATED, Outcome
from batch.run.progress import plural


def journal_note(path: Path, restored: Mapping[str, Outcome], total: int) -> str:
    """How many of this plan's jobs the journal already had, so a resumed run says why it skips them."""
    if not restored:
        return f"journal {path}: no job of this batch done yet; {plural(total, 'job')} to run"
    interrupted = sum(1 for outcome in restored.values() if outcome.status == CREATED)
    why = f" ({interrupted} by the run that was interrupted)" if interrupted else ""
    return f"journal {path}: {len(restored)} of {plural(total, 'job')} already done{why}; they are not sent again"
