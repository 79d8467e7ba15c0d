"""``retry/``: the rows that did not succeed, in the partner's own layout, ready to correct and run again.

The folder is an input the tool reads as-is (``rtm-batch run OUT/retry ...``): ``customers.csv``,
``locations.csv`` and ``users.csv`` are always there (the loader requires them; header only when no row
of that sheet needs a retry), ``templates.csv`` only when a row needs it. Headers keep the partner's
spelling and column order; UTF-8 with BOM, ``,``-separated, cells neutralized like every report.

Besides the rows whose status is not created/exists/planned, the folder holds the rows those rows need
to *validate* the same way again — re-running them costs a lookup each and they report ``exists``:

- the templates rows a retried customer names (its provisioning id comes from there);
- the locations rows a retried user names when the user's customer is retried too (with the customer in
  the batch, the validator insists the user's location is in it as well).

When every row succeeded nothing is written, and the files of an earlier ``retry/`` in the same output
folder are removed, so a ``retry/`` that exists always belongs to the last run.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from batch.cells import neutralize_frame
from batch.jobs import PLANNED, SUCCESS
from batch.load import SheetData
from schemas import SHEETS

if TYPE_CHECKING:
    from batch.report import AlignedSheet

#: Statuses that need nothing more: a row with any other status (or none recorded) is retried.
DONE = SUCCESS | {PLANNED}
#: Sheets the loader requires, so a retry folder always has their files.
ALWAYS = ("customers", "locations", "users")
_POS = "__pos"


def input_columns(sheet: SheetData) -> list[str]:
    """The sheet's columns as the partner gave them (canonical names, the partner's order)."""
    columns = [c for c in sheet.headers if c in sheet.frame.columns]
    if columns:
        return columns
    if sheet.name in SHEETS:
        return [c for c in SHEETS[sheet.name].column_names if c in sheet.frame.columns]
    return [c for c in sheet.frame.columns if not c.startswith("_")]


def retry_positions(aligned: Sequence[AlignedSheet]) -> dict[str, list[int]]:
    """Frame positions per sheet that go to ``retry/``: the unfinished rows plus the rows they need."""
    parts = {p.sheet.name: p for p in aligned}
    picked = {name: [i for i, r in enumerate(p.results) if r.status not in DONE] for name, p in parts.items()}
    if "templates" in parts and "customers" in parts:
        needed = _templates_needed(parts["templates"].sheet.frame, parts["customers"].sheet.frame, picked["customers"])
        picked["templates"] = sorted(set(picked["templates"]) | set(needed))
    if {"customers", "locations", "users"} <= parts.keys():
        needed = _locations_needed(
            parts["locations"].sheet.frame,
            parts["users"].sheet.frame,
            parts["customers"].sheet.frame,
            picked["users"],
            picked["customers"],
        )
        picked["locations"] = sorted(set(picked["locations"]) | set(needed))
    return picked


def write_retry(aligned: Sequence[AlignedSheet], folder: Path) -> Path | None:
    """Write ``folder`` when some row needs another run and return it; else clear it and return None."""
    parts = {p.sheet.name: p for p in aligned if p.sheet.name in SHEETS}
    picked = retry_positions(list(parts.values()))
    if not any(picked.values()):
        _remove_stale(folder, keep=())
        return None
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, part in parts.items():
        if picked.get(name) or name in ALWAYS:
            _write_sheet(part.sheet, picked.get(name, []), folder / f"{name}.csv")
            written.append(f"{name}.csv")
    _remove_stale(folder, keep=written)
    return folder


def _write_sheet(sheet: SheetData, positions: list[int], path: Path) -> None:
    columns = input_columns(sheet)
    frame = sheet.frame[positions].select(columns) if positions else sheet.frame.clear().select(columns)
    headers = [sheet.headers.get(c, c) for c in columns]
    if len(set(headers)) == len(headers):
        frame = frame.rename(dict(zip(columns, headers, strict=True)))
    neutralize_frame(frame).write_csv(path, include_bom=True)


def _templates_needed(templates: pl.DataFrame, customers: pl.DataFrame, retried: list[int]) -> list[int]:
    if not retried or "template" not in customers.columns or "template" not in templates.columns:
        return []
    names = customers[retried].select(pl.col("template").str.to_lowercase()).drop_nulls()["template"].implode()
    found = templates.with_row_index(_POS).filter(pl.col("template").str.to_lowercase().is_in(names))
    return found[_POS].to_list()


def _locations_needed(
    locations: pl.DataFrame,
    users: pl.DataFrame,
    customers: pl.DataFrame,
    retried_users: list[int],
    retried_customers: list[int],
) -> list[int]:
    if not retried_users or not retried_customers:
        return []
    ext = pl.col("customer_external_id").str.to_lowercase()
    name = pl.col("location_name").str.to_lowercase()
    retried = customers[retried_customers].select(pl.col("external_id").str.to_lowercase()).drop_nulls()
    wanted = (
        users[retried_users]
        .select(ext.alias("ext"), name.alias("name"))
        .drop_nulls()
        .filter(pl.col("ext").is_in(retried["external_id"].implode()))
        .unique()
    )
    found = (
        locations.with_row_index(_POS)
        .with_columns(ext.alias("ext"), name.alias("name"))
        .join(wanted, on=["ext", "name"], how="semi")
    )
    return found[_POS].to_list()


def _remove_stale(folder: Path, keep: Sequence[str]) -> None:
    """Only the files this module writes are removed; anything else a person put there stays."""
    if not folder.is_dir():
        return
    for name in SHEETS:
        path = folder / f"{name}.csv"
        if path.name not in keep and path.is_file():
            path.unlink()
    if not keep and not any(folder.iterdir()):
        folder.rmdir()
