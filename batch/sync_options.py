"""The options of ``run`` and ``plan`` about what a run may change and how long it waits for Webex, declared
once for the CLI (``--update``, ``--prune``, ``--max-deletes``, ``--provisioning-patience``, ``--resend-consent``)."""

from __future__ import annotations

import typer

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
