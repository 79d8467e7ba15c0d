"""``run`` end to end against the emulator's real-API behaviours (issue 9): handshake, tracking ids, scopes.

The session emulator here has every default-on behaviour on (the managed-org 403 among them), as the demo.
"""

from __future__ import annotations

import csv
import sqlite3
from pathlib import Path

import pytest

from batch.emulator import EmulatorConfig, running_emulator
from batch.jobs import FAILED
from batch.run.scopes import ScopeError
from tests.run.test_run_e2e import SAMPLES, TOKEN, operator, run


def test_a_full_run_asks_for_each_new_org_and_never_meets_its_403(tmp_path: Path) -> None:
    """Item 1: the customer job does GET /organizations/{orgId} once provisioned, so no row sees the 403."""
    config = EmulatorConfig(token=TOKEN, rate=0, provisioning_seconds=0)
    assert config.managed_org_handshake  # on by default, as in Webex
    with running_emulator(config) as base_url:
        outcome = run([SAMPLES], tmp_path / "out", base_url)
        routes = operator(base_url, "stats")["routes"]
    assert outcome.exit_code == 0
    assert routes["GET /v1/organizations/{org_id}"] == {"200": 6}
    assert not [route for route, by_status in routes.items() if "403" in by_status]


def test_the_journal_and_results_keep_our_tracking_id_of_each_jobs_last_request(tmp_path: Path) -> None:
    """Item 9: results.csv gives a failure's tracking id (ours: RTMBATCH_<run id>_<n>, which Webex keeps);
    the journal holds one for every job."""
    config = EmulatorConfig(token=TOKEN, rate=0, provisioning_seconds=0, customer_outcomes={"FI-100102": "error"})
    with running_emulator(config) as base_url:
        outcome = run([SAMPLES], tmp_path / "out", base_url)
    failed = [r for r in outcome.results if r.status == FAILED]
    assert failed and all(r.tracking_id and r.tracking_id.startswith("RTMBATCH_") for r in failed)
    with (tmp_path / "out" / "results.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = [row for row in csv.DictReader(handle) if row["status"] == FAILED]
    assert [row["tracking_id"] for row in rows] == [r.tracking_id for r in failed]
    with sqlite3.connect(tmp_path / "out" / "journal.sqlite") as db:
        ids = [tid for (tid,) in db.execute("SELECT tracking_id FROM jobs")]
    assert ids and all(tid and tid.startswith("RTMBATCH_") for tid in ids)
    assert len(set(ids)) == len(ids)  # each job's own last request


@pytest.mark.parametrize(
    ("denied", "scope"),
    [("wholesale_subscribers", "spark-admin:wholesale_subscribers_read"), ("roles", "spark-admin:roles_read")],
)
def test_a_missing_scope_stops_the_run_before_any_job_naming_it(tmp_path: Path, denied: str, scope: str) -> None:
    """Item 10: one read per API family at the start; a 403 there is one line (exit 2), nothing is created."""
    config = EmulatorConfig(token=TOKEN, rate=0, provisioning_seconds=0, denied_scopes=frozenset({denied}))
    with running_emulator(config) as base_url:
        with pytest.raises(ScopeError) as caught:
            run([SAMPLES], tmp_path / "out", base_url)
        state = operator(base_url, "state")
    message = str(caught.value)
    assert scope in message and "\n" not in message and len(message) < 300
    assert caught.value.exit_code == 2
    assert state["customers"] == []


def test_org_scoped_scopes_are_read_in_an_org_the_partner_already_has(tmp_path: Path) -> None:
    """Item 10: with a customer on the server, locations, telephony, PSTN and people are each read once first."""
    config = EmulatorConfig(token=TOKEN, rate=0, provisioning_seconds=0, denied_scopes=frozenset({"telephony_pstn"}))
    with running_emulator(config) as base_url:
        first = run([SAMPLES], tmp_path / "first", base_url)  # no customer yet: PSTN cannot be read up front
        with pytest.raises(ScopeError) as caught:
            run([SAMPLES], tmp_path / "second", base_url)
    assert first.exit_code == 1  # each numbers row met the 403 itself
    assert "spark-admin:telephony_pstn_read" in str(caught.value)


def test_sub_partner_org_id_goes_on_every_wholesale_call_of_a_run(tmp_path: Path) -> None:
    """Item 8: RunOptions.sub_partner_org_id (``--sub-partner-org-id``) reaches every /wholesale/ request."""
    config = EmulatorConfig(token=TOKEN, rate=0, provisioning_seconds=0, record_requests=True)
    with running_emulator(config) as base_url:
        outcome = run([SAMPLES], tmp_path / "out", base_url, sub_partner_org_id="U1VCUEFSVE5FUi8x")
        sent = operator(base_url, "requests")
    assert outcome.exit_code == 0
    wholesale = [r for r in sent if r["path"].startswith("/v1/wholesale/")]
    assert wholesale and all("onBehalfOfSubPartnerOrgId=U1VCUEFSVE5FUi8x" in r["query"] for r in wholesale)
    assert not [r for r in sent if not r["path"].startswith("/v1/wholesale/") and "onBehalfOf" in r["query"]]
