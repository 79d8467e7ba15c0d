"""What a run says about its journal, with the right plurals."""

from __future__ import annotations

from pathlib import Path

from batch.jobs import CREATED, EXISTS, Outcome
from batch.run.progress import plural
from batch.run.wording import journal_note


def test_plurals() -> None:
    assert [plural(n, "job") for n in (0, 1, 2)] == ["0 jobs", "1 job", "2 jobs"]


def test_the_journal_note_says_how_many_jobs_it_already_had() -> None:
    path = Path("out/journal.sqlite")
    assert journal_note(path, {}, 1) == "journal out/journal.sqlite: no job of this batch done yet; 1 job to run"
    done = {"a": Outcome(EXISTS), "b": Outcome(CREATED)}
    note = journal_note(path, done, 5)
    assert "2 of 5 jobs already done (1 by the run that was interrupted)" in note
