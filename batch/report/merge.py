"""``rtm-batch report OUT1 OUT2 …``: the shards' ``summary.json`` merged into the one a single run would write.

Shards (``--shard I/N``, ``batch.validate.shard``) split the rows of one batch, so their counts add up: per
sheet and status, rows, rows to retry, API requests, retries and 429s. Two things every shard holds whole
are taken once: the ``templates`` sheet (every shard needs it) and ``validation`` (every shard validates
the whole batch). The exit code is the one a single run would have had: 3 when any shard stopped early
(run it again), else 1 when any row needs another run, else 0.

``failures`` counts the rows to retry by sheet, status and reason, read from each shard's ``results.csv``,
so "what went wrong tonight" is one table however many machines ran it. ``shards`` lists each part (its
folder, shard, run id, exit code), so a merged report still says where to look.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import polars as pl
from rich.console import Console

from batch.errors import UsageError
from batch.report.outfolder.atomic import write_atomic
from batch.report.past import load_summary
from batch.report.retry import DONE
from batch.report.summary import status_table

#: Figures of ``api`` that add up across shards (their processes run side by side, so rates add too).
API_SUMS = ("requests", "retries", "throttled", "ambiguous", "settled_rate", "highest_rate_without_429")
SHARED_SHEET = "templates"


def merge_runs(out_dirs: Sequence[Path]) -> dict[str, Any]:
    """Every folder's summary (``UsageError`` when one has none), checked to be distinct shards of one
    batch when they are shards, merged, with the failures of every ``results.csv`` counted."""
    summaries = [load_summary(out)[0] for out in out_dirs]
    check_shards(summaries, out_dirs)
    merged = merge_summaries(summaries)
    merged["failures"] = _merged_failures([failure_counts(out) for out in out_dirs])
    merged["shards"] = [_part(out, s) for out, s in zip(out_dirs, summaries, strict=True)]
    return merged


def check_shards(summaries: Sequence[Mapping[str, Any]], out_dirs: Sequence[Path]) -> None:
    """Shards of one batch: all sharded the same way, each once, none missing; else one line (exit 2)."""
    shards = [s.get("shard") for s in summaries]
    if not any(shards):
        return
    if not all(shards):
        plain = next(str(out) for out, s in zip(out_dirs, shards, strict=True) if not s)
        raise UsageError(f"{plain} is not a shard's run but others are: merge the folders of one sharded batch")
    counts = {int(s["count"]) for s in shards if s}
    if len(counts) > 1:
        raise UsageError(f"the folders are shards of different splits ({' and '.join(map(str, sorted(counts)))})")
    count = counts.pop()
    seen = Counter(int(s["index"]) for s in shards if s)
    twice = sorted(i for i, n in seen.items() if n > 1)
    if twice:
        raise UsageError(f"shard {twice[0]}/{count} is given twice: give each shard's --out folder once")
    missing = sorted(set(range(count)) - set(seen))
    if missing:
        names = ", ".join(f"{i}/{count}" for i in missing)
        raise UsageError(f"shard {names} missing: give every shard's --out folder (a merged report of part is not one)")


def merge_summaries(summaries: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The summary one run of all these rows would have written (see the module docstring)."""
    if not summaries:
        raise UsageError("no run to report: give at least one --out folder")
    sharded = all(s.get("shard") for s in summaries)
    sheets = _merged_sheets(summaries, sharded)
    totals: Counter[str] = Counter()
    for counts in sheets.values():
        totals.update(counts)
    started = min(_time(s["started"]) for s in summaries if s.get("started"))
    finished = max(_time(s["finished"]) for s in summaries if s.get("finished"))
    wall = max((finished - started).total_seconds(), *(float(s.get("wall_seconds", 0)) for s in summaries))
    api = {name: sum(s.get("api", {}).get(name, 0) for s in summaries) for name in API_SUMS}
    api["achieved_rate"] = round(api["requests"] / wall, 2) if wall > 0 else 0.0
    retry_rows = sum(int(s.get("retry_rows", 0)) for s in summaries)
    if sharded and len(summaries) > 1:  # each shard counted the templates rows to retry: once is enough
        once = summaries[0].get("sheets", {}).get(SHARED_SHEET, {})
        retry_rows -= (len(summaries) - 1) * sum(n for status, n in once.items() if status not in DONE | {"rows"})
    interrupted = any(s.get("interrupted") for s in summaries)
    merged: dict[str, Any] = {
        "command": "+".join(sorted({str(s.get("command", "run")) for s in summaries})),
        "started": started.isoformat(timespec="seconds"),
        "finished": finished.isoformat(timespec="seconds"),
        "wall_seconds": round(wall, 3),
        "exit_code": 3 if interrupted or any(s.get("exit_code") == 3 for s in summaries) else int(retry_rows > 0),
        "rows": totals["rows"],
        "retry_rows": retry_rows,
        "sheets": sheets,
        "totals": dict(totals),
        "validation": _merged_validation(summaries, sharded),
        "api": api,
        "merged": len(summaries),
    }
    if interrupted:
        merged["interrupted"] = True
        why = {str(s.get("stopped") or "interrupted") for s in summaries if s.get("interrupted")}
        merged["stopped"] = "; ".join(sorted(why))
    actions = [s["actions"] for s in summaries if isinstance(s.get("actions"), dict)]
    if actions:
        merged["actions"] = _sum_nested(actions)
    return merged


def failure_counts(out_dir: Path) -> Counter[tuple[str, str, str]]:
    """Rows to retry in ``OUT/results.csv`` by (sheet, status, reason); empty when there is no such file."""
    path = out_dir / "results.csv"
    if not path.is_file():
        return Counter()
    frame = pl.read_csv(path, columns=["sheet", "status", "reason"], infer_schema=False)
    frame = frame.with_columns(pl.col("status", "reason").fill_null(""))
    frame = frame.filter(~pl.col("status").is_in(sorted(DONE)))
    return Counter({(sheet, status, reason): n for sheet, status, reason, n in _grouped(frame)})


def _grouped(frame: pl.DataFrame) -> list[tuple[str, str, str, int]]:
    counted = frame.group_by("sheet", "status", "reason").len().sort("sheet", "status", "reason")
    return [(str(a), str(b), str(c), int(n)) for a, b, c, n in counted.iter_rows()]


def failure_table(counts: Counter[tuple[str, str, str]]) -> list[dict[str, Any]]:
    """The counts as summary.json lists them: most frequent first, then by sheet, status and reason."""
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return [{"sheet": s, "status": st, "reason": r, "rows": n} for (s, st, r), n in ordered]


def _merged_failures(parts: Sequence[Counter[tuple[str, str, str]]]) -> list[dict[str, Any]]:
    total: Counter[tuple[str, str, str]] = Counter()
    for i, part in enumerate(parts):
        total.update(part if i == 0 else Counter({k: n for k, n in part.items() if k[0] != SHARED_SHEET}))
    return failure_table(total)


def _merged_sheets(summaries: Sequence[Mapping[str, Any]], sharded: bool) -> dict[str, dict[str, int]]:
    sheets: dict[str, Counter[str]] = {}
    for summary in summaries:
        for name, counts in summary.get("sheets", {}).items():
            if sharded and name == SHARED_SHEET and name in sheets:
                continue  # the same rows in every shard
            sheets.setdefault(name, Counter()).update({k: int(v) for k, v in counts.items()})
    return {name: dict(counts) for name, counts in sheets.items()}


def _merged_validation(summaries: Sequence[Mapping[str, Any]], sharded: bool) -> dict[str, int]:
    parts = [s.get("validation") or {} for s in summaries]
    if sharded:
        return dict(parts[0])
    return dict(_sum_flat(parts))


def _sum_flat(parts: Sequence[Mapping[str, Any]]) -> Counter[str]:
    total: Counter[str] = Counter()
    for part in parts:
        total.update({k: int(v) for k, v in part.items()})
    return total


def _sum_nested(parts: Sequence[Mapping[str, Mapping[str, Any]]]) -> dict[str, dict[str, int]]:
    names = {name for part in parts for name in part}
    return {name: dict(_sum_flat([part.get(name, {}) for part in parts])) for name in sorted(names)}


def _part(out: Path, summary: Mapping[str, Any]) -> dict[str, Any]:
    shard = summary.get("shard")
    return {
        "out": str(out),
        "shard": f"{shard['index']}/{shard['count']}" if shard else None,
        "run_id": summary.get("run_id"),
        "exit_code": summary.get("exit_code"),
        "rows": summary.get("rows"),
        "wall_seconds": summary.get("wall_seconds"),
        "requests": summary.get("api", {}).get("requests"),
    }


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text)


def report_merged(
    out_dirs: Sequence[Path], console: Console, *, as_json: bool = False, html: bool = False, out: Path | None = None
) -> int:
    """``rtm-batch report OUT1 OUT2 …``: merge, write ``summary.json`` (to ``out`` or ``merged/`` beside the
    folders), print it (or the JSON), and return the merged exit code."""
    if html:
        raise UsageError("--html rewrites one run's report.html: give one OUT folder")
    merged = merge_runs(out_dirs)
    written = write_merged(merged, out or default_merged_dir(out_dirs))
    if as_json:
        print(json.dumps(merged, indent=2, ensure_ascii=False))  # as summary.json is: stdout, no markup
    else:
        print_merged(console, merged, written)
    return int(merged["exit_code"])


def write_merged(merged: Mapping[str, Any], out_dir: Path) -> Path:
    """``OUT/summary.json`` with the merged summary (``rtm-batch report OUT`` reads it like any run's)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    text = json.dumps(merged, indent=2, ensure_ascii=False) + "\n"
    return write_atomic(out_dir / "summary.json", lambda p: p.write_text(text, encoding="utf-8"))  # contract §3


def default_merged_dir(out_dirs: Sequence[Path]) -> Path:
    """Where the merged summary goes unless ``--out`` says: ``merged/`` beside the shards' folders."""
    parents = {out.resolve().parent for out in out_dirs}
    return (parents.pop() if len(parents) == 1 else Path.cwd()) / "merged"


def print_merged(console: Console, merged: Mapping[str, Any], written: Path) -> None:
    """The merged counts per sheet and status, the failures by reason, and each shard's line."""
    console.print(status_table(merged, f"Results of {merged.get('merged', 0)} runs"))
    api = merged.get("api", {})
    console.print(
        f"API: {api.get('requests', 0)} requests, {api.get('retries', 0)} retries, "
        f"{api.get('throttled', 0)} throttled (429); {api.get('achieved_rate', 0)} requests/s together "
        f"over {merged.get('wall_seconds', 0)} s (first start to last finish)",
        markup=False,
    )
    for failure in merged.get("failures", [])[:20]:
        reason = failure["reason"] or "(no reason)"
        console.print(f"  {failure['rows']} {failure['sheet']} rows {failure['status']}: {reason}", markup=False)
    for part in merged.get("shards", []):
        label = f"shard {part['shard']}" if part.get("shard") else "run"
        console.print(f"{label}: {part['out']} (exit {part['exit_code']}, {part['rows']} rows)", markup=False)
    console.print(f"Merged summary: {written}", markup=False)
