"""``Outcomes``: an outcome the journal holds whole and no job reads again is kept there only, read back whole."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from batch.jobs import CREATED, EXISTS, FAILED, PENDING, UPDATED, Outcome
from batch.reasons import Reason
from batch.run.journal.kept import Outcomes
from batch.run.journal.store import Journal

CREATED_USER = Outcome(
    CREATED, ids={"subscriber_id": "c3ViLTE=", "person_id": "cGVyLTE="}, tracking_id="RTMB_x_7", attempts=2
)


@pytest.fixture
def journal(tmp_path: Path) -> Iterator[Journal]:
    with Journal.open(tmp_path / "journal.sqlite", buffered=True) as opened:
        yield opened


def recorded(outcomes: Outcomes, journal: Journal, key: str, outcome: Outcome) -> None:
    """As a run does it: held, journaled (still queued: not flushed), then settled."""
    outcomes[key] = outcome
    journal.record(key, "subscriber", outcome)
    outcomes.journaled(key, outcome)
    outcomes.settle(key)


def test_a_settled_journaled_outcome_is_let_go_and_read_back_whole(journal: Journal) -> None:
    outcomes = Outcomes(store=journal)
    updated = Outcome(UPDATED, ids={"subscriber_id": "c3ViLTI="}, attempts=3, changes=("package: a → b",))
    recorded(outcomes, journal, "subscriber:a@example.fi", CREATED_USER)
    recorded(outcomes, journal, "subscriber:b@example.fi", updated)
    assert outcomes.held == 0 and len(outcomes) == 2
    assert set(outcomes) == {"subscriber:a@example.fi", "subscriber:b@example.fi"}
    assert "subscriber:a@example.fi" in outcomes
    assert outcomes["subscriber:a@example.fi"] == CREATED_USER  # read back from the queue, flushed first
    assert outcomes["subscriber:b@example.fi"] == updated
    assert outcomes.get("subscriber:c@example.fi") is None


def test_what_the_journal_lacks_or_a_job_still_reads_stays_in_memory(journal: Journal) -> None:
    outcomes = Outcomes(store=journal)
    failed = Outcome(FAILED, message="no", reason=Reason.INTERNAL, http_status=500)
    exists_with_reason = Outcome(EXISTS, reason=Reason.INTERNAL)
    for key, outcome in (("f", failed), ("r", exists_with_reason)):
        recorded(outcomes, journal, key, outcome)
    outcomes["pending"] = Outcome(PENDING, reason=Reason.SUBSCRIBER_CONSENT_PENDING)  # never journaled
    outcomes.settle("pending")
    outcomes["parent"] = CREATED_USER
    journal.record("parent", "customer", CREATED_USER)
    outcomes.journaled("parent", CREATED_USER)  # not settled: its children read its ids
    assert outcomes.held == 4
    assert outcomes["f"] is failed and outcomes["r"] is exists_with_reason and outcomes["parent"] is CREATED_USER


def test_without_a_store_nothing_is_let_go() -> None:
    outcomes = Outcomes({"a": CREATED_USER})
    outcomes.journaled("a", CREATED_USER)
    outcomes.settle("a")
    assert outcomes.held == 1 and outcomes["a"] is CREATED_USER


def test_an_outcome_set_again_is_held_again_and_a_deleted_one_is_gone(journal: Journal) -> None:
    outcomes = Outcomes(store=journal)
    recorded(outcomes, journal, "a", CREATED_USER)
    again = Outcome(EXISTS, attempts=0)
    outcomes["a"] = again
    assert outcomes.held == 1 and outcomes["a"] is again and len(outcomes) == 1
    recorded(outcomes, journal, "b", CREATED_USER)
    del outcomes["b"]
    assert "b" not in outcomes and len(outcomes) == 1
    with pytest.raises(KeyError):
        outcomes["b"]


def test_read_ahead_reads_the_next_rows_outcomes_in_one_query(journal: Journal) -> None:
    queries: list[list[str]] = []

    class Counted:
        def outcomes(self, keys: Sequence[str]) -> dict[str, Outcome]:
            queries.append(list(keys))
            return journal.outcomes(keys)

    outcomes = Outcomes(store=Counted())
    for key in ("a", "b", "c"):
        recorded(outcomes, journal, key, CREATED_USER)
    outcomes["held"] = CREATED_USER
    outcomes.read_ahead(["a", "b", "held", "unknown"])
    assert queries == [["a", "b"]]
    assert outcomes["a"] == CREATED_USER and outcomes["b"] == CREATED_USER and outcomes["held"] is CREATED_USER
    assert len(queries) == 1
    assert outcomes["c"] == CREATED_USER and len(queries) == 2  # not read ahead: read alone


def test_ids_read_back_share_their_names(journal: Journal) -> None:
    """What a report keeps of 100,000 rows is their ids: the names are one ``str`` each, not two per row."""
    outcomes = Outcomes(store=journal)
    for n in range(3):
        recorded(outcomes, journal, f"subscriber:{n}@example.fi", CREATED_USER)
    outcomes.read_ahead(f"subscriber:{n}@example.fi" for n in range(3))
    names = [name for n in range(3) for name in outcomes[f"subscriber:{n}@example.fi"].ids]
    assert names == ["subscriber_id", "person_id"] * 3
    assert len({id(name) for name in names}) == 2


def test_shrinking_keeps_every_outcome_held_or_journaled(journal: Journal) -> None:
    """``shrink`` remakes the tables under the results fold (``batch.report.fold.results``): nothing is lost."""
    outcomes = Outcomes(store=journal)
    for n in range(6):
        recorded(outcomes, journal, f"subscriber:{n}@example.fi", CREATED_USER)
    outcomes["customer:FI-1"] = Outcome(PENDING, message="waiting for the partner")
    journal.flush()
    for n in range(4):
        del outcomes[f"subscriber:{n}@example.fi"]
    outcomes.shrink()
    assert set(outcomes) == {"customer:FI-1", "subscriber:4@example.fi", "subscriber:5@example.fi"}
    assert outcomes["subscriber:5@example.fi"] == CREATED_USER and outcomes["customer:FI-1"].status == PENDING


class Codes:
    """A plan's compact jobs (``JobMap``): ``subscriber:<n>@example.fi`` is code n, for n < 50."""

    def code_of(self, key: str) -> int:
        name = key.removeprefix("subscriber:").removesuffix("@example.fi")
        return int(name) if name.isdigit() and int(name) < 50 else -1

    def key_of(self, code: int) -> str:
        return f"subscriber:{code}@example.fi"


def test_a_compact_jobs_outcome_kept_in_the_journal_is_a_bit_by_its_code(journal: Journal) -> None:
    """No key of its own in memory: it is found by its code, read back whole, listed, let go and set again."""
    outcomes = Outcomes(store=journal, coded=Codes())
    for n in (3, 7, 60):
        recorded(outcomes, journal, f"subscriber:{n}@example.fi", CREATED_USER)
    journal.flush()
    assert outcomes._elsewhere == {"subscriber:60@example.fi"} and sum(outcomes._bits) == 2  # 60: no code
    assert len(outcomes) == 3 and "subscriber:7@example.fi" in outcomes and "subscriber:8@example.fi" not in outcomes
    assert outcomes["subscriber:7@example.fi"] == CREATED_USER and outcomes.get("subscriber:8@example.fi") is None
    assert set(outcomes) == {f"subscriber:{n}@example.fi" for n in (3, 7, 60)}
    del outcomes["subscriber:3@example.fi"]
    outcomes["subscriber:7@example.fi"] = Outcome(FAILED, message="again")
    assert outcomes.held == 1 and len(outcomes) == 2 and outcomes["subscriber:7@example.fi"].status == FAILED
    assert "subscriber:3@example.fi" not in outcomes and sum(outcomes._bits) == 0
