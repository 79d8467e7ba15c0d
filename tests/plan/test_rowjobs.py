"""``RowJobs`` (``Plan.rows``): the mapping a dict by (input, sheet, row) was, in a fraction of its memory."""

from __future__ import annotations

import tracemalloc
from collections.abc import Callable

from hypothesis import given
from hypothesis import strategies as st

from batch.plan.rowjobs import RowId, RowJobs

ROWS = st.lists(
    st.tuples(
        st.tuples(
            st.sampled_from(["a.csv", "b.xlsx#users", ""]), st.sampled_from(["customers", "users"]), st.integers(2, 40)
        ),
        st.lists(
            st.sampled_from(["subscriber:x@y.fi", "roles:x@y.fi", "customer:SRV-1", "hq:FI-1"]), min_size=1, max_size=3
        ).map(tuple),
    ),
    max_size=60,
)


@given(ROWS, st.lists(st.integers(0, 59), max_size=20))
def test_it_answers_as_a_dict_does(rows: list[tuple[RowId, tuple[str, ...]]], dropped: list[int]) -> None:
    found, wanted = RowJobs(), {}
    for row, keys in rows:
        found[row] = keys
        wanted[row] = keys
    for i in dropped:
        if i < len(rows) and rows[i][0] in wanted:
            del wanted[rows[i][0]]
            del found[rows[i][0]]
    assert dict(found) == wanted and len(found) == len(wanted)
    for row, _ in rows:
        assert (row in found) == (row in wanted) and found.get(row) == wanted.get(row)
    assert ("a.csv", "users", 999) not in found and found.get(("a.csv", "users", 999)) is None
    assert "not a row" not in found


@given(ROWS, st.lists(st.integers(0, 59), max_size=20), ROWS)
def test_shrinking_changes_no_answer_before_or_after_more_rows(
    rows: list[tuple[RowId, tuple[str, ...]]], dropped: list[int], more: list[tuple[RowId, tuple[str, ...]]]
) -> None:
    """``shrink`` (a consuming fold, as rows leave from the first on) gives back room, never a row or its order."""
    found, wanted = RowJobs(), {}
    for row, keys in rows:
        found[row] = wanted[row] = keys
    for i in sorted(dropped):
        if i < len(rows) and rows[i][0] in wanted:
            del wanted[rows[i][0]], found[rows[i][0]]
    before = list(found.items())
    found.shrink()
    assert list(found.items()) == before and dict(before) == wanted
    for row, keys in more:
        found[row] = wanted[row] = keys
    assert dict(found) == wanted and len(found) == len(wanted)
    assert all(found.get(row) == wanted.get(row) for row, _ in [*rows, *more])


def test_rows_added_sheet_by_sheet_come_back_in_that_order() -> None:
    rows = [("in.csv", "customers", 2), ("in.csv", "customers", 3), ("in.csv", "users", 5), ("in.csv", "users", 2)]
    assert list(RowJobs((row, ("k",)) for row in rows)) == rows


def test_a_row_of_one_job_costs_a_fraction_of_a_dict_entry() -> None:
    numbers = list(range(2, 20_002))  # the rows' numbers and keys are the jobs' own: shared, not counted
    keys = [f"subscriber:user{n}@example.fi" for n in numbers]

    def traced(make: Callable[[], object]) -> int:
        """Bytes of Python objects ``make``'s result holds (tracemalloc counts from its start)."""
        tracemalloc.start()
        try:
            made = make()
            held = tracemalloc.get_traced_memory()[0]
            del made
            return held
        finally:
            tracemalloc.stop()

    as_dict = traced(lambda: {("in.csv", "users", n): (k,) for n, k in zip(numbers, keys, strict=True)})
    compact = traced(lambda: RowJobs((("in.csv", "users", n), (k,)) for n, k in zip(numbers, keys, strict=True)))
    assert compact < as_dict / 3, (compact, as_dict)


def _order_per_part(rows: object) -> dict[tuple[str, str], list[int]]:
    found: dict[tuple[str, str], list[int]] = {}
    for source, sheet, number in rows:  # type: ignore[attr-defined]
        found.setdefault((source, sheet), []).append(number)
    return found


@given(
    st.lists(st.integers(2, 400), unique=True).map(sorted),
    st.lists(st.integers(0, 80), max_size=10),
    st.lists(st.integers(0, 80), max_size=5),
)
def test_rows_in_rising_order_keep_a_dicts_order_through_drops_and_re_adds(
    numbers: list[int], dropped: list[int], again: list[int]
) -> None:
    """The planner adds rows in rising order (a list per input and sheet); a row dropped and added again comes
    back last, as in a dict."""
    found: RowJobs = RowJobs()
    wanted: dict[RowId, tuple[str, ...]] = {}
    for n in numbers:
        found[("in.csv", "users", n)] = wanted[("in.csv", "users", n)] = (f"subscriber:{n}",)
    for i in dropped:
        if i < len(numbers) and ("in.csv", "users", numbers[i]) in wanted:
            del wanted[("in.csv", "users", numbers[i])], found[("in.csv", "users", numbers[i])]
    for i in again:
        if i < len(numbers):
            row = ("in.csv", "users", numbers[i])
            found[row] = wanted[row] = ("subscriber:again", "roles:again")
    assert list(found) == list(wanted) and dict(found) == wanted and len(found) == len(wanted)
    assert _order_per_part(found) == _order_per_part(wanted)


def test_rows_in_rising_order_cost_a_list_slot_each() -> None:
    keys = [f"subscriber:user{n}@example.fi" for n in range(2, 20_002)]
    numbers = [n + n // 100 for n in range(2, 20_002)]  # a blank line every 100 rows

    tracemalloc.start()
    try:
        rows = RowJobs((("in.csv", "users", n), (k,)) for n, k in zip(numbers, keys, strict=True))
        held = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert len(rows) == 20_000 and held < 20_000 * 12, held  # ~8 bytes a row; a dict entry was ~45


def _key_of(code: int) -> str:
    return f"subscriber:{code}@x.fi"


@given(
    st.lists(
        st.tuples(st.sampled_from(["a.csv", ""]), st.sampled_from(["users", "locations"]), st.integers(2, 200)),
        max_size=60,
    ),
    st.lists(st.booleans(), min_size=60, max_size=60),
    st.lists(st.integers(0, 59), max_size=20),
)
def test_a_compact_row_reads_as_its_jobs_key(rows: list[RowId], compact: list[bool], dropped: list[int]) -> None:
    """``add_compact``: a row holds its compact job's code and reads as the key it stands for, in a list or in a
    dict of rows out of order, and in a copy."""
    found, wanted = RowJobs(key_of=_key_of), {}
    for at, row in enumerate(rows):
        if compact[at]:
            found.add_compact(row, at)
            wanted[row] = (_key_of(at),)
        else:
            found[row] = ("customer:C", f"roles:{at}")
            wanted[row] = ("customer:C", f"roles:{at}")
    for i in dropped:
        if i < len(rows) and rows[i] in wanted:
            del wanted[rows[i]]
            del found[rows[i]]
    copied = found.copy()
    found.shrink()
    for table in (found, copied):
        assert dict(table) == wanted and len(table) == len(wanted)
        assert all(table.get(row) == wanted.get(row) and (row in table) == (row in wanted) for row in rows)
