"""Builders for validator tests: a LoadedBatch from Python dicts, and a small valid batch to break one rule at a time.

Frames look exactly like the loader's (every SHEETS column as pl.String, ``_row`` from 2, ``_source``), so the
validator is tested without the loader.
"""

from __future__ import annotations

import copy
from typing import Any

import polars as pl

from batch.load.inputs import LoadedBatch, SheetData
from batch.problems import Problem
from batch.validate.validator import ValidatedBatch, validate
from schemas import SHEETS

Rows = list[dict[str, Any]]


def sheet_frame(sheet: str, rows: Rows) -> pl.DataFrame:
    columns = SHEETS[sheet].column_names
    data = {c: pl.Series(c, [r.get(c) for r in rows], dtype=pl.String) for c in columns}
    frame = pl.DataFrame(data, schema={c: pl.String for c in columns})
    return frame.with_columns(
        pl.Series("_row", list(range(2, 2 + len(rows))), dtype=pl.Int64),
        pl.lit("test.xlsx").alias("_source"),
    )


def loaded(**sheets: Rows) -> LoadedBatch:
    return LoadedBatch({name: SheetData(name, sheet_frame(name, sheets.get(name, []))) for name in SHEETS})


def valid_rows() -> dict[str, Rows]:
    """Two Finnish customers (calling, meetings), one more location, four users: no problem at all."""
    customers = [
        {
            "external_id": "FI-1",
            "company_name": "Mäkelän Konepaja Oy",
            "admin_email": "it@makela.fi",
            "template": "Nordic",
            "packages": "webex_calling;webex_meetings;cisco_calling_plan",
            "address_line1": "Hämeentie 15",
            "city": "Helsinki",
            "postal_code": "00510",
            "country": "FI",
            "supported_location_confirmed": "kyllä",
            "hq_location_name": "Pääkonttori",
            "timezone": "Europe/Helsinki",
            "location_language": "fi_fi",
            "numbers": "+358 9 4245 1000..+358 9 4245 1009",
            "main_number": "+358 9 4245 1000",
        },
        {
            "external_id": "FI-2",
            "company_name": "Öljy Oy",
            "admin_email": "admin@oljy.fi",
            "provisioning_id": "ZjViMzYxODctYzhkZC00NzI3",
            "packages": "webex_meetings",
            "address_line1": "Kauppakatu 1",
            "city": "Turku",
            "postal_code": "20100",
            "country": "fi",
            "supported_location_confirmed": "Yes",
        },
    ]
    locations = [
        {
            "customer_external_id": "FI-1",
            "location_name": "Tampere",
            "address_line1": "Hatanpään valtatie 24",
            "city": "Tampere",
            "postal_code": "33100",
            "country": "FI",
            "timezone": "europe/helsinki",
            "preferred_language": "fi_fi",
            "announcement_language": "fi_fi",
            "numbers": "+358 3 5655 2000; +358 3 5655 2001",
            "main_number": "+358 3 5655 2000",
        }
    ]
    users = [
        {
            "customer_external_id": "FI-1",
            "email": "IT@makela.fi",
            "first_name": "Aino",
            "last_name": "Mäkelä",
            "package": "webex_calling",
            "phone_number": "+358 9 4245 1001",
            "extension": "1001",
            "roles": "Full Administrator",
        },
        {
            "customer_external_id": "FI-1",
            "email": "eero@makela.fi",
            "first_name": "Eero",
            "last_name": "Virtanen",
            "package": "webex_meetings",
            "location_name": "tampere",
        },
        {
            "customer_external_id": "FI-1",
            "email": "liisa@makela.fi",
            "first_name": "Liisa",
            "last_name": "Koski",
            "package": "webex_calling",
            "location_name": "Tampere",
            "phone_number": "+358 3 5655 2001",
            "extension": "2001",
        },
        {
            "customer_external_id": "FI-2",
            "email": "admin@oljy.fi",
            "first_name": "Olli",
            "last_name": "Öljy",
            "package": "webex_meetings",
        },
    ]
    templates = [{"template": "Nordic", "provisioning_id": "ZjViMzYxODctYzhkZC00NzI3LThiMmYtZjljNDQ3ZjI5MDQ2"}]
    return {"templates": templates, "customers": customers, "locations": locations, "users": users}


def with_changes(**changes: dict[int, dict[str, Any]] | Rows) -> dict[str, Rows]:
    """The valid rows with some cells changed (``{index: {column: value}}``) or rows appended (a list)."""
    rows = copy.deepcopy(valid_rows())
    for sheet, change in changes.items():
        if isinstance(change, list):
            rows[sheet].extend(change)
        else:
            for index, cells in change.items():
                rows[sheet][index].update(cells)
    return rows


def run(rows: dict[str, Rows]) -> ValidatedBatch:
    return validate(loaded(**rows))


def codes(problems: tuple[Problem, ...]) -> set[tuple[str, int | None, str, str]]:
    return {(p.sheet, p.row, p.column, p.rule) for p in problems}
