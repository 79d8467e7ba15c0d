"""Issue 22: a run keeps in memory only the outcomes a job or a report still needs there; a finished user's
is read back from the journal by the reports, which still carry its ids (over real HTTP, the samples)."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest

from batch.jobs import Kind
from batch.report.fold.ids import RowIds
from batch.run import runner, session
from batch.run.journal.kept import Outcomes
from tests.run.test_run_e2e import SAMPLES, emulator, operator, run, server  # noqa: F401  # fixtures


def test_finished_users_outcomes_are_read_back_from_the_journal_for_the_reports(
    emulator: str,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: list[tuple[session.Executed, int, list[str], int, int]] = []

    async def execute(*args: Any, **kwargs: Any) -> session.Executed:
        executed = await session.execute(*args, **kwargs)
        plan = executed.plan  # as the jobs left it: the reports then take its rows away as they fold them
        parents = {p for job in plan.jobs.values() for p in job.parents}
        users = [k for k, job in plan.jobs.items() if job.kind is Kind.SUBSCRIBER and k not in parents]
        kept = executed.outcomes  # as the jobs left them: the fold lets them go with their rows
        assert isinstance(kept, Outcomes)
        seen.append((executed, len(plan.jobs), users, len(kept), kept.held))
        return executed

    monkeypatch.setattr(runner, "execute", execute)
    outcome = run([SAMPLES], tmp_path / "out", emulator)
    assert outcome.exit_code == 0
    [(executed, planned, users, ended, held)] = seen
    assert ended == planned
    assert users and held <= planned - len(users)  # none of them is held
    # the fold let go of the outcomes of the jobs it took out of the plan: those of the look-ups many rows share stay
    assert set(executed.outcomes) == set(executed.plan.jobs)
    # each row's entry and the jobs only it named left the plan as its result was made
    assert not executed.plan.rows and not any(job.row is not None for job in executed.plan.jobs.values())
    server_ids = {s["email"].casefold(): s["id"] for s in operator(emulator, "state")["subscribers"]}
    with (tmp_path / "out" / "results.csv").open(encoding="utf-8-sig") as f:
        rows = [r for r in csv.DictReader(f) if r["sheet"] == "users"]
    assert rows and all(r["subscriber_id"] == server_ids[r["key"].casefold()] for r in rows)
    assert all(r["person_id"] and r["status"] == "created" for r in rows)
    # what the reports keep of each row: its input's name is one ``str`` per input, not one per row
    sources = [r.source for r in outcome.results if r.source]
    assert len(sources) == len(outcome.results) and len({id(s) for s in sources}) == len(set(sources))
    # and its ids are values only, the names one tuple per set of names (a dict per row was ~200 bytes)
    ids = [r.ids for r in outcome.results if r.ids]
    assert ids and all(isinstance(i, RowIds) for i in ids)
    assert len({id(i._names) for i in ids}) == len({tuple(i) for i in ids}) < len(ids)
