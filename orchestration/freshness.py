"""The freshness policy, stated once: Dagster's freshness policies and checks and dbt's source freshness
(`dbt_project/models/staging/_sources.yml`, kept equal by a test) all read these numbers.

The daily schedule loads every morning (Europe/Moscow), so a healthy raw table is at most ~24 h old: past
`warn_hours` the morning run is late, past `fail_hours` a whole run was missed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Freshness:
    """Hours after the last load at which data is late (warn) and stale (fail)."""

    warn_hours: int
    fail_hours: int

    def dagster_policy(self) -> Any:
        """A Dagster time-window freshness policy with these limits."""
        import dagster as dg

        return dg.FreshnessPolicy.time_window(
            fail_window=dt.timedelta(hours=self.fail_hours), warn_window=dt.timedelta(hours=self.warn_hours)
        )

    def dbt_source_config(self) -> dict[str, dict[str, Any]]:
        """The `freshness:` block of a dbt source with these limits."""
        return {
            "warn_after": {"count": self.warn_hours, "period": "hour"},
            "error_after": {"count": self.fail_hours, "period": "hour"},
        }


# Raw tables (Dagster raw assets, their freshness checks, dbt sources), and the marts and client reports built
# from them by the same daily run.
DAILY = Freshness(warn_hours=26, fail_hours=36)
