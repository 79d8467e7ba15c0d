"""Refresh tokens over real processes: tokens that expire mid-run, a rotated refresh token written back
(atomically, 0600), a refused refresh (exit 2 at start, exit 3 mid-run), and no secret in any artefact."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import httpx

from batch.emulator import EmulatorConfig, running_emulator

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples" / "onboarding.xlsx"
CLIENT_ID = "integration-id-4711"
SECRET = "client-secret-Zq81x"
REFRESH = "refresh-token-Lw02p"


def server(**overrides: object) -> EmulatorConfig:
    settings: dict = {
        "token": "static-token-never-used",
        "rate": 0,
        "provisioning_seconds": 0.2,
        "client_id": CLIENT_ID,
        "client_secret": SECRET,
        "refresh_token": REFRESH,
    }
    return EmulatorConfig(**(settings | overrides))


def run(out: Path, base_url: str, token_file: Path, *, secret: str = SECRET) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WEBEX_")}
    env |= {"WEBEX_CLIENT_ID": CLIENT_ID, "WEBEX_CLIENT_SECRET": secret}
    args = ["run", str(SAMPLES), "--out", str(out), "--base-url", base_url, "--max-rate", "60"]
    args += ["--refresh-token-file", str(token_file), "--log-format", "json"]
    command = [sys.executable, "-c", "from batch.cli import main; main()", *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)


def artefacts(out: Path, result: subprocess.CompletedProcess[str]) -> str:
    """Every byte the run left: stdout, stderr, each file under --out (workbooks unzipped)."""
    texts = [result.stdout, result.stderr]
    for path in out.rglob("*"):
        if path.suffix == ".xlsx":
            with zipfile.ZipFile(path) as book:
                texts += [book.read(name).decode("utf-8", "replace") for name in book.namelist()]
        elif path.is_file():
            texts.append(path.read_bytes().decode("utf-8", "replace"))
    return "\n".join(texts)


def test_tokens_that_expire_mid_run_are_refreshed_and_the_rotated_refresh_token_is_written_back(
    tmp_path: Path,
) -> None:
    token_file = tmp_path / "refresh-token"
    token_file.write_text(REFRESH + "\n")
    out = tmp_path / "out"
    with running_emulator(server(token_lifetime=1.0, rotate_refresh_token=True)) as base_url:
        result = run(out, base_url, token_file)
        assert result.returncode == 0, result.stderr[-2000:]
        rotated = token_file.read_text().strip()
        form = {"grant_type": "refresh_token", "client_id": CLIENT_ID, "client_secret": SECRET}
        form["refresh_token"] = rotated
        again = httpx.post(base_url + "/access_token", data=form)
    assert rotated != REFRESH and again.status_code == 200  # the file holds the refresh token now valid
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    assert result.stdout.count('"event":"refreshed"') >= 2, "the run was too short to see its token expire"
    everything = artefacts(out, result) + "".join(p.name for p in tmp_path.iterdir())
    for secret in (SECRET, REFRESH, rotated, "emu-access-", "emu-refresh-"):
        assert secret not in everything


def test_a_refused_refresh_token_at_start_is_exit_2_in_one_line(tmp_path: Path) -> None:
    token_file = tmp_path / "refresh-token"
    token_file.write_text(REFRESH)
    with running_emulator(server()) as base_url:
        result = run(tmp_path / "out", base_url, token_file, secret="wrong-secret-99")
    assert result.returncode == 2, result.stderr[-2000:]
    assert result.stderr == ""  # --log-format json: the one line is an error event on stdout
    errors = [e["message"] for e in map(json.loads, result.stdout.splitlines()) if e["event"] == "error"]
    assert len(errors) == 1 and "refresh token was refused" in errors[0] and "Traceback" not in result.stdout
    assert "wrong-secret-99" not in result.stderr + result.stdout and REFRESH not in result.stderr


def test_a_refresh_refused_mid_run_stops_it_with_exit_3(tmp_path: Path) -> None:
    token_file = tmp_path / "refresh-token"
    token_file.write_text(REFRESH)
    out = tmp_path / "out"
    with running_emulator(server(token_lifetime=1.0, max_refreshes=1)) as base_url:
        result = run(out, base_url, token_file)
    assert result.returncode == 3, result.stderr[-2000:]
    last = json.loads(result.stdout.splitlines()[-1])["stop_line"]  # --log-format json: in the last event
    assert last.startswith("stopped after") and "could not be refreshed" in last
    assert (out / "summary.json").is_file() and SECRET not in artefacts(out, result)
