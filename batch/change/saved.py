"""Saved plans (contract §2: ``plan --save``, ``run --plan``): the plan a person approved, applied as reviewed.

A saved plan holds, per row, what ``plan`` said it would do (create, update with its changes, remove, or
nothing), a digest of the input files and of the options that decide actions, and the server object each
row's look-up read with its fingerprint. ``run --plan`` refuses (exit 2) when the inputs or options differ,
runs only the rows the plan acts on, and before each object is touched compares its fingerprint again: an
object that changed on the server since is ``skipped``, naming what changed (``batch.change.drift``).

Why keep the objects and not only their fingerprints: "it changed" is not enough to decide whether to
approve again; "package: webex_calling → webex_meetings" is. They are what the look-ups returned (names,
emails, addresses, ids), no token or other secret.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from batch.errors import UsageError
from batch.jobs import PLANNED, RowResult
from batch.provision.preview.fingerprints import object_fingerprint

FORMAT = "rtm-batch plan"
VERSION = 1
CREATE, UPDATE, REMOVE, NOTHING = "create", "update", "remove", "none"


@dataclass(frozen=True, slots=True)
class SavedRow:
    """One row of the plan: what ``plan`` said (status, message) and the action ``run --plan`` may take."""

    sheet: str
    row: int | None
    key: str
    action: str
    status: str
    message: str
    fingerprint: str | None = None
    seen: Mapping[str, Any] | None = None
    source: str = ""  # the input of the row: merged inputs repeat row numbers (rows keyed (source, sheet, row))


@dataclass(frozen=True, slots=True)
class SavedPlan:
    path: Path
    created: str
    inputs_sha256: str
    options: Mapping[str, Any]
    rows: tuple[SavedRow, ...]
    sha256: str = ""
    by_row: Mapping[tuple[str, str, int], SavedRow] = field(default_factory=dict)

    def removals(self) -> frozenset[str]:
        return frozenset(r.key.casefold() for r in self.rows if r.action == REMOVE)


def plan_options(base_url: str | None, *, update: bool, prune: bool, max_deletes: int) -> dict[str, Any]:
    """The options that decide a plan's actions, as both ``plan`` and ``run`` name them."""
    return {
        "base_url": (base_url or "").rstrip("/"),
        "update": update,
        "prune": prune,
        "max_deletes": max_deletes if prune else None,
    }


def inputs_digest(inputs: Sequence[Path]) -> str:
    """SHA-256 over every input's bytes (a folder: each file in it, by name), in the order given."""
    digest = hashlib.sha256()
    for path in inputs:
        files = sorted(p for p in path.iterdir() if p.is_file()) if path.is_dir() else [path]
        for file in files:
            digest.update(file.name.encode() + b"\0" + hashlib.sha256(file.read_bytes()).digest())
    return digest.hexdigest()


def action_of(result: RowResult) -> str:
    if result.status != PLANNED:
        return NOTHING
    if result.row is None:
        return REMOVE
    return UPDATE if f"{UPDATE}:" in result.message else CREATE


def save_plan(
    path: Path,
    inputs: Sequence[Path],
    options: Mapping[str, Any],
    results: Sequence[RowResult],
    objects: Mapping[tuple[str, str, int], Mapping[str, Any] | None],
) -> Path:
    """Write the plan as JSON, whole or not at all (temporary name, then rename)."""
    if not options.get("base_url"):
        raise UsageError("plan --save needs --base-url: a saved plan records what the server holds")
    rows = []
    for r in results:
        seen = objects.get((r.source, r.sheet, r.row)) if r.row is not None else None
        known = r.row is not None and (r.source, r.sheet, r.row) in objects
        rows.append(
            {
                "source": r.source,
                "sheet": r.sheet,
                "row": r.row,
                "key": r.key,
                "action": action_of(r),
                "status": str(r.status),
                "message": r.message,
                "fingerprint": object_fingerprint(seen) if known else None,
                "seen": seen,
            }
        )
    document = {
        "format": FORMAT,
        "version": VERSION,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "inputs": [str(p) for p in inputs],
        "inputs_sha256": inputs_digest(inputs),
        "options": dict(options),
        "rows": rows,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(document, handle, ensure_ascii=False, indent=1, default=str)
    os.replace(tmp, path)
    return path


def read_plan(path: Path) -> SavedPlan:
    """A saved plan, or one line (exit 2) saying why it cannot be used."""
    try:
        raw = path.read_bytes()
        document = json.loads(raw)
    except OSError as exc:
        raise UsageError(f"--plan {path}: cannot be read ({exc.strerror or exc})") from None
    except ValueError:
        raise UsageError(
            f"--plan {path}: not a saved plan (not JSON); write one with rtm-batch plan … --save"
        ) from None
    if not isinstance(document, dict) or document.get("format") != FORMAT or document.get("version") != VERSION:
        raise UsageError(f"--plan {path}: not a saved plan of this rtm-batch (format {FORMAT!r}, version {VERSION})")
    rows = tuple(
        SavedRow(
            str(r["sheet"]),
            r["row"],
            str(r["key"]),
            str(r["action"]),
            str(r["status"]),
            str(r["message"]),
            r.get("fingerprint"),
            r.get("seen"),
            str(r.get("source") or ""),
        )
        for r in document["rows"]
    )
    by_row = {(r.source, r.sheet, r.row): r for r in rows if r.row is not None}
    return SavedPlan(
        path,
        str(document["created"]),
        str(document["inputs_sha256"]),
        dict(document["options"]),
        rows,
        hashlib.sha256(raw).hexdigest(),
        by_row,
    )


def check_plan(saved: SavedPlan, inputs: Sequence[Path], options: Mapping[str, Any]) -> None:
    """Refuse (exit 2) a run whose inputs or action-deciding options are not the plan's."""
    if inputs_digest(inputs) != saved.inputs_sha256:
        raise UsageError(
            f"--plan {saved.path}: the inputs changed since the plan was saved ({saved.created}); "
            "nothing was sent: run plan --save again and have it approved"
        )
    differ = [f"{k} {saved.options.get(k)!r} → {v!r}" for k, v in options.items() if saved.options.get(k) != v]
    if differ:
        raise UsageError(
            f"--plan {saved.path}: options differ from the plan's ({'; '.join(differ)}); nothing was sent: "
            "run with the plan's options, or plan --save again"
        )
