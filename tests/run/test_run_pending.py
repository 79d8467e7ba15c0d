"""``pending`` over real HTTP (issue 17 item 2): Webex accepted the row and waits on something outside the
tool. The row and the rows that need it say so, the exit code stays 0, nothing is sent twice, and the next
run reads the state and goes on."""

from __future__ import annotations

import csv
from pathlib import Path

from batch.emulator import EmulatorConfig, running_emulator
from batch.jobs import PENDING
from tests.run.test_run_e2e import SAMPLES, TOKEN, operator, run

FREE = "jussi.pollanen@makelankonepaja.fi"  # a users row with roles: the roles wait with it


def results_csv(out: Path) -> dict[tuple[str, str], dict[str, str]]:
    with (out / "results.csv").open(encoding="utf-8-sig") as handle:
        return {(r["sheet"], r["row"]): r for r in csv.DictReader(handle)}


def test_a_free_account_is_pending_with_its_roles_and_never_posted_twice(tmp_path: Path) -> None:
    config = EmulatorConfig(token=TOKEN, rate=0, provisioning_seconds=0, free_account_emails=frozenset({FREE}))
    with running_emulator(config) as base_url:
        first = run([SAMPLES], tmp_path / "n1", base_url)
        [row] = [r for r in first.results if r.key == FREE]
        assert (row.status, row.reason) == (PENDING, "subscriber.consent_pending"), row
        assert "accept" in row.message
        assert first.exit_code == 0 and first.summary["totals"]["pending"] == 1
        assert first.paths.retry_dir is None  # a pending row leaves nothing for the partner to correct
        assert results_csv(tmp_path / "n1")[("users", str(row.row))]["status"] == "pending"
        second = run([SAMPLES], tmp_path / "n2", base_url)  # the README's nightly advice: a new --out
        [again] = [r for r in second.results if r.key == FREE]
        assert again.status == PENDING and second.exit_code == 0
        subs = [s for s in operator(base_url, "state")["subscribers"] if s["email"] == FREE]
        assert len(subs) == 1 and subs[0]["status"] == "pending_user_migration"


def test_a_customer_still_provisioning_when_patience_ends_holds_its_rows_pending(tmp_path: Path) -> None:
    """Provisioning outlasts the run's patience: the customer and everything under it are ``pending``
    (naming the customers row), never failed or skipped; the next run finds it and posts nothing again."""
    config = EmulatorConfig(token=TOKEN, rate=0, provisioning_seconds=3600)
    with running_emulator(config) as base_url:
        first = run([SAMPLES], tmp_path / "n1", base_url, provisioning_patience=0.05)
        by_sheet = {r.sheet for r in first.results if r.status == PENDING}
        customers = [r for r in first.results if r.sheet == "customers"]
        assert customers and all(r.status == PENDING for r in customers), customers
        assert all(r.reason == "customer.still_provisioning" for r in customers)
        held = [r for r in first.results if r.sheet in ("locations", "users")]
        assert held and all(r.status == PENDING and "waiting:" in r.message for r in held)
        assert by_sheet == {"customers", "locations", "users"} and first.exit_code == 0
        posts = len(operator(base_url, "state")["customers"])
        second = run([SAMPLES], tmp_path / "n2", base_url, provisioning_patience=0.05)
        assert all(r.status == PENDING for r in second.results if r.sheet == "customers")
        assert len(operator(base_url, "state")["customers"]) == posts == 6
