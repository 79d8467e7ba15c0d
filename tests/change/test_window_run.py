"""``--window`` and ``cutover_at`` over real HTTP (issue 20 item 2). The run reads the time from a clock the
test hands it (``ShiftedClock``: real seconds from a chosen start), so a window closes a second into the run
instead of at 05:00, and nothing waits for a real window."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from batch.change.clock import ShiftedClock
from batch.change.options import ChangeControl, change_control
from batch.emulator import EmulatorConfig, running_emulator
from batch.jobs import CREATED, PENDING, SKIPPED
from tests.change.batches import write_batch, writes
from tests.run.test_run_e2e import TOKEN, assert_no_duplicates, operator, run

HEL = ZoneInfo("Europe/Helsinki")
WINDOW = "22:00-05:00 Europe/Helsinki"


def clocked(start: datetime, *windows: str) -> ChangeControl:
    control = change_control(windows)
    return ChangeControl(control.windows, clock=ShiftedClock.at(start))


def test_outside_the_window_nothing_starts_exit_3(tmp_path: Path) -> None:
    config = EmulatorConfig(token=TOKEN, rate=0, provisioning_seconds=0, record_requests=True)
    with running_emulator(config) as base_url:
        noon = datetime(2026, 12, 4, 12, 0, tzinfo=HEL)
        outcome = run([write_batch(tmp_path / "in.xlsx")], tmp_path / "out", base_url, change=clocked(noon, WINDOW))
        assert outcome.exit_code == 3 and outcome.summary["interrupted"] is True
        assert outcome.summary["stopped"].startswith(f"outside the change window {WINDOW!r}; it opens next Fri")
        assert {r.status for r in outcome.results} == {SKIPPED}
        assert all(r.reason == "run.not_reached" for r in outcome.results)
        assert operator(base_url, "requests") == []  # not even a look-up
        assert outcome.stopped.startswith("stopped after 0 of 7 rows (outside the change window")


def test_a_window_closing_mid_run_stops_it_and_the_next_window_finishes_it(tmp_path: Path) -> None:
    """Exit 3 when 05:00 comes, the journal kept; the same command in the next window resumes: every row
    done, nothing on the server twice, nothing the first run finished sent again."""
    config = EmulatorConfig(token=TOKEN, rate=0, provisioning_seconds=0, latency_ms=300, record_requests=True)
    with running_emulator(config) as base_url:
        batch = write_batch(tmp_path / "in.xlsx", users=20)
        almost_five = datetime(2026, 12, 5, 4, 59, 55, tzinfo=HEL)
        options = {"concurrency": 2, "max_rate": 20.0}
        first = run([batch], tmp_path / "out", base_url, change=clocked(almost_five, WINDOW), **options)
        assert first.exit_code == 3, Counter(r.status for r in first.results)
        assert first.summary["stopped"] == f"the change window {WINDOW!r} closed"
        assert first.summary["interrupted"] is True and first.summary["api"]["requests"] > 0
        not_reached = [r for r in first.results if r.reason == "run.not_reached"]
        assert not_reached and all(r.status in (CREATED, SKIPPED) for r in first.results)
        customer_posts = [p for m, p, _ in writes(base_url) if m == "POST" and p.endswith("/wholesale/customers")]
        assert customer_posts  # work was done before 05:00

        evening = datetime(2026, 12, 5, 22, 30, tzinfo=HEL)
        second = run([batch], tmp_path / "out", base_url, change=clocked(evening, WINDOW), **options)
        assert second.exit_code == 0 and {r.status for r in second.results} == {CREATED}
        assert_no_duplicates(operator(base_url, "state"))
        customer_posts = [p for m, p, _ in writes(base_url) if m == "POST" and p.endswith("/wholesale/customers")]
        assert len(customer_posts) == 2  # one per customer over both runs: nothing the first finished is sent again
        assert len(operator(base_url, "state")["subscribers"]) == 40


def test_cutover_at_holds_a_customer_and_all_it_holds_until_then(tmp_path: Path) -> None:
    config = EmulatorConfig(token=TOKEN, rate=0, provisioning_seconds=0, record_requests=True)
    with running_emulator(config) as base_url:
        batch = write_batch(tmp_path / "in.xlsx", cutover_1="2026-12-12 22:00 Europe/Helsinki")
        before = ChangeControl(clock=ShiftedClock.at(datetime(2026, 12, 12, 21, 0, tzinfo=HEL)))
        first = run([batch], tmp_path / "n1", base_url, change=before)
        assert first.exit_code == 0
        held = [r for r in first.results if r.key.startswith("FI-ACT-1") or "fi-act-1" in r.key]
        assert held and all(r.status == PENDING for r in held)
        [customer] = [r for r in held if r.sheet == "customers"]
        assert customer.reason == "change.cutover" and "2026-12-12 22:00 Europe/Helsinki" in customer.message
        assert all("waiting:" in r.message and "customers row 2" in r.message for r in held if r != customer)
        others = [r for r in first.results if r not in held]
        assert others and all(r.status == CREATED for r in others)
        ext_ids = [c["external_id"] for c in operator(base_url, "state")["customers"]]
        assert ext_ids == ["FI-ACT-2"]  # nothing at all was sent for FI-ACT-1

        after = ChangeControl(clock=ShiftedClock.at(datetime(2026, 12, 12, 20, 0, 1, tzinfo=UTC)))  # 22:00:01
        second = run([batch], tmp_path / "n2", base_url, change=after)
        assert second.exit_code == 0
        assert all(r.status == CREATED for r in second.results if r.key in {h.key for h in held})
        assert sorted(c["external_id"] for c in operator(base_url, "state")["customers"]) == ["FI-ACT-1", "FI-ACT-2"]


def test_a_cutover_at_without_a_zone_is_invalid(tmp_path: Path) -> None:
    config = EmulatorConfig(token=TOKEN, rate=0, provisioning_seconds=0)
    with running_emulator(config) as base_url:
        batch = write_batch(tmp_path / "in.xlsx", cutover_1="2026-12-12 22:00")
        outcome = run([batch], tmp_path / "out", base_url)
        [row] = [r for r in outcome.results if r.key == "FI-ACT-1"]
        assert row.status == "invalid" and "cutover_at" in row.message
        assert outcome.exit_code == 1


def test_the_command_line_outside_its_window_says_so_in_one_line_exit_3(tmp_path: Path) -> None:
    """A real process and the real clock: a window that opens an hour from now is closed now."""
    later = datetime.now(UTC) + timedelta(hours=1)
    spec = f"{later:%H}:00-{(later + timedelta(hours=1)):%H}:00 UTC"
    config = EmulatorConfig(token=TOKEN, rate=0, provisioning_seconds=0)
    with running_emulator(config) as base_url:
        batch = write_batch(tmp_path / "in.xlsx")
        env = {**os.environ, "WEBEX_ACCESS_TOKEN": TOKEN}
        command = [sys.executable, "-m", "batch", "run", str(batch), "--out", str(tmp_path / "out")]
        done = subprocess.run(
            [*command, "--base-url", base_url, "--window", spec, "--log-format", "plain"],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 3, done.stderr
        last = done.stderr.strip().splitlines()[-1]
        assert last.startswith("stopped after 0 of 7 rows (outside the change window") and "resume" in last
        assert TOKEN not in done.stdout + done.stderr
