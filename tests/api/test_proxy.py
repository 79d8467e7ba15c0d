"""A whole ``rtm-batch run`` behind a forwarding proxy named only by the environment, as a partner behind a
corporate proxy runs it: every request, the token refreshes included, goes through the proxy with the
tool's User-Agent, and the run succeeds.

httpx reads the proxy variables (``httpx/_utils.py::get_environment_proxies``) and does not exempt loopback
by itself: only ``NO_PROXY`` does (``localhost``, an address, ``*``). So the run's environment drops every
proxy variable of the machine running the tests (both spellings) and sets just the one under test.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from batch.api.client import ClientConfig, WebexClient
from batch.api.http import USER_AGENT
from batch.api.tokens import RefreshSettings
from batch.emulator import EmulatorConfig, running_emulator
from tests.api.forward_proxy import forward_proxy

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples" / "onboarding.xlsx"
CLIENT_ID = "integration-id-4711"
SECRET = "client-secret-Zq81x"
REFRESH = "refresh-token-Lw02p"
PROXY_VARIABLES = {"http_proxy", "https_proxy", "all_proxy", "no_proxy"}


def refreshing_emulator(**overrides: Any) -> EmulatorConfig:
    settings: dict[str, Any] = {"token": "static-token-never-used", "rate": 0, "provisioning_seconds": 0.2}
    settings |= {"client_id": CLIENT_ID, "client_secret": SECRET, "refresh_token": REFRESH}
    return EmulatorConfig(**(settings | overrides))


def environment(proxy_variable: str, proxy: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k.lower() not in PROXY_VARIABLES and not k.startswith("WEBEX_") and k != "REQUEST_METHOD"
    }
    env |= {"WEBEX_CLIENT_ID": CLIENT_ID, "WEBEX_CLIENT_SECRET": SECRET, "WEBEX_REFRESH_TOKEN": REFRESH}
    env[proxy_variable] = proxy
    return env


@pytest.mark.parametrize("proxy_variable", ["ALL_PROXY", "HTTP_PROXY"])
def test_a_whole_run_goes_through_the_proxy_the_environment_names(proxy_variable: str, tmp_path: Path) -> None:
    # tokens expire mid-run: the 401 → refresh path is exercised too
    server = refreshing_emulator(token_lifetime=1.0, rotate_refresh_token=True)
    with running_emulator(server) as base_url, forward_proxy() as (proxy, seen):
        args = ["run", str(SAMPLES), "--out", str(tmp_path / "out"), "--base-url", base_url, "--max-rate", "60"]
        command = [sys.executable, "-c", "from batch.cli import main; main()", *args, "--log-format", "json"]
        env = environment(proxy_variable, proxy)
        result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
        server_total = httpx.get(base_url.removesuffix("/v1") + "/_emulator/stats", timeout=10).json()["total"]

    assert result.returncode == 0, result.stderr[-2000:]
    assert len(seen) == server_total > 100  # nothing went around the proxy
    absolute = re.compile(rf"(GET|POST|PUT|DELETE) {re.escape(base_url)}/\S+ HTTP/1\.1")
    assert [r.request_line for r in seen if not absolute.fullmatch(r.request_line)] == []
    assert {r.headers.get("user-agent") for r in seen} == {USER_AGENT}
    assert all(r.headers.get("trackingid", "").startswith("RTMBATCH_") for r in seen)
    refreshes = [r for r in seen if r.request_line.startswith(f"POST {base_url}/access_token ")]
    events = [json.loads(line)["event"] for line in result.stdout.splitlines() if line.startswith("{")]
    assert len(refreshes) == events.count("refreshed") >= 2  # the first token and at least one mid-run
    assert all("authorization" not in r.headers for r in refreshes)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("no_proxy", "proxied"),
    [("127.0.0.1", False), ("*", False), ("localhost", True), (".example.com", True), ("", True)],
)
async def test_no_proxy_is_read_as_httpx_reads_it_for_the_refresh_and_the_api_alike(
    no_proxy: str, proxied: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """curl's rules, as httpx applies them: an address or ``*`` goes direct; ``localhost`` is a name and does
    not cover 127.0.0.1; a domain suffix covers only its own hosts."""
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)
    with running_emulator(refreshing_emulator()) as base_url, forward_proxy() as (proxy, seen):
        monkeypatch.setenv("ALL_PROXY", proxy)
        monkeypatch.setenv("NO_PROXY", no_proxy)
        tokens = RefreshSettings(base_url, CLIENT_ID, SECRET, REFRESH).source(on_failure=print)
        async with WebexClient(ClientConfig(base_url, "", max_rate=0), auth=tokens) as client:
            await client.sign_in()
            await client.get("/wholesale/customers")
    assert [r.request_line.split()[:2] for r in seen] == (
        [["POST", f"{base_url}/access_token"], ["GET", f"{base_url}/wholesale/customers"]] if proxied else []
    )
