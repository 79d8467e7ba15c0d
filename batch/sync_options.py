"""The options of ``run`` and ``plan`` about what a run may change and how long it waits for Webex, declared
once for the CLI (``--update``, ``--prune``, ``--max-deletes``, ``--provisioning-patience``, ``--resend-consent``),
and which part of the batch it takes (``--shard``; ``report --out`` for the shards' merged summary), and the
refresh-token file both take (issue 18: ``plan`` is set up as ``run`` is)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from batch.validate.shard import Shard

UPDATE = typer.Option(
    False, "--update", help="Apply the differences between rows and the server (else only name them)."
)
PRUNE = typer.Option(False, "--prune", help="Remove subscribers of the batch's customers that no users row names.")
MAX_DELETES = typer.Option(10, "--max-deletes", help="With --prune: if more would be removed, remove none (exit 1).")
PATIENCE = typer.Option(
    15.0,
    "--provisioning-patience",
    metavar="MINUTES",
    help="How long a customer may provision in this run before its rows are pending (the next run goes on).",
)
RESEND_CONSENT = typer.Option(
    False, "--resend-consent", help="Send the consent email again to this batch's users whose free account waits."
)
REFRESH_TOKEN_FILE = typer.Option(
    None,
    "--refresh-token-file",
    help="File holding an integration's refresh token (with WEBEX_CLIENT_ID, WEBEX_CLIENT_SECRET); "
    "a rotated one is written back.",
)


def _check_shard(value: str | None) -> str | None:
    """Checked while the command line is read: a bad value is one line (exit 2) before anything starts."""
    read_shard(value)
    return value


SHARD = typer.Option(
    None,
    "--shard",
    metavar="I/N",
    callback=_check_shard,
    help="Only the customers whose external_id hashes to shard I of N (0-based), with everything under them.",
)
MERGED_OUT = typer.Option(
    None,
    "--out",
    metavar="DIR",
    help="With several OUT: folder for the merged summary.json (default: merged/ beside them).",
)


def read_shard(text: str | None) -> Shard | None:
    """``--shard I/N`` read, or one usage line (exit 2) before anything starts."""
    from batch.validate.shard import parse_shard

    return parse_shard(text) if text is not None else None
