"""Fixtures for talking to a live emulator over real HTTP (shared with the org-API tests).

Every response from a ``/wholesale`` path is checked against the official response schema on the way in,
so no test can accept a body the real API would never send.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from batch.emulator import EmulatorConfig, running_emulator
from tests.emulator.bodies import customer_body
from tests.openapi_check import check_request, check_response, spec_dir

TOKEN = "emulator-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def _check_wholesale_response(response: httpx.Response) -> None:
    path = response.request.url.path
    if "/wholesale/" not in path or response.status_code >= 400 or not spec_dir().is_dir():
        return  # the spec gives error bodies no schema; assert_webex_error checks their shape
    response.read()
    if response.content and response.headers.get("content-type", "").startswith("application/json"):
        check_response("webex-wholesale", response.request.method, path, response.status_code, response.json())


def checked_client(base_url: str, **kwargs: Any) -> httpx.Client:
    """An authorised client whose wholesale responses are schema-checked."""
    headers = {**AUTH, **kwargs.pop("headers", {})}
    return httpx.Client(
        base_url=base_url, headers=headers, timeout=10, event_hooks={"response": [_check_wholesale_response]}, **kwargs
    )


def send_checked(client: httpx.Client, method: str, path: str, body: dict[str, Any]) -> httpx.Response:
    """Send a body only after checking it against the official request schema (the tests speak the real API)."""
    if spec_dir().is_dir():
        check_request("webex-wholesale", method, "/v1" + path, body)
    return client.request(method, path, json=body)


@pytest.fixture(scope="session")
def emulator() -> Iterator[str]:
    """One live emulator for the session: instant provisioning, no faults, no rate limit."""
    with running_emulator(EmulatorConfig(provisioning_seconds=0, rate=0)) as base_url:
        yield base_url


@pytest.fixture
def api(emulator: str) -> Iterator[httpx.Client]:
    """A client on an emptied emulator."""
    with checked_client(emulator) as client:
        client.post(emulator.removesuffix("/v1") + "/_emulator/reset").raise_for_status()
        yield client


@pytest.fixture
def org(make_customer: Callable[..., dict[str, Any]]) -> str:
    """The org of a freshly provisioned, managed calling customer."""
    return make_customer()["orgId"]


@pytest.fixture
def make_customer(api: httpx.Client) -> Callable[..., dict[str, Any]]:
    """Provision a calling customer (body fields overridable) and return its GET body once provisioned and
    managed (the ``GET /organizations/{orgId}`` handshake done)."""

    def make(external_id: str = "FI-000123", **overrides: Any) -> dict[str, Any]:
        created = send_checked(api, "POST", "/wholesale/customers", customer_body(external_id, **overrides))
        assert created.status_code == 202, created.text
        body = api.get(created.headers["Location"]).json()
        assert body["status"] == "provisioned", body
        api.get(f"/organizations/{body['orgId']}").raise_for_status()  # the partner now manages it (§10.1)
        return body

    return make


class FakeClock:
    """A clock tests move by hand, so async provisioning is observed without sleeping."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def asgi_client() -> Callable[..., httpx.AsyncClient]:
    """In-process client on a fresh app built from config overrides (for clock and fault tests)."""
    from batch.emulator import create_app

    def make(**config: Any) -> httpx.AsyncClient:
        app = create_app(EmulatorConfig(**config))
        transport = httpx.ASGITransport(app=app)
        client = httpx.AsyncClient(
            transport=transport, base_url="http://emulator.test/v1", headers=AUTH, event_hooks={"response": [_acheck]}
        )
        client.app = app  # type: ignore[attr-defined]
        return client

    return make


async def _acheck(response: httpx.Response) -> None:
    await response.aread()
    _check_wholesale_response(response)
