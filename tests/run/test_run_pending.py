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


def test_resend_consent_sends_the_email_again_and_only_for_pending_users(tmp_path: Path) -> None:
    config = EmulatorConfig(token=TOKEN, rate=0, provisioning_seconds=0, free_account_emails=frozenset({FREE}))
    with running_emulator(config) as base_url:
        run([SAMPLES], tmp_path / "n1", base_url)
        again = run([SAMPLES], tmp_path / "n2", base_url, resend_consent=True)
        subs = operator(base_url, "state")["subscribers"]
    [row] = [r for r in again.results if r.key == FREE]
    assert row.status == PENDING and "the consent email was sent again" in row.message
    assert {s["email"]: s["consent_emails"] for s in subs if s["consent_emails"]} == {FREE: 1}


def test_a_customer_whose_calling_package_is_not_ready_holds_only_its_calling_work(tmp_path: Path) -> None:
    """§11.2: provisioned, but ``webex_calling`` in error (warning 2560). The customer row and its calling
    work wait (``pending``, naming the customer row); nothing fails, nothing is skipped, and its other work
    (its meetings users) goes on."""
    config = EmulatorConfig(
        token=TOKEN, rate=0, provisioning_seconds=0, customer_outcomes={"FI-100101": "calling_package_error"}
    )
    with running_emulator(config) as base_url:
        outcome = run([SAMPLES], tmp_path / "out", base_url)
    assert not [(r.sheet, r.row, r.message) for r in outcome.results if r.status in ("failed", "skipped")]
    [customer] = [r for r in outcome.results if r.key == "FI-100101"]
    assert (customer.status, customer.reason) == (PENDING, "customer.calling_not_ready")
    own = [r for r in outcome.results if r.sheet == "users" and r.key.endswith("@makelankonepaja.fi")]
    waiting = [r for r in own if r.status == PENDING]
    assert waiting and all("customers row 2" in r.message for r in waiting)
    assert all(r.reason == "customer.calling_not_ready" for r in waiting)
    others = [r for r in outcome.results if r.sheet == "customers" and r.key != "FI-100101"]
    assert others and all(r.status == "created" for r in others)
    assert outcome.exit_code == 0


def test_a_location_answering_400_for_no_calling_is_not_a_failure(tmp_path: Path) -> None:
    """§11.13: Webex answers a location without calling with 400 as well as 404. With answers lost on the
    way, every enable-calling is reconciled by reading the location: a 400 there means "not yet", so the
    POST is sent again instead of failing the row, its numbers, main number and users."""
    config = EmulatorConfig(
        token=TOKEN, rate=0, provisioning_seconds=0, no_calling_status=400, lost_response_rate=0.25, seed=11
    )
    with running_emulator(config) as base_url:
        outcome = run([SAMPLES], tmp_path / "out", base_url, max_rate=5000.0)
        state = operator(base_url, "state")
    bad = [(r.sheet, r.row, r.message) for r in outcome.results if r.status in ("failed", "skipped")]
    assert not bad, bad
    assert outcome.summary["api"]["ambiguous"] > 0  # the lost answers really happened
    names = [(loc["org_id"], loc["name"].casefold()) for loc in state["locations"]]
    assert len(names) == len(set(names))


def test_a_run_for_a_sub_partner_resends_consent_on_its_behalf(tmp_path: Path) -> None:
    """§11.10 through a whole run: acting for a sub-partner whose customers only calls on its behalf see, with
    the partner's own org among the listed customers, the batch is provisioned and the consent email goes
    again (``/subscribers/…/consentMove`` carries ``onBehalfOfSubPartnerOrgId``; it went without it and the row
    failed on a 404). The partner's own org is never acted on."""
    config = EmulatorConfig(
        token=TOKEN, rate=0, provisioning_seconds=0, free_account_emails=frozenset({FREE}), list_partner_org=True
    )
    sub = "U1VCUEFSVE5FUi8x"
    with running_emulator(config) as base_url:
        first = run([SAMPLES], tmp_path / "n1", base_url, sub_partner_org_id=sub)
        again = run([SAMPLES], tmp_path / "n2", base_url, sub_partner_org_id=sub, resend_consent=True)
        state = operator(base_url, "state")
    for outcome in (first, again):
        assert not [(r.sheet, r.row, r.message) for r in outcome.results if r.status in ("failed", "skipped")]
    [row] = [r for r in again.results if r.key == FREE]
    assert row.status == PENDING and "the consent email was sent again" in row.message
    assert {s["email"]: s["consent_emails"] for s in state["subscribers"] if s["consent_emails"]} == {FREE: 1}
    assert {c["sub_partner"] for c in state["customers"]} == {sub}
