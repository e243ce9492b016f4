"""Lookback / provisional-window arithmetic (pure functions; see docs/decisions.md for defaults)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import date, timedelta
from typing import TypeVar

from ingestion.common.errors import ApiError

T = TypeVar("T")

# Per-platform lookback defaults live in the platform registry (ingestion.platforms).


def days_between(date_from: date, date_to: date) -> list[date]:
    """Every day in [date_from, date_to] (inclusive); empty when from > to."""
    return [date_from + timedelta(days=i) for i in range((date_to - date_from).days + 1)]


def repull_since(today: date, lookback_days: int) -> date:
    """First day re-fetched on every run: the last `lookback_days` complete days."""
    return today - timedelta(days=lookback_days)


def provisional_since(today: date, lookback_days: int) -> date:
    """First provisional day. A day may change until it is `lookback_days` old; the run that fetches it at
    exactly that age fetches its final value (and is its last re-pull), so it is flagged final then.
    Otherwise the last re-pull would leave it marked provisional for ever."""
    return today - timedelta(days=max(lookback_days - 1, 0))


def is_provisional(day: date, *, today: date, lookback_days: int) -> bool:
    """True when `day` is inside the restatement window as of `today`."""
    return day >= provisional_since(today, lookback_days)


def provisional_days(date_from: date, date_to: date, *, today: date, lookback_days: int) -> list[date]:
    """The days of [from, to] that are provisional as of `today`."""
    return [
        d
        for d in days_between(date_from, date_to)
        if is_provisional(d, today=today, lookback_days=lookback_days)
    ]


def repull_window(
    date_from: date, date_to: date, *, today: date, lookback_days: int, include_today: bool = False
) -> tuple[date, date] | None:
    """The window to actually fetch for a requested [from, to].

    The end is clipped to yesterday (today is incomplete unless `include_today`). When the request reaches
    into the restatement window, the start is pulled back so every provisional day is re-fetched; a
    historical backfill far from today is left as asked. None when nothing is fetchable.
    """
    if date_from > date_to:
        raise ValueError(f"date_from {date_from} is after date_to {date_to}")
    last = today if include_today else today - timedelta(days=1)
    end = min(date_to, last)
    if date_from > end:
        return None
    start = date_from
    since = repull_since(today, lookback_days)
    if end >= since - timedelta(days=1) and lookback_days > 0:
        start = min(start, since)
    if start > end:
        return None
    return start, end


def split_window(date_from: date, date_to: date, max_days: int) -> Iterator[tuple[date, date]]:
    """Consecutive sub-windows of at most `max_days` days covering [from, to] (API span limits)."""
    if max_days < 1:
        raise ValueError("max_days must be >= 1")
    start = date_from
    while start <= date_to:
        end = min(date_to, start + timedelta(days=max_days - 1))
        yield start, end
        start = end + timedelta(days=1)


def halving(
    fetch: Callable[[date, date], Iterable[T]],
    date_from: date,
    date_to: date,
    *,
    too_long: Callable[[ApiError], bool],
) -> Iterator[T]:
    """`fetch(date_from, date_to)`; when it fails with an error `too_long` accepts (the platform refuses a period
    that long), each half of the window is fetched the same way, down to single days, whose failure is raised."""
    try:
        yield from fetch(date_from, date_to)
    except ApiError as exc:
        if not too_long(exc) or date_from == date_to:
            raise
        mid = date_from + timedelta(days=(date_to - date_from).days // 2)
        yield from halving(fetch, date_from, mid, too_long=too_long)
        yield from halving(fetch, mid + timedelta(days=1), date_to, too_long=too_long)


def load_window(
    date_from: date,
    date_to: date,
    *,
    today: date,
    lookback_days: int,
    platform: str,
    include_today: bool = False,
) -> tuple[date, date]:
    """`repull_window`, or a ConfigError naming the platform when the request holds no fetchable day."""
    from ingestion.common.errors import ConfigError

    window = repull_window(
        date_from, date_to, today=today, lookback_days=lookback_days, include_today=include_today
    )
    if window is None:
        last = "today" if include_today else "a complete day before today"
        raise ConfigError(
            f"nothing to fetch: {date_from}..{date_to} has no day up to {last} ({today})", platform=platform
        )
    return window
