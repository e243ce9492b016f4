"""Garpun DataHub partitioning: the shared Moscow day; the re-pulled window is the connector's lookback."""

from __future__ import annotations

from ingestion.common.windows import DEFAULT_LOOKBACK_DAYS
from orchestration.partitions import daily_partitions

PLATFORM = "garpun"
partitions_def = daily_partitions
# Days re-fetched by every run (restatements), owned by the connector: see ingestion.common.windows.
LOOKBACK_DAYS = DEFAULT_LOOKBACK_DAYS[PLATFORM]
# Accounts loaded at once inside one step: DataHub METAQL queries are heavy server-side; two at once is the polite default.
MAX_PARALLEL_ACCOUNTS = 2
