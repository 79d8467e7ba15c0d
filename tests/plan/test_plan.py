"""The planner's graph (pure) and ``plan`` with a server (read-only look-ups)."""

from __future__ import annotations

import io
from pathlib import Path

import httpx
import pytest
from rich.console import Console

from batch.emulator import EmulatorConfig, running_emulator
from batch.jobs import EXISTS, PLANNED, Kind
from batch.load.inputs import load_inputs
from batch.plan.graph import Plan, build_plan
from batch.provision.preview.rows import plan_batch
from batch.run.runner import RunOptions, run_batch
from batch.validate.validator import validate
from tests.builders import input_sheets, write_csv_folder

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples" / "onboarding.xlsx"
TOKEN = "plan-token"

CUSTOMER = {
    "external_id": "FI-1",
    "company_name": "Testi Oy",
    "admin_email": "admin@testi.fi",
    "provisioning_id": "cHJvdmlzaW9uaW5n",
    "packages": "webex_calling",
    "address_line1": "Katu 1",
    "city": "Helsinki",
    "postal_code": "00100",
    "country": "FI",
    "supported_location_confirmed": "yes",
    "hq_location_name": "HQ",
    "timezone": "Europe/Helsinki",
    "location_language": "fi_fi",
    "numbers": "+358 9 4245 1000..+358 9 4245 1009",
    "main_number": "+358 9 4245 1000",
}
LOCATION = {
    "customer_external_id": "FI-1",
    "location_name": "Tampere",
    "address_line1": "Katu 2",
    "city": "Tampere",
    "postal_code": "33100",
    "country": "FI",
    "timezone": "Europe/Helsinki",
    "preferred_language": "fi_fi",
    "announcement_language": "fi_fi",
    "numbers": "+358 3 5655 2000..+358 3 5655 2009",
}


def user(email: str, **fields: str) -> dict[str, str]:
    base = {"customer_external_id": "FI-1", "email": email, "first_name": "A", "last_name": "B"}
    return base | {"package": "webex_calling"} | fields


def plan_of(tmp_path: Path, **sheets: list[dict[str, str]]) -> Plan:
    folder = write_csv_folder(tmp_path / "in", input_sheets(**sheets))
    validated = validate(load_inputs([folder]))
    assert validated.error_count == 0, validated.problems
    return build_plan(validated)


def test_a_user_waits_for_its_own_location_and_numbers_only(tmp_path: Path) -> None:
    plan = plan_of(
        tmp_path,
        customers=[CUSTOMER],
        locations=[LOCATION],
        users=[
            user("hq@testi.fi", phone_number="+358 9 4245 1001"),
            user("tre@testi.fi", location_name="tampere", phone_number="+358 3 5655 2001", roles="Full Administrator"),
            user("ext@testi.fi", extension="1234"),
        ],
    )
    hq_user = plan.jobs["subscriber:hq@testi.fi"]
    assert set(hq_user.parents) == {"customer:FI-1", "hq:FI-1", "numbers:FI-1/hq"}
    tre_user = plan.jobs["subscriber:tre@testi.fi"]
    assert set(tre_user.parents) == {
        "customer:FI-1",
        "location:FI-1/tampere",
        "calling:FI-1/tampere",
        "numbers:FI-1/tampere",
    }
    assert tre_user.refs == {"customer": "customer:FI-1", "location": "location:FI-1/tampere"}
    assert set(plan.jobs["subscriber:ext@testi.fi"].parents) == {"customer:FI-1", "hq:FI-1"}  # no number to wait for
    assert plan.jobs["roles:tre@testi.fi"].parents == ("subscriber:tre@testi.fi",)
    assert plan.jobs["main:FI-1/hq"].parents == ("hq:FI-1", "numbers:FI-1/hq")
    assert _row_jobs(plan, "users", 3) == ("subscriber:tre@testi.fi", "roles:tre@testi.fi")
    assert plan.depth() == 6  # customer → location → calling → numbers → subscriber → roles
    keys = list(plan.jobs)
    for job in plan.jobs.values():  # parents come before children: the executor and depth() rely on it
        assert all(keys.index(p) < keys.index(job.key) for p in job.parents)


def test_rows_naming_a_customer_or_location_outside_the_batch_get_look_up_jobs(tmp_path: Path) -> None:
    plan = plan_of(
        tmp_path,
        users=[
            user("a@old.fi", customer_external_id="OLD-1", location_name="Oulu", extension="100"),
            user("b@old.fi", customer_external_id="OLD-1", extension="101"),
            user("c@old.fi", customer_external_id="OLD-1", package="webex_meetings"),
        ],
    )
    assert plan.jobs["customer:OLD-1"].kind is Kind.CUSTOMER_REF
    assert plan.jobs["location:OLD-1/oulu"].kind is Kind.LOCATION_REF
    assert plan.jobs["hq:OLD-1"].kind is Kind.HQ  # blank location: the customer's headquarters
    assert set(plan.jobs["subscriber:c@old.fi"].parents) == {"customer:OLD-1"}  # meetings needs no location
    assert plan.kind_counts()[Kind.CUSTOMER_REF] == 1  # shared by every row that names it


def test_plan_with_a_server_reports_what_exists_and_writes_nothing(tmp_path: Path) -> None:
    config = EmulatorConfig(token=TOKEN, rate=0, provisioning_seconds=0, record_requests=True)
    with running_emulator(config) as base_url:
        before = plan_batch([SAMPLES], tmp_path / "before", base_url=base_url, token=TOKEN)
        options = RunOptions(out_dir=tmp_path / "run", base_url=base_url, token=TOKEN, max_rate=5000, poll_initial=0.01)
        run_batch([SAMPLES], options, Console(file=io.StringIO()))
        root = base_url.removesuffix("/v1")
        sent_before = len(httpx.get(root + "/_emulator/requests", timeout=10).json())
        after = plan_batch([SAMPLES], tmp_path / "after", base_url=base_url, token=TOKEN)
        new = httpx.get(root + "/_emulator/requests", timeout=10).json()[sent_before:]
    assert {r.status for r in before.results if r.sheet != "templates"} == {PLANNED}
    assert {r.status for r in after.results} == {EXISTS}
    assert new and {e["method"] for e in new} == {"GET"}
    assert after.exit_code == 0


@pytest.mark.parametrize("rate", [10.0, 200.0])
def test_the_estimate_is_the_rate_bound_or_the_critical_path(tmp_path: Path, rate: float) -> None:
    plan = plan_of(tmp_path, customers=[CUSTOMER], locations=[LOCATION], users=[user("x@testi.fi", extension="12")])
    assert plan.estimated_seconds(rate) == max(plan.estimated_calls() / rate, 2.0 + plan.depth() * 0.1)


def test_customer_ids_match_the_customers_sheet_case_insensitively() -> None:
    """``fi-1`` on a locations or users row is the batch's ``FI-1``: no not-in-batch warning, no false errors,
    and the plan hangs the rows under that customer instead of looking up a customer on the server."""
    from tests.validate.test_validate_support import loaded, valid_rows, with_changes

    rows = with_changes(locations={0: {"customer_external_id": "fi-1"}}, users={2: {"customer_external_id": "Fi-1"}})
    validated = validate(loaded(**rows))
    assert validated.problems == validate(loaded(**valid_rows())).problems == ()
    plan = build_plan(validated)
    assert Kind.CUSTOMER_REF not in plan.kind_counts()
    assert "location:FI-1/tampere" in plan.jobs and "customer:FI-1" in plan.jobs["subscriber:liisa@makela.fi"].parents


def test_two_users_of_a_location_only_on_the_server_share_one_look_up() -> None:
    """Before, the second user waited for a calling job that does not exist (the first had made the location a
    look-up), so it could never start."""
    from tests.validate.test_validate_support import loaded, valid_rows

    rows = valid_rows()
    extra = {"customer_external_id": "FI-1", "first_name": "A", "last_name": "B", "package": "webex_calling"}
    rows["users"] += [
        {**extra, "email": "a@makela.fi", "location_name": "Varasto", "extension": "3001"},
        {**extra, "email": "b@makela.fi", "location_name": "varasto", "extension": "3002"},
    ]
    plan = build_plan(validate(loaded(**rows)))
    assert plan.kind_counts()[Kind.LOCATION_REF] == 1
    for job in plan.jobs.values():
        assert all(parent in plan.jobs for parent in job.parents), job.key
    assert "location:FI-1/varasto" in _row_jobs(plan, "users", 7)  # the look-up leads the row: its failure fails it


def _row_jobs(plan: Plan, sheet: str, row: int) -> tuple[str, ...]:
    """The jobs of the one row (sheet, row) of a single-input batch (rows are keyed by source too)."""
    (jobs,) = [jobs for (_, name, number), jobs in plan.rows.items() if (name, number) == (sheet, row)]
    return jobs
