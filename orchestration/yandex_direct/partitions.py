"""Yandex Direct partitioning: the shared Moscow day; the re-pulled window is the connector's lookback."""

from __future__ import annotations

from ingestion.common.windows import DEFAULT_LOOKBACK_DAYS
from orchestration.partitions import daily_partitions

PLATFORM = "yandex_direct"
partitions_def = daily_partitions
# Days re-fetched by every run (restatements), owned by the connector: see ingestion.common.windows.
LOOKBACK_DAYS = DEFAULT_LOOKBACK_DAYS[PLATFORM]
# Accounts loaded at once inside one step: Reports API: at most 5 offline reports queued per advertiser and 20 requests per 10 s.
MAX_PARALLEL_ACCOUNTS = 5
