"""``row_results(consume=True)``: a run's results take the plan's and the outcomes' place in memory as they are
made (issue 22 item 2), and are the very results a fold that leaves them alone makes."""

from __future__ import annotations

from pathlib import Path

import pytest

from batch.jobs import CREATED, Outcome
from batch.plan.graph import Plan, build_plan
from batch.report.fold import results as results_module
from batch.report.fold.results import row_results
from batch.run.journal.kept import Outcomes
from batch.run.journal.store import Journal
from tests.plan.test_plan_table import validated_batch


def _a_later_row_names_an_earlier_rows_job(plan: Plan) -> str:
    """As a repeated email would: the last users row also names the first one's subscriber job (its key)."""
    users = [row for row in plan.rows if row[1] == "users"]
    shared = plan.rows[users[0]][-1]
    plan.rows[users[-1]] = (*plan.rows[users[-1]], shared)
    return shared


def test_a_consuming_fold_makes_the_same_results_and_leaves_only_what_no_row_owns(tmp_path: Path) -> None:
    validated = validated_batch(tmp_path)
    kept, eaten = build_plan(validated), build_plan(validated)
    shared = _a_later_row_names_an_earlier_rows_job(kept)
    assert _a_later_row_names_an_earlier_rows_job(eaten) == shared
    outcomes = {key: Outcome(CREATED, ids={"n": key}, attempts=1) for key in kept.jobs}
    left = dict(outcomes)
    assert row_results(validated, eaten, left, consume=True) == row_results(validated, kept, outcomes)
    assert len(kept.rows) > 10 and len(kept.jobs) > 20  # the fold that does not consume leaves the plan whole
    assert len(outcomes) == len(kept.jobs)  # ... and the outcomes
    assert not eaten.rows
    # what stays: the job two rows name (until the last of them), and the look-ups many rows share
    assert [key for key, job in eaten.jobs.items() if job.row is not None] == [shared]
    assert len(eaten.jobs) > 1
    assert set(left) == set(eaten.jobs)  # their outcomes, and no other


def test_a_consuming_fold_lets_go_of_the_outcomes_the_journal_keeps(tmp_path: Path) -> None:
    """A run's outcomes are mostly in its journal only, their keys in memory (``Outcomes``): those leave with
    their rows too, so the results do not land on top of them."""
    validated = validated_batch(tmp_path)
    kept, eaten = build_plan(validated), build_plan(validated)
    made = {key: Outcome(CREATED, ids={"n": key}, attempts=1) for key in kept.jobs}
    with Journal.open(tmp_path / "journal.sqlite", buffered=True) as journal:
        outcomes = Outcomes(store=journal)
        for key, outcome in made.items():
            outcomes[key] = outcome
            journal.record(key, "subscriber", outcome)
            outcomes.journaled(key, outcome)
            outcomes.settle(key)
        journal.flush()
        assert outcomes.held == 0 and len(outcomes) == len(made)
        found = row_results(validated, eaten, outcomes, consume=True)
        assert found == row_results(validated, kept, made)
        assert set(outcomes) == set(eaten.jobs) and len(outcomes) < len(made) // 2


def test_the_plans_tables_shrink_as_rows_go_and_the_results_stay_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Shrinking after every other row (a run: once as many rows have gone as are left, 10,000 at the least)
    remakes the plan's tables under the fold without changing a result, and hands the memory back each time."""
    monkeypatch.setattr(results_module, "_SHRINK_AFTER", 2)
    validated = validated_batch(tmp_path)
    kept, eaten = build_plan(validated), build_plan(validated)
    shared = _a_later_row_names_an_earlier_rows_job(kept)
    assert _a_later_row_names_an_earlier_rows_job(eaten) == shared
    outcomes = {key: Outcome(CREATED, ids={"n": key}, attempts=1) for key in kept.jobs}
    given_back: list[int] = []
    found = row_results(
        validated, eaten, dict(outcomes), consume=True, give_back=lambda: given_back.append(len(eaten.jobs))
    )
    assert found == row_results(validated, kept, outcomes)
    assert len(given_back) >= 3 and given_back == sorted(given_back, reverse=True)
    assert not eaten.rows and [key for key, job in eaten.jobs.items() if job.row is not None] == [shared]
