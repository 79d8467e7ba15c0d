"""``retry/``: the rows that did not succeed, in the partner's own layout, ready to correct and run again.

The folder is an input the tool reads as-is (``rtm-batch run OUT/retry ...``): ``customers.csv``,
``locations.csv`` and ``users.csv`` are always there (the loader requires them; header only when no row
of that sheet needs a retry), ``templates.csv`` only when a row needs it. Headers keep the partner's
spelling and column order; UTF-8 with BOM, ``,``-separated, cells neutralized like every report.

Besides the rows whose status is not created/exists/planned, the folder holds the rows those rows need
to *validate* the same way again (a national-format phone number takes its country from the user's
location, the customers row for the HQ; a user's location must be in the batch when its customer is).
Re-running them costs a lookup each and they report ``exists``:

- the customers rows of every retried customer, location and user;
- the templates rows those customers name (their provisioning id comes from there);
- the locations rows retried users name.

``summary.json``'s ``retry_rows`` counts only the rows that need another run, not these.

When every row succeeded nothing is written, and the files of an earlier ``retry/`` in the same output
folder are removed, so a ``retry/`` that exists always belongs to the last run.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import partial
from pathlib import Path

import polars as pl

from batch.jobs import PENDING, PLANNED, SUCCESS, UNDONE
from batch.load.inputs import SOURCE, SheetData
from batch.load.names import EXPORT_IDS_SHEET, sheet_for
from batch.report.aligned import AlignedSheet
from batch.report.cells import neutralize_frame
from batch.report.outfolder.atomic import write_atomic
from batch.report.retry_form import (
    PROBLEM,
    WORKBOOK,
    CsvForm,
    RetrySheet,
    csv_form,
    input_is_workbook,
    sheet_title,
    write_csv,
    write_workbook,
)
from schemas import SHEETS

#: Statuses that need nothing more: a row with any other status (or none recorded) is retried.
DONE = SUCCESS | {PLANNED, PENDING, UNDONE}  # a pending row needs no correction: the next run goes on with it
#: Sheets the loader requires, so a retry folder always has their files.
ALWAYS = ("customers", "locations", "users")
_POS = "__pos"
CUSTOMER = "customer_external_id"


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
    frames = {name: p.sheet.frame for name, p in parts.items()}
    if "customers" in frames:
        wanted = [
            _column_values(frames[sheet], picked[sheet], column)
            for sheet, column in (("customers", "external_id"), ("locations", CUSTOMER), ("users", CUSTOMER))
            if sheet in frames
        ]
        picked["customers"] = _with(picked["customers"], _matching(frames["customers"], ["external_id"], wanted))
        if "templates" in frames:
            names = [_column_values(frames["customers"], picked["customers"], "template")]
            picked["templates"] = _with(picked["templates"], _matching(frames["templates"], ["template"], names))
    if "locations" in frames and "users" in frames:
        named = _column_values(frames["users"], picked["users"], [CUSTOMER, "location_name"])
        picked["locations"] = _with(
            picked["locations"], _matching(frames["locations"], [CUSTOMER, "location_name"], [named])
        )
    return picked


def write_retry(
    aligned: Sequence[AlignedSheet],
    folder: Path,
    inputs: Mapping[str, str] | None = None,
    forms: Mapping[str, tuple[str, bool]] | None = None,
    exported: Mapping[str, str] | None = None,
) -> Path | None:
    """Write ``folder`` when some row needs another run and return it; else clear it and return None.
    The files are in the input's form (``batch.report.retry_form``). ``inputs`` (``LoadedBatch.inputs``): with
    rows from several inputs, each input that holds a row to retry (or a row one needs) gets its own copy in its
    own form, ``folder/<input name>/``, so the partner corrects each file where it came from. ``exported``
    (``LoadedBatch.exported``): a copy holding customers rows an export wrote carries their ``_ids`` lines,
    without which those rows (no template: Webex shows none) would not validate again."""
    parts = {p.sheet.name: p for p in aligned if p.sheet.name in SHEETS}
    picked = retry_positions(list(parts.values()))
    if not any(picked.values()):
        _remove_stale(folder, keep=())
        return None
    folder.mkdir(parents=True, exist_ok=True)
    if len(set((inputs or {}).values())) <= 1:
        whole = [_retry_sheet(p, picked.get(n, [])) for n, p in parts.items() if picked.get(n) or n in ALWAYS]
        _write_copy(folder, [*whole, *_exported_ids(parts, picked.get("customers", []), exported)], forms)
        return folder
    copies = split_by_input(parts, picked, inputs or {})
    names: set[str] = set()
    for number, (given, chosen) in enumerate(copies.items()):
        sheets = [_retry_sheet(parts[n], positions, own) for n, (positions, own) in chosen.items()]
        sheets += _exported_ids(parts, chosen.get("customers", ([], ""))[0], exported)
        if number == 0:  # the loader needs these sheets somewhere among the inputs: header rows at least
            missing = [n for n in ALWAYS if n in parts and not any(n in c for c in copies.values())]
            sheets += [_retry_sheet(parts[n], []) for n in missing]
        _write_copy(folder / _copy_name(given, names), sheets, forms)
    _remove_stale(folder, keep=())
    return folder


def _exported_ids(
    parts: Mapping[str, AlignedSheet], positions: list[int], exported: Mapping[str, str] | None
) -> list[RetrySheet]:
    """The ``_ids`` sheet (sheet, key, customer_id) of the customers rows at ``positions`` that an export
    wrote, copied from the input's own ``_ids``; none when there are none."""
    if not exported or not positions or "customers" not in parts:
        return []
    ids = parts["customers"].sheet.frame["external_id"].gather(positions).to_list()
    keys = [str(e) for e in ids if e and str(e).casefold() in exported]
    if not keys:
        return []
    lines = {"sheet": ["customers"] * len(keys), "key": keys, "customer_id": [exported[k.casefold()] for k in keys]}
    return [RetrySheet(EXPORT_IDS_SHEET, EXPORT_IDS_SHEET, neutralize_frame(pl.DataFrame(lines)), None)]


def split_by_input(
    parts: Mapping[str, AlignedSheet], picked: Mapping[str, list[int]], inputs: Mapping[str, str]
) -> dict[str, dict[str, tuple[list[int], str]]]:
    """input → sheet → (positions, that input's ``_source`` of the sheet), for each input with a row to write;
    every sheet the input had is in its copy (header only where none of its rows is picked)."""
    chosen: dict[str, dict[str, list[int]]] = {}
    for name, positions in picked.items():
        sources = parts[name].sheet.frame[SOURCE].to_list() if positions else []
        for i in positions:
            chosen.setdefault(inputs.get(sources[i] or "", ""), {}).setdefault(name, []).append(i)
    own: dict[str, dict[str, str]] = {}
    for source, given in inputs.items():
        sheet = sheet_for(source.rsplit("#", 1)[1] if "#" in source else Path(source).stem)
        if sheet is not None:
            own.setdefault(given, {}).setdefault(sheet, source)
    order = list(dict.fromkeys(inputs.values()))
    return {
        given: {n: (chosen[given].get(n, []), source) for n, source in own.get(given, {}).items() if n in parts}
        for given in sorted(chosen, key=lambda g: order.index(g) if g in order else len(order))
    }


def _copy_name(given: str, used: set[str]) -> str:
    """``book.xlsx`` → ``book``, ``extra/`` → ``extra``; a second input of the same name gets ``-2``."""
    path = Path(given)
    base = (path.stem if path.suffix.lower() in (".xlsx", ".xlsm", ".csv") else path.name) or "input"
    name, n = base, 1
    while name.casefold() in used:
        n += 1
        name = f"{base}-{n}"
    used.add(name.casefold())
    return name


def _write_copy(folder: Path, sheets: list[RetrySheet], forms: Mapping[str, tuple[str, bool]] | None) -> None:
    """One input's retry files: ``retry.xlsx`` for a workbook, CSV files for a CSV folder; each written to a
    temporary name and renamed (``batch.report.outfolder.atomic``)."""
    folder.mkdir(parents=True, exist_ok=True)
    if input_is_workbook([s.source for s in sheets if s.source]):
        write_atomic(folder / WORKBOOK, lambda p: write_workbook(sheets, p))
        written = [WORKBOOK]
    else:
        first = csv_form(next((s.source for s in sheets if s.source), None), CsvForm(), forms)
        for sheet in sheets:
            write_atomic(
                folder / f"{sheet.name}.csv", partial(write_csv, sheet.frame, form=csv_form(sheet.source, first, forms))
            )
        written = [f"{sheet.name}.csv" for sheet in sheets]
    _remove_stale(folder, keep=written)


def _retry_sheet(part: AlignedSheet, positions: list[int], own: str | None = None) -> RetrySheet:
    """The rows at ``positions`` under the partner's headers, a last column ``problem`` (blank on the rows
    that are there only because a retried row needs them), formula-neutralized."""
    sheet = part.sheet
    columns = input_columns(sheet)
    chosen = sheet.frame[positions] if positions else sheet.frame.clear()
    problems = [
        part.results[i].message or part.results[i].status if part.results[i].status not in DONE else ""
        for i in positions
    ]
    frame = chosen.select(columns)
    headers = [sheet.headers.get(c, c) for c in columns]
    if len(set(headers)) == len(headers) and PROBLEM not in headers:
        frame = frame.rename(dict(zip(columns, headers, strict=True)))
    frame = neutralize_frame(frame.with_columns(pl.Series(PROBLEM, problems, dtype=pl.String)))
    source = chosen[SOURCE][0] if chosen.height and SOURCE in chosen.columns else own
    titled = own or _first_source(sheet)
    return RetrySheet(sheet.name, sheet_title(titled, sheet.name), frame, source or titled)


def _first_source(sheet: SheetData) -> str | None:
    frame = sheet.frame
    return frame[SOURCE][0] if frame.height and SOURCE in frame.columns else None


def _column_values(frame: pl.DataFrame, positions: list[int], columns: str | list[str]) -> pl.DataFrame:
    """The (lower-cased) values of ``columns`` in the rows at ``positions``, named k0, k1, …"""
    names = [columns] if isinstance(columns, str) else columns
    if not positions or any(c not in frame.columns for c in names):
        return pl.DataFrame(schema={f"k{i}": pl.String for i in range(len(names))})
    keys = [pl.col(c).cast(pl.String).str.to_lowercase().alias(f"k{i}") for i, c in enumerate(names)]
    return frame[positions].select(keys).drop_nulls()


def _matching(frame: pl.DataFrame, columns: list[str], wanted: list[pl.DataFrame]) -> list[int]:
    """Positions of the rows whose (lower-cased) ``columns`` are among ``wanted``: names match
    case-insensitively, as the validator matches them."""
    if any(c not in frame.columns for c in columns) or not any(w.height for w in wanted):
        return []
    keys = pl.concat(wanted).unique()
    own = [pl.col(c).cast(pl.String).str.to_lowercase().alias(f"k{i}") for i, c in enumerate(columns)]
    found = frame.with_row_index(_POS).with_columns(own).join(keys, on=list(keys.columns), how="semi")
    return found[_POS].to_list()


def _with(positions: list[int], more: list[int]) -> list[int]:
    return sorted(set(positions) | set(more))


def _remove_stale(folder: Path, keep: Sequence[str]) -> None:
    """Only the files this module writes are removed; anything else a person put there stays."""
    if not folder.is_dir():
        return
    for path in [folder / f"{name}.csv" for name in SHEETS] + [folder / WORKBOOK]:
        if path.name not in keep and path.is_file():
            path.unlink()
    if not keep and not any(folder.iterdir()):
        folder.rmdir()
