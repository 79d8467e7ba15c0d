"""Which receiver a --notify-url is: by host and path as partners copy them, or by an explicit prefix; only
https (plain http to loopback); a webhook URL's path (its secret) is never shown. What a run read is
fingerprinted without ever blocking on it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from batch.errors import UsageError
from batch.notify.inputs import input_hash
from batch.notify.targets import Kind, parse_target


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("https://webexapis.com/v1/webhooks/incoming/Y2lzY29zcGFyazovL3Vz", Kind.WEBEX),
        ("https://hooks.slack.com/services/T000/B000/XXXX", Kind.SLACK),
        ("https://prod-21.westeurope.logic.azure.com:443/workflows/abc/triggers/manual/paths/invoke?sig=s", Kind.TEAMS),
        ("https://default1.environment.api.powerplatform.com/powerautomate/automations/direct/workflows/x", Kind.TEAMS),
        ("https://hooks.example.com/rtm-batch", Kind.JSON),
        ("slack+https://chat.example.com/hooks/abc", Kind.SLACK),
        ("teams+http://127.0.0.1:9/x", Kind.TEAMS),
        ("json+https://webexapis.com/v1/webhooks/incoming/abc", Kind.JSON),
    ],
)
def test_the_kind_comes_from_the_url(url: str, kind: Kind) -> None:
    target = parse_target(url)
    assert target.kind == kind and not target.url.startswith(("slack+", "teams+", "json+"))


def test_a_webex_space_needs_its_id_and_names_it() -> None:
    target = parse_target("webex://Y2lzY29zcGFyazovL3VzL1JPT00vYWJj")
    assert (target.kind, target.room_id) == (Kind.WEBEX_ROOM, "Y2lzY29zcGFyazovL3VzL1JPT00vYWJj")
    with pytest.raises(UsageError, match="ROOM_ID"):
        parse_target("webex://")


@pytest.mark.parametrize("url", ["http://hooks.example.com/x", "ftp://127.0.0.1/x", "not a url", "slack+http://a.b/c"])
def test_plain_http_only_to_this_machine(url: str) -> None:
    with pytest.raises(UsageError, match="--notify-url must be https://"):
        parse_target(url)


def test_only_the_host_is_ever_shown() -> None:
    target = parse_target("https://hooks.slack.com/services/T000/B000/SECRETPART")
    assert target.shown == "slack receiver at hooks.slack.com" and "SECRETPART" not in repr(target)


def test_the_input_hash_never_reads_a_fifo_or_a_missing_file(tmp_path: Path) -> None:
    """A FIFO given as input (the run refuses it with exit 2) would block the hash for ever."""
    book = tmp_path / "in.xlsx"
    book.write_bytes(b"workbook bytes")
    folder = tmp_path / "csv"
    folder.mkdir()
    (folder / "users.csv").write_text("a;b\n")
    assert len(input_hash([book, folder])) == 64 and input_hash([book]) != input_hash([folder])
    os.mkfifo(tmp_path / "pipe.csv")
    assert input_hash([tmp_path / "pipe.csv"]) == "" and input_hash([tmp_path / "missing.xlsx"]) == ""
