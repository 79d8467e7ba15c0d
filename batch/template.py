"""The empty input workbook, generated from the schemas so the template never drifts from the rules.

One sheet per input sheet with a frozen header row, a note on every header (meaning, example, whether
required) and drop-downs where the value comes from a list; a README sheet explains the workbook. Long
lists (countries, time zones) live on a hidden ``lists`` sheet because Excel caps inline lists at 255
characters.
"""

from __future__ import annotations

from pathlib import Path

import xlsxwriter
from xlsxwriter.utility import xl_col_to_name

from batch.errors import UsageError
from batch.report.outdir import check_out_dir
from schemas import SHEETS, ColumnDoc, vocab

#: Rows that get drop-downs and formats; Excel handles a fixed range better than whole columns.
TEMPLATE_ROWS = 5000

_README = [
    "rtm-batch onboarding workbook",
    "",
    "Fill one row per customer, further location and user; run `rtm-batch validate FILE.xlsx`, then",
    "`rtm-batch run FILE.xlsx --out DIR`. Hover over a header to see what the column means.",
    "Required columns have bold headers with a yellow background. Lists in one cell (packages, numbers,",
    "roles) are separated by ; or one per line. A number range is FIRST..LAST, e.g.",
    "+358 9 4245 1000..+358 9 4245 1099. Phone numbers may be typed as partners usually do",
    "(+358 40 123 4567, 040 1234567 with the row's country, 00358401234567).",
    "The first package of a customer is its package level; its administrators get that package.",
]


#: Suggested language codes (the validator accepts any ``xx`` / ``xx_YY`` code, so these only suggest).
LANGUAGES = ("en", "en_US", "en_GB", "fi", "fi_FI", "sv", "sv_SE", "da", "nb", "de", "fr", "es", "it", "nl", "pl", "pt")
LOCATION_LANGUAGES = ("en_us", "en_gb", "fi_fi", "sv_se", "da_dk", "nb_no", "de_de", "fr_fr", "es_es", "it_it", "nl_nl")
#: Columns whose drop-down the schemas do not name (their values follow a pattern, not a vocabulary).
EXTRA_DROPDOWNS = {
    "language": "languages",
    "location_language": "location_languages",
    "preferred_language": "location_languages",
    "announcement_language": "location_languages",
}
#: Columns that hold an email: wide enough to read one.
WIDE = {"admin_email": 34, "email": 34, "company_name": 30, "address_line1": 28, "provisioning_id": 52}


def _lists() -> dict[str, tuple[str, ...]]:
    return {
        "packages": vocab.CUSTOMER_PACKAGES,
        "subscriber_packages": vocab.SUBSCRIBER_PACKAGES,
        "countries": vocab.countries(),
        "timezones": vocab.timezones(),
        "booleans": ("yes", "ja", "kyllä", "oui", "sí", "x"),
        "number_states": ("active", "inactive"),
        "roles": vocab.ADMIN_ROLES,
        "languages": LANGUAGES,
        "location_languages": LOCATION_LANGUAGES,
    }


def _note(doc: ColumnDoc) -> str:
    parts = [doc.meaning + "."]
    if doc.hint:
        parts.append(f"Format: {doc.hint}.")
    if doc.example:
        parts.append(f"Example: {doc.example}")
    parts.append("Required." if doc.required else "Optional.")
    return "\n".join(parts)


def write_template(path: str | Path, *, force: bool = False) -> Path:
    """Write the empty workbook to ``path`` (a folder: ``FOLDER/onboarding.xlsx``) and return it; an existing
    file (maybe a filled-in workbook) is overwritten only with ``force``; a name not ending in .xlsx is refused."""
    path = Path(path)
    if path.is_dir():
        path = path / "onboarding.xlsx"
    elif path.suffix.lower() == ".csv":
        raise UsageError(
            f"{path}: the template is an .xlsx workbook, not a CSV file; give --out a name such as "
            f"{path.with_suffix('.xlsx')} (to work in CSV, fill the workbook and save each sheet as CSV UTF-8 into "
            "one folder)"
        )
    elif path.suffix.lower() != ".xlsx":
        raise UsageError(
            f"{path}: the template is an .xlsx workbook; give --out a file name ending in .xlsx, or a folder"
        )
    if path.exists() and not force:
        raise UsageError(f"{path}: the file exists (a filled-in workbook?); choose another name or add --force")
    check_out_dir(path.parent)
    lists = _lists()
    with xlsxwriter.Workbook(str(path)) as book:
        text = book.add_format({"num_format": "@"})
        required = book.add_format({"bold": True, "bg_color": "#FFF2CC", "border": 1})
        optional = book.add_format({"bold": False, "bg_color": "#F2F2F2", "border": 1})
        readme = book.add_worksheet("README")
        for row, line in enumerate(_README):
            readme.write_string(row, 0, line)
        readme.set_column(0, 0, 110)
        ranges = _write_lists(book, lists)
        for spec in SHEETS.values():
            sheet = book.add_worksheet(spec.name)
            sheet.freeze_panes(1, 0)
            for col, doc in enumerate(spec.columns):
                sheet.write_string(0, col, doc.name, required if doc.required else optional)
                sheet.write_comment(0, col, _note(doc), {"x_scale": 2.2, "y_scale": 1.6})
                sheet.set_column(col, col, max(14, len(doc.name) + 4, WIDE.get(doc.name, 0)), text)
                dropdown = doc.dropdown or EXTRA_DROPDOWNS.get(doc.name)
                if dropdown:
                    _dropdown(sheet, col, doc, ranges[dropdown])
        _example_sheet(book, text)
    return path


def _write_lists(book: xlsxwriter.Workbook, lists: dict[str, tuple[str, ...]]) -> dict[str, str]:
    """Put every list on a hidden sheet; return the absolute range formula of each."""
    sheet = book.add_worksheet("lists")
    ranges = {}
    for col, (name, values) in enumerate(lists.items()):
        sheet.write_string(0, col, name)
        for row, value in enumerate(values, start=1):
            sheet.write_string(row, col, value)
        letter = xl_col_to_name(col)
        ranges[name] = f"=lists!${letter}$2:${letter}${len(values) + 1}"
    sheet.hide()
    return ranges


def _example_sheet(book: xlsxwriter.Workbook, text: object) -> None:
    """One example row per input sheet (the schemas' examples) on a sheet the loader ignores."""
    sheet = book.add_worksheet("example")
    row = 0
    for spec in SHEETS.values():
        sheet.write_string(row, 0, f"{spec.name} (copy a row into the {spec.name} sheet)")
        for col, doc in enumerate(spec.columns, start=1):
            sheet.write_string(row + 1, col, doc.name)
            sheet.write_string(row + 2, col, doc.example or "")
        row += 4
    sheet.set_column(0, 0, 4)
    sheet.set_column(1, 30, 22, text)


def _dropdown(sheet: xlsxwriter.worksheet.Worksheet, col: int, doc: ColumnDoc, source: str) -> None:
    """A drop-down that suggests and warns, never blocks: the validator accepts more than a list shows
    (``Yes``, ``kyllä``, ``x``; any case; several packages separated by ;), and it is the judge."""
    multi = doc.name in {"packages", "roles"}
    sheet.data_validation(
        1,
        col,
        TEMPLATE_ROWS,
        col,
        {
            "validate": "list",
            "source": source,
            "error_type": "information" if multi else "warning",
            "error_title": doc.name,
            "error_message": (
                "Pick from the list; several values are separated by ;"
                if multi
                else f"Not in the list for {doc.name}; keep it if you are sure (validate will check it)."
            ),
            "ignore_blank": True,
        },
    )
