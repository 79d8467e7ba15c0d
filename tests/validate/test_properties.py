"""Property tests: whatever a cell holds and whatever shape a sheet has, loading and validating end in
problems or an ``InputError`` — never another exception."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from batch.errors import InputError
from batch.load.inputs import load_inputs
from batch.validate.rules.catalog import all_rule_codes
from batch.validate.validator import validate
from schemas import SHEETS
from tests.builders import write_csv_folder
from tests.validate.test_validate_support import loaded, valid_rows

#: Text a partner (or a broken export) could put in a cell: anything, weighted towards the tricky.
TRICKY = st.sampled_from(
    [
        "",
        " ",
        "FI-1",
        "fi-1",
        "+358 9 4245 1001",
        "2026-01-05",
        "12:30:00",
        "#N/A",
        "=1+1",
        "..",
        "1..2",
        "+358 9 4245 1000..+358 9 4245 1999",
        "webex_calling",
        "yes",
        "x",
        "Full Administrator",
        "\x00",
        "\u202e",
        "a;b;;c",
        "\n",
        "Europe/Helsinki",
        "FI",
        "0" * 40,
        "9" * 400,
        "é" * 100,
    ]
)
CELL = st.one_of(st.none(), TRICKY, st.text(max_size=30))
SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _rows(sheet: str) -> st.SearchStrategy[list[dict]]:
    columns = SHEETS[sheet].column_names
    row = st.fixed_dictionaries({}, optional=dict.fromkeys(columns, CELL))
    return st.lists(row, max_size=6)


@SETTINGS
@given(
    templates=_rows("templates"),
    customers=_rows("customers"),
    locations=_rows("locations"),
    users=_rows("users"),
    keep_valid=st.booleans(),
)
def test_random_cells_never_crash_validation(templates, customers, locations, users, keep_valid) -> None:
    base = valid_rows() if keep_valid else {name: [] for name in SHEETS}
    batch = loaded(
        templates=base["templates"] + templates,
        customers=base["customers"] + customers,
        locations=base["locations"] + locations,
        users=base["users"] + users,
    )
    result = validate(batch)
    codes = all_rule_codes()
    assert all(p.rule in codes and p.sheet in SHEETS for p in result.problems)
    for name, frame in result.sheets.items():
        assert frame.height == batch.sheets[name].frame.height


HEADER = st.one_of(
    st.sampled_from([c for spec in SHEETS.values() for c in spec.column_names]),
    st.sampled_from(["E-mail", " Company Name ", "\ufeffexternal_id", "", "notes", "phone"]),
    st.text(max_size=12),
)


@st.composite
def _sheet_shapes(draw) -> dict[str, list[list]]:
    """Each sheet with a random header (known, aliased, unknown, blank cells), blank rows, ragged rows."""
    sheets = {}
    for name, spec in SHEETS.items():
        header = draw(st.lists(HEADER, max_size=12))
        if draw(st.booleans()):
            header = list(spec.required_columns) + header
        width = max(len(header), 1)
        rows = draw(
            st.lists(st.lists(CELL.filter(lambda v: v is None or "\x00" not in v), max_size=width + 2), max_size=5)
        )
        above = draw(st.integers(0, 2))
        sheets[name] = [[]] * above + [header, *rows]
    return sheets


@SETTINGS
@given(sheets=_sheet_shapes(), separator=st.sampled_from([",", ";"]), bom=st.booleans())
def test_random_sheet_shapes_load_or_refuse_in_one_line(sheets, separator, bom) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = write_csv_folder(Path(tmp) / "csv", sheets, separator=separator, bom=bom)
        try:
            batch = load_inputs([folder])
        except InputError as exc:
            assert "\n" not in str(exc) and len(str(exc)) < 600
            return
        validate(batch)
