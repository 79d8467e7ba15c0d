"""The emulator's request log: what a client sent, for tests that check it against the official schemas."""

from __future__ import annotations

import httpx

from batch.emulator import EmulatorConfig, running_emulator
from tests.emulator.conftest import AUTH


def test_request_log_keeps_method_path_query_and_body_and_reset_clears_it() -> None:
    with (
        running_emulator(EmulatorConfig(record_requests=True, rate=0)) as base_url,
        httpx.Client(base_url=base_url.removesuffix("/v1"), headers=AUTH) as client,
    ):
        client.get("/v1/wholesale/customers", params={"externalId": "FI-1"})
        client.post("/v1/wholesale/customers", json={"externalId": "FI-1"})  # 400, still recorded as sent
        log = client.get("/_emulator/requests").json()
        assert [(e["method"], e["path"], e["query"]) for e in log] == [
            ("GET", "/v1/wholesale/customers", "externalId=FI-1"),
            ("POST", "/v1/wholesale/customers", ""),
        ]
        assert log[0]["body"] is None and log[1]["body"] == '{"externalId":"FI-1"}'
        client.post("/_emulator/reset")
        assert client.get("/_emulator/requests").json() == []


def test_request_log_is_off_by_default() -> None:
    with (
        running_emulator(EmulatorConfig(rate=0)) as base_url,
        httpx.Client(base_url=base_url.removesuffix("/v1"), headers=AUTH) as client,
    ):
        client.get("/v1/wholesale/customers")
        assert client.get("/_emulator/requests").json() == []
