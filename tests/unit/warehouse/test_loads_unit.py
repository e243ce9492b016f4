"""Pure parts of the window loads."""

from __future__ import annotations

import pytest

from warehouse.loads import _delete_target, current_rows_sql


def test_deletes_go_to_local_replicas_on_a_cluster(monkeypatch):
    monkeypatch.delenv("MRM_CLICKHOUSE_CLUSTER", raising=False)
    assert _delete_target("raw_vk_ads.banners") == "raw_vk_ads.banners"
    monkeypatch.setenv("MRM_CLICKHOUSE_CLUSTER", "mrm")
    assert _delete_target("raw_vk_ads.banners") == "raw_vk_ads.banners_local ON CLUSTER mrm"
    assert _delete_target("app.load_log") == "app.load_log"  # app tables are replicated, not sharded
    monkeypatch.setenv("MRM_CLICKHOUSE_CLUSTER", "mrm; DROP TABLE x")
    with pytest.raises(ValueError, match="cluster name"):
        _delete_target("raw_vk_ads.banners")


def test_current_rows_pick_the_latest_load_per_window():
    sql = current_rows_sql("raw_yandex_direct.ad_stats_daily")
    assert "argMax(load_id, loaded_at)" in sql and "date_day" in sql
    snap = current_rows_sql("raw_yandex_direct.campaigns", snapshot=True)
    assert "date_day = '1970-01-01'" in snap
