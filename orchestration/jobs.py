"""Jobs over the asset graph. Every partitioned asset shares the Moscow-day partitioning, so one job spans the
whole daily flow and a backfill of a date range is one run (single-run backfill policy on every asset)."""

from typing import Any

import dagster as dg

RAW_GROUPS = ("raw_yandex_direct", "raw_yandex_metrika", "raw_vk_ads", "raw_garpun")
DBT_GROUPS = ("staging", "intermediate", "marts")
AI_GROUPS = ("ai", "reports")
EMAILS = dg.AssetKey(["reports", "client_report_emails"])


def daily_selection(platform_groups: tuple[str, ...] = RAW_GROUPS) -> dg.AssetSelection:
    return dg.AssetSelection.groups(*platform_groups, *DBT_GROUPS, *AI_GROUPS)


def daily_platform_job(platform_groups: tuple[str, ...] = RAW_GROUPS) -> Any:
    """Everything for a day: raw loads and their checks, dbt build and tests, mart checks, AI, e-mail."""
    return dg.define_asset_job(
        "daily_platform_job",
        selection=daily_selection(platform_groups),
        description="Raw loads (lookback re-pull) → dbt build + tests → great-expectations checks → insights, "
        "reports, embeddings → report e-mails.",
        tags={"mrm/flow": "daily"},
    )


def platform_job(platform_groups: tuple[str, ...] = RAW_GROUPS) -> Any:
    """The daily flow without e-mail: what the demo and the benchmark run (nobody to mail on a laptop)."""
    return dg.define_asset_job(
        "platform_job",
        selection=daily_selection(platform_groups) - dg.AssetSelection.assets(EMAILS),
        description="The daily flow without report e-mails (demo, benchmark, manual reruns).",
        tags={"mrm/flow": "platform"},
    )


def media_plan_import_job() -> Any:
    return dg.define_asset_job(
        "media_plan_import_job",
        selection=dg.AssetSelection.groups("app"),
        description="Import media-plan files named in run config (the inbox sensor).",
    )


def ai_refresh_job() -> Any:
    """Re-check the marts and redo insights, reports and embeddings without reloading or rebuilding anything
    (after a manual data fix); the blocking mart checks still gate every AI asset."""
    marts = dg.AssetKey(["marts", "fct_ad_performance_daily"])
    return dg.define_asset_job(
        "ai_refresh_job",
        selection=(dg.AssetSelection.groups(*AI_GROUPS) - dg.AssetSelection.assets(EMAILS))
        | dg.AssetSelection.checks_for_assets(marts),
        description="Mart checks → insights, reports, embeddings (no loads, no dbt).",
        tags={"mrm/flow": "ai_refresh"},
    )
