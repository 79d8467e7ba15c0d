"""The emulator's /v1/messages (markdown, one file as multipart) and incoming webhooks, over real HTTP: what
arrived is listed, file included; Webex's limits and auth are kept."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator

import httpx
import pytest

from batch.emulator import EmulatorConfig, running_emulator
from batch.emulator.messages import BOT_TOKEN, MAX_TEXT_BYTES

BOT = {"Authorization": f"Bearer {BOT_TOKEN}"}


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    with running_emulator(EmulatorConfig(rate=1, burst=1)) as url:  # a limit the messages never meet
        yield url


def arrived(base_url: str) -> list[dict]:
    return httpx.get(base_url.replace("/v1", "/_emulator/messages")).json()["items"]


def test_a_bot_message_with_a_file_arrives_whole(base_url: str) -> None:
    content = b"PK\x03\x04 not really a workbook \x00\xff"
    files = {"files": ("retry.xlsx", content, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")}
    data = {"roomId": "room-1", "markdown": "**3 rows** need a look"}
    for _ in range(3):  # above the emulator's rate limit: messages are not API traffic
        response = httpx.post(f"{base_url}/messages", data=data, files=files, headers=BOT)
        assert response.status_code == 200, response.text
    message = arrived(base_url)[-1]
    assert (message["route"], message["target"]) == ("messages", "room-1")
    assert message["markdown"] == "**3 rows** need a look"
    (file,) = message["files"]
    assert file["name"] == "retry.xlsx" and file["size"] == len(content)
    assert base64.b64decode(file["base64"]) == content and file["sha256"] == hashlib.sha256(content).hexdigest()


def test_a_json_message_and_an_incoming_webhook_arrive(base_url: str) -> None:
    assert httpx.post(f"{base_url}/messages", json={"roomId": "r2", "markdown": "hi"}, headers=BOT).status_code == 200
    hook = httpx.post(f"{base_url}/webhooks/incoming/abc123", json={"markdown": "night ok"})  # no token: the URL is it
    assert hook.status_code == 204
    last_two = arrived(base_url)[-2:]
    assert [(m["route"], m["target"], m["markdown"]) for m in last_two] == [
        ("messages", "r2", "hi"),
        ("webhook", "abc123", "night ok"),
    ]


@pytest.mark.parametrize(
    ("path", "kwargs", "status"),
    [
        ("/messages", {"json": {"roomId": "r", "markdown": "x"}}, 401),  # no bot token
        ("/messages", {"json": {"markdown": "x"}, "headers": BOT}, 400),  # no room
        ("/messages", {"json": {"roomId": "r", "markdown": "é" * (MAX_TEXT_BYTES // 2 + 1)}, "headers": BOT}, 400),
        ("/webhooks/incoming/abc", {"json": {"markdown": "x" * (MAX_TEXT_BYTES + 1)}}, 400),
        ("/webhooks/incoming/abc", {"json": {}}, 400),
    ],
)
def test_webex_limits_and_auth(base_url: str, path: str, kwargs: dict, status: int) -> None:
    before = len(arrived(base_url))
    response = httpx.post(f"{base_url}{path}", **kwargs)
    assert response.status_code == status and len(arrived(base_url)) == before
    if status == 400 and "markdown" in kwargs["json"] and len(kwargs["json"]["markdown"]) > 10:
        assert "7439 bytes" in response.json()["message"]
