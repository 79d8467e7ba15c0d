"""Notifications from real runs over real HTTP: the emulator's incoming webhook and /v1/messages (with the
workbook to fix attached), a local receiver checking the HMAC, Slack and Teams bodies, the Healthchecks
pings, the metrics file and the history; a refused refresh token notifies too (exit 2). No secret reaches
any receiver, file or line of output, and JSON mode prints JSON only."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import subprocess
import sys
from pathlib import Path

import httpx

from batch.emulator import EmulatorConfig, running_emulator
from batch.emulator.messages import BOT_TOKEN, MAX_TEXT_BYTES
from batch.history.store import History
from tests.notify.books import one_customer
from tests.notify.receivers import receiver

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples" / "onboarding.xlsx"
TOKEN = "notify-run-token-5150"
SECRET = "hmac-secret-Qx7"


def rtm(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("WEBEX_")}
    command = [sys.executable, "-c", "from batch.cli import main; main()", *args]
    return subprocess.run(command, env=base | env, capture_output=True, text=True, timeout=120)


def arrived(base_url: str) -> list[dict]:
    return httpx.get(base_url.replace("/v1", "/_emulator/messages")).json()["items"]


def events(stdout: str) -> list[dict]:
    """Every stdout line is a JSON event (the test fails on the first that is not)."""
    return [json.loads(line) for line in stdout.splitlines()]


def test_a_night_with_failures_reaches_every_kind_of_receiver(tmp_path: Path) -> None:
    out, history = tmp_path / "out", tmp_path / "history.sqlite"
    book = one_customer(tmp_path / "in.xlsx", "FI-100102")
    (tmp_path / "secret").write_text(SECRET + "\n")
    server = EmulatorConfig(token=TOKEN, rate=0, provisioning_seconds=0, customer_outcomes={"FI-100102": "error"})
    with running_emulator(server) as base_url, receiver(status=200) as hooks:
        args = ["run", str(book), "--out", str(out), "--base-url", base_url, "--log-format", "json"]
        args += ["--notify-url", f"{base_url}/webhooks/incoming/HOOK42", "--notify-url", "webex://ROOM7"]
        args += ["--notify-url", f"{hooks.url}/signed", "--notify-url", f"slack+{hooks.url}/slack"]
        args += ["--notify-url", f"teams+{hooks.url}/teams", "--notify-secret-file", str(tmp_path / "secret")]
        args += ["--heartbeat-url", f"{hooks.url}/hb", "--history", str(history)]
        args += ["--metrics-textfile", str(tmp_path / "metrics" / "rtm.prom")]
        result = rtm(args, {"WEBEX_ACCESS_TOKEN": TOKEN, "WEBEX_BOT_TOKEN": BOT_TOKEN})
        messages = arrived(base_url)
    assert result.returncode == 1, result.stderr[-2000:]
    assert result.stderr == "" and events(result.stdout)[-1]["event"] == "finished"
    summary = json.loads((out / "summary.json").read_text())

    webhook = next(m for m in messages if m["route"] == "webhook")
    text = webhook["markdown"]
    assert webhook["target"] == "HOOK42" and len(text.encode()) <= MAX_TEXT_BYTES
    assert "rows need a look (exit 1)" in text and "`FI-100102` Öljynjalostus Åström Ab: 1 failed" in text
    assert str(out.absolute()) in text and summary["host"] in text and "Top failure reasons" in text
    assert webhook["user_agent"].startswith("rtm-batch/")

    room = next(m for m in messages if m["route"] == "messages")
    (attached,) = room["files"]
    assert room["target"] == "ROOM7" and "Attached: `retry.xlsx`" in room["markdown"]
    assert attached["name"] == "retry.xlsx"
    assert base64.b64decode(attached["base64"]) == (out / "retry" / "retry.xlsx").read_bytes()

    (signed,) = hooks.at("/signed")
    expected = "sha256=" + hmac.new(SECRET.encode(), signed.body, hashlib.sha256).hexdigest()
    assert signed.headers["x-rtm-signature"] == expected and json.loads(signed.body) == summary
    assert signed.headers["user-agent"].startswith("rtm-batch/") and "authorization" not in signed.headers
    (slack,) = hooks.at("/slack")
    assert json.loads(slack.body)["text"].startswith("*rtm-batch run: ")
    (teams,) = hooks.at("/teams")
    card = json.loads(teams.body)["attachments"][0]
    assert card["contentType"] == "application/vnd.microsoft.card.adaptive"
    assert card["content"]["type"] == "AdaptiveCard"

    pings = [r for r in hooks.requests if r.path.startswith("/hb")]
    assert [p.path for p in pings] == ["/hb/start", "/hb/1"] and pings[0].query["rid"] == pings[1].query["rid"]

    metrics = (tmp_path / "metrics" / "rtm.prom").read_text()
    assert "rtm_batch_exit_code 1.0" in metrics and 'rtm_batch_rows{sheet="customers",status="failed"} 1.0' in metrics
    assert "rtm_batch_last_success_timestamp_seconds" not in metrics  # this job never succeeded
    (recorded,) = History(history).runs()
    assert (recorded.run_id, recorded.exit_code, recorded.rows) == (summary["run_id"], 1, summary["rows"])
    assert (out / "report.html").is_file()

    everything = result.stdout + result.stderr + json.dumps(messages) + metrics
    everything += "".join(r.body.decode() + json.dumps(r.headers) for r in hooks.requests)
    reports = [p for p in out.glob("*.*") if p.suffix in (".json", ".csv", ".html")]
    everything += "".join(p.read_text(errors="replace") for p in reports)
    assert TOKEN not in everything and BOT_TOKEN not in everything and SECRET not in everything


def test_a_refused_refresh_token_is_exit_2_and_still_notified(tmp_path: Path) -> None:
    token_file = tmp_path / "refresh-token"
    token_file.write_text("refresh-token-Lw02p")
    history = tmp_path / "history.sqlite"
    server = EmulatorConfig(token="never-used", rate=0, client_id="cid", client_secret="right-secret")
    with running_emulator(server) as base_url, receiver() as hooks:
        args = ["run", str(SAMPLES), "--out", str(tmp_path / "out"), "--base-url", base_url, "--log-format", "json"]
        args += ["--refresh-token-file", str(token_file), "--history", str(history)]
        args += ["--notify-url", f"{base_url}/webhooks/incoming/H2", "--notify-url", f"{hooks.url}/json"]
        args += ["--heartbeat-url", f"{hooks.url}/hb"]
        result = rtm(args, {"WEBEX_CLIENT_ID": "cid", "WEBEX_CLIENT_SECRET": "wrong-secret-99"})
        messages = arrived(base_url)
    assert result.returncode == 2, result.stderr[-2000:]
    assert result.stderr == ""  # JSON all the way: the error is an event on stdout
    last = events(result.stdout)[-1]
    assert last["event"] == "error" and last["exit_code"] == 2 and "refresh token was refused" in last["message"]
    (webhook,) = messages
    assert "could not start (exit 2)" in webhook["markdown"] and "refresh token was refused" in webhook["markdown"]
    (told,) = hooks.at("/json")
    body = json.loads(told.body)
    assert body["exit_code"] == 2 and "refresh token was refused" in body["error"] and body["run_id"] == last["run_id"]
    assert [r.path for r in hooks.requests if r.path.startswith("/hb")] == ["/hb/start", "/hb/2"]
    (recorded,) = History(history).runs()
    assert recorded.exit_code == 2 and "refresh token was refused" in recorded.error
    everything = result.stdout + json.dumps(messages) + "".join(r.body.decode() for r in hooks.requests)
    assert "wrong-secret-99" not in everything and "refresh-token-Lw02p" not in everything


def test_a_receiver_that_refuses_is_a_json_warning_with_its_answer(tmp_path: Path) -> None:
    book = one_customer(tmp_path / "in.xlsx")
    answer = json.dumps({"message": "The room id is not valid.", "trackingId": "ROUTER_x"}).encode()
    server = EmulatorConfig(token=TOKEN, rate=0, provisioning_seconds=0)
    with running_emulator(server) as base_url, receiver(status=400, answer=answer) as hooks:
        args = ["run", str(book), "--out", str(tmp_path / "out"), "--base-url", base_url, "--log-format", "json"]
        args += ["--notify-url", f"{hooks.url}/refuses", "--history", str(tmp_path / "h.sqlite")]
        result = rtm(args, {"WEBEX_ACCESS_TOKEN": TOKEN})
    assert result.returncode == 0 and result.stderr == "", result.stderr[-2000:]
    lines = events(result.stdout)
    (warning,) = [e for e in lines if e["event"] == "warning"]
    assert warning["status"] == 400 and warning["answer"] == "The room id is not valid."
    assert "json receiver at 127.0.0.1" in warning["message"] and "/refuses" not in warning["message"]
    assert len(hooks.requests) == 1  # a 400 is not asked again
    assert lines[-1]["event"] == "finished" and lines.index(warning) < len(lines) - 1
