"""Cross-cutting behaviours of webex-api.md §11 over real HTTP: messy ``Retry-After`` values (§11.8) and
423 / 504 among the injected transient failures (§11.21)."""

from __future__ import annotations

from tests.emulator.bodies import customer_body
from tests.emulator.calls import served


def test_429s_cycle_through_the_retry_after_values_webex_sends() -> None:
    values = ("", "0", "rand(30),add(30)", "194")
    with served(rate=0.001, burst=1, retry_after_values=values) as api:
        assert api.get("/roles").status_code == 200  # the one token of the bucket
        answers = [api.get("/roles") for _ in values]
    assert [r.status_code for r in answers] == [429] * 4
    assert [r.headers.get("Retry-After") for r in answers] == [None, "0", "rand(30),add(30)", "194"]


def test_a_retry_after_of_0_is_sent_as_0() -> None:
    """``--retry-after 0`` answers ``Retry-After: 0`` (it used to be read as "not set": the bucket's wait)."""
    with served(rate=0.001, burst=1, retry_after=0) as api:
        assert api.get("/roles").status_code == 200
        refused = api.get("/roles")
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "0"


def test_injected_failures_can_be_423_and_504() -> None:
    with served(provisioning_seconds=0, error_rate=1.0, error_statuses=(423, 504)) as api:
        answers = [api.post("/wholesale/customers", json=customer_body(f"FI-{i}")) for i in range(3)]
        assert [r.status_code for r in answers] == [423, 504, 423]
        assert answers[0].headers["Retry-After"] == "1" and "Retry-After" not in answers[1].headers
        assert api.get("/wholesale/customers").json()["items"] == []  # refused before the write
