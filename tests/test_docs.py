"""The README's generated blocks are what the code says (they cannot drift from it)."""

from __future__ import annotations

from pathlib import Path

from batch.docs import reason_reference
from batch.reasons import CATALOGUE, Reason

README = Path(__file__).resolve().parents[1] / "README.md"


def test_every_reason_is_catalogued_and_in_the_readme() -> None:
    assert set(CATALOGUE) == set(Reason), "give each Reason a meaning in CATALOGUE"
    stale = "README reasons are stale: python -m batch.docs --write"
    assert reason_reference() in README.read_text(encoding="utf-8"), stale
    assert all(code.count(".") >= 1 and code == code.lower() for code in Reason)
