"""The code location loads and validates; the schedule and the inbox sensor produce the expected run requests."""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

import dagster as dg
import pytest

from orchestration.definitions import build_definitions

RAW = {
    "raw_yandex_direct": ["campaigns", "ads", "ad_stats_daily", "reach_frequency"],
    "raw_yandex_metrika": ["traffic_daily", "visits"],
    "raw_vk_ads": ["ad_plans", "ad_groups", "banners", "banner_stats_daily"],
    "raw_garpun": ["ad_stats_daily", "campaigns"],
    "raw_google_ads": ["campaigns", "ad_stats_daily"],
    "raw_ga4": ["traffic_daily"],
    "raw_cbr": ["fx_daily"],
}
STAGING = [
    "stg_app__accounts",
    "stg_app__campaign_mappings",
    "stg_app__clients",
    "stg_app__media_plan_lines",
    "stg_app__media_plans",
    "stg_app__tenants",
    "stg_app__vat_rates",
    "stg_garpun__ad_stats_daily",
    "stg_garpun__campaigns",
    "stg_vk_ads__ad_groups",
    "stg_vk_ads__ad_plans",
    "stg_vk_ads__banner_stats_daily",
    "stg_vk_ads__banners",
    "stg_yandex_direct__ad_stats_daily",
    "stg_yandex_direct__ads",
    "stg_yandex_direct__campaigns",
    "stg_yandex_direct__reach_frequency",
    "stg_yandex_metrika__traffic_daily",
    "stg_yandex_metrika__visits",
    "stg_cbr__fx_daily",
    "stg_ga4__traffic_daily",
    "stg_google_ads__ad_stats_daily",
    "stg_google_ads__campaigns",
]
INTERMEDIATE = [
    "int_ad_performance_unioned",
    "int_campaign_days_seen",
    "int_campaign_match_keys",
    "int_campaigns_conformed",
    "int_media_plan_line_actuals_daily",
    "int_media_plan_line_days",
    "int_media_plan_lines_mapped_to_campaigns",
    "int_metrika_sessions_attributed",
    "int_metrika_visitor_days",
    "int_metrika_visits_attributed",
    "int_report_ads_seen",
    "int_fx_rates_daily",
    "int_ga4_sessions_attributed",
]
MARTS = [
    "dim_ads",
    "dim_campaigns",
    "dim_clients",
    "fct_ad_performance_daily",
    "fct_campaign_daily",
    "fct_campaign_performance",
    "fct_campaign_reach",
    "fct_campaign_reach_flight_states",
    "fct_campaign_reach_frequency_steps",
    "fct_campaign_reach_states_daily",
    "fct_channel_daily",
    "fct_plan_vs_fact_daily",
]
APP = [
    "accounts",
    "campaign_mappings",
    "clients",
    "insights",
    "kb_chunks",
    "media_plan_lines_approved",
    "media_plan_lines_current",
    "media_plans",
    "raw_window_versions",
    "tenants",
    "vat_rates",
]
EXPECTED = sorted(
    [f"{db}/{t}" for db, ts in RAW.items() for t in ts]
    + [f"staging/{t}" for t in STAGING]
    + [f"intermediate/{t}" for t in INTERMEDIATE]
    + [f"marts/{t}" for t in MARTS]
    + [f"app/{t}" for t in APP]
    + ["reports/client_reports", "reports/client_report_emails"]
)
MSK = ZoneInfo("Europe/Moscow")


@pytest.fixture(autouse=True)
def _live_instance():
    """A live instance around each test: loading definitions looks up the current instance's state storage, and
    one left behind by an earlier suite's (closed) instance fails with "undefined DagsterInstance weakref"."""
    with dg.instance_for_test():
        yield


@pytest.fixture(scope="module")
def defs() -> dg.Definitions:
    return build_definitions(
        sandbox=True, sandbox_urls={"direct": "http://127.0.0.1:1/direct"}, today="2026-01-20"
    )


def test_definitions_validate_with_the_expected_assets(defs: dg.Definitions) -> None:
    dg.Definitions.validate_loadable(defs)
    keys = sorted(k.to_user_string() for k in defs.resolve_asset_graph().get_all_asset_keys())
    assert keys == EXPECTED


def test_every_dependency_of_a_materializable_asset_is_defined(defs: dg.Definitions) -> None:
    """A renamed dbt model must not leave an AI asset depending on a key nothing produces."""
    graph = defs.resolve_asset_graph()
    from orchestration.definitions import EXTERNAL_APP_TABLES, EXTERNAL_RAW_TABLES

    # Tables written outside Dagster are declared once, in the definitions, with their descriptions.
    external = {dg.AssetKey(["app", t]) for t in EXTERNAL_APP_TABLES} | {
        dg.AssetKey(list(k)) for k in EXTERNAL_RAW_TABLES
    }
    for node in graph.asset_nodes:
        if node.is_materializable:
            for parent in node.parent_keys:
                assert graph.has(parent) and (graph.get(parent).is_materializable or parent in external), (
                    f"{node.key.to_user_string()} depends on undefined {parent.to_user_string()}"
                )


def test_production_definitions_take_secrets_from_env_vars_not_values() -> None:
    defs = build_definitions(sandbox=False)
    dg.Definitions.validate_loadable(defs)
    direct = defs.resources["yandex_direct"]
    assert isinstance(direct.token, dg.EnvVar) and direct.token.env_var_name == "MRM_DIRECT_TOKEN"
    assert (
        defs.resolve_schedule_def("daily_platform_schedule").default_status
        == dg.DefaultScheduleStatus.RUNNING
    )


def test_dbt_keys_mirror_clickhouse_and_groups_follow_folders(defs: dg.Definitions) -> None:
    graph = defs.resolve_asset_graph()
    assert graph.get(dg.AssetKey(["marts", "fct_ad_performance_daily"])).group_name == "marts"
    assert graph.get(dg.AssetKey(["staging", "stg_vk_ads__banners"])).group_name == "staging"
    assert graph.get(dg.AssetKey(["raw_vk_ads", "banners"])).group_name == "raw_vk_ads"
    # Sources resolve onto the raw assets, so lineage runs raw → staging without Python per model.
    parents = graph.get(dg.AssetKey(["staging", "stg_vk_ads__banners"])).parent_keys
    assert dg.AssetKey(["raw_vk_ads", "banners"]) in parents
    checks = {
        k.name
        for k in graph.asset_check_keys
        if k.asset_key == dg.AssetKey(["marts", "fct_ad_performance_daily"])
    }
    assert {"grain_unique", "not_null", "value_ranges", "volume_vs_baseline", "freshness"} <= checks
    assert any(n.startswith(("unique_combination", "not_null")) for n in checks)  # dbt tests as asset checks


def test_raw_checks_block_and_every_partitioned_asset_is_single_run_backfilled(defs: dg.Definitions) -> None:
    graph = defs.resolve_asset_graph()
    key = dg.AssetKey(["raw_yandex_direct", "ad_stats_daily"])
    from orchestration.definitions import RAW_ASSETS

    yandex_direct_raw = RAW_ASSETS["yandex_direct"]

    specs = {s.name: s for s in yandex_direct_raw.check_specs if s.asset_key == key}
    assert (
        specs["grain_unique"].blocking
        and specs["not_null"].blocking
        and not specs["volume_vs_baseline"].blocking
    )
    for node in graph.asset_nodes:
        if node.partitions_def is not None and node.is_materializable:
            assert node.backfill_policy == dg.BackfillPolicy.single_run(), node.key
            assert node.partitions_def.timezone == "Europe/Moscow"


def test_daily_schedule_requests_yesterdays_moscow_partition(defs: dg.Definitions) -> None:
    schedule = defs.resolve_schedule_def("daily_platform_schedule")
    assert schedule.cron_schedule == "0 7 * * *" and schedule.execution_timezone == "Europe/Moscow"
    with dg.instance_for_test() as instance:
        ctx = dg.build_schedule_context(
            instance=instance, scheduled_execution_time=dt.datetime(2026, 1, 20, 7, 0, tzinfo=MSK)
        )
        data = schedule.evaluate_tick(ctx)
    assert [r.partition_key for r in data.run_requests] == ["2026-01-19"]
    assert data.run_requests[0].job_name in (None, "daily_platform_job")


def test_inbox_sensor_requests_one_import_per_new_or_resaved_file(defs, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("MRM_MEDIA_PLAN_INBOX", str(tmp_path))
    sensor = defs.resolve_sensor_def("media_plan_inbox_sensor")
    for tenant, client, name in (("demo-agency", "shoes", "q1.xlsx"), ("north-media", "edu", "plan.csv")):
        (tmp_path / tenant / client).mkdir(parents=True)
        (tmp_path / tenant / client / name).write_bytes(b"data")
    with dg.instance_for_test() as instance:
        first = sensor.evaluate_tick(dg.build_sensor_context(instance=instance))
        files = [r.run_config["ops"]["media_plans"]["config"]["files"][0] for r in first.run_requests]
        assert sorted((f["tenant_id"], f["client_id"]) for f in files) == [
            ("demo-agency", "shoes"),
            ("north-media", "edu"),
        ]
        assert all(r.run_key and r.run_key.startswith(f"{r.tags['tenant_id']}/") for r in first.run_requests)
        again = sensor.evaluate_tick(dg.build_sensor_context(instance=instance, cursor=first.cursor))
        assert again.run_requests == [] and again.skip_message
        path = tmp_path / "demo-agency" / "shoes" / "q1.xlsx"
        st = path.stat()
        import os

        os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 5 * 10**9))
        third = sensor.evaluate_tick(
            dg.build_sensor_context(instance=instance, cursor=again.cursor or first.cursor)
        )
    assert len(third.run_requests) == 1
    assert third.run_requests[0].tags["media_plan_file"] == "q1.xlsx"
    assert json.loads(third.cursor)["demo-agency/shoes/q1.xlsx"] == st.st_mtime_ns + 5 * 10**9


def test_ai_assets_follow_the_marts_by_declarative_automation(defs: dg.Definitions) -> None:
    graph = defs.resolve_asset_graph()
    for key in (["app", "insights"], ["reports", "client_reports"], ["app", "kb_chunks"]):
        assert graph.get(dg.AssetKey(key)).automation_condition is not None, key
    sensor = defs.resolve_sensor_def("ai_automation_sensor")
    assert sensor.default_status == dg.DefaultSensorStatus.STOPPED  # sandbox: no runs by themselves
    assert build_definitions(sandbox=False).resolve_sensor_def("ai_automation_sensor").default_status == (
        dg.DefaultSensorStatus.RUNNING
    )
