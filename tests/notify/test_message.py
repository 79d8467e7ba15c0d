"""The message a person reads: the head always there, sections fitted to the receiver's limit with "… and N
more", workbook text unable to become markup, one dialect per receiver."""

from __future__ import annotations

from batch.notify.message import SLACK, TEAMS, WEBEX, WEBEX_LIMIT, RunNews, compose, teams_card, title
from batch.report.page.details import ListedRow, Listing, ReasonCount, RunDetails

SUMMARY = {
    "command": "run",
    "exit_code": 1,
    "rows": 12000,
    "wall_seconds": 3725.0,
    "totals": {"created": 9000, "exists": 2000, "failed": 400, "skipped": 600, "rows": 12000},
    "api": {"requests": 30000, "throttled": 12, "achieved_rate": 8.05, "settled_rate": 9.5},
    "customers": {f"FI-{i:06d}": {"created": 15, "failed": 1} for i in range(500)},
    "customer_names": {"FI-000000": "Mäkelän **Konepaja** Oy"},
    "customers_not_listed": 250,
}
DETAILS = RunDetails(
    reasons=(ReasonCount("subscriber.email_in_other_org", "failed", 400), ReasonCount("skipped", "skipped", 600)),
    pending=Listing((ListedRow("users", "14", "a@b.fi", "pending", age="3 h 10 min"),), 4),
)
NEWS = RunNews("run", "abc123", 1, "nightly-01", "/srv/out/2026-12-03", SUMMARY, DETAILS)


def test_a_big_night_is_fitted_to_webex_and_says_what_it_left_out() -> None:
    text = compose(NEWS, WEBEX)
    assert len(text.encode()) <= WEBEX_LIMIT
    lines = text.split("\n")
    assert lines[0] == "**rtm-batch run: 1,000 of 12,000 rows need a look (exit 1)**"
    assert "host `nightly-01` · reports `/srv/out/2026-12-03`" in text and "1 h 2 min" in text
    assert "`FI-000000` Mäkelän \\*\\*Konepaja\\*\\* Oy: 1 failed, 15 created" in text
    more = next(line for line in lines if "more customers" in line)
    shown = sum(1 for line in lines if line.startswith("- `FI-"))
    assert more == f"- … and {500 - shown + 250:,} more customers: see report.html"


def test_every_section_gets_its_place_when_there_is_room() -> None:
    small = RunNews("run", "r", 1, "h", "/o", {**SUMMARY, "customers": {"FI-1": {"failed": 2}}}, DETAILS)
    text = compose(small, WEBEX)
    assert "**Top failure reasons**\n- `subscriber.email_in_other_org`: 400 failed\n- `skipped`: 600 skipped" in text
    assert "**Pending: 5 rows**\n- users row 14 `a@b.fi`, 3 h 10 min\n- … and 4 more" in text


def test_workbook_text_cannot_become_markup() -> None:
    hostile = {"customers": {"x`](http://evil)": {"failed": 1}}, "customer_names": {"x`](http://evil)": "<b>[a](b)"}}
    news = RunNews("run", "r", 1, "h", "/o", {**SUMMARY, **hostile}, RunDetails())
    webex = compose(news, WEBEX)
    assert "`x'](http://evil)` \\<b\\>\\[a\\](b)" in webex
    slack = compose(news, SLACK)
    assert "&lt;b&gt;" in slack and "<b>" not in slack and slack.startswith("*rtm-batch run:")


def test_a_run_that_could_not_start_says_why_first() -> None:
    news = RunNews("run", "r9", 2, "h", "/o", error="the refresh token was refused (POST /access_token: HTTP 400)")
    assert title(news) == "rtm-batch run could not start (exit 2)"
    lines = compose(news, WEBEX).split("\n")
    assert lines[1] == "the refresh token was refused (POST /access\\_token: HTTP 400)" and "run `r9`" in lines


def test_a_head_longer_than_the_limit_is_cut_not_refused() -> None:
    news = RunNews("run", "r", 2, "h" * 9000, "/o", error="x")
    text = compose(news, WEBEX)
    assert len(text.encode()) <= WEBEX_LIMIT and text.endswith("…")


def test_teams_gets_an_adaptive_card_and_slack_its_own_marks() -> None:
    card = teams_card(NEWS)["attachments"][0]["content"]
    assert card["type"] == "AdaptiveCard" and card["body"][0]["color"] == "Warning"
    assert card["body"][0]["text"] == "rtm-batch run: 1,000 of 12,000 rows need a look (exit 1)"
    assert all(len(block["text"]) < 1000 for block in card["body"])
    assert len(compose(NEWS, TEAMS).encode()) <= TEAMS.limit
    assert "• `FI-000000`" in compose(NEWS, SLACK) and len(compose(NEWS, SLACK).encode()) <= SLACK.limit


def test_a_pending_row_of_merged_inputs_names_its_input() -> None:
    """Merged inputs each have a ``users row 14``: the notification says which (results.csv's ``source``)."""
    row = ListedRow("users", "14", "a@b.fi", "pending", age="3 h", source="extra/users.csv")
    details = RunDetails(pending=Listing((row,), 0))
    small = RunNews("run", "r", 1, "h", "/o", {**SUMMARY, "customers": {"FI-1": {"pending": 1}}}, details)
    assert "users row 14 (extra/users.csv) `a@b.fi`, 3 h" in compose(small, WEBEX)
