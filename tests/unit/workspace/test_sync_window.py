"""Sync control without a server: the windows a run loads, the Dagster address, and that the names workspace/sync.py
uses (job, raw step, first partition day, time zone) are the ones the code location defines."""

from __future__ import annotations

import datetime as dt

import pytest

from workspace import sync

TODAY = dt.date(2026, 3, 15)


def test_load_now_is_the_last_complete_day_and_a_backfill_runs_through_it() -> None:
    assert sync.window("load_now", today=TODAY) == sync.Window(
        "load_now", dt.date(2026, 3, 14), dt.date(2026, 3, 14)
    )
    w = sync.window("backfill", dt.date(2026, 2, 13), today=TODAY)
    assert (w.first, w.last, w.days) == (dt.date(2026, 2, 13), dt.date(2026, 3, 14), 30)
    assert sync.window("backfill", dt.date(2026, 3, 14), today=TODAY).days == 1


@pytest.mark.parametrize(
    ("kind", "first", "message"),
    [
        ("backfill", None, "date_from: a backfill needs its first day"),
        ("backfill", TODAY, "date_from: 2026-03-15 is after the last complete day 2026-03-14"),
        ("backfill", dt.date(2024, 12, 31), "date_from: 2024-12-31 is before 2025-01-01"),
        ("reload", None, "kind: 'reload' is not one of load_now, backfill"),
    ],
)
def test_a_bad_window_is_refused_by_name(kind: str, first: dt.date | None, message: str) -> None:
    with pytest.raises(sync.SyncError, match=message):
        sync.window(kind, first, today=TODAY)


def test_the_window_follows_the_injected_today(monkeypatch) -> None:
    monkeypatch.setenv("MRM_TODAY", "2026-07-02")
    assert sync.window("load_now").first == dt.date(2026, 7, 1)


def test_dagster_address_from_the_environment() -> None:
    assert sync.dagster_url({}) == "http://127.0.0.1:3000"
    assert sync.dagster_url({"MRM_DAGSTER_PORT": "3100"}) == "http://127.0.0.1:3100"
    assert (
        sync.dagster_url({"MRM_DAGSTER_URL": "https://dagster.example/ui/"}) == "https://dagster.example/ui"
    )
    assert sync.run_link("abc", "https://dagster.example/ui") == "https://dagster.example/ui/runs/abc"
    with pytest.raises(sync.SyncError, match="MRM_DAGSTER_URL='ftp://x' is not an http"):
        sync.dagster_url({"MRM_DAGSTER_URL": "ftp://x"})


def test_the_names_match_the_code_location() -> None:
    from ingestion.platforms import PLATFORM_NAMES
    from orchestration import partitions
    from orchestration.definitions import build_definitions

    assert sync.FIRST_DAY == dt.date.fromisoformat(partitions.PARTITIONS_START)
    assert sync.MOSCOW == partitions.MOSCOW
    urls = {"direct": "http://127.0.0.1:9/direct", "vk": "http://127.0.0.1:9/vk"}
    defs = build_definitions(sandbox=True, sandbox_urls=urls, platforms=["yandex_direct", "vk_ads"])
    for platform in ("yandex_direct", "vk_ads"):
        job = defs.resolve_job_def(sync.job_name(platform))
        steps = {n.name for n in job.graph.node_defs}
        assert sync.raw_op(platform) in steps and "mrm_dbt_models" in steps, steps
        # Only this platform's loads: a sync of a Direct account never calls VK Ads.
        assert not {sync.raw_op(p) for p in PLATFORM_NAMES if p != platform} & steps
