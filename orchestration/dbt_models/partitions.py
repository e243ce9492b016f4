"""dbt partitioning: the shared Moscow day; a run rebuilds from the widest re-pulled window to its last day."""

from __future__ import annotations

import datetime as dt

from ingestion.platforms import BY_PLATFORM

# Raw loads re-pull each platform's restatement window, so the incremental models must rebuild at least the
# widest of them (dbt's incremental macro widens further to whole months for insert_overwrite).
REBUILD_LOOKBACK_DAYS = max(p.lookback_days for p in BY_PLATFORM.values())


def dbt_vars(first: dt.date, last: dt.date, lookback_days: int = REBUILD_LOOKBACK_DAYS) -> dict[str, str]:
    """`--vars` for one partition or range: start_date/end_date as the incremental models expect them."""
    if last < first:
        raise ValueError(f"partition range ends before it starts: {first} .. {last}")
    return {
        "start_date": (first - dt.timedelta(days=lookback_days)).isoformat(),
        "end_date": last.isoformat(),
    }
