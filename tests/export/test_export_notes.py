"""What the input form cannot express is exported with a note naming it, never dropped or invented: objects
made through the emulator's API (as a partner's Control Hub work would leave them), exported, each note
asserted (issue 19, Done when)."""

from __future__ import annotations

import copy
import io
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import polars as pl
from rich.console import Console

from batch.emulator import EmulatorConfig, running_emulator
from batch.export.exporter import ExportOptions, export_batch
from batch.run.runner import RunOptions, run_batch
from tests.builders import input_sheets, write_csv_folder
from tests.validate.test_validate_support import valid_rows

TOKEN = "notes-token-4242"
SERVER = EmulatorConfig(
    token=TOKEN,
    rate=0,
    provisioning_seconds=0,
    free_account_emails=frozenset({"vapaa@makela.fi"}),
    review_customers=frozenset({"FI-9"}),
)


def api(base_url: str, method: str, path: str, **kwargs: Any) -> Any:
    response = httpx.request(
        method, f"{base_url}{path}", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10, **kwargs
    )
    response.raise_for_status()
    return response.json() if response.content else None


def rows() -> dict[str, list[dict[str, Any]]]:
    batch = copy.deepcopy(valid_rows())
    batch["users"].append(
        {
            "customer_external_id": "FI-1",
            "email": "vapaa@makela.fi",
            "first_name": "Vapaa",
            "last_name": "Tili",
            "package": "webex_meetings",
        }
    )
    review = {**batch["customers"][1], "external_id": "FI-9", "admin_email": "it@tarkastus.fi"}
    batch["customers"].append(review)
    return batch


def test_each_thing_the_input_form_cannot_say_is_named(tmp_path: Path) -> None:
    with running_emulator(SERVER) as base_url:
        folder = write_csv_folder(tmp_path / "in", input_sheets(**rows()))
        options = RunOptions(
            out_dir=tmp_path / "run", base_url=base_url, token=TOKEN, max_rate=5000.0, poll_initial=0.01
        )
        run_batch([folder], options, Console(file=io.StringIO()))
        org = api(base_url, "GET", "/wholesale/customers", params={"externalId": "FI-1"})["items"][0]["orgId"]
        tampere = api(base_url, "GET", "/locations", params={"orgId": org, "name": "Tampere"})["items"][0]
        # numbers still being ported beside active ones: one row has one numbers_state
        api(
            base_url,
            "POST",
            f"/telephony/config/locations/{tampere['id']}/numbers",
            params={"orgId": org},
            json={"phoneNumbers": ["+358356552050", "+358356552051"], "state": "INACTIVE"},
        )
        # a role the workbook's roles column does not offer, given in Control Hub
        person = api(base_url, "GET", "/people", params={"orgId": org, "email": "liisa@makela.fi"})["items"][0]
        full = api(base_url, "GET", f"/people/{person['id']}", params={"callingData": "true"})
        officer = next(r["id"] for r in api(base_url, "GET", "/roles")["items"] if r["name"] == "Compliance Officer")
        full["roles"] = [*full.get("roles", []), officer]
        api(base_url, "PUT", f"/people/{person['id']}", params={"callingData": "true"}, json=full)

        outcome = export_batch(
            ExportOptions(
                out=tmp_path / "export.xlsx",
                base_url=base_url,
                token=TOKEN,
                customers_from=folder,
                customers=("FI-404",),
                max_rate=5000.0,
            )
        )
    notes = Counter((n.sheet, n.key, n.code) for n in outcome.notes)
    assert notes == Counter(
        [
            ("customers", "FI-9", "export.customer.not_read"),  # in compliance review: no org to read yet
            ("locations", "FI-1/Tampere", "export.numbers.mixed_state"),
            ("users", "liisa@makela.fi", "export.user.role_unknown"),
            ("users", "vapaa@makela.fi", "export.user.no_person"),  # waits for the free account's consent
            ("customers", "FI-404", "export.customer.not_found"),
        ]
    )
    messages = {n.code: n.message for n in outcome.notes}
    assert "+358356552050..+358356552051" not in messages["export.numbers.mixed_state"]  # two: listed
    assert "+358356552050; +358356552051" in messages["export.numbers.mixed_state"]
    assert "Compliance Officer" in messages["export.user.role_unknown"]
    assert "pending_rpl_review" in messages["export.customer.not_read"]
    sheets = pl.read_excel(tmp_path / "export.xlsx", sheet_id=0, read_options={"dtypes": "string"})
    users = {r["email"]: r for r in sheets["users"].iter_rows(named=True)}
    assert users["liisa@makela.fi"]["roles"] == "Compliance Officer"  # kept in its cell: validate names it too
    assert users["vapaa@makela.fi"]["package"] == "webex_meetings"  # exported, not dropped
    customers = {r["external_id"]: r for r in sheets["customers"].iter_rows(named=True)}
    assert customers["FI-9"]["packages"] == "webex_meetings"  # what the listing shows is still exported
    tampere_row = sheets["locations"].filter(pl.col("location_name") == "Tampere").row(0, named=True)
    assert tampere_row["numbers"] == "+358356552000; +358356552001; +358356552050; +358356552051"
    assert tampere_row["numbers_state"] is None
    assert outcome.summary["notes_by_code"]["export.user.no_person"] == 1
