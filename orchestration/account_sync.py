"""The sync jobs the Connections page starts (workspace/sync.py): one per platform, so a run names no assets.

A sync run loads one account's window (the platform's raw step, narrowed to the account by run config), the Bank of
Russia rates the conformed model needs, and the dbt build of the window (staging → intermediate → marts with their
tests and checks), so the client's numbers are in the marts when the run succeeds. No AI assets and no e-mail: the
daily job and the AI automation do those. The window is the run's partition range tags (one run for a backfill).
"""

from collections.abc import Sequence
from typing import Any

import dagster as dg

from ingestion.platforms import BY_PLATFORM
from orchestration.jobs import DBT_GROUPS
from workspace.sync import job_name


def sync_job(platform: str) -> Any:
    return dg.define_asset_job(
        job_name(platform),
        selection=dg.AssetSelection.groups(BY_PLATFORM[platform].raw_database, "raw_cbr", *DBT_GROUPS),
        description=f"{BY_PLATFORM[platform].title}: one account's window (run config) → rates → dbt build; "
        "started from the app's Connections page.",
        tags={"mrm/flow": "account_sync"},
    )


def sync_jobs(platforms: Sequence[str]) -> list[Any]:
    return [sync_job(p) for p in platforms]
