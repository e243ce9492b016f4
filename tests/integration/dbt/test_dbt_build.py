"""dbt build against the embedded warehouse on hand-built raw data: passes, is idempotent, and equals hand sums.

The project builds over the whole warehouse, so this module runs its own embedded server (another suite's raw
rows would otherwise change the marts); it speaks the same HTTP protocol as the session one.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import socket
from decimal import Decimal

import clickhouse_connect
import pytest

from dbt_project import run as dbt_run
from tests.integration.dbt import handbuilt
from warehouse import embedded
from warehouse.loads import replace_window

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


D31, J01 = handbuilt.D31, handbuilt.J01


@contextlib.contextmanager
def hand_built_warehouse(data_dir):
    """An embedded warehouse holding the hand-built raw rows; CLICKHOUSE_URL points dbt at it until the end."""
    info = embedded.start(data_dir, port=free_port())
    saved = {k: os.environ.pop(k, None) for k in ("CLICKHOUSE_URL", "CLICKHOUSE_HOST")}
    os.environ["CLICKHOUSE_URL"] = info.url
    client = clickhouse_connect.get_client(dsn=info.url, send_receive_timeout=600)
    handbuilt.load_all(client)
    try:
        yield client
    finally:
        client.close()
        os.environ.pop("CLICKHOUSE_URL", None)
        for k, v in saved.items():
            if v is not None:
                os.environ[k] = v
        embedded.stop(data_dir)


@pytest.fixture(scope="module")
def wh(tmp_path_factory):
    with hand_built_warehouse(tmp_path_factory.mktemp("dbt-warehouse")) as client:
        yield client


@pytest.fixture(scope="module")
def target(tmp_path_factory):
    return tmp_path_factory.mktemp("dbt-target")


@pytest.fixture(scope="module")
def built(wh, target):
    result = dbt_run.build(target_path=target)
    return result


def _checksums(ch) -> dict[str, tuple[int, int]]:
    return dbt_run.relation_checksums(ch)


def _one(ch, sql: str, **params):
    rows = ch.query(sql, parameters=params).result_rows
    assert len(rows) == 1, (sql, rows)
    return rows[0]


def test_build_passes_with_models_tests_and_unit_tests(built):
    assert built.success, built.failures
    statuses = {n.unique_id.split(".")[0] for n in built.nodes}
    assert {"model", "test", "unit_test"} <= statuses
    assert not built.failures
    assert built.manifest_path.exists()


def test_second_build_changes_nothing(wh, built, target):
    before = _checksums(wh)
    assert (
        "`marts`.`fct_ad_performance_daily`" in before and before["`marts`.`fct_ad_performance_daily`"][0] > 0
    )
    again = dbt_run.build(target_path=target)
    assert again.success
    assert _checksums(wh) == before


def test_one_day_incremental_run_of_every_model_equals_the_full_build(wh, built, target):
    """Dagster's daily run (one day, whole project) rewrites only that day's partitions (week; month for reach,
    whose partitions straddle D31/J01 here) and leaves every relation exactly as the full build made it."""
    before = _checksums(wh)
    assert (
        before["`marts`.`fct_campaign_reach`"][0] > 0
        and before["`intermediate`.`int_metrika_visitor_days`"][0] > 0
    )
    for day in (D31, J01):
        res = dbt_run.run(vars={"start_date": str(day), "end_date": str(day)}, target_path=target)
        assert res.success
        assert _checksums(wh) == before, day


def test_a_plain_table_left_by_an_older_version_is_rebuilt_as_the_incremental_model(wh, built, target):
    """fct_campaign_reach used to be a plain table; insert_overwrite cannot replace partitions into it, so the
    on-run-start hook drops it (through dbt's cache) and the model is built in full once."""
    before = _checksums(wh)
    key = "SELECT partition_key FROM system.tables WHERE database = 'marts' AND name = 'fct_campaign_reach'"
    wh.command(
        "CREATE TABLE marts.fct_campaign_reach_plain ENGINE = MergeTree ORDER BY tuple() "
        "AS SELECT * FROM marts.fct_campaign_reach"
    )
    wh.command("DROP TABLE marts.fct_campaign_reach")
    wh.command("RENAME TABLE marts.fct_campaign_reach_plain TO marts.fct_campaign_reach")
    assert wh.query(key).result_rows == [("",)]
    day = {"start_date": str(J01), "end_date": str(J01)}
    res = dbt_run.run(select="fct_campaign_reach", vars=day, target_path=target)
    assert res.success
    assert "multiIf" in wh.query(key).result_rows[0][0]
    assert _checksums(wh) == before


def test_conformed_spend_uses_each_platforms_vat_convention_and_dated_rate(wh, built):
    q = (
        "SELECT sum(spend_gross), sum(spend_net), sum(impressions) FROM marts.fct_ad_performance_daily "
        "WHERE tenant_id = 't1' AND platform = {p:String} AND date_day = {d:Date}"
    )
    # Direct reports with VAT: 20 % on Dec 31, 22 % from Jan 1; the half-finished and superseded loads are invisible.
    assert _one(wh, q, p="yandex_direct", d=D31) == (Decimal("180"), Decimal("150"), 1500)
    assert _one(wh, q, p="yandex_direct", d=J01) == (Decimal("366"), Decimal("300"), 6000)
    # VK reports without VAT.
    assert _one(wh, q, p="vk_ads", d=D31) == (Decimal("48"), Decimal("40"), 1000)
    assert _one(wh, q, p="vk_ads", d=J01) == (Decimal("183"), Decimal("150"), 4000)
    assert _one(wh, q, p="garpun", d=J01) == (Decimal("61"), Decimal("50"), 500)
    # The other tenant's identical account id stays its own.
    assert _one(
        wh,
        "SELECT sum(impressions), any(client_id) FROM marts.fct_ad_performance_daily WHERE tenant_id = 't2'",
    ) == (7, "c9")


def test_sessions_attributed_by_direct_click_and_utm(wh, built):
    rows = dict(
        wh.query(
            "SELECT concat(platform, ':', campaign_id, ':', toString(date_day)), sum(sessions) "
            "FROM marts.fct_ad_performance_daily WHERE tenant_id = 't1' AND sessions > 0 "
            "GROUP BY platform, campaign_id, date_day"
        ).result_rows
    )
    assert rows == {
        "yandex_direct:101:2025-12-31": 40,
        "yandex_direct:101:2026-01-01": 80,
        "vk_ads:900:2026-01-01": 20,
    }


def test_metric_layer_month_kpis_are_ratios_of_sums(wh, built):
    ctr, cpc, drr = _one(
        wh,
        "SELECT ctr, cpc, drr FROM marts.fct_campaign_performance WHERE tenant_id = 't1' "
        "AND period_grain = 'month' AND period_start = '2026-01-01' AND campaign_id = '101'",
    )
    assert ctr == pytest.approx(100 / 2000)
    assert cpc == pytest.approx(200 / 100)
    assert drr == pytest.approx(200 / 3000)
    # a display campaign without clicks has no CPC rather than 0 or infinity
    assert _one(
        wh,
        "SELECT cpc FROM marts.fct_campaign_performance WHERE tenant_id = 't1' "
        "AND period_grain = 'day' AND campaign_id = '102'",
    ) == (None,)


def test_reach_is_deduplicated_not_summed(wh, built):
    q = (
        "SELECT reach, contacts, reach_1plus, reach_2plus, reach_3plus FROM marts.fct_campaign_reach "
        "WHERE tenant_id = 't1' AND reach_source = 'user_level' AND window_grain = {g:String} "
        "AND platform = {p:String} AND campaign_id = {c:String} AND window_start = {s:Date}"
    )
    assert _one(wh, q, g="day", p="yandex_direct", c="101", s=J01) == (3, 4, 3, 1, 0)
    assert _one(wh, q, g="day", p="yandex_direct", c="101", s=D31) == (2, 2, 2, 0, 0)
    # over the whole span users 1, 2, 3, 6; user 1 three visits
    assert _one(wh, q, g="flight", p="yandex_direct", c="101", s=D31) == (4, 6, 4, 1, 1)
    # Direct and VK share user 3: client-wide January reach is 4, not 3 + 2; users 1 and 3 were reached twice
    assert _one(wh, q, g="month", p="all", c="", s=J01) == (4, 6, 4, 2, 0)
    # any window / campaign set straight from the sketch states
    merged = _one(
        wh,
        "SELECT uniqCombinedMerge(users_state) FROM marts.fct_campaign_reach_states_daily "
        "WHERE tenant_id = 't1' AND date_day BETWEEN '2025-12-31' AND '2026-01-01'",
    )
    assert merged == (5,)
    # platform-reported reach kept at its own window
    assert _one(
        wh,
        "SELECT reach, contacts, window_start, window_end FROM marts.fct_campaign_reach "
        "WHERE tenant_id = 't1' AND measured_by = 'direct_rf' AND campaign_id = '102'",
    ) == (2500, 4000, J01, J01)
    assert _one(
        wh,
        "SELECT reach, window_start FROM marts.fct_campaign_reach WHERE tenant_id = 't1' "
        "AND measured_by = 'vk_uniques' AND ad_id = '9001' AND window_end = '2026-01-01'",
    ) == (2000, D31)


def test_plan_vs_fact_pacing(wh, built):
    rows = {
        (r[0], r[1]): r[2:]
        for r in wh.query(
            "SELECT line_id, date_day, planned_spend_net, actual_spend_net, pacing_ratio, pacing_status, "
            "actual_reach_to_date FROM marts.fct_plan_vs_fact_daily WHERE tenant_id = 't1' AND plan_id = 'mp1' "
            "ORDER BY line_id, date_day"
        ).result_rows
    }
    # only the committed version 1 (the uncommitted v2 has a 99999 budget)
    assert _one(
        wh, "SELECT uniqExact(plan_version) FROM marts.fct_plan_vs_fact_daily WHERE tenant_id = 't1'"
    ) == (1,)
    assert rows[("L1", D31)][:3] == (200.0, 150.0, 0.75) and rows[("L1", D31)][3] == "under"
    assert rows[("L1", J01)][2] == pytest.approx(350 / 400) and rows[("L1", J01)][3] == "under"
    assert rows[("L1", D31)][4] == 2 and rows[("L1", J01)][4] == 4  # users {1,6} then {1,2,3,6}
    assert rows[("L1", dt.date(2026, 1, 3))][1:4] == (None, None, "future")
    assert rows[("L2", J01)][2:4] == (1.5, "over")  # matched by name, case-insensitively
    assert rows[("L3", J01)][1:4] == (50.0, 1.0, "on_track")  # mapped through app.campaign_mappings


def test_plan_vs_fact_reads_approved_versions_and_says_not_linked(wh, built):
    plans = wh.query(
        "SELECT DISTINCT plan_id FROM marts.fct_plan_vs_fact_daily WHERE tenant_id = 't1'"
    ).result_rows
    assert plans == [("mp1",)]  # the draft mp2 is not plan
    l4 = wh.query(
        "SELECT date_day, pacing_status, is_linked FROM marts.fct_plan_vs_fact_daily WHERE tenant_id = 't1' "
        "AND plan_id = 'mp1' AND line_id = 'L4' ORDER BY date_day"
    ).result_rows
    assert l4 == [(D31, "not_linked", 0), (J01, "not_linked", 0)]
    # The unlink decision also removed the file's id match for L4 (campaign 101 stays linked to L1 only).
    assert wh.query(
        "SELECT line_id FROM intermediate.int_media_plan_lines_mapped_to_campaigns WHERE tenant_id = 't1' "
        "AND campaign_id = '101' ORDER BY line_id"
    ).result_rows == [("L1",)]


def test_restated_day_is_rebuilt_by_a_one_day_run_and_a_failed_run_keeps_old_data(wh, built, target):
    replace_window(
        wh,
        "raw_yandex_direct.ad_stats_daily",
        handbuilt._table(
            [
                handbuilt._direct_row(D31, 101, "Search RU", 11, 1, "SEARCH", 1000, 50, 120, 5, 1000),
                handbuilt._direct_row(D31, 101, "Search RU", 11, 1, "AD_NETWORK", 500, 10, 60, 1, 0),
                handbuilt._direct_row(J01, 101, "Search RU", 11, 1, "SEARCH", 2000, 100, 366, 12, 3000),
                handbuilt._direct_row(J01, 102, "Display RU", 12, 2, "AD_NETWORK", 4000, 0, 122, 0, 0),
            ],
            handbuilt.DIRECT_STATS_TYPES,
        ),
        tenant_id="t1",
        account_id="c1-direct",
        days=[D31, J01],
    )
    day = {"start_date": "2026-01-01", "end_date": "2026-01-01"}
    res = dbt_run.run(select="fct_ad_performance_daily", vars=day, target_path=target)
    assert res.success
    q = (
        "SELECT sum(spend_net) FROM marts.fct_ad_performance_daily WHERE tenant_id = 't1' "
        "AND platform = 'yandex_direct' AND date_day = {d:Date}"
    )
    assert _one(wh, q, d=J01) == (Decimal("400"),)
    assert _one(wh, q, d=D31) == (
        Decimal("150"),
    )  # same weekly partition as Jan 1: rebuilt from unchanged rows
    fact = "`marts`.`fct_ad_performance_daily`"
    before = _checksums(wh)[fact]
    again = dbt_run.run(select="fct_ad_performance_daily", vars=day, target_path=target)
    assert again.success and _checksums(wh)[fact] == before

    wh.command("RENAME TABLE raw_yandex_direct.ad_stats_daily TO raw_yandex_direct.ad_stats_daily_away")
    try:
        failed = dbt_run.run(
            select="fct_ad_performance_daily", vars=day, target_path=target, raise_on_failure=False
        )
    finally:
        wh.command("RENAME TABLE raw_yandex_direct.ad_stats_daily_away TO raw_yandex_direct.ad_stats_daily")
    assert not failed.success
    assert _checksums(wh)[fact] == before
    assert any("fct_ad_performance_daily" in n.unique_id for n in failed.failures)


def test_docs_generate(wh, built, target):
    res = dbt_run.docs_generate(target_path=target)
    assert res.success
    catalog = json.loads((target / "catalog.json").read_text())
    assert "model.mrm.fct_campaign_reach" in catalog["nodes"]
    assert catalog["nodes"]["model.mrm.fct_ad_performance_daily"]["metadata"]["schema"] == "marts"


def test_source_freshness_passes_on_fresh_loads(wh, built, target):
    """Every source table this fixture loads is fresh. (A platform it does not load, such as Google Ads here, has
    no rows: dbt reports an empty source as an error, which says nothing about freshness.)"""
    from dbt.cli.main import dbtRunner

    res = dbtRunner().invoke(
        [
            "source",
            "freshness",
            "--project-dir",
            str(dbt_run.PROJECT_DIR),
            "--profiles-dir",
            str(dbt_run.PROJECT_DIR),
            "--target-path",
            str(target),
        ]
    )
    sources = [r for r in res.result.results if r.node.unique_id.startswith("source.")]
    loaded = [
        r for r in sources if _one(wh, f"SELECT count() FROM {r.node.schema}.{r.node.identifier}")[0] > 0
    ]  # noqa: S608
    assert len(loaded) >= 9
    assert {r.node.unique_id: str(r.status) for r in loaded} == {r.node.unique_id: "pass" for r in loaded}


def test_vk_uniques_rows_have_real_windows_and_at_least_one_contact_per_person(wh, built):
    """A banner that started before the loaded history states no reach (its window start and earlier impressions
    are unknown); every reach row has a real window and contacts >= reach (the dbt tests guard the same)."""
    assert _one(wh, "SELECT count() FROM marts.fct_campaign_reach WHERE tenant_id = 't9'") == (0,)
    assert _one(
        wh,
        "SELECT countIf(window_start < '2000-01-01'), countIf(contacts < reach), "
        "countIf(reach > 0 AND avg_frequency < 1) FROM marts.fct_campaign_reach",
    ) == (0, 0, 0)
    assert _one(wh, "SELECT count() FROM marts.fct_campaign_reach WHERE measured_by = 'vk_uniques'")[0] >= 3
    tests = {n.unique_id for n in built.nodes if n.unique_id.startswith("test.")}
    for name in (
        "reach_at_most_contacts",
        "reach_frequency_at_least_one",
        "reach_window_is_real",
        "assert_reach_part_within_whole",
    ):
        assert any(name in t for t in tests), (name, sorted(tests))


def test_a_plan_imported_in_the_app_shows_in_plan_vs_fact_at_once(wh, built, tmp_path, monkeypatch, request):
    """The app's import → refresh path: the plan models are rebuilt in-process (no daily run), the new plan has
    rows in fct_plan_vs_fact_daily, and Dagster's app/media_plans asset records a materialization."""
    import dagster as dg

    from dashboards import data
    from dashboards.auth import Principal

    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster"))
    monkeypatch.setenv("MRM_APP_DBT_TARGET", str(tmp_path / "app-target"))
    monkeypatch.delenv("MRM_MARTS_DB", raising=False)
    # The app's query caches live for the whole test process: another suite's "t1" must not answer for ours.
    import streamlit as st

    st.cache_data.clear()
    data.drop_clients()  # pooled clients of earlier suites point at the session warehouse, not this test's
    request.addfinalizer(data.drop_clients)  # and ours must not outlive this module's warehouse
    pm = Principal("t1", "pm@t1", "pm")
    plan = (
        "Канал;Площадка;Кампания;Начало;Окончание;Бюджет, руб.\r\n"
        "Поиск;Яндекс.Директ;Search brand;31.12.2025;03.01.2026;50 000,00\r\n"
    )
    res = data.import_plan(pm, "c1", plan.encode("cp1251"), "app_plan.csv")
    assert res.imported, res.report.as_text(10)
    count = (
        "SELECT count() FROM marts.fct_plan_vs_fact_daily WHERE tenant_id = 't1' AND plan_id = {p:String} "
        "AND plan_version = {v:UInt32}"
    )
    assert _one(wh, count, p=res.plan_id, v=res.plan_version) == (0,)  # the mart has not seen it yet
    # Only an approved version is plan for plan vs fact: a strategist submits, the PM approves.
    from workspace.plan_versions import transition

    transition(
        wh, Principal("t1", "strategist@t1", "strategist"), "c1", res.plan_id, res.plan_version, "submitted"
    )
    transition(wh, pm, "c1", res.plan_id, res.plan_version, "approved")
    steps: list[str] = []
    out = data.refresh_plan(pm, "c1", res, progress=steps.append)
    assert steps == ["dagster", "dbt", "check"]
    assert out.models == 7 and out.tests > 0 and out.plan_rows == 4  # one line, 31 Dec – 3 Jan
    assert _one(wh, count, p=res.plan_id, v=res.plan_version) == (4,)
    with dg.DagsterInstance.from_config(str(tmp_path / "dagster")) as instance:
        event = instance.get_latest_materialization_event(dg.AssetKey(["app", "media_plans"]))
    assert event is not None
    meta = event.asset_materialization.metadata
    assert meta["client_id"].value == "c1" and meta["plan"].value == f"{res.plan_id} v{res.plan_version}"
