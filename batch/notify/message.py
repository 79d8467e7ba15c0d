"""The news of a run as a person reads it in a Webex space, Slack or Teams: how it ended, where the reports
are, one line per customer that changed or failed, the top failure reasons, the pending rows.

One composition, three dialects (Webex markdown, Slack mrkdwn, Teams Adaptive Card text). Each receiver has
a size limit (Webex: 7,439 bytes per message), so the message is *fitted*, not cut mid-word: the head
always fits, then each section takes the lines that fit and says how many more there are. Text from the
workbook (customer ids, reasons) sits in code spans or is escaped: a cell must not become a link.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from batch.report.page.details import RunDetails, duration

#: Webex's limit for a message's text (bytes), for /messages and incoming webhooks alike.
WEBEX_LIMIT = 7439
#: Slack shows at most 40,000 characters and asks for 4,000 or fewer in ``text``; counted here in bytes.
SLACK_LIMIT = 4000
#: An Adaptive Card posted to a Teams Workflow must stay under ~28 KB with its JSON around it.
TEAMS_LIMIT = 20000
CUSTOMER_LINES = 40
REASON_LINES = 8
TROUBLE = ("failed", "skipped", "invalid")
CHANGED = ("created", "updated", "removed", "pending")
ERROR_CHARS = 300


@dataclass(frozen=True, slots=True)
class RunNews:
    """What a notification tells; ``summary`` is empty and ``error`` set for a run that could not start."""

    command: str
    run_id: str
    exit_code: int
    host: str
    out_dir: str
    summary: Mapping[str, Any] = field(default_factory=dict)
    details: RunDetails = RunDetails()
    error: str = ""
    attached: str = ""  # the file a Webex space gets with the message


@dataclass(frozen=True, slots=True)
class Dialect:
    """How one receiver writes bold, code and list items, how it escapes, and how much it takes."""

    bold: Callable[[str], str]
    code: Callable[[str], str]
    escape: Callable[[str], str]
    bullet: str
    limit: int


def _md_escape(text: str) -> str:
    return re.sub(r"([\\`*_\[\]<>#|~])", r"\\\1", text)


def _slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _code(text: str) -> str:
    return "`" + text.replace("`", "'") + "`"


WEBEX = Dialect(lambda t: f"**{t}**", _code, _md_escape, "- ", WEBEX_LIMIT)
SLACK = Dialect(lambda t: f"*{t}*", lambda t: _code(_slack_escape(t)), _slack_escape, "• ", SLACK_LIMIT)
TEAMS = Dialect(lambda t: f"**{t}**", lambda t: _md_escape(t), _md_escape, "- ", TEAMS_LIMIT)


def title(news: RunNews) -> str:
    """The first line: the command, how it ended, the exit code."""
    rtm = f"rtm-batch {news.command}"
    if news.exit_code == 2 or (news.error and not news.summary):
        return f"{rtm} could not start (exit {news.exit_code})"
    if news.exit_code == 3:
        return f"{rtm} stopped early (exit 3)"
    rows = int(news.summary.get("rows", 0))
    if news.exit_code == 0:
        return f"{rtm}: all {rows:,} rows done (exit 0)"
    totals = news.summary.get("totals") or {}
    trouble = sum(int(totals.get(s, 0)) for s in TROUBLE)
    return f"{rtm}: {trouble:,} of {rows:,} rows need a look (exit {news.exit_code})"


def compose(news: RunNews, dialect: Dialect) -> str:
    """The whole message in ``dialect``, fitted to its limit."""
    head = [dialect.bold(dialect.escape(title(news))), *_head(news, dialect)]
    return fit(head, _sections(news, dialect), dialect.limit)


def teams_card(news: RunNews) -> dict[str, Any]:
    """The message as a Teams Workflows post: one Adaptive Card, a text block per line."""
    lines = compose(news, TEAMS).split("\n")
    colour = "Good" if news.exit_code == 0 else "Warning" if news.exit_code == 1 else "Attention"
    head = TEAMS.escape(title(news))  # the block itself is bold: no ** around it
    body: list[dict[str, Any]] = [
        {"type": "TextBlock", "text": head, "weight": "Bolder", "size": "Medium", "color": colour, "wrap": True}
    ]
    body += [{"type": "TextBlock", "text": line, "wrap": True, "spacing": "None"} for line in lines[1:] if line]
    card = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": body,
    }
    return {
        "type": "message",
        "attachments": [
            {"contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": None, "content": card}
        ],
    }


def _head(news: RunNews, d: Dialect) -> list[str]:
    lines = []
    if news.error:
        lines.append(d.escape(_one_line(news.error)))
    elif news.exit_code == 3:
        reason = news.summary.get("stopped") or "interrupted"
        lines.append(d.escape(f"{reason}; run the same command to resume"))
    lines.append(f"host {d.code(news.host)} · reports {d.code(news.out_dir)}")
    summary = news.summary
    if summary:
        totals = summary.get("totals") or {}
        counts = [f"{int(n):,} {s}" for s, n in totals.items() if s != "rows" and n]
        lines.append(", ".join(counts) or "no rows")
        api = summary.get("api") or {}
        rate = f"{api.get('achieved_rate', 0)}/s"
        if api.get("settled_rate"):
            rate += f" (settled at {api['settled_rate']}/s)"
        lines.append(
            f"{int(api.get('requests', 0)):,} requests in {duration(float(summary.get('wall_seconds', 0)))}, "
            f"rate {rate}, {int(api.get('throttled', 0)):,} × 429 · run {d.code(news.run_id)}"
        )
    else:
        lines.append(f"run {d.code(news.run_id)}")
    if news.attached:
        lines.append(
            f"Attached: {d.code(news.attached)}"
            + (" (fix its rows and run it again)" if "retry" in news.attached else "")
        )
    return lines


@dataclass(frozen=True, slots=True)
class Section:
    """A titled list; ``more(n)`` is the line saying n more items did not fit."""

    title: str
    items: Sequence[str]
    more: Callable[[int], str]
    hidden: int = 0  # items left out before fitting (summary.json's cap)


def _sections(news: RunNews, d: Dialect) -> list[Section]:
    sections = []
    customers = news.summary.get("customers") or {}
    moved = {name: c for name, c in customers.items() if any(c.get(s) for s in (*TROUBLE, *CHANGED))}
    ordered = sorted(moved, key=lambda name: not any(moved[name].get(s) for s in TROUBLE))
    if ordered:
        names = news.summary.get("customer_names") or {}
        items = [f"{d.bullet}{d.code(c)}{_name(names.get(c), d)}: {_counts(moved[c])}" for c in ordered]
        sections.append(
            Section(
                d.bold("Customers that changed or failed"),
                items,
                lambda n: f"{d.bullet}… and {n:,} more customers: see report.html",
                int(news.summary.get("customers_not_listed") or 0),
            )
        )
    reasons = news.details.reasons
    if reasons:
        items = [f"{d.bullet}{d.code(r.reason)}: {r.rows:,} {r.status}" for r in reasons[:REASON_LINES]]
        sections.append(
            Section(
                d.bold("Top failure reasons"),
                items,
                lambda n: f"{d.bullet}… and {n:,} more reasons in report.html",
                max(0, len(reasons) - REASON_LINES),
            )
        )
    pending = news.details.pending
    if pending.total:
        items = [
            f"{d.bullet}{d.escape(r.sheet)} row {r.row}{f' ({d.escape(r.source)})' if r.source else ''} {d.code(r.key)}"
            + (f", {r.age}" if r.age else "")
            for r in pending.rows
        ]
        sections.append(
            Section(
                d.bold(f"Pending: {pending.total:,} rows"), items, lambda n: f"{d.bullet}… and {n:,} more", pending.more
            )
        )
    return sections


def fit(head: Sequence[str], sections: Sequence[Section], limit: int) -> str:
    """``head`` (always, cut hard only if it alone is too long), then as many lines of each section as fit,
    each cut section ending with its "… and N more" line. Sizes are UTF-8 bytes."""
    lines = list(head)
    used = _size(lines)
    for section in sections:
        block, shown = ["", section.title], 0
        for item in section.items:
            rest = len(section.items) - shown - 1 + section.hidden
            if used + 1 + _size([*block, item, *([section.more(rest)] if rest else [])]) > limit:
                break
            block.append(item)
            shown += 1
        left = len(section.items) - shown + section.hidden
        if left:
            block.append(section.more(left))
        if used + 1 + _size(block) <= limit:
            lines += block
            used = _size(lines)
    text = "\n".join(lines)
    return text if len(text.encode()) <= limit else _cut(text, limit)


def _size(lines: Sequence[str]) -> int:
    return len("\n".join(lines).encode())


def _cut(text: str, limit: int) -> str:
    data = text.encode()[: limit - len("…".encode())]
    return data.decode("utf-8", "ignore") + "…"


def _counts(counts: Mapping[str, int]) -> str:
    order = [*TROUBLE, *CHANGED, "exists"]
    shown = [s for s in order if counts.get(s)] + sorted(s for s in counts if s not in order and counts[s])
    return ", ".join(f"{int(counts[s]):,} {s}" for s in shown)


def _name(name: object, d: Dialect) -> str:
    return f" {d.escape(str(name)[:60])}" if name else ""


def _one_line(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= ERROR_CHARS else line[: ERROR_CHARS - 1] + "…"
