"""``run --prune``'s backup: the customers it is about to remove subscribers from, exported in the input
form to ``OUT/backup-before-prune.xlsx`` before the first DELETE (contract §2: what is about to be pruned is
exported first). Inside the run's event loop, client and memo: the listings it reads are the run's own."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import anyio

from batch.export.exporter import export_customers
from batch.export.templates import Selection
from batch.export.write import write_export
from batch.provision.context import ActionContext

BACKUP = "backup-before-prune.xlsx"


async def backup_before_prune(ctx: ActionContext, external_ids: Iterable[str], out_dir: Path) -> Path | None:
    """Export the named customers to ``out_dir/backup-before-prune.xlsx``; None (nothing written) for none."""
    wanted = tuple(dict.fromkeys(e for e in external_ids if e))
    if not wanted:
        return None
    rows, _ = await export_customers(ctx, Selection(wanted))
    path = out_dir / BACKUP
    await anyio.to_thread.run_sync(write_export, rows, path)
    return path
