"""Fixtures for the action tests: a live emulator over real HTTP, a client on it, an action context.

Shared by the org actions (customers, locations) and the user actions (subscribers, roles). Fixture names
are a contract between those test files: ``emulator_url``, ``client``, ``ctx``, ``emulator_state``,
``run_job``.

Every request body the client sends is recorded by a wrapping transport and, at the end of each test,
checked against the official OpenAPI request schema of its endpoint (when ../shared is present): the
actions must speak the real API, not the emulator's tolerance of it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

import httpx
import pytest

from batch.api.client import ClientConfig, WebexClient
from batch.emulator import EmulatorConfig, running_emulator
from batch.jobs import Job, Kind, Outcome
from batch.provision.context import Action, ActionContext
from tests.openapi_check import check_request, match_path, spec_dir

TOKEN = "emulator-token"
FAST = EmulatorConfig(provisioning_seconds=0, rate=100000, burst=100000)
#: Spec files tried in order for a request's path (the first whose paths match checks the body).
STEMS = (
    "webex-wholesale",
    "webex-numbers",
    "webex-lcs",
    "webex-locations",
    "webex-people",
    "webex-roles",
    "webex-pstn",
)


def emulator_root(base_url: str) -> str:
    """``http://127.0.0.1:PORT`` from ``http://127.0.0.1:PORT/v1`` (operator routes live on the root)."""
    return base_url.removesuffix("/").removesuffix("/v1")


def state(base_url: str) -> dict[str, Any]:
    """Every object the emulator holds (``GET /_emulator/state``): what a test counts to prove no duplicates."""
    response = httpx.get(emulator_root(base_url) + "/_emulator/state", timeout=10)
    response.raise_for_status()
    return response.json()


def reset(base_url: str) -> None:
    httpx.post(emulator_root(base_url) + "/_emulator/reset", timeout=10).raise_for_status()


class RecordingTransport(httpx.AsyncBaseTransport):
    """A real HTTP transport that keeps (method, url, JSON body) of every request with a body."""

    def __init__(self, concurrency: int = 8) -> None:
        limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
        self._inner = httpx.AsyncHTTPTransport(limits=limits)
        self.sent: list[tuple[str, str, Any]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.content:
            self.sent.append((request.method, request.url.path, json.loads(request.content)))
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self._inner.aclose()


def check_sent(sent: list[tuple[str, str, Any]]) -> None:
    """Assert every recorded body fits the official request schema of its endpoint."""
    for method, path, body in sent:
        check_request(spec_stem(path), method, path, body)


def spec_stem(path: str) -> str:
    for stem in STEMS:
        try:
            match_path(stem, path)
        except AssertionError:
            continue
        return stem
    raise AssertionError(f"no official spec covers {path}")


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session")
def emulator_url() -> Iterator[str]:
    """One live emulator for the session: instant provisioning, effectively no rate limit, no faults."""
    with running_emulator(FAST) as base_url:
        yield base_url


@pytest.fixture
def emulator_state(emulator_url: str) -> Callable[..., dict[str, Any]]:
    """``emulator_state()`` → the session emulator's state; ``emulator_state(url)`` → another emulator's."""

    def get(base_url: str | None = None) -> dict[str, Any]:
        return state(base_url or emulator_url)

    return get


def open_client(base_url: str, transport: RecordingTransport, **config: Any) -> WebexClient:
    """A WebexClient on ``base_url`` sending through ``transport`` (not yet entered); ``config`` overrides."""
    settings = {"max_rate": 100000, "concurrency": 8, **config}
    return WebexClient(ClientConfig(base_url, token=TOKEN, **settings), transport=transport)


@pytest.fixture
def recorder() -> RecordingTransport:
    """The transport under ``client``: ``recorder.sent`` lists (method, path, body) of every request with a body."""
    return RecordingTransport()


@pytest.fixture
async def client(emulator_url: str, recorder: RecordingTransport) -> AsyncIterator[WebexClient]:
    """A WebexClient on the emptied session emulator; its request bodies are spec-checked after the test."""
    reset(emulator_url)
    async with open_client(emulator_url, recorder) as webex:
        yield webex
    if spec_dir().is_dir():
        check_sent(recorder.sent)


@pytest.fixture
def ctx(client: WebexClient) -> ActionContext:
    """The runner's context with fast customer polling (the first wait is 10 ms)."""
    return ActionContext(client, poll_initial=0.01)


async def run_with(ctx: ActionContext, action: Action, job: Job) -> Outcome:
    """Run one job as the runner does: count its requests and record its outcome for its children."""
    with ctx.client.track() as counted:
        outcome = await action(job, ctx)
    outcome = dataclasses.replace(outcome, attempts=counted.requests)
    ctx.outcomes[job.key] = outcome
    return outcome


@pytest.fixture
def run_job(ctx: ActionContext) -> Callable[[Action, Job], Awaitable[Outcome]]:
    """``await run_job(action, job)`` → its Outcome, also stored in ``ctx.outcomes[job.key]``."""

    async def run(action: Action, job: Job) -> Outcome:
        return await run_with(ctx, action, job)

    return run


@contextlib.asynccontextmanager
async def context_on(base_url: str, **config: Any) -> AsyncIterator[ActionContext]:
    """An ActionContext on another (e.g. fault-injecting) emulator, emptied first; bodies spec-checked at exit.

    Backoff is made short (10 ms) so retries after injected faults don't slow the tests.
    """
    reset(base_url)
    transport = RecordingTransport()
    settings = {"backoff_initial": 0.01, "backoff_max": 0.05, **config}
    async with open_client(base_url, transport, **settings) as webex:
        yield ActionContext(webex, poll_initial=0.01)
    if spec_dir().is_dir():
        check_sent(transport.sent)


# ---- rows as the validator hands them to the planner ------------------------------------------------


def customer_fields(external_id: str = "FI-100101", **overrides: Any) -> dict[str, Any]:
    """A validated customers row (the columns of ``validate.OUTPUT_COLUMNS`` included) with calling."""
    fields: dict[str, Any] = {
        "external_id": external_id,
        "company_name": "Mäkelän Konepaja Oy",
        "admin_email": f"it.tuki.{external_id.lower()}@makelankonepaja.fi",
        "template": "Nordic Calling",
        "provisioning_id": None,
        "packages": "webex_calling; webex_meetings",
        "language": "fi",
        "address_line1": "Mannerheimintie 12 B",
        "address_line2": "5. kerros",
        "city": "Helsinki",
        "state_or_province": None,
        "postal_code": "00100",
        "country": "FI",
        "supported_location_confirmed": "yes",
        "hq_location_name": "Pääkonttori",
        "timezone": "europe/helsinki",
        "location_language": "fi_FI",
        "emergency_location_identifier": "MKP-HKI-01",
        "numbers": None,
        "main_number": None,
        "_row": 2,
        "packages_list": ["webex_calling", "webex_meetings"],
        "provisioning_id_resolved": "NWYwYzFlMmEtOGQzYi00YzdlLTlhNDEtMmI2ZDhmM2U3YzEw",
        "numbers_e164": [],
        "main_number_e164": None,
        "supported": True,
        "country_code": "FI",
        "timezone_resolved": "Europe/Helsinki",
        "_valid": True,
        "calling": True,
    }
    fields.update(overrides)
    return fields


def location_fields(name: str = "Tampereen tehdas", external_id: str = "FI-100101", **overrides: Any) -> dict[str, Any]:
    """A validated locations row (no state: a Finnish address)."""
    fields: dict[str, Any] = {
        "customer_external_id": external_id,
        "location_name": name,
        "address_line1": "Hatanpään valtatie 24",
        "address_line2": None,
        "city": "Tampere",
        "state_or_province": None,
        "postal_code": "33100",
        "country": "fi",
        "timezone": "Europe/Helsinki",
        "preferred_language": "fi_fi",
        "announcement_language": "FI_FI",
        "numbers": None,
        "main_number": None,
        "_row": 2,
        "numbers_e164": [],
        "main_number_e164": None,
        "customer_in_batch": True,
        "country_code": "FI",
        "timezone_resolved": "Europe/Helsinki",
        "_valid": True,
    }
    fields.update(overrides)
    return fields


def customer_job(external_id: str = "FI-100101", **overrides: Any) -> Job:
    return Job(
        f"customer:{external_id}", Kind.CUSTOMER, "customers", 2, fields=customer_fields(external_id, **overrides)
    )


def hq_job(external_id: str = "FI-100101", hq_name: str | None = "Pääkonttori") -> Job:
    ckey = f"customer:{external_id}"
    return Job(f"hq:{external_id}", Kind.HQ, "customers", 2, (ckey,), {"customer": ckey}, {"hq_location_name": hq_name})


def location_job(name: str = "Tampereen tehdas", external_id: str = "FI-100101", **overrides: Any) -> Job:
    ckey = f"customer:{external_id}"
    fields = location_fields(name, external_id, **overrides)
    return Job(
        f"location:{external_id}/{name.casefold()}", Kind.LOCATION, "locations", 2, (ckey,), {"customer": ckey}, fields
    )
