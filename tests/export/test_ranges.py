"""A location's numbers written as a person would: consecutive runs as FIRST..LAST (pure)."""

from __future__ import annotations

from batch.export.ranges import MAX_RANGE, compact_numbers, numbers_cell


def test_runs_of_three_or_more_become_ranges_and_the_rest_stay_listed() -> None:
    numbers = ["+358942451002", "+358942451000", "+358942451001", "+358942451005", "+358942451006", "+35835655"]
    assert compact_numbers(numbers) == ["+35835655", "+358942451000..+358942451002", "+358942451005", "+358942451006"]


def test_duplicates_and_order_do_not_matter_and_lengths_never_mix() -> None:
    assert compact_numbers(["+3589", "+35810", "+35811", "+3589"]) == ["+3589", "+35810", "+35811"]
    assert numbers_cell([]) == ""
    assert numbers_cell(["+1", "+2", "+3"]) == "+1..+3"


def test_a_run_longer_than_the_input_form_takes_is_split() -> None:
    numbers = [f"+35891{n:06d}" for n in range(MAX_RANGE + 5)]
    assert compact_numbers(numbers) == [
        f"+35891{0:06d}..+35891{MAX_RANGE - 1:06d}",
        f"+35891{MAX_RANGE:06d}..+35891{MAX_RANGE + 4:06d}",
    ]


def test_the_formula_guard_leaves_number_lists_and_ranges_alone_and_still_guards_the_rest() -> None:
    import polars as pl

    from batch.report.cells import neutralize, neutralize_frame

    safe = ["+358942451000..+358942451019", "+358942451000..+358942451019; +358942451050", "+358 9 4245 1000"]
    risky = ["+358942451000..=cmd", "=1+2", "+358942451000;@SUM(1)", "-2+3"]
    assert [neutralize(v) for v in safe + risky] == safe + ["'" + v for v in risky]
    frame = neutralize_frame(pl.DataFrame({"numbers": safe + risky}))
    assert frame["numbers"].to_list() == safe + ["'" + v for v in risky]
