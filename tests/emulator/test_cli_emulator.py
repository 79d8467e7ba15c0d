"""``rtm-batch emulator`` as a person starts it: one command, base URL and token printed, serving at once."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]


def test_emulator_command_prints_base_url_and_token_and_serves() -> None:
    command = [sys.executable, "-m", "batch", "emulator", "--port", "0", "--token", "t0ken-for-test", "--rate", "0"]
    env = {"PATH": "/usr/bin:/bin", "CI": "1", "PYTHONIOENCODING": "utf-8"}
    pipes = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE}
    with subprocess.Popen(command, cwd=ROOT, env=env, text=True, **pipes) as proc:
        try:
            assert proc.stdout is not None
            first, second = proc.stdout.readline(), proc.stdout.readline()
            base_url = first.rsplit(" ", 1)[-1].strip()
            assert base_url.startswith("http://127.0.0.1:") and base_url.endswith("/v1"), first
            assert "t0ken-for-test" in second
            ok = httpx.get(f"{base_url}/wholesale/customers", headers={"Authorization": "Bearer t0ken-for-test"})
            assert ok.status_code == 200 and ok.json() == {"items": []}
            refused = httpx.get(f"{base_url}/wholesale/customers", headers={"Authorization": "Bearer wrong"})
            assert refused.status_code == 401 and refused.headers["Trackingid"]
        finally:
            proc.terminate()
            proc.wait(timeout=10)
