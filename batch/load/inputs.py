"""Read .xlsx workbooks and folders of CSV files into one text-only polars frame per input sheet.

Every cell is text (leading zeros, ``+`` and long digit strings survive; an Excel number cell becomes
its exact digits), trimmed, blank → null, and each row keeps the number a person sees in Excel (``_row``:
header = 1, first data row = 2; for CSV the record number). The readers (``load_xlsx``, ``load_csv``)
return *grids* — every row of a sheet, numbered, header not yet interpreted — so headers, trimming and
blank rows are handled once here for both formats:

- the header is the first row with a value; headers match ``SHEETS`` columns via ``canonical_name`` and
  a short, explicit alias table; unknown headers are warnings (never used), a column given twice is an
  ``InputError``, a missing required column is an ``InputError`` naming the columns found;
- rows with no value in any of the sheet's columns are dropped *after* numbering, so blank rows in the
  middle and formatted empty rows at the end never shift or add rows;
- several inputs are merged per sheet (each row keeps its ``_row`` and ``_source``); a sheet may come
  from any of them, and a required sheet found in none is an ``InputError``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import polars as pl

from batch.errors import InputError
from batch.load.csv import csv_form_of, read_csv_grid
from batch.load.exported import exported_customers
from batch.load.names import HEADER_ALIASES, canonical_name, is_export_ids, is_ignored_sheet, sheet_for
from batch.load.paths import GridRow, check_path, header_below
from batch.load.paths import short as _short
from batch.load.trim import trim_cell, trimmed
from batch.load.xlsx import Workbook, is_workbook_file
from batch.problems import Problem
from schemas import SHEETS

#: Columns the loader adds to every sheet frame.
ROW = "_row"
SOURCE = "_source"


@dataclass(frozen=True, slots=True)
class SheetData:
    """One input sheet: the ``SHEETS`` columns (all ``pl.String``) plus ``_row`` (Int64) and ``_source``.

    ``headers`` maps each canonical column name to the header as the partner spelled it.
    """

    name: str
    frame: pl.DataFrame
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class LoadedBatch:
    """All four sheets (absent optional ones are empty frames) and the loader's warnings."""

    sheets: dict[str, SheetData]
    problems: tuple[Problem, ...] = ()
    #: Each ``_source`` (``path#sheet``, a CSV file's path) → the input it came from, as given on the command
    #: line (the workbook, the CSV folder): what ``retry/`` gives its own copy, in order.
    inputs: dict[str, str] = field(default_factory=dict)
    #: Each CSV ``_source`` → (separator, BOM), read with the input (``retry/`` writes its copy in that form).
    csv_forms: dict[str, tuple[str, bool]] = field(default_factory=dict)
    #: External id (case-folded) → Webex customer id, of the customers an input's ``_ids`` sheet shows on
    #: the server: rows ``rtm-batch export`` wrote (``batch.load.exported``); they need no template.
    exported: dict[str, str] = field(default_factory=dict)

    @property
    def merged(self) -> bool:
        """True when rows came from more than one input: every report then names each row's ``source``."""
        return len(set(self.inputs.values())) > 1


#: At most this many "extra cells" warnings per sheet; one more line counts the rest.
MAX_ROW_WARNINGS = 50


def load_inputs(paths: Sequence[Path | str]) -> LoadedBatch:
    """Read every input and merge the rows per sheet; ``InputError`` when an input cannot be used at all."""
    if not paths:
        raise InputError("no input given: name an .xlsx workbook or a folder of CSV files")
    problems: list[Problem] = []
    parts: dict[str, list[SheetData]] = {name: [] for name in SHEETS}
    headerless: dict[str, str] = {}
    inputs: dict[str, str] = {}
    forms: dict[str, tuple[str, bool]] = {}
    exported: dict[str, str] = {}
    for raw in _distinct(paths):
        grids = _read_input(raw, problems, exported)
        while grids:  # each grid is let go once its sheet is built: a million users' grid holds ~300 MiB
            sheet, source, where, grid, width = grids.pop(0)
            inputs[source] = str(raw)
            if "#" not in source:
                forms[source] = csv_form_of(Path(source))
            part = _sheet_part(sheet, source, where, grid, width, problems)
            del grid
            if part is None:
                headerless.setdefault(sheet, where)
            else:
                parts[sheet].append(part)
    sheets = {name: _merge(name, parts.pop(name), headerless.get(name), paths) for name in SHEETS}
    if not any(sheets[name].frame.height for name in ("customers", "locations", "users")):
        raise InputError(_no_rows(paths))
    return LoadedBatch(sheets=sheets, problems=tuple(problems), inputs=inputs, csv_forms=forms, exported=exported)


def _no_rows(paths: Sequence[Path | str]) -> str:
    """A workbook with headers and nothing below them (a fresh template): nothing to validate or provision."""
    inputs = ", ".join(str(p) for p in paths)
    return (
        f"{inputs}: no rows: the customers, locations and users sheets have their headers but no rows below them; "
        "fill in a customer (and its locations and users) and run again"
    )


def _distinct(paths: Sequence[Path | str]) -> list[Path]:
    """The inputs as paths; the same file twice would double every row, which is never meant."""
    seen: dict[Path, Path] = {}
    for raw in paths:
        path = Path(raw)
        try:
            key = path.resolve()
        except (OSError, RuntimeError):  # a symlink loop: _read_input says so
            key = path.absolute()
        if key in seen:
            raise InputError(f"{path}: given twice (also as {seen[key]}); name each input once")
        seen[key] = path
    return list(seen.values())


def empty_frame(sheet: str) -> pl.DataFrame:
    """The frame of a sheet with no rows: every column, the right types."""
    schema = dict.fromkeys(SHEETS[sheet].column_names, pl.String) | {ROW: pl.Int64, SOURCE: pl.String}
    return pl.DataFrame(schema=schema)


# -- inputs -----------------------------------------------------------------------------------------

_Grid = tuple[str, str, str, pl.DataFrame, int | None]  # sheet, _source, where (for messages), grid, width


def _read_input(path: Path, problems: list[Problem], exported: dict[str, str]) -> list[_Grid]:
    """The input's sheets; ``exported`` gains the customers its ``_ids`` sheet shows on the server."""
    check_path(path)
    if path.is_dir():
        return _read_csv_folder(path, problems, exported)
    if path.suffix.lower() == ".csv" and not is_workbook_file(path):
        sheet = sheet_for(path.stem)
        if sheet is None:
            raise InputError(
                f"{path}: a CSV file must be named after its sheet ({_csv_names()}); "
                "or give the folder that holds the CSV files"
            )
        return [_csv_grid(sheet, path)]
    return _read_workbook(path, problems, exported)


def _read_workbook(path: Path, problems: list[Problem], exported: dict[str, str]) -> list[_Grid]:
    book = Workbook(path)
    grids: list[_Grid] = []
    seen: dict[str, str] = {}
    for name in book.sheet_names:
        sheet = sheet_for(name)
        if sheet is None:
            if is_export_ids(name):
                exported.update(exported_customers(book.grid(name)))
            elif not is_ignored_sheet(name):
                problems.append(_unknown_sheet(name, path))
            continue
        if sheet in seen:
            raise InputError(f"{path}: sheets {seen[sheet]!r} and {name!r} are both the {sheet} sheet; keep one")
        seen[sheet] = name
        grids.append((sheet, f"{path}#{name}", f"sheet {name!r} of {path}", book.grid(name), None))
    problems.extend(book.notes(seen))  # open in Excel; cells far from the data, left out
    return grids


def _read_csv_folder(folder: Path, problems: list[Problem], exported: dict[str, str]) -> list[_Grid]:
    grids: list[_Grid] = []
    seen: dict[str, Path] = {}
    try:
        entries = sorted(folder.iterdir())
    except OSError as exc:
        raise InputError(f"{folder}: cannot be read ({exc.strerror or exc})") from None
    files = [p for p in entries if p.suffix.lower() == ".csv" and sheet_for(p.stem) is not None]
    for path in files:
        check_path(path)
    files = [p for p in entries if p.suffix.lower() == ".csv" and p.is_file()]
    for path in files:
        sheet = sheet_for(path.stem)
        if sheet is None:
            if is_export_ids(path.stem):
                exported.update(exported_customers(read_csv_grid(path)[0]))
            elif not is_ignored_sheet(path.stem):
                problems.append(_unknown_sheet(path.name, folder))
            continue
        if sheet in seen:
            raise InputError(f"{folder}: {seen[sheet].name} and {path.name} are both the {sheet} sheet; keep one")
        seen[sheet] = path
        grids.append(_csv_grid(sheet, path))
    if not grids and (folder / "retry.xlsx").is_file():  # rtm-batch run OUT/retry, whatever form it has
        return _read_workbook(folder / "retry.xlsx", problems, exported)
    if not grids:
        books = sorted(p.name for p in entries if p.suffix.lower() in (".xlsx", ".xlsm"))
        hint = f"; to use the workbook {books[0]}, give its path instead" if books else ""
        raise InputError(f"{folder}: the folder has none of the input CSV files ({_csv_names()}){hint}")
    return grids


def _csv_grid(sheet: str, path: Path) -> _Grid:
    return (sheet, str(path), str(path), *read_csv_grid(path))


def _csv_names() -> str:
    return ", ".join(f"{name}.csv" for name in SHEETS)


def _unknown_sheet(name: str, where: Path) -> Problem:
    expected = ", ".join(SHEETS)
    message = f"{name!r} in {where} is not an input sheet ({expected}) and is ignored; rename it if it holds input"
    return Problem(name, None, "", "", "warning", "file.sheet.unknown", message)


# -- one sheet --------------------------------------------------------------------------------------


def _sheet_part(
    sheet: str, source: str, where: str, grid: pl.DataFrame, width: int | None, problems: list[Problem]
) -> SheetData | None:
    """Header found, columns mapped, cells trimmed, blank rows dropped; None for a sheet with no header.

    A row is dropped when none of the sheet's columns has a value: a row with values only in ignored
    columns (notes beside the table) is not input, and its column is already reported as ignored.
    """
    cells = [name for name in grid.columns if name != ROW]
    first = _header_index(grid, cells)
    if first is None:
        return None
    header = (
        grid.slice(first, 1).select(pl.col(ROW), *[trim_cell(name, header=True) for name in cells]).row(0, named=True)
    )
    rest = grid.slice(first + 1)
    named = cells if width is None else cells[:width]
    mapped, headers = _map_headers(sheet, where, header, named, rest, problems)
    if width is not None and len(cells) > width:
        problems.extend(replace(p, source=source) for p in _extra_cells(sheet, rest, cells[width:], width))
    _require_columns(sheet, where, mapped, header, named, rest)
    columns = [
        pl.col(mapped[name]).alias(name) if name in mapped else pl.lit(None, pl.String).alias(name)
        for name in SHEETS[sheet].column_names
    ]
    frame = (
        rest.lazy()
        .select(pl.col(ROW), *trimmed(rest, list(mapped.values())))
        .filter(_any_value(list(mapped.values())))
        .select(*columns, pl.col(ROW), pl.lit(source, pl.String).alias(SOURCE))
        .collect()
    )
    return SheetData(sheet, frame, headers)


def _header_index(grid: pl.DataFrame, cells: list[str]) -> int | None:
    """Position of the first row with a value: the header. Looks at the top first, the sheet rarely
    starts far down."""
    for frame in (grid.head(100), grid):
        found = frame.select(_any_value(cells, trimmed=False).arg_true().first()).item() if cells else None
        if found is not None:
            return int(found)
    return None


def _any_value(cells: list[str], *, trimmed: bool = True) -> pl.Expr:
    """True for rows where one of ``cells`` has a value (``trimmed=False``: ignoring surrounding spaces)."""
    if trimmed:
        return pl.any_horizontal([pl.col(name).is_not_null() for name in cells])
    return pl.any_horizontal([pl.col(name).str.strip_chars().str.len_bytes().fill_null(0) > 0 for name in cells])


def _map_headers(
    sheet: str, where: str, header: GridRow, named: list[str], data: pl.DataFrame, problems: list[Problem]
) -> tuple[dict[str, str], dict[str, str]]:
    """canonical column → grid column, and canonical column → header as spelled; warns on the rest."""
    spec = SHEETS[sheet]
    known = set(spec.column_names)
    row = header[ROW]
    mapped: dict[str, str] = {}
    headers: dict[str, str] = {}
    for cell in named:
        original = header[cell]
        if original is None:
            if data.select(_any_value([cell], trimmed=False).any()).item():
                label = _column_label(int(cell[1:]), where)
                problems.append(_unknown_column(sheet, row, label, "has values but no header", spec.column_names))
            continue
        canon = canonical_name(original)
        if canon == "problem":  # retry/ says what to fix there; it is not input
            continue
        target = canon if canon in known else HEADER_ALIASES.get(canon)
        if target not in known:
            problems.append(_unknown_column(sheet, row, original, "is not a column of this sheet", spec.column_names))
            continue
        if target in mapped:
            raise InputError(
                f"{where}: two columns are {target}: {_short(headers[target])!r} and {_short(original)!r}; "
                "delete or rename one"
            )
        mapped[target] = cell
        headers[target] = original
    return mapped, headers


def _unknown_column(sheet: str, row: int, column: str, why: str, expected: tuple[str, ...]) -> Problem:
    message = f"column {_short(column)!r} {why} and is ignored; the {sheet} columns are: {', '.join(expected)}"
    return Problem(sheet, row, column, "", "warning", f"{sheet}.column.unknown", message)


def _column_label(position: int, where: str) -> str:
    """How a person finds a header-less column (0-based ``position``): its letter in a workbook, its
    number in a CSV file."""
    if where.startswith("sheet "):
        letters = ""
        number = position + 1
        while number:
            number, rest = divmod(number - 1, 26)
            letters = chr(65 + rest) + letters
        return f"(column {letters})"
    return f"(column {position + 1})"


def _extra_cells(sheet: str, data: pl.DataFrame, spare: list[str], width: int) -> list[Problem]:
    """CSV records with more cells than the header: usually a separator inside an unquoted value."""
    rows = data.filter(_any_value(spare, trimmed=False))[ROW].to_list()
    message = (
        f"this row has more cells than the header ({width}); the extra cells are ignored — "
        "a value with a separator in it must be in double quotes"
    )
    found = [Problem(sheet, row, "", "", "warning", f"{sheet}.row.extra_cells", message) for row in rows]
    if len(found) > MAX_ROW_WARNINGS:
        more = len(found) - MAX_ROW_WARNINGS
        rest = Problem(sheet, None, "", "", "warning", f"{sheet}.row.extra_cells", f"{more} more rows like this")
        found = [*found[:MAX_ROW_WARNINGS], rest]
    return found


def _require_columns(
    sheet: str, where: str, mapped: dict[str, str], header: GridRow, named: list[str], rest: pl.DataFrame
) -> None:
    missing = [name for name in SHEETS[sheet].required_columns if name not in mapped]
    if missing:
        below = header_below(rest, named, set(missing), canonical_name, HEADER_ALIASES)
        spelled = [_short(header[cell]) for cell in named if header[cell] is not None]
        if below is not None and len(mapped) < 2:
            raise InputError(
                f"{where}: row {header[ROW]} ({', '.join(map(repr, spelled[:3]))}) is not the header; the header "
                f"seems to be on row {below}: delete the rows above it (the header must be the first row)"
            )
        found = ", ".join(map(repr, spelled[:12])) or "none"
        if len(spelled) > 12:
            found += f" and {len(spelled) - 12} more"
        plural = "s" if len(missing) > 1 else ""
        raise InputError(
            f"{where}: required column{plural} {', '.join(missing)} missing (columns found: {found}); "
            f"add {'them' if plural else 'it'} to the header row"
        )


def _merge(sheet: str, parts: list[SheetData], headerless: str | None, paths: Sequence[Path | str]) -> SheetData:
    if not parts:
        if SHEETS[sheet].optional:
            return SheetData(sheet, empty_frame(sheet), {})
        if headerless:
            raise InputError(
                f"{headerless}: the {sheet} sheet is empty; its first row must be the header "
                f"({', '.join(SHEETS[sheet].required_columns)}, …)"
            )
        inputs = ", ".join(str(p) for p in paths)
        raise InputError(
            f"{inputs}: no {sheet} sheet (or {sheet}.csv); add it, with just its header row if it has no rows "
            "(`rtm-batch template` writes an empty workbook)"
        )
    headers: dict[str, str] = {}
    for part in parts:
        headers = part.headers | headers
    frame = parts[0].frame if len(parts) == 1 else pl.concat([p.frame for p in parts], how="vertical")
    # One contiguous chunk per column (the CSV reader hands over dozens, which makes every later pass 2-3×
    # slower), made here where the chunked frame is let go: done in the validator, both copies stayed alive.
    return SheetData(sheet, frame.rechunk(), headers)
