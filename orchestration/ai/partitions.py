"""AI partitioning: the shared Moscow day. A range (backfill) produces the outputs of its last day only."""

from __future__ import annotations

import datetime as dt


def report_period(as_of: dt.date, period_days: int) -> str:
    """The `FROM:TO` period of the daily report: the trailing `period_days` ending on `as_of`."""
    if period_days < 1:
        raise ValueError("period_days must be >= 1")
    return f"{(as_of - dt.timedelta(days=period_days - 1)).isoformat()}:{as_of.isoformat()}"
