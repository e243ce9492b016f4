"""VK Ads partitioning: the shared Moscow day; the re-pulled window is the connector's lookback."""

from __future__ import annotations

from ingestion.common.windows import DEFAULT_LOOKBACK_DAYS
from orchestration.partitions import daily_partitions

PLATFORM = "vk_ads"
partitions_def = daily_partitions
# Days re-fetched by every run (restatements), owned by the connector: see ingestion.common.windows.
LOOKBACK_DAYS = DEFAULT_LOOKBACK_DAYS[PLATFORM]
# Accounts loaded at once inside one step: VK Ads quotas are per second/hour/day per user (X-RateLimit-*); two accounts at once stay under the per-second cap.
MAX_PARALLEL_ACCOUNTS = 2
