from datetime import date

import pytest

from ingestion.common.windows import (
    days_between,
    is_provisional,
    provisional_days,
    repull_window,
    split_window,
)

TODAY = date(2026, 3, 15)


def test_lookback_window_repulls_the_provisional_days_when_asked_for_yesterday():
    assert repull_window(date(2026, 3, 14), date(2026, 3, 14), today=TODAY, lookback_days=3) == (
        date(2026, 3, 12),
        date(2026, 3, 14),
    )


def test_window_end_is_clipped_to_yesterday_because_today_is_incomplete():
    assert repull_window(date(2026, 3, 1), date(2026, 3, 20), today=TODAY, lookback_days=0) == (
        date(2026, 3, 1),
        date(2026, 3, 14),
    )


def test_historical_backfill_far_from_today_is_not_widened():
    assert repull_window(date(2025, 1, 1), date(2025, 1, 31), today=TODAY, lookback_days=7) == (
        date(2025, 1, 1),
        date(2025, 1, 31),
    )


def test_a_window_entirely_in_the_future_fetches_nothing():
    assert repull_window(date(2026, 4, 1), date(2026, 4, 2), today=TODAY, lookback_days=3) is None


def test_reversed_window_is_an_error():
    with pytest.raises(ValueError, match="after"):
        repull_window(date(2026, 3, 2), date(2026, 3, 1), today=TODAY, lookback_days=3)


def test_days_younger_than_the_lookback_are_provisional_and_the_last_repull_is_final():
    # lookback 3: days aged 1..3 are re-pulled; aged 1..2 may still change; at age 3 the value is final.
    assert is_provisional(date(2026, 3, 13), today=TODAY, lookback_days=3)
    assert not is_provisional(date(2026, 3, 12), today=TODAY, lookback_days=3)
    assert provisional_days(date(2026, 3, 10), date(2026, 3, 14), today=TODAY, lookback_days=3) == [
        date(2026, 3, 13),
        date(2026, 3, 14),
    ]


def test_a_day_is_flagged_final_by_its_last_repull():
    day = date(2026, 3, 12)
    window = repull_window(date(2026, 3, 14), date(2026, 3, 14), today=TODAY, lookback_days=3)
    assert window[0] == day and not is_provisional(day, today=TODAY, lookback_days=3)


def test_zero_lookback_makes_only_today_provisional():
    assert provisional_days(date(2026, 3, 10), date(2026, 3, 15), today=TODAY, lookback_days=0) == [TODAY]


def test_split_window_covers_every_day_once_in_spans_of_at_most_n_days():
    parts = list(split_window(date(2026, 1, 1), date(2026, 1, 10), 4))
    assert parts == [
        (date(2026, 1, 1), date(2026, 1, 4)),
        (date(2026, 1, 5), date(2026, 1, 8)),
        (date(2026, 1, 9), date(2026, 1, 10)),
    ]
    assert sum(len(days_between(a, b)) for a, b in parts) == 10
