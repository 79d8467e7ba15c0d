"""Saved plans over real HTTP (issue 20 item 1): ``plan --save`` is the approval and ``run --plan`` applies
exactly it: an object that changed on the server since is ``skipped`` naming the change, a changed workbook
or option is refused (exit 2, one line) before anything is sent, and ``--approved-by`` is in summary.json."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from batch.change.options import change_control
from batch.change.saved import plan_options, save_plan
from batch.emulator import EmulatorConfig, running_emulator
from batch.errors import UsageError
from batch.jobs import CREATED, EXISTS, SKIPPED
from batch.provision.preview.rows import plan_batch
from tests.change.batches import user, write_batch, writes
from tests.provision.conftest import emulator_root
from tests.run.test_run_e2e import TOKEN, operator, run

NEW_USERS = (user("FI-ACT-1", "new@fi-act-1.fi", "150"), user("FI-ACT-2", "new@fi-act-2.fi", "250"))
TAMPERE_MOVED = {"postal_code": "33200"}


def save(batch: Path, base_url: str, tmp_path: Path, *, update: bool = True) -> Path:
    outcome = plan_batch([batch], tmp_path / "plan", base_url=base_url, token=TOKEN, max_rate=1000, update=update)
    options = plan_options(base_url, update=update, prune=False, max_deletes=10)
    return save_plan(tmp_path / "plan.json", [batch], options, outcome.results, outcome.objects)


def move_tampere(base_url: str, zone: str) -> None:
    """Someone edits the location in Control Hub after the plan was approved."""
    state = operator(base_url, "state")
    location = next(loc for loc in state["locations"] if loc["name"] == "Tampere")
    httpx.put(
        f"{emulator_root(base_url)}/v1/locations/{location['id']}",
        params={"orgId": location["org_id"]},
        json={"timeZone": zone},
        headers={"Authorization": f"Bearer {TOKEN}"},
        timeout=10,
    ).raise_for_status()


def test_a_saved_plan_is_applied_as_approved_and_a_drifted_object_is_skipped_naming_the_change(
    tmp_path: Path,
) -> None:
    config = EmulatorConfig(token=TOKEN, rate=0, provisioning_seconds=0, record_requests=True)
    with running_emulator(config) as base_url:
        assert run([write_batch(tmp_path / "first.xlsx", users=1)], tmp_path / "n1", base_url).exit_code == 0
        tonight = write_batch(tmp_path / "tonight.xlsx", users=1, tampere=TAMPERE_MOVED, extra_users=NEW_USERS)
        plan_file = save(tonight, base_url, tmp_path)
        document = json.loads(plan_file.read_text(encoding="utf-8"))
        actions = {(r["sheet"], r["key"]): r["action"] for r in document["rows"]}
        assert actions[("locations", "FI-ACT-1/Tampere")] == "update"
        assert actions[("users", "new@fi-act-1.fi")] == actions[("users", "new@fi-act-2.fi")] == "create"
        assert actions[("customers", "FI-ACT-1")] == "none"
        assert TOKEN not in plan_file.read_text(encoding="utf-8")

        move_tampere(base_url, "Europe/Stockholm")
        before = len(writes(base_url))
        applied = run(
            [tonight],
            tmp_path / "n2",
            base_url,
            update=True,
            change=change_control(plan=plan_file, approved_by="Maija Meikäläinen"),
        )
        rows = {(r.sheet, r.key): r for r in applied.results}
        tampere = rows[("locations", "FI-ACT-1/Tampere")]
        assert (tampere.status, tampere.reason) == (SKIPPED, "change.plan_drift")
        assert "timeZone: Europe/Helsinki → Europe/Stockholm" in tampere.message
        assert rows[("users", "new@fi-act-1.fi")].status == rows[("users", "new@fi-act-2.fi")].status == CREATED
        unchanged = rows[("customers", "FI-ACT-1")]
        assert unchanged.status == EXISTS and unchanged.message.startswith("as planned: unchanged")
        assert applied.exit_code == 1  # the skipped row
        summary = json.loads((tmp_path / "n2" / "summary.json").read_text(encoding="utf-8"))
        assert summary["approved_by"] == "Maija Meikäläinen" and summary["plan"]["path"] == str(plan_file)
        sent = [(m, p) for m, p, _ in writes(base_url)[before:]]
        assert all(p.endswith("/wholesale/subscribers") for _, p in sent) and len(sent) == 2  # the two creates only
        location = next(loc for loc in operator(base_url, "state")["locations"] if loc["name"] == "Tampere")
        assert location["address"]["postalCode"] == "33100"  # the drifted update was not applied


def test_run_plan_refuses_a_changed_workbook_or_changed_options_before_sending_anything(tmp_path: Path) -> None:
    config = EmulatorConfig(token=TOKEN, rate=0, provisioning_seconds=0, record_requests=True)
    with running_emulator(config) as base_url:
        batch = write_batch(tmp_path / "in.xlsx", users=1)
        plan_file = save(batch, base_url, tmp_path)
        planned = len(operator(base_url, "requests"))  # the plan's look-ups (and its validateNumbers check)
        with pytest.raises(UsageError, match="options differ from the plan's \\(update True → False\\)"):
            run([batch], tmp_path / "a", base_url, change=change_control(plan=plan_file))
        write_batch(tmp_path / "in.xlsx", users=2)  # the workbook changed after the approval
        env = {**os.environ, "WEBEX_ACCESS_TOKEN": TOKEN}
        command = [sys.executable, "-m", "batch", "run", str(batch), "--out", str(tmp_path / "b"), "--update"]
        done = subprocess.run(
            [*command, "--base-url", base_url, "--plan", str(plan_file), "--approved-by", "Maija"],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 2
        [line] = done.stderr.strip().splitlines()
        assert "the inputs changed since the plan was saved" in line and "nothing was sent" in line
        assert len(operator(base_url, "requests")) == planned  # neither refused run sent anything
        assert not (tmp_path / "b" / "results.csv").exists()


def test_approved_by_needs_a_plan_and_a_save_needs_a_server(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="--approved-by"):
        change_control(approved_by="Maija")
    with pytest.raises(UsageError, match="activates no numbers"):
        change_control(plan=tmp_path / "x.json", activate_numbers=True)
    with pytest.raises(UsageError, match="not a saved plan"):
        (tmp_path / "x.json").write_text("{}", encoding="utf-8")
        change_control(plan=tmp_path / "x.json")
