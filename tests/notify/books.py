"""A small real workbook for runs whose size does not matter: one customer of the samples with its rows."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from tests.builders import write_workbook

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples" / "onboarding.xlsx"


def one_customer(path: Path, external_id: str = "FI-100103") -> Path:
    """``samples/onboarding.xlsx`` cut down to ``external_id`` (its customers, locations and users rows)."""
    sheets = pl.read_excel(SAMPLES, sheet_id=0, engine="calamine", read_options={"dtypes": "string"})
    rows: dict[str, list[list]] = {}
    for name, frame in sheets.items():
        column = "external_id" if name == "customers" else "customer_external_id"
        if column in frame.columns:
            frame = frame.filter(pl.col(column) == external_id)
        rows[name] = [frame.columns, *[list(r) for r in frame.iter_rows()]]
    return write_workbook(path, rows)
