"""Report cells never carry a live formula, and phone numbers stay readable."""

from __future__ import annotations

import polars as pl
import pytest

from batch.report.cells import neutralize, neutralize_frame


@pytest.mark.parametrize(
    ("raw", "safe"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+SUM(A1:A2)", "'+SUM(A1:A2)"),
        ("-2+3", "'-2+3"),
        ("@cmd", "'@cmd"),
        ("\t=1", "'\t=1"),
        ("+358 40 123 4567", "+358 40 123 4567"),
        ("+358401234567", "+358401234567"),
        ("Mäkelä Oy", "Mäkelä Oy"),
        ("", ""),
    ],
)
def test_neutralize_single_cells(raw: str, safe: str) -> None:
    assert neutralize(raw) == safe


def test_frame_and_scalar_rules_agree() -> None:
    values = ["=1+1", "+358 9 4245 1000", "-x", "@a", "plain", "+1 (555) 0100", None]
    frame = neutralize_frame(pl.DataFrame({"v": values, "n": [1, 2, 3, 4, 5, 6, 7]}))
    assert frame["v"].to_list() == [neutralize(v) for v in values]
    assert frame["n"].to_list() == [1, 2, 3, 4, 5, 6, 7]


def test_number_lists_and_ranges_stay_as_typed_and_formulas_beside_them_do_not() -> None:
    """Issue 18: ``retry/`` gave ranges back as ``'+358 9 4245 1000..+358 9 4245 1019``."""
    for typed in ("+358 9 4245 1000..+358 9 4245 1019", "+358 3 5655 2000; +358 3 5655 2001", "+49 511 1,+49 511 2"):
        assert neutralize(typed) == typed
        assert neutralize_frame(pl.DataFrame({"v": [typed]}))["v"][0] == typed
    for hostile in ("+1..+2+SUM(A1)", "+358 9 4245 1000; =cmd|' /C calc'!A0", "+358 40 1..=1+1"):
        assert neutralize(hostile) == "'" + hostile
        assert neutralize_frame(pl.DataFrame({"v": [hostile]}))["v"][0] == "'" + hostile
