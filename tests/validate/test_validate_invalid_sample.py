"""``samples/invalid``: one planted instance of every rule code, and the validator reports exactly those."""

from __future__ import annotations

import csv
import importlib.util
import sys
from collections import Counter
from pathlib import Path

from batch.load.inputs import load_inputs
from batch.validate.rules.catalog import all_rule_codes
from batch.validate.validator import validate

FOLDER = Path(__file__).resolve().parents[2] / "samples" / "invalid"


def _expected() -> list[tuple[str, int, str, str, str]]:
    with (FOLDER / "expected.csv").open(encoding="utf-8", newline="") as handle:
        return [(r["sheet"], int(r["row"]), r["column"], r["rule"], r["severity"]) for r in csv.DictReader(handle)]


def _builder():
    spec = importlib.util.spec_from_file_location("build_invalid", FOLDER / "build_invalid.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("build_invalid", module)  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


def test_validator_reports_exactly_the_planted_defects() -> None:
    result = validate(load_inputs([FOLDER / "invalid.xlsx"]))
    reported = [(p.sheet, p.row, p.column, p.rule, p.severity) for p in result.problems]
    assert reported == _expected()
    assert all(len(p.message) > 20 for p in result.problems)


def test_every_rule_code_is_planted_once_with_its_severity() -> None:
    expected = _expected()
    assert Counter(rule for *_, rule, _ in expected) == Counter(set(all_rule_codes()))
    catalog = all_rule_codes()
    assert all(catalog[rule] == severity for *_, rule, severity in expected)


def test_expected_csv_is_current(tmp_path: Path) -> None:
    _builder().build(tmp_path)
    assert (tmp_path / "expected.csv").read_text(encoding="utf-8") == (FOLDER / "expected.csv").read_text("utf-8")
    rebuilt = load_inputs([tmp_path / "invalid.xlsx"])
    checked_in = load_inputs([FOLDER / "invalid.xlsx"])
    for name, sheet in checked_in.sheets.items():
        assert sheet.frame.drop("_source").equals(rebuilt.sheets[name].frame.drop("_source")), name
