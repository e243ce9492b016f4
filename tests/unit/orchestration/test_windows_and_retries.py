"""Spec-like tests of the small pure helpers behind the assets (windows, partitions, retries, inbox)."""

from __future__ import annotations

import datetime as dt
import os
from zoneinfo import ZoneInfo

import httpx
import pytest

from ingestion.common.errors import ApiError, AuthError, ConfigError, PayloadError, RetryExhausted
from orchestration.ai.partitions import report_period
from orchestration.dbt_models.partitions import REBUILD_LOOKBACK_DAYS, dbt_vars
from orchestration.media_plans.partitions import scan_inbox
from orchestration.partitions import days_from_tags, days_of_time_window, yesterday_in_moscow
from orchestration.quality import volume_bounds
from orchestration.raw import fetched_window
from orchestration.retries import fail_unless_transient, is_transient

MSK = ZoneInfo("Europe/Moscow")
D = dt.date


def test_lookback_window_repulls_the_restatement_days_of_a_daily_run() -> None:
    today = D(2026, 1, 20)
    assert fetched_window(D(2026, 1, 19), D(2026, 1, 19), today=today, lookback_days=7) == (
        D(2026, 1, 13),
        D(2026, 1, 19),
    )
    assert fetched_window(D(2026, 1, 19), D(2026, 1, 19), today=today, lookback_days=3) == (
        D(2026, 1, 17),
        D(2026, 1, 19),
    )


def test_historical_backfill_window_is_left_as_asked() -> None:
    assert fetched_window(D(2025, 12, 1), D(2025, 12, 7), today=D(2026, 1, 20), lookback_days=7) == (
        D(2025, 12, 1),
        D(2025, 12, 7),
    )


def test_window_of_today_only_is_a_loud_failure() -> None:
    import dagster as dg

    with pytest.raises(dg.Failure, match="nothing to load"):
        fetched_window(D(2026, 1, 20), D(2026, 1, 20), today=D(2026, 1, 20), lookback_days=0)


def test_moscow_partition_window_maps_to_calendar_days() -> None:
    start = dt.datetime(2026, 1, 19, tzinfo=MSK)
    assert days_of_time_window(start, start + dt.timedelta(days=1)) == (D(2026, 1, 19), D(2026, 1, 19))
    assert days_of_time_window(start, start + dt.timedelta(days=7)) == (D(2026, 1, 19), D(2026, 1, 25))


def test_run_tags_give_a_single_day_or_a_single_run_range() -> None:
    assert days_from_tags({"dagster/partition": "2026-01-19"}) == (D(2026, 1, 19), D(2026, 1, 19))
    rng = {
        "dagster/asset_partition_range_start": "2026-01-05",
        "dagster/asset_partition_range_end": "2026-01-11",
    }
    assert days_from_tags(rng) == (D(2026, 1, 5), D(2026, 1, 11))
    assert days_from_tags({}) is None
    with pytest.raises(ValueError):
        days_from_tags(
            {
                "dagster/asset_partition_range_start": "2026-01-11",
                "dagster/asset_partition_range_end": "2026-01-05",
            }
        )


def test_yesterday_is_taken_in_moscow_not_utc() -> None:
    # 22:30 UTC on Jan 19 is already 01:30 on Jan 20 in Moscow: yesterday there is Jan 19.
    assert yesterday_in_moscow(dt.datetime(2026, 1, 19, 22, 30, tzinfo=dt.UTC)) == D(2026, 1, 19)
    assert yesterday_in_moscow(dt.datetime(2026, 1, 19, 20, 30, tzinfo=dt.UTC)) == D(2026, 1, 18)


def test_dbt_vars_rebuild_from_the_widest_restatement_window() -> None:
    assert REBUILD_LOOKBACK_DAYS == 7
    assert dbt_vars(D(2026, 1, 19), D(2026, 1, 19)) == {"start_date": "2026-01-12", "end_date": "2026-01-19"}
    with pytest.raises(ValueError):
        dbt_vars(D(2026, 1, 19), D(2026, 1, 18))


def test_daily_report_covers_the_trailing_week_ending_on_the_partition() -> None:
    assert report_period(D(2026, 1, 19), 7) == "2026-01-13:2026-01-19"
    assert report_period(D(2026, 1, 19), 1) == "2026-01-19:2026-01-19"


def test_volume_band_around_the_trailing_average() -> None:
    assert volume_bounds(None, 7) is None
    assert volume_bounds(0, 7) is None
    assert volume_bounds(100, 8) == (160, 4000)


@pytest.mark.parametrize(
    ("exc", "transient"),
    [
        (RetryExhausted("429 persisted", platform="vk_ads", status=429), True),
        (PayloadError("truncated body", platform="garpun"), True),
        (PayloadError("bad type", platform="garpun", retryable=False), False),
        (AuthError("token revoked", platform="yandex_direct", status=401), False),
        (ApiError("unknown Client-Login", platform="yandex_direct", status=400), False),
        (ConfigError("MRM_DIRECT_TOKEN missing", platform="yandex_direct"), False),
        (httpx.ConnectError("connection refused"), True),
        (ValueError("bad input"), False),
    ],
)
def test_only_transient_errors_are_retried(exc: Exception, transient: bool) -> None:
    assert is_transient(exc) is transient
    assert fail_unless_transient(exc, "load").allow_retries is transient


def test_transient_cause_inside_a_wrapper_is_found() -> None:
    try:
        try:
            raise httpx.ReadTimeout("stalled")
        except httpx.ReadTimeout as inner:
            raise RuntimeError("load failed") from inner
    except RuntimeError as outer:
        assert is_transient(outer)


def test_inbox_scan_finds_plans_two_levels_deep_and_skips_temp_files(tmp_path) -> None:
    (tmp_path / "demo-agency" / "shoes").mkdir(parents=True)
    (tmp_path / "demo-agency" / "shoes" / "plan_q1.xlsx").write_bytes(b"x")
    (tmp_path / "demo-agency" / "shoes" / "~$plan_q1.xlsx").write_bytes(b"lock")
    (tmp_path / "demo-agency" / "shoes" / "notes.txt").write_text("no")
    (tmp_path / "stray.xlsx").write_bytes(b"x")
    found = scan_inbox(tmp_path)
    assert [(f.tenant_id, f.client_id, f.path.name) for f in found] == [
        ("demo-agency", "shoes", "plan_q1.xlsx")
    ]
    mtime = found[0].mtime_ns
    assert found[0].key == f"demo-agency/shoes/plan_q1.xlsx@{mtime}"
    os.utime(found[0].path, ns=(mtime + 10**9, mtime + 10**9))
    assert scan_inbox(tmp_path)[0].key != found[0].key
    assert scan_inbox(tmp_path / "missing") == []
