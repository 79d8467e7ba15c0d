"""Issue 18 item 3: the terminal's validation summary shows root causes first and counts the cascade an invalid
customer drags behind it, instead of filling its first lines with "customer … is invalid; fix that row first"."""

from __future__ import annotations

import io

from rich.console import Console

from batch.console import validation_summary
from tests.validate.german_batch import german_rows
from tests.validate.test_validate_support import run


def _summary(rows: dict) -> list[str]:
    result = run(rows)
    buffer = io.StringIO()
    console = Console(file=buffer, width=250, no_color=True, highlight=False)
    rows_per_sheet = {name: frame.height for name, frame in result.sheets.items()}
    invalid = {name: int((~frame["_valid"]).sum()) for name, frame in result.sheets.items()}
    validation_summary(console, rows_per_sheet, invalid, result.problems, result.counts)
    return [" ".join(line.replace("│", " ").split()) for line in buffer.getvalue().splitlines()]


def _trial_batch() -> dict:
    """A customer with a wrong time zone and 37 more users; a second customer whose one user has a bad email."""
    rows = german_rows(customers={0: {"timezone": "Berlin"}})
    template = rows["users"][0]
    for i in range(37):
        user = {**template, "email": f"user{i}@mueller-maschinenbau.de", "phone_number": None}
        rows["users"].append({**user, "extension": str(1000 + i)})
    second = {**rows["customers"][0], "external_id": "DE-2", "admin_email": "it@zwei.de", "timezone": "Europe/Berlin"}
    rows["customers"].append({**second, "numbers": None, "main_number": None, "packages": "webex_meetings"})
    rows["users"].append({"customer_external_id": "DE-2", "email": "kaputt(at)zwei.de", "first_name": "K",
                          "last_name": "Aputt", "package": "webex_meetings"})  # fmt: skip
    return rows


def test_root_causes_come_first_and_the_cascade_is_counted() -> None:
    lines = _summary(_trial_batch())
    header = next(i for i, line in enumerate(lines) if line.startswith("sheet ") and "message" in line)
    body = [line for line in lines[header + 2 :] if not line.startswith(("...", "━"))]
    assert "customers.timezone" not in "\n".join(body)  # rule codes are not shown; the cells are
    assert body[0].split()[:4] == ["customers", "2", "timezone", "Berlin"]
    assert "… and 40 dependent problems on rows that name this customer" in body[1]
    assert body[2].split()[:3] == ["users", "41", "email"]
    assert not any("fix that row first" in line for line in body)
    assert lines[-1] == "... and 40 more lines in validation.csv"


def test_a_template_counts_its_customers_and_their_rows() -> None:
    rows = german_rows(customers={0: {"provisioning_id": None, "template": "Deutschland"}})
    rows["templates"] = [{"template": "Deutschland", "provisioning_id": "not an id!"}]
    lines = _summary(rows)
    assert any(line.lstrip().startswith("templates") and "provisioning_id" in line for line in lines)
    cascade = "… and 4 dependent problems on rows that name this template (or its customers)"
    assert cascade in lines
