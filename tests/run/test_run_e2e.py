"""``run`` end to end over real HTTP against the emulator: samples, re-runs, invalid rows, --strict, faults.

Every request a run sends is kept by the emulator (``record_requests``) and checked against the official
request schemas; the emulator's state is what proves that nothing was created twice.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from rich.console import Console

from batch.emulator import EmulatorConfig, running_emulator
from batch.jobs import CREATED, EXISTS, FAILED, INVALID, PLANNED, SKIPPED
from batch.load.inputs import load_inputs
from batch.run.runner import RunOptions, RunOutcome, run_batch
from tests.openapi_check import spec_dir
from tests.provision.conftest import check_sent, emulator_root, reset

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples" / "onboarding.xlsx"
INVALID_XLSX = ROOT / "samples" / "invalid" / "invalid.xlsx"
EXPECTED = ROOT / "samples" / "invalid" / "expected.csv"
TOKEN = "e2e-secret-token-4711"
SERVER = EmulatorConfig(token=TOKEN, rate=0, provisioning_seconds=0, record_requests=True)


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with running_emulator(SERVER) as base_url:
        yield base_url


@pytest.fixture
def emulator(server: str) -> str:
    reset(server)
    return server


def operator(base_url: str, what: str) -> Any:
    response = httpx.get(f"{emulator_root(base_url)}/_emulator/{what}", timeout=10)
    response.raise_for_status()
    return response.json()


def run(inputs: list[Path], out: Path, base_url: str, **options: Any) -> RunOutcome:
    settings = {"max_rate": 5000.0, "concurrency": 16, "poll_initial": 0.01, "log_format": "plain"} | options
    opts = RunOptions(out_dir=out, base_url=base_url, token=TOKEN, **settings)
    return run_batch(inputs, opts, Console(file=io.StringIO()))


def statuses(outcome: RunOutcome) -> Counter[tuple[str, str]]:
    return Counter((r.sheet, r.status) for r in outcome.results)


def natural_keys(state: dict[str, Any]) -> dict[str, list[Any]]:
    """What must be unique on the server: customers by externalId, locations by (org, name), subscribers and
    people by email, numbers by number."""
    return {
        "customers": [c["external_id"] for c in state["customers"]],
        "locations": [(loc["org_id"], loc["name"].casefold()) for loc in state["locations"]],
        "subscribers": [s["email"].casefold() for s in state["subscribers"]],
        "people": [e.casefold() for p in state["people"] for e in p["emails"]],
        "numbers": [n["phone_number"] for n in state["numbers"]],
    }


def assert_no_duplicates(state: dict[str, Any]) -> None:
    for kind, keys in natural_keys(state).items():
        repeated = [k for k, n in Counter(keys).items() if n > 1]
        assert not repeated, f"duplicate {kind}: {repeated}"


#: POSTs that only ask (Webex's prechecks): a plan sends them, and they change nothing on the server.
PRECHECKS = ("/validate", "/actions/validateNumbers/invoke")


def writes(base_url: str) -> list[tuple[str, str]]:
    """Every request that could change the server (not a GET, not a precheck)."""
    requests = operator(base_url, "requests")
    return [(e["method"], e["path"]) for e in requests if e["method"] != "GET" and not e["path"].endswith(PRECHECKS)]


def check_requests_against_spec(base_url: str) -> None:
    if not spec_dir().is_dir():
        pytest.skip("../shared/reference/openapi not found: the official specs live beside the clone")
    sent = [(e["method"], e["path"], json.loads(e["body"])) for e in operator(base_url, "requests") if e["body"]]
    assert sent, "the run sent no request bodies"
    check_sent(sent)


def test_samples_provision_fully_and_every_request_fits_the_official_schemas(emulator: str, tmp_path: Path) -> None:
    outcome = run([SAMPLES], tmp_path / "out", emulator)
    assert outcome.exit_code == 0, [r for r in outcome.results if r.status not in (CREATED, EXISTS)][:3]
    assert statuses(outcome) == {
        ("templates", EXISTS): 2,
        ("customers", CREATED): 6,
        ("locations", CREATED): 10,
        ("users", CREATED): 61,
    }
    state = operator(emulator, "state")
    assert_no_duplicates(state)
    assert len(state["customers"]) == 6 and len(state["subscribers"]) == 61
    users = {r.key.casefold(): r for r in outcome.results if r.sheet == "users"}
    assert {s["email"].casefold() for s in state["subscribers"]} == set(users)
    assert all(r.ids.get("subscriber_id") for r in users.values())
    check_requests_against_spec(emulator)


def test_rerun_reports_exists_and_creates_nothing_with_or_without_the_journal(emulator: str, tmp_path: Path) -> None:
    run([SAMPLES], tmp_path / "first", emulator)
    before = operator(emulator, "state")
    written = len(writes(emulator))

    with_journal = run([SAMPLES], tmp_path / "first", emulator)
    assert with_journal.summary["api"]["requests"] == 0  # the journal knew every job: no rate budget spent
    without_journal = run([SAMPLES], tmp_path / "fresh", emulator)
    for outcome in (with_journal, without_journal):
        assert outcome.exit_code == 0
        assert {status for (_, status) in statuses(outcome)} == {EXISTS}
    assert len(writes(emulator)) == written  # the look-ups found everything: not one write was sent
    assert natural_keys(operator(emulator, "state")) == natural_keys(before)


#: Rules that do not make a row invalid but decide its result: an invalid parent (skipped); a customer or a
#: (calling user's) location on neither the batch nor the emulator (failed: the server proved it missing,
#: contract §1); a user's number in no location on the server (the API refuses it).
RESULT_OF_RULE = {
    "dependency.invalid_parent": SKIPPED,
    "locations.customer_external_id.not_in_batch": FAILED,
    "users.customer_external_id.not_in_batch": FAILED,
    "users.location_name.not_in_batch": FAILED,
    "users.phone_number.not_in_location": FAILED,
}


def expected_row_statuses() -> dict[tuple[str, int], str]:
    """From the planted-defect table (not from the library): each row's expected result."""
    expected: dict[tuple[str, int], str] = {}
    with EXPECTED.open(encoding="utf-8-sig") as handle:
        for record in csv.DictReader(handle):
            if not record["row"] or (record["severity"] != "error" and record["rule"] not in RESULT_OF_RULE):
                continue
            key = (record["sheet"], int(record["row"]))
            status = RESULT_OF_RULE.get(record["rule"], INVALID)
            ranked = (INVALID, FAILED, SKIPPED)
            expected[key] = min(expected.get(key, SKIPPED), status, key=ranked.index)
    return expected


def test_invalid_rows_are_reported_and_the_rest_provisioned(emulator: str, tmp_path: Path) -> None:
    outcome = run([INVALID_XLSX], tmp_path / "out", emulator)
    expected = expected_row_statuses()
    assert outcome.exit_code == 1
    for result in outcome.results:
        want = expected.get((result.sheet, result.row), EXISTS if result.sheet == "templates" else CREATED)
        assert result.status == want, (result.sheet, result.row, result.status, result.message)
    assert_no_duplicates(operator(emulator, "state"))
    retry = tmp_path / "out" / "retry"
    assert retry.is_dir()
    check_requests_against_spec(emulator)


def test_strict_sends_nothing_when_a_row_is_invalid(emulator: str, tmp_path: Path) -> None:
    outcome = run([INVALID_XLSX], tmp_path / "out", emulator, strict=True)
    assert outcome.exit_code == 1
    assert operator(emulator, "requests") == []
    valid = [r for r in outcome.results if r.status not in (INVALID, SKIPPED, EXISTS)]
    assert valid == []
    assert any("--strict" in r.message for r in outcome.results if r.status == SKIPPED)


def test_token_never_reaches_reports_or_output(emulator: str, tmp_path: Path) -> None:
    outcome = run([INVALID_XLSX], tmp_path / "out", emulator)
    assert outcome.results
    for path in (tmp_path / "out").rglob("*"):
        if path.is_file() and path.suffix in (".csv", ".json"):
            assert TOKEN not in path.read_text(encoding="utf-8-sig"), path


@pytest.mark.parametrize("seed", [7])
def test_faults_and_a_tight_rate_limit_still_provision_everything_exactly_once(tmp_path: Path, seed: int) -> None:
    config = EmulatorConfig(
        token=TOKEN,
        rate=60,
        burst=5,
        provisioning_seconds=0.2,
        error_rate=0.05,
        lost_response_rate=0.05,
        seed=seed,
        record_requests=True,
    )
    with running_emulator(config) as base_url:
        outcome = run([SAMPLES], tmp_path / "out", base_url, max_rate=90.0)
        state = operator(base_url, "state")
        stats = operator(base_url, "stats")
        check_requests_against_spec(base_url)  # retries and reconciling look-ups speak the real API too
    assert outcome.exit_code == 0, [(r.sheet, r.row, r.message) for r in outcome.results if r.status != CREATED][:5]
    assert {status for (sheet, status) in statuses(outcome) if sheet != "templates"} == {CREATED}
    assert_no_duplicates(state)
    assert len(state["subscribers"]) == 61 and len(state["customers"]) == 6
    assert stats["rate_limited"] > 0 and outcome.summary["api"]["throttled"] == stats["rate_limited"]
    assert outcome.summary["api"]["ambiguous"] > 0  # the faults really happened


def test_a_customer_that_fails_to_provision_skips_its_own_rows_only_naming_it(tmp_path: Path) -> None:
    config = EmulatorConfig(
        token=TOKEN, rate=0, provisioning_seconds=0, customer_outcomes={"FI-100102": "error"}, record_requests=True
    )
    with running_emulator(config) as base_url:
        outcome = run([SAMPLES], tmp_path / "out", base_url)
    by_row = {(r.sheet, r.row): r for r in outcome.results}
    failed = by_row[("customers", 3)]
    assert failed.key == "FI-100102" and failed.status == FAILED and "error" in failed.message
    own = [r for r in outcome.results if r.sheet in ("locations", "users") and r.key.split("/")[0] == "FI-100102"]
    own += [r for r in outcome.results if r.sheet == "users" and r.key.endswith("@astrom-oljy.fi")]
    assert own and all(r.status == SKIPPED and "customers row 3" in r.message for r in own)
    with (tmp_path / "out" / "results.csv").open(encoding="utf-8-sig") as handle:
        reasons = {(r["sheet"], r["row"]): r for r in csv.DictReader(handle)}
    assert (reasons[("customers", "3")]["reason"], failed.reason) == ("customer.provisioning_error",) * 2
    assert {reasons[(r.sheet, str(r.row))]["reason"] for r in own} == {"dependency.failed"}
    assert reasons[("customers", "2")]["reason"] == "" and reasons[("customers", "3")]["http_status"] == ""
    others = [r for r in outcome.results if r.status not in (FAILED, SKIPPED) and r.sheet != "templates"]
    assert len(others) + len({(r.sheet, r.row) for r in own}) + 1 == 6 + 10 + 61
    assert outcome.exit_code == 1
    retry = load_inputs([tmp_path / "out" / "retry"])
    assert retry.sheets["customers"].frame["external_id"].to_list() == ["FI-100102"]


def test_day_two_resolves_against_the_server_and_fails_only_what_it_proves_missing(
    emulator: str, tmp_path: Path
) -> None:
    """Day two (contract §1): a user of a location made on day one that this batch does not list is a
    warning offline and is provisioned there; a calling user of a location that is nowhere, and a location
    of a customer that is nowhere, are ``failed`` with the reason, not ``skipped``."""
    from batch.validate.validator import validate
    from tests.builders import input_sheets, write_csv_folder
    from tests.validate.test_validate_support import valid_rows

    day_one = valid_rows()
    day_one["locations"][0]["numbers"] = "+358 3 5655 2000..+358 3 5655 2009"
    first = run([write_csv_folder(tmp_path / "day1", input_sheets(**day_one))], tmp_path / "o1", emulator)
    assert first.exit_code == 0, [(r.sheet, r.row, r.status, r.message) for r in first.results]
    user = {"customer_external_id": "FI-1", "first_name": "Uusi", "last_name": "Käyttäjä", "package": "webex_calling"}
    day_two = {
        "templates": day_one["templates"],
        "customers": day_one["customers"][:1],
        "locations": [{**day_one["locations"][0], "customer_external_id": "SE-404", "location_name": "Lager"}],
        "users": [
            {**user, "email": "uusi@makela.fi", "location_name": "TAMPERE", "extension": "3001"},
            {**user, "email": "harhaan@makela.fi", "location_name": "Nowhere", "extension": "3002"},
            {**user, "email": "kansallinen@makela.fi", "location_name": "Tampere", "phone_number": "03 5655 2005"},
        ],
    }
    folder = write_csv_folder(tmp_path / "day2", input_sheets(**day_two))
    offline = validate(load_inputs([folder]))
    assert offline.error_count == 0
    assert {p.rule for p in offline.problems} == {
        "users.location_name.not_in_batch",
        "locations.customer_external_id.not_in_batch",
        "users.phone_number.country_on_server",  # 03 … is read with the server location's country at run time
    }
    second = run([folder], tmp_path / "o2", emulator)
    got = {(r.sheet, r.row): (r.status, r.message) for r in second.results}
    assert got[("users", 2)][0] == CREATED
    assert got[("users", 3)][0] == FAILED and "Nowhere" in got[("users", 3)][1]
    assert got[("locations", 2)][0] == FAILED and "SE-404" in got[("locations", 2)][1]
    reason = {(r.sheet, r.row): r.reason for r in second.results}
    assert (reason[("users", 3)], reason[("locations", 2)]) == ("location.not_found", "customer.not_found")
    assert got[("users", 4)][0] == CREATED, got[("users", 4)]
    numbers = {s["email"]: s["primary_phone_number"] for s in operator(emulator, "state")["subscribers"]}
    assert numbers["kansallinen@makela.fi"] == "+358356552005"
    assert second.exit_code == 1


def test_plan_with_a_server_fails_a_user_whose_number_no_location_has(emulator: str, tmp_path: Path) -> None:
    """Checked before any write (contract §1): ``plan --base-url`` looks the location's numbers up, read-only;
    a number on the server's location is fine, one on none is ``failed`` in the plan, and so is a number a
    new customer's batch does not add."""
    from batch.provision.preview.rows import plan_batch
    from tests.builders import input_sheets, write_csv_folder
    from tests.validate.test_validate_support import valid_rows

    first = run([write_csv_folder(tmp_path / "day1", input_sheets(**valid_rows()))], tmp_path / "o1", emulator)
    assert first.exit_code == 0
    day_one = valid_rows()
    new_customer = {
        **day_one["customers"][0],
        "external_id": "FI-3",
        "admin_email": "it@uusi.fi",
        "numbers": None,
        "main_number": None,
    }
    user = {"first_name": "Uusi", "last_name": "Käyttäjä", "package": "webex_calling"}
    day_two = {
        "templates": day_one["templates"],
        "customers": [day_one["customers"][0], new_customer],
        "users": [
            {
                **user,
                "customer_external_id": "FI-1",
                "email": "a@makela.fi",
                "location_name": "Tampere",
                "phone_number": "+358 3 5655 2000",
            },
            {
                **user,
                "customer_external_id": "FI-1",
                "email": "b@makela.fi",
                "location_name": "Tampere",
                "phone_number": "+358 3 5655 2999",
            },
            {**user, "customer_external_id": "FI-3", "email": "c@uusi.fi", "phone_number": "+358 9 4245 1005"},
            # national numbers: read with the country of the server's location Tampere (FI)
            {
                **user,
                "customer_external_id": "FI-1",
                "email": "d@makela.fi",
                "location_name": "Tampere",
                "phone_number": "03 5655 2001",
            },
            {
                **user,
                "customer_external_id": "FI-1",
                "email": "e@makela.fi",
                "location_name": "Tampere",
                "phone_number": "03 12",
            },
        ],
    }
    folder = write_csv_folder(tmp_path / "day2", input_sheets(**day_two))
    before = len(writes(emulator))
    outcome = plan_batch([folder], tmp_path / "plan", base_url=emulator, token=TOKEN, max_rate=1000)
    got = {(r.sheet, r.row): (r.status, r.message) for r in outcome.results}
    assert got[("users", 2)][0] == PLANNED, got[("users", 2)]
    assert got[("users", 3)][0] == FAILED and "+358356552999" in got[("users", 3)][1]
    reasons = {(r.sheet, r.row): r.reason for r in outcome.results}
    assert reasons[("users", 3)] == "subscriber.number_not_in_location"  # as the run would fail it
    assert got[("users", 4)][0] == FAILED and "+358942451005" in got[("users", 4)][1]
    assert got[("users", 5)][0] == PLANNED, got[("users", 5)]
    assert got[("users", 6)][0] == FAILED and "03 12" in got[("users", 6)][1] and "(FI)" in got[("users", 6)][1]
    assert len(writes(emulator)) == before  # read-only
