"""``--state-file``: a restarted emulator holds what the last one held, and new ids never collide."""

from __future__ import annotations

from pathlib import Path

import httpx

from batch.emulator import EmulatorConfig, running_emulator

TOKEN = "persist-token"


def state(base_url: str) -> dict:
    """The operator's view without timestamps (provisioning that finishes after the last save finishes again
    after a restart, with the same ids but its own clock)."""
    raw = httpx.get(base_url.removesuffix("/v1") + "/_emulator/state", timeout=10).json()
    times = ("created", "last_status_change", "ready_at")
    return {kind: [{k: v for k, v in row.items() if k not in times} for row in rows] for kind, rows in raw.items()}


def customer(n: int) -> dict:
    return {
        "provisioningId": "P1",
        "packages": ["webex_meetings"],
        "externalId": f"ext-{n}",
        "address": {"addressLine1": "Katu 1", "city": "Helsinki", "postalCode": "00100", "country": "FI"},
        "customerInfo": {"name": f"Oy {n}", "primaryEmail": f"admin{n}@example.fi"},
        "provisioningParameters": {"meetings": {"timezone": "Europe/Helsinki"}},
    }


def test_a_restarted_emulator_keeps_its_objects_and_ids_go_on(tmp_path: Path) -> None:
    config = EmulatorConfig(token=TOKEN, rate=0, provisioning_seconds=0, state_file=str(tmp_path / "state.json"))
    headers = {"Authorization": f"Bearer {TOKEN}"}
    with running_emulator(config) as base_url:
        first = httpx.post(base_url + "/wholesale/customers", json=customer(1), headers=headers)
        assert first.status_code == 202, first.text
        before = state(base_url)
    with running_emulator(config) as base_url:
        assert state(base_url) == before
        listed = httpx.get(base_url + "/wholesale/customers", params={"externalId": "ext-1"}, headers=headers)
        assert [c["externalId"] for c in listed.json()["items"]] == ["ext-1"]
        second = httpx.post(base_url + "/wholesale/customers", json=customer(2), headers=headers)
        assert second.status_code == 202, second.text
        ids = [c["id"] for c in state(base_url)["customers"]]
    assert len(ids) == len(set(ids)) == 2
