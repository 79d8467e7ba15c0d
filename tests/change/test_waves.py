"""``--waves`` and ``--max-fail-percent`` (issue 20 item 4): pure splitting, then over real HTTP a wave over
the threshold stopping the later ones (their rows ``skipped`` naming the wave, exit 1) and a resume with a
higher threshold finishing them."""

from __future__ import annotations

from pathlib import Path

import pytest

from batch import keys
from batch.change.options import change_control
from batch.change.waves import parse_waves, split_waves
from batch.emulator import EmulatorConfig, running_emulator
from batch.errors import UsageError
from batch.jobs import CREATED, FAILED, SKIPPED, Job, Kind
from batch.plan.graph import Plan
from tests.builders import input_sheets, write_workbook
from tests.change.batches import customer, user, writes
from tests.run.test_run_e2e import TOKEN, operator, run


def plan_of(customers: int) -> Plan:
    jobs: dict[str, Job] = {}
    rows: dict[tuple[str, int], tuple[str, ...]] = {}
    for i in range(customers):
        ckey = keys.customer(f"C{i}")
        jobs[ckey] = Job(ckey, Kind.CUSTOMER, "customers", i + 2)
        skey = keys.subscriber(f"u{i}@x.fi")
        jobs[skey] = Job(skey, Kind.SUBSCRIBER, "users", i + 2, (ckey,), {"customer": ckey})
        rows[("customers", i + 2)], rows[("users", i + 2)] = (ckey,), (skey,)
    return Plan(jobs, rows)


@pytest.mark.parametrize(
    ("spec", "customers", "sizes"),
    [
        ("1,10%,rest", 30, [1, 3, 26]),
        ("1,10%,rest", 3, [1, 1, 1]),
        ("2", 5, [2, 2, 1]),  # Ansible's serial: the last size repeats
        ("1,50%", 6, [1, 3, 2]),
        ("rest", 4, [4]),
    ],
)
def test_waves_split_customers_with_all_they_hold(spec: str, customers: int, sizes: list[int]) -> None:
    waves = split_waves(plan_of(customers), parse_waves(spec))
    assert [len(w.jobs) // 2 for w in waves] == sizes
    for wave in waves:  # each customer's user goes with it
        assert all(job.refs.get("customer", job.key) in wave.jobs for job in wave.jobs.values())
        assert len(wave.rows) == len(wave.jobs)


@pytest.mark.parametrize("spec", ["", "1,,rest", "rest,1", "0,rest", "150%", "ten"])
def test_a_bad_waves_list_is_one_usage_line(spec: str) -> None:
    with pytest.raises(UsageError, match="--waves"):
        change_control(waves=spec or " ")


def test_max_fail_percent_is_a_percentage() -> None:
    with pytest.raises(UsageError, match="between 0 and 100"):
        change_control(waves="1,rest", max_fail_percent=120)


def write_waves(path: Path) -> Path:
    customers = [
        customer(f"FI-W-{i}", f"Aalto {i} Oy", f"+358 9 4245 10{i}0", hq_location_name=f"HQ {i}", numbers_state="")
        for i in range(1, 5)
    ]
    users = [
        user(c["external_id"], f"u{j}@{c['external_id'].lower()}.fi", f"{10 + j}") for c in customers for j in (1, 2)
    ]
    write_workbook(path, input_sheets(customers=customers, users=users))
    return path


def test_a_wave_over_the_threshold_stops_the_later_waves_and_a_resume_finishes_them(tmp_path: Path) -> None:
    """FI-W-1's headquarters is on Cisco Calling Plan, so its numbers fail: wave 1 fails 1 of its 3 rows."""
    config = EmulatorConfig(
        token=TOKEN, rate=0, provisioning_seconds=0, record_requests=True, integrated_pstn_locations=frozenset({"HQ 1"})
    )
    with running_emulator(config) as base_url:
        batch = write_waves(tmp_path / "in.xlsx")
        strict = change_control(waves="1,50%,rest", max_fail_percent=20)
        first = run([batch], tmp_path / "out", base_url, change=strict)
        assert first.exit_code == 1
        rows = {r.key: r for r in first.results}
        assert rows["FI-W-1"].status == FAILED and rows["FI-W-1"].reason == "numbers.integrated_pstn"
        assert rows["u1@fi-w-1.fi"].status == CREATED
        later = [r for r in first.results if not r.key.startswith("FI-W-1") and "fi-w-1" not in r.key]
        assert len(later) == 9 and all(r.status == SKIPPED and r.reason == "change.wave_stopped" for r in later)
        assert "wave 1 of 3 failed 1 of 3 rows (33 %), over --max-fail-percent 20" in later[0].message
        assert [c["external_id"] for c in operator(base_url, "state")["customers"]] == ["FI-W-1"]

        lenient = change_control(waves="1,50%,rest", max_fail_percent=50)
        second = run([batch], tmp_path / "out", base_url, change=lenient)
        assert second.exit_code == 1  # FI-W-1's row still fails; everything else is done
        assert {r.status for r in second.results if r.key in {x.key for x in later}} == {CREATED}
        assert second.results[0].status == FAILED and all(r.status != SKIPPED for r in second.results)
        posted = [b["externalId"] for m, p, b in writes(base_url) if m == "POST" and p.endswith("/wholesale/customers")]
        assert posted == ["FI-W-1", "FI-W-2", "FI-W-3", "FI-W-4"]  # in wave order, each once
        sent = [(p, b) for m, p, b in writes(base_url) if m == "POST"]
        wave_2 = next(i for i, (p, b) in enumerate(sent) if b and b.get("externalId") == "FI-W-2")
        wave_3 = next(i for i, (p, b) in enumerate(sent) if b and b.get("externalId") == "FI-W-4")
        users_2 = [i for i, (p, b) in enumerate(sent) if b and "fi-w-2" in str(b.get("email", ""))]
        assert users_2 and wave_2 < min(users_2) and max(users_2) < wave_3  # wave 3 waited for wave 2
