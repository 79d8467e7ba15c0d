"""Error answers as one line a person can act on: a 404 on a URL without /v1 says the base URL lacks it."""

from __future__ import annotations

import httpx

from batch.api.errors import status_error
from batch.emulator import EmulatorConfig, running_emulator

TOKEN = "errors-token"


def test_a_404_without_v1_in_the_url_hints_at_the_base_url() -> None:
    with running_emulator(EmulatorConfig(token=TOKEN)) as base:
        headers = {"Authorization": f"Bearer {TOKEN}"}
        without = httpx.get(base.removesuffix("/v1") + "/wholesale/customers", headers=headers)
        wrong_id = httpx.get(base + "/wholesale/customers/nope", headers=headers)
    assert without.status_code == 404
    assert "--base-url probably lacks /v1" in str(status_error(without, "look up customers", 1))
    assert wrong_id.status_code == 404
    assert "/v1" not in str(status_error(wrong_id, "look up customer nope", 1)).split("HTTP 404")[1]
