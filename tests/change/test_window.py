"""``--window`` read and judged (pure): daily windows past midnight, weekly ones, daylight-saving days, and
one line for every way a spec can be wrong."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from batch.change.options import change_control
from batch.change.window import closed_line, open_until, parse_window
from batch.errors import UsageError

HEL = ZoneInfo("Europe/Helsinki")


def at(day: int, hour: int, minute: int = 0, month: int = 12) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=HEL)  # 2026-12-04 is a Friday


@pytest.mark.parametrize(
    ("now", "closes"),
    [
        (at(4, 21, 59), None),
        (at(4, 22, 0), at(5, 5, 0)),
        (at(5, 3, 0), at(5, 5, 0)),
        (at(5, 4, 59), at(5, 5, 0)),
        (at(5, 5, 0), None),
        (at(5, 12, 0), None),
    ],
)
def test_a_daily_window_runs_past_midnight(now: datetime, closes: datetime | None) -> None:
    assert parse_window("22:00-05:00 Europe/Helsinki").open_until(now) == closes


@pytest.mark.parametrize(
    ("now", "closes"),
    [
        (at(5, 19, 59), None),  # Saturday, before
        (at(5, 20, 0), at(6, 6, 0)),
        (at(6, 5, 59), at(6, 6, 0)),  # Sunday morning
        (at(6, 6, 0), None),
        (at(7, 21, 0), None),  # Monday evening: the time of day fits, the day does not
    ],
)
def test_a_weekly_window_holds_its_days(now: datetime, closes: datetime | None) -> None:
    assert parse_window("Sat 20:00-Sun 06:00 Europe/Helsinki").open_until(now) == closes


def test_the_window_keeps_its_wall_clock_across_a_daylight_saving_change() -> None:
    window = parse_window("22:00-05:00 Europe/Helsinki")
    summer = datetime(2026, 3, 28, 23, 0, tzinfo=HEL)  # the clocks go forward that night
    assert window.open_until(summer) == datetime(2026, 3, 29, 5, 0, tzinfo=HEL)
    assert window.open_until(datetime(2026, 3, 29, 1, 59, tzinfo=UTC)) is not None  # 04:59 summer time
    assert window.open_until(datetime(2026, 3, 29, 2, 0, tzinfo=UTC)) is None  # 05:00 summer time: six hours, not seven
    assert window.open_until(datetime(2026, 3, 28, 19, 59, tzinfo=UTC)) is None  # 21:59 winter time


def test_a_zone_left_out_is_utc_and_any_open_window_counts() -> None:
    windows = [parse_window("01:00-02:00"), parse_window("Sat 20:00-Sun 06:00 Europe/Helsinki")]
    assert open_until(windows, datetime(2026, 12, 4, 1, 30, tzinfo=UTC)) == datetime(2026, 12, 4, 2, 0, tzinfo=UTC)
    assert open_until(windows, at(5, 21)) == at(6, 6)
    line = closed_line(windows, datetime(2026, 12, 4, 12, 0, tzinfo=UTC))
    assert line.startswith("outside the change window '01:00-02:00' or 'Sat 20:00-Sun 06:00 Europe/Helsinki'")
    assert "opens next" in line


@pytest.mark.parametrize(
    ("spec", "says"),
    [
        ("tonight", "is not a window"),
        ("25:00-01:00 UTC", "25:00 is not a time of day"),
        ("22:61-01:00 UTC", "22:61 is not a time of day"),
        ("Sat 20:00-06:00 UTC", "a day on both sides or on neither"),
        ("Fri 20:00-Xyz 06:00 UTC", "'Xyz' is not a day"),
        ("22:00-05:00 Europe/Helsingfors", "is not an IANA time zone"),
        ("10:00-10:00 UTC", "opens and closes at the same time"),
    ],
)
def test_a_bad_window_is_one_usage_line(spec: str, says: str) -> None:
    with pytest.raises(UsageError) as caught:
        change_control([spec])
    assert says in str(caught.value) and "\n" not in str(caught.value) and caught.value.exit_code == 2
