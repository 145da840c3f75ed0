"""Window arithmetic: daily and weekly UTC windows, their lengths and overlaps, as AWS checks."""

from __future__ import annotations

_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_MINUTES_PER_DAY = 24 * 60
_MINUTES_PER_WEEK = 7 * _MINUTES_PER_DAY
# AWS's minimums: RDS backup and maintenance windows 30 minutes, ElastiCache snapshot window 60.
MIN_BACKUP_WINDOW = 30
MIN_MAINTENANCE_WINDOW = 30
MIN_SNAPSHOT_WINDOW = 60


def _clock(text: str) -> int:
    hours, minutes = (int(part) for part in text.split(":"))
    if hours > 23 or minutes > 59:
        raise ValueError(text)
    return hours * 60 + minutes


def _span(start: int, end: int, period: int) -> tuple[int, int]:
    """A window as (start, length) in minutes; a window that wraps past the period's end wraps."""
    return start, (end - start) % period


def _daily(window: str) -> tuple[int, int]:
    start, end = window.split("-")
    return _span(_clock(start), _clock(end), _MINUTES_PER_DAY)


def _weekly(window: str) -> tuple[int, int]:
    start, end = window.split("-")

    def minute_of_week(point: str) -> int:
        day, clock = point.split(":", 1)
        return _DAYS.index(day) * _MINUTES_PER_DAY + _clock(clock)

    return _span(minute_of_week(start), minute_of_week(end), _MINUTES_PER_WEEK)


def _overlaps(daily: tuple[int, int], weekly: tuple[int, int]) -> bool:
    """Whether a window repeated every day meets a weekly window (minutes of the week)."""
    w_start, w_length = weekly
    d_start, d_length = daily
    for day in range(8):  # one extra day for a daily window that wraps past midnight on Sunday
        start = day * _MINUTES_PER_DAY + d_start
        for offset in (0, _MINUTES_PER_WEEK):
            if start < w_start + offset + w_length and w_start + offset < start + d_length:
                return True
    return False


def window_problems(
    daily_key: str, daily: str, weekly_key: str, weekly: str, daily_minimum: int
) -> list[str]:
    """Bad clock values, windows shorter than AWS accepts, and overlaps, one message each."""
    try:
        daily_span = _daily(daily)
    except ValueError:
        return [f"{daily_key} is {daily!r}; accepted: a UTC window with hours 00-23, minutes 00-59"]
    try:
        weekly_span = _weekly(weekly)
    except ValueError:
        return [f"{weekly_key} is {weekly!r}; accepted: hours 00-23 and minutes 00-59"]
    problems = []
    if daily_span[1] < daily_minimum:
        problems.append(f"{daily_key} is {daily!r}; accepted: at least {daily_minimum} minutes")
    if weekly_span[1] < MIN_MAINTENANCE_WINDOW:
        problems.append(
            f"{weekly_key} is {weekly!r}; accepted: at least {MIN_MAINTENANCE_WINDOW} minutes"
        )
    if not problems and _overlaps(daily_span, weekly_span):
        problems.append(
            f"{daily_key} is {daily!r}; accepted: a window that does not overlap "
            f"{weekly_key} ({weekly}), which AWS refuses"
        )
    return problems
