"""The token as the client's ``httpx.Auth`` (``batch.api.auth``, ``batch.api.tokens``) on a scripted server:
the first token fetched through the run's own client, one refresh at a time however many requests see a
401, a 401 for a replaced token resent with the new one, a refused refresh mid-run stopping the run, and no
secret anywhere. The same over real processes and a real emulator: ``test_tokens.py``."""

from __future__ import annotations

import stat
from pathlib import Path
from urllib.parse import parse_qs

import anyio
import httpx
import pytest

from batch.api.auth import StaticToken
from batch.api.client import ClientConfig, WebexClient
from batch.api.http import USER_AGENT
from batch.api.tokens import RefreshSettings, TokenSource
from batch.errors import AuthError, RunStopped

pytestmark = pytest.mark.anyio

BASE = "http://127.0.0.1:9/v1"
CLIENT_ID = "integration-id-4711"
SECRET = "client-secret-Zq81x"
REFRESH = "refresh-token-Lw02p"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


class Authority:
    """A server whose access tokens are ``access-1``, ``access-2``…; only the newest is valid. Keeps every
    request as (path, Authorization header). ``refusals`` makes that many refreshes after the first fail.
    ``hold()`` keeps the next refreshes from answering until ``release()``: requests pile up behind them."""

    def __init__(self, *, refusals: int = 0, rotate: bool = False) -> None:
        self.issued = 0
        self.refusals = refusals
        self.rotate = rotate
        self.gate: anyio.Event | None = None
        self.refresh_token = REFRESH
        self.seen: list[tuple[str, str | None]] = []
        self.refresh_requests: list[httpx.Request] = []

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        self.seen.append((request.url.path, request.headers.get("authorization")))
        if request.url.path == "/v1/access_token":
            return await self._token(request)
        if request.headers.get("authorization") != f"Bearer access-{self.issued}":
            return httpx.Response(401, json={"message": "The request requires a valid access token"})
        return httpx.Response(200, json={"items": []})

    async def _token(self, request: httpx.Request) -> httpx.Response:
        self.refresh_requests.append(request)
        form = {k: v[0] for k, v in parse_qs(request.content.decode()).items()}
        if self.gate is not None:
            await self.gate.wait()
        if self.issued and self.refusals:
            self.refusals -= 1
            return httpx.Response(400, json={"message": "invalid_grant"})
        if form.get("refresh_token") != self.refresh_token or form.get("client_secret") != SECRET:
            return httpx.Response(400, json={"message": "invalid_grant"})
        self.issued += 1
        body = {"access_token": f"access-{self.issued}", "expires_in": 1209600}
        if self.rotate:
            self.refresh_token = body["refresh_token"] = f"refresh-{self.issued}"
        return httpx.Response(200, json=body)

    def hold(self) -> None:
        self.gate = anyio.Event()

    def release(self) -> None:
        assert self.gate is not None
        self.gate.set()

    def expire(self) -> None:
        """Every token issued so far stops working (the next refresh gives a valid one)."""
        self.issued += 1


def source(refresh_token_file: Path | None = None, secret: str = SECRET) -> tuple[TokenSource, list[str]]:
    failures: list[str] = []
    settings = RefreshSettings(BASE, CLIENT_ID, secret, REFRESH, refresh_token_file)
    return settings.source(on_failure=failures.append), failures


def client_on(authority: Authority, auth: TokenSource | None = None, **config: object) -> WebexClient:
    settings = {"max_rate": 0, "concurrency": 8, **config}
    return WebexClient(
        ClientConfig(BASE, "", **settings),  # type: ignore[arg-type]
        transport=httpx.MockTransport(authority),
        auth=auth,
    )


async def test_the_first_token_comes_through_the_clients_own_http_client() -> None:
    """The refresh is a request of the run's one httpx client: its User-Agent and TrackingID, no bearer."""
    authority = Authority()
    tokens, _ = source()
    async with client_on(authority, tokens, run_id="r1") as client:
        await client.sign_in()
        await client.get("/people")
    assert authority.seen == [("/v1/access_token", None), ("/v1/people", "Bearer access-1")]
    refresh = authority.refresh_requests[0]
    assert refresh.headers["user-agent"] == USER_AGENT
    assert refresh.headers["trackingid"] == "RTMBATCH_r1_1"
    assert client.stats.requests == 2 and tokens.refreshes == 1


async def test_a_refused_refresh_token_at_start_is_an_auth_error_and_nothing_else_is_sent() -> None:
    authority = Authority()
    tokens, failures = source(secret="wrong-secret-99")
    async with client_on(authority, tokens) as client:
        with pytest.raises(AuthError, match="refresh token was refused") as caught:
            await client.sign_in()
    assert caught.value.status == 400
    assert "wrong-secret-99" not in str(caught.value) and REFRESH not in str(caught.value)
    assert [path for path, _ in authority.seen] == ["/v1/access_token"]
    assert failures == []  # at start the run has not begun: exit 2, not a stop


async def test_many_requests_that_see_a_401_make_one_refresh_and_are_all_resent_with_the_new_token() -> None:
    authority = Authority()
    tokens, failures = source()
    refreshed: list[int] = []
    tokens.on_refreshed = lambda: refreshed.append(tokens.refreshes)
    async with client_on(authority, tokens) as client:
        await client.sign_in()
        authority.expire()
        authority.hold()
        async with anyio.create_task_group() as tg:
            for _ in range(8):
                tg.start_soon(client.get, "/people")
            await anyio.wait_all_tasks_blocked()  # all 8 have their 401; one refresh is under way
            authority.release()
    assert tokens.refreshes == 2 and refreshed == [1, 2] and failures == []
    after = [auth for path, auth in authority.seen[1:] if path == "/v1/people"]
    assert after.count("Bearer access-1") == 8  # each sent once with the expired token…
    assert after.count("Bearer access-3") == 8  # …and once more with the one new token
    assert client.stats.by_status == {200: 10, 401: 8}


async def test_a_request_started_during_a_refresh_waits_for_it_and_goes_out_with_the_new_token() -> None:
    authority = Authority()
    tokens, _ = source()
    async with client_on(authority, tokens) as client:
        await client.sign_in()
        authority.expire()  # access-1 is dead; the next token will be access-3
        authority.hold()
        async with anyio.create_task_group() as tg:
            tg.start_soon(client.get, "/people")  # 401 → the refresh, held
            await anyio.wait_all_tasks_blocked()
            tg.start_soon(client.get, "/during")  # starts while the refresh runs
            await anyio.wait_all_tasks_blocked()
            authority.release()
    assert tokens.refreshes == 2
    by_path = {path: [auth for p, auth in authority.seen if p == path] for path in ("/v1/people", "/v1/during")}
    assert by_path == {"/v1/people": ["Bearer access-1", "Bearer access-3"], "/v1/during": ["Bearer access-3"]}


async def test_a_401_for_a_token_already_replaced_is_resent_with_the_new_one_without_another_refresh() -> None:
    """A request on the wire while another one refreshed comes back 401 for the old token."""
    authority = Authority()
    tokens, _ = source()
    answered = anyio.Event()

    async def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/slow" and request.headers["authorization"] == "Bearer access-1":
            await answered.wait()  # its 401 (for access-1) comes after the refresh that replaced access-1
        return await authority(request)

    client = WebexClient(ClientConfig(BASE, "", max_rate=0), transport=httpx.MockTransport(answer), auth=tokens)
    async with client:
        await client.sign_in()
        async with anyio.create_task_group() as tg:
            tg.start_soon(client.get, "/slow")
            await anyio.wait_all_tasks_blocked()  # /slow is on the wire with access-1
            authority.expire()
            await client.get("/people")  # 401 → refresh → access-3
            answered.set()
    assert tokens.refreshes == 2
    assert [auth for path, auth in authority.seen if path == "/v1/slow"] == ["Bearer access-1", "Bearer access-3"]


async def test_a_refresh_refused_mid_run_stops_the_run_once() -> None:
    authority = Authority(refusals=5)
    tokens, failures = source()
    async with client_on(authority, tokens) as client:
        await client.sign_in()
        authority.expire()
        with pytest.raises(RunStopped, match="could not be refreshed"):
            await client.get("/people")
    assert len(failures) == 1 and "could not be refreshed" in failures[0] and "HTTP 400" in failures[0]
    assert all(secret not in failures[0] for secret in (SECRET, REFRESH, "access-"))


async def test_a_rotated_refresh_token_is_written_back_atomically_with_mode_0600(tmp_path: Path) -> None:
    token_file = tmp_path / "refresh-token"
    token_file.write_text(REFRESH + "\n")
    token_file.chmod(0o644)
    authority = Authority(rotate=True)
    tokens, _ = source(token_file)
    async with client_on(authority, tokens) as client:
        await client.sign_in()
        authority.expire()
        await client.get("/people")
    assert token_file.read_text() == "refresh-3\n"  # the newest, which the server now expects
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["refresh-token"]  # no temporary file left beside it


async def test_a_static_token_is_sent_as_it_is_and_a_401_is_final() -> None:
    authority = Authority()
    async with client_on(authority, None, max_attempts=3) as client:
        with pytest.raises(AuthError):
            await client.get("/people")
    assert authority.seen == [("/v1/people", "Bearer ")]  # ClientConfig's token (empty here), once, no refresh


def test_no_secret_in_any_repr() -> None:
    tokens, _ = source()
    client = WebexClient(ClientConfig(BASE, "static-secret-1"), auth=None)
    shown = [repr(tokens), repr(tokens.settings), repr(StaticToken("static-secret-1")), repr(client), repr(client.auth)]
    for secret in (SECRET, REFRESH, "static-secret-1"):
        assert all(secret not in text for text in shown)
