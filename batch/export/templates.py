"""Which customers to export, and what only the partner's own input knows about them.

Webex does not show which onboarding template made a customer (no read API has ``provisioningId``), nor
the customer's email language or emergency location identifier, and the first administrator's person has
no first or last name until someone gives one. So ``--customers-from`` may name the partner's own workbook
or CSV folder: its customers are the ones exported, and its ``template``/``provisioning_id`` cells (and
``templates`` sheet) are carried over, as are those cells (``FROM_INPUT``) where the server shows nothing;
a value the server does show always wins. A plain text file names external ids one a line instead (blank
lines and ``#`` comments skipped).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from batch.errors import InputError
from batch.load.inputs import load_inputs

#: Suffixes read as an input workbook (a folder is read as a CSV input folder).
WORKBOOKS = (".xlsx", ".xlsm")


#: Columns taken from the partner's input where the server shows nothing (sheet → columns).
FROM_INPUT = {"customers": ("language", "emergency_location_identifier"), "users": ("first_name", "last_name")}


@dataclass(frozen=True, slots=True)
class KnownTemplates:
    """external id (case-folded) → (template name, provisioning id), and the ``FROM_INPUT`` cells by
    (sheet, key case-folded), from an input the partner gave."""

    by_customer: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)
    cells: dict[tuple[str, str], dict[str, str]] = field(default_factory=dict)

    def of(self, external_id: str) -> tuple[str | None, str | None]:
        return self.by_customer.get(external_id.casefold(), (None, None))

    def fill(self, sheet: str, key: str, row: dict[str, str]) -> None:
        """The input's value in each ``FROM_INPUT`` cell the server left blank."""
        known = self.cells.get((sheet, key.casefold()), {})
        for column in FROM_INPUT.get(sheet, ()):
            if not row.get(column) and known.get(column):
                row[column] = known[column]


@dataclass(frozen=True, slots=True)
class Selection:
    """The external ids asked for (empty: every customer) and the templates known for them."""

    external_ids: tuple[str, ...] = ()
    templates: KnownTemplates = field(default_factory=KnownTemplates)

    def wants(self, external_id: str) -> bool:
        return not self.external_ids or external_id.casefold() in {e.casefold() for e in self.external_ids}


def select(customers: Iterable[str], customers_from: Path | None) -> Selection:
    """``--customer`` values plus the ids ``--customers-from`` names; its templates when it is an input."""
    wanted = [c.strip() for c in customers if c.strip()]
    if customers_from is None:
        return Selection(tuple(dict.fromkeys(wanted)))
    if customers_from.is_dir() or customers_from.suffix.lower() in WORKBOOKS:
        ids, known = _from_input(customers_from)
    else:
        ids, known = _from_list(customers_from), KnownTemplates()
    if not ids:
        raise InputError(f"{customers_from}: names no customer (no external_id)")
    return Selection(tuple(dict.fromkeys([*wanted, *ids])), known)


def _from_list(path: Path) -> list[str]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot be read as a list of external ids ({type(exc).__name__})") from None
    lines = [line.split(",")[0].split(";")[0].strip() for line in text.splitlines()]
    return [line for line in lines if line and not line.startswith("#") and line.casefold() != "external_id"]


def _from_input(path: Path) -> tuple[list[str], KnownTemplates]:
    loaded = load_inputs([path])
    customers = loaded.sheets["customers"].frame
    templates = loaded.sheets["templates"].frame
    pids = {
        str(t).casefold(): str(p)
        for t, p in zip(templates["template"], templates["provisioning_id"], strict=True)
        if t is not None and p is not None
    }
    known: dict[str, tuple[str | None, str | None]] = {}
    ids: list[str] = []
    for row in customers.select(pl.col("external_id"), pl.col("template"), pl.col("provisioning_id")).iter_rows():
        ext, template, pid = row
        if ext is None:
            continue
        ids.append(str(ext))
        named = pids.get(str(template).casefold()) if template is not None else None
        known[str(ext).casefold()] = (str(template), named) if named else (None, pid)
    return ids, KnownTemplates(known, _cells(loaded.sheets["customers"].frame, loaded.sheets["users"].frame))


def _cells(customers: pl.DataFrame, users: pl.DataFrame) -> dict[tuple[str, str], dict[str, str]]:
    cells: dict[tuple[str, str], dict[str, str]] = {}
    for sheet, frame, key in (("customers", customers, "external_id"), ("users", users, "email")):
        columns = FROM_INPUT[sheet]
        for row in frame.select(key, *columns).iter_rows(named=True):
            if row[key] is not None:
                values = {c: str(row[c]) for c in columns if row[c] is not None}
                cells[(sheet, str(row[key]).casefold())] = values
    return cells
