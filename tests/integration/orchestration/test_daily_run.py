"""The daily flow as real Dagster runs: sandbox APIs over loopback → raw → dbt → checks, on the session warehouse.

One partition is materialised end to end once per module (about a minute on two cores); the other tests build on
it: a blocking mart check stops insights on injected duplicates, a week's single-run backfill reruns
idempotently, and the daily reports are e-mailed to a local SMTP server.
"""

from __future__ import annotations

import datetime as dt
import socket
import time
from collections.abc import Iterator
from typing import Any

import dagster as dg
import pytest

from ingestion.sandbox.testing import SANDBOX_TODAY, sandbox  # noqa: F401 - session fixture
from orchestration.demo import range_tags, summarize

DAY = "2026-01-19"
RAW_TABLES = {
    "raw_yandex_direct": ["campaigns", "ads", "ad_stats_daily", "reach_frequency"],
    "raw_yandex_metrika": ["traffic_daily", "visits"],
    "raw_vk_ads": ["ad_plans", "ad_groups", "banners", "banner_stats_daily"],
    "raw_garpun": ["ad_stats_daily", "campaigns"],
}
RAW_KEYS = [dg.AssetKey([db, t]) for db, ts in RAW_TABLES.items() for t in ts]
MART = dg.AssetKey(["marts", "fct_ad_performance_daily"])
INSIGHTS = dg.AssetKey(["app", "insights"])


@pytest.fixture(scope="module")
def ch(private_ch):
    """The daily run loads every active account in app.accounts: give it a warehouse of its own."""
    return private_ch


@pytest.fixture(scope="module")
def defs(ch, sandbox, tmp_path_factory) -> dg.Definitions:  # noqa: F811
    from ingestion.demo import register
    from orchestration.definitions import build_definitions

    register(ch, sandbox.world)
    return build_definitions(
        sandbox=True,
        sandbox_urls=sandbox.urls,
        today=SANDBOX_TODAY.isoformat(),
        reports_dir=str(tmp_path_factory.mktemp("reports")),
    )


@pytest.fixture(scope="module")
def instance() -> Iterator[dg.DagsterInstance]:
    with dg.instance_for_test() as inst:
        yield inst


@pytest.fixture(scope="module")
def daily_run(defs: dg.Definitions, instance: dg.DagsterInstance) -> dict[str, Any]:
    """Yesterday's partition: every raw asset and every dbt model with all their checks, in one in-process run."""
    job = defs.resolve_job_def("platform_job")
    graph = defs.resolve_asset_graph()
    dbt_keys = [k for k in graph.get_all_asset_keys() if k.path[0] in ("staging", "intermediate", "marts")]
    started = time.perf_counter()
    result = job.execute_in_process(
        partition_key=DAY, instance=instance, asset_selection=[*RAW_KEYS, *dbt_keys], raise_on_error=False
    )
    out = summarize(result)
    out["wall"] = time.perf_counter() - started
    out["result"] = result
    return out


def test_one_partition_end_to_end_sandbox_raw_dbt_checks(daily_run: dict[str, Any], ch) -> None:
    assert daily_run["success"], daily_run["failures"]
    assert set(daily_run["steps"]) >= {
        "yandex_direct_raw",
        "yandex_metrika_raw",
        "vk_ads_raw",
        "garpun_raw",
        "mrm_dbt_models",
        "marts_quality",
    }
    assert daily_run["checks"]["failed"] == []
    # 15 raw tables × their GX checks, the dbt tests and the mart suite all ran.
    assert daily_run["checks"]["passed"] >= 60
    # Every registered stats account has rows for the day in its raw table.
    for platform, table in (
        ("yandex_direct", "raw_yandex_direct.ad_stats_daily"),
        ("vk_ads", "raw_vk_ads.banner_stats_daily"),
        ("garpun", "raw_garpun.ad_stats_daily"),
        ("yandex_metrika", "raw_yandex_metrika.visits"),
    ):
        missing = ch.query(
            f"SELECT account_id FROM app.accounts FINAL WHERE platform = {{p:String}} AND is_active = 1 "  # noqa: S608
            f"AND account_id NOT IN (SELECT account_id FROM {table} WHERE date_day = {{d:Date}})",
            parameters={"p": platform, "d": dt.date.fromisoformat(DAY)},
        ).result_rows
        assert missing == [], f"{table}: no rows on {DAY} for {missing}"
    tenants = {
        r[0]
        for r in ch.query(
            "SELECT DISTINCT tenant_id FROM marts.fct_ad_performance_daily WHERE date_day = {d:Date}",
            parameters={"d": dt.date.fromisoformat(DAY)},
        ).result_rows
    }
    assert tenants == {"demo-agency", "north-media"}


def test_daily_run_repulled_each_platforms_lookback_window(daily_run: dict[str, Any]) -> None:
    fetched = {}
    for mat in daily_run["result"].get_asset_materialization_events():
        m = mat.event_specific_data.materialization
        if m.asset_key in (
            dg.AssetKey(["raw_yandex_direct", "ad_stats_daily"]),
            dg.AssetKey(["raw_yandex_metrika", "visits"]),
        ):
            fetched[m.asset_key.path[0]] = m.metadata["fetched"].value
            assert m.metadata["requested"].value == f"{DAY}..{DAY}"
    # Direct restates ~a week, Metrika ~3 days (ingestion.common.windows.DEFAULT_LOOKBACK_DAYS).
    assert fetched == {
        "raw_yandex_direct": "2026-01-13..2026-01-19",
        "raw_yandex_metrika": "2026-01-17..2026-01-19",
    }


def test_failing_blocking_check_on_injected_duplicates_stops_insights(defs, instance, daily_run, ch) -> None:
    assert daily_run["success"], daily_run["failures"]
    day = dt.date.fromisoformat(DAY)
    insights_before = ch.query(
        "SELECT count() FROM app.insights WHERE as_of = {d:Date}", parameters={"d": day}
    ).result_rows[0][0]
    # A double-loaded slice: the same rows inserted again, as a broken dedup would leave them.
    ch.command(
        "INSERT INTO marts.fct_ad_performance_daily SELECT * FROM marts.fct_ad_performance_daily "
        "WHERE date_day = {d:Date} AND tenant_id = 'demo-agency' LIMIT 5",
        parameters={"d": day},
    )
    # ai_refresh_job narrowed to insights + the mart checks (reports and embeddings are slow and not the point).
    narrow = dg.define_asset_job(
        "insights_guarded",
        selection=dg.AssetSelection.assets(INSIGHTS) | dg.AssetSelection.checks_for_assets(MART),
    )
    job = dg.Definitions.merge(defs, dg.Definitions(jobs=[narrow])).resolve_job_def("insights_guarded")
    try:
        bad = summarize(job.execute_in_process(partition_key=DAY, instance=instance, raise_on_error=False))
    finally:
        ch.command("OPTIMIZE TABLE marts.fct_ad_performance_daily FINAL DEDUPLICATE")
    assert not bad["success"]
    assert "marts/fct_ad_performance_daily:grain_unique (ERROR)" in bad["checks"]["failed"]
    assert "app__insights" not in bad["steps"]  # never ran
    assert (
        ch.query(
            "SELECT count() FROM app.insights WHERE as_of = {d:Date}", parameters={"d": day}
        ).result_rows[0][0]
        == insights_before
    )
    # With the duplicates gone the same job passes the gate and writes insights.
    good = summarize(job.execute_in_process(partition_key=DAY, instance=instance, raise_on_error=False))
    assert good["success"], good["failures"]
    assert "app__insights" in good["steps"]
    assert "grain_unique" not in " ".join(good["checks"]["failed"])


def _raw_state(ch, first: dt.date, last: dt.date) -> dict[str, tuple[int, int]]:
    """(physical rows, current rows) per daily raw table in the window: equal after a clean reload."""
    from warehouse.loads import _wait_for_mutations, current_rows_sql

    out = {}
    for db, tables in RAW_TABLES.items():
        for t in tables:
            fq = f"{db}.{t}"
            if t in ("campaigns", "ads", "ad_plans", "ad_groups", "banners", "reach_frequency"):
                continue
            # A failed attempt's rows are removed by an asynchronous DELETE (invisible meanwhile): let it finish.
            _wait_for_mutations(ch, fq, 120)
            where = "date_day BETWEEN {f:Date} AND {t:Date}"
            phys = ch.query(f"SELECT count() FROM {fq} WHERE {where}", parameters={"f": first, "t": last})  # noqa: S608
            cur = ch.query(
                f"SELECT count() FROM ({current_rows_sql(fq)}) WHERE {where}",  # noqa: S608
                parameters={"f": first, "t": last},
            )
            out[fq] = (phys.result_rows[0][0], cur.result_rows[0][0])
    return out


def _explain_leftovers(ch, state: dict[str, tuple[int, int]], first: dt.date, last: dt.date) -> None:
    """Fail naming the loads behind rows that are stored but not current (a reload must leave none)."""
    bad = [fq for fq, (phys, cur) in state.items() if phys != cur]
    if not bad:
        return
    stale = {
        fq: ch.query(
            f"SELECT _load_id, min(_loaded_at), count() FROM {fq} "  # noqa: S608 - our names
            "WHERE date_day BETWEEN {f:Date} AND {t:Date} GROUP BY ALL ORDER BY 2",
            parameters={"f": first, "t": last},
        ).result_rows
        for fq in bad
    }
    log = ch.query(
        "SELECT platform, report, account_id, status, started_at, rows, error FROM app.load_log "
        "WHERE date_to >= {f:Date} AND date_from <= {t:Date} ORDER BY started_at",
        parameters={"f": first, "t": last},
    ).result_rows
    mutations = ch.query(
        "SELECT database, table, command, is_done, latest_fail_reason FROM system.mutations WHERE is_done = 0"
    ).result_rows
    raise AssertionError(
        f"stored != current rows: {state}\nrows by load: {stale}\nload_log: {log}\n"
        f"unfinished mutations: {mutations}"
    )


def test_week_backfill_is_one_run_and_reruns_idempotently(defs, instance, ch) -> None:
    first, last = dt.date(2026, 1, 5), dt.date(2026, 1, 11)
    job = defs.resolve_job_def("platform_job")
    states = []
    for _ in range(2):
        res = job.execute_in_process(
            instance=instance, tags=range_tags(first, last), asset_selection=RAW_KEYS, raise_on_error=False
        )
        s = summarize(res)
        assert s["success"], s["failures"]
        assert s["checks"]["failed"] == []
        states.append(_raw_state(ch, first, last))
        _explain_leftovers(ch, states[-1], first, last)
        mats = [e.event_specific_data.materialization for e in res.get_asset_materialization_events()]
        requested = {m.metadata["requested"].value for m in mats if "requested" in m.metadata}
        assert requested == {"2026-01-05..2026-01-11"}  # the whole week in one step, not seven runs
    assert states[0] == states[1]
    assert all(phys == cur > 0 for phys, cur in states[0].values()), states[0]
    parts = instance.get_materialized_partitions(dg.AssetKey(["raw_vk_ads", "banner_stats_daily"]))
    assert {f"2026-01-{d:02d}" for d in range(5, 12)} <= set(parts)


@pytest.fixture
def smtp_sink() -> Iterator[tuple[int, list[Any]]]:
    from aiosmtpd.controller import Controller

    received: list[Any] = []

    class Sink:
        async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd hook name
            received.append(envelope)
            return "250 OK"

    with socket.socket() as s:  # aiosmtpd cannot report a port-0 bind: pick a free port first
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    ctl = Controller(Sink(), hostname="127.0.0.1", port=port)
    ctl.start()
    try:
        yield port, received
    finally:
        ctl.stop()


def test_daily_reports_are_built_and_emailed(
    defs,
    sandbox,
    instance,
    daily_run,
    ch,
    smtp_sink,  # noqa: F811
    tmp_path,
) -> None:
    from orchestration.definitions import build_definitions
    from orchestration.resources import SmtpResource

    assert daily_run["success"], daily_run["failures"]
    port, received = smtp_sink
    ch.command(
        "INSERT INTO app.clients (tenant_id, client_id, name, currency, agency_commission, report_recipients, "
        "report_language) SELECT tenant_id, client_id, name, currency, agency_commission, "
        "['media@shoes.example'], 'en' FROM app.clients FINAL WHERE tenant_id = 'north-media' "
        "AND client_id = 'travel'"
    )
    mail_defs = build_definitions(
        sandbox=True,
        sandbox_urls=sandbox.urls,
        today=SANDBOX_TODAY.isoformat(),
        reports_dir=str(tmp_path),
        smtp=SmtpResource(host="127.0.0.1", port=port),
    )
    job = mail_defs.resolve_job_def("daily_platform_job")
    res = job.execute_in_process(
        partition_key=DAY,
        instance=instance,
        raise_on_error=False,
        asset_selection=[
            dg.AssetKey(["reports", "client_reports"]),
            dg.AssetKey(["reports", "client_report_emails"]),
        ],
        run_config={
            "ops": {
                "reports__client_reports": {"config": {"tenants": ["north-media"]}},
                "reports__client_report_emails": {"config": {"tenants": ["north-media"]}},
            }
        },
    )
    s = summarize(res)
    assert s["success"], s["failures"]
    # The frozen report numbers equal the mart, whether the run row already says 'built' or 'sent'.
    assert s["checks"]["failed"] == [] and s["checks"]["passed"] >= 1
    assert [e.rcpt_tos for e in received] == [["media@shoes.example"]]
    body = received[0].content.decode("utf-8", "replace")
    assert "travel_2026-01-13_2026-01-19_en.pdf" in body and ".xlsx" in body
    status = ch.query(
        "SELECT status FROM app.report_runs FINAL WHERE tenant_id = 'north-media' AND client_id = "
        "'travel' AND date_to = {d:Date} AND lang = 'en' ORDER BY updated_at DESC LIMIT 1",
        parameters={"d": dt.date.fromisoformat(DAY)},
    ).result_rows
    assert status and status[0][0] == "sent"


def test_plan_dropped_in_the_inbox_is_imported_by_the_sensor_run(
    defs, instance, daily_run, ch, tmp_path, monkeypatch
) -> None:
    from planning.demo import build_demo_plan_xlsx

    assert daily_run["success"], daily_run["failures"]
    campaigns = [
        {
            "platform": "yandex_direct",
            "campaign_id": str(cid),
            "campaign_name": name,
            "account_id": "shoes-direct",
        }
        for cid, name in ch.query(
            "SELECT campaign_id, campaign_name FROM raw_yandex_direct.campaigns "
            "WHERE tenant_id = 'demo-agency' AND account_id = 'shoes-direct' "
            "ORDER BY campaign_id LIMIT 3"
        ).result_rows
    ]
    assert campaigns
    folder = tmp_path / "demo-agency" / "shoes"
    folder.mkdir(parents=True)
    (folder / "inbox_plan_q1.xlsx").write_bytes(
        build_demo_plan_xlsx("shoes", campaigns, dt.date(2026, 1, 1), dt.date(2026, 1, 31))
    )
    (folder / "broken_plan.xlsx").write_bytes(b"this is not a workbook")
    monkeypatch.setenv("MRM_MEDIA_PLAN_INBOX", str(tmp_path))
    tick = defs.resolve_sensor_def("media_plan_inbox_sensor").evaluate_tick(
        dg.build_sensor_context(instance=instance)
    )
    by_file = {r.tags["media_plan_file"]: r for r in tick.run_requests}
    assert set(by_file) == {"inbox_plan_q1.xlsx", "broken_plan.xlsx"}
    job = defs.resolve_job_def("media_plan_import_job")
    ok = summarize(
        job.execute_in_process(
            run_config=by_file["inbox_plan_q1.xlsx"].run_config, instance=instance, raise_on_error=False
        )
    )
    assert ok["success"], ok["failures"]
    assert ok["checks"]["failed"] == [] and ok["checks"]["passed"] >= 1
    lines = ch.query(
        "SELECT count() FROM app.media_plan_lines_current WHERE tenant_id = 'demo-agency' "
        "AND client_id = 'shoes' AND plan_id = 'inbox-plan-q1'"
    ).result_rows[0][0]
    assert lines == len(campaigns)
    bad = summarize(
        job.execute_in_process(
            run_config=by_file["broken_plan.xlsx"].run_config, instance=instance, raise_on_error=False
        )
    )
    assert not bad["success"] and "broken_plan.xlsx" in " ".join(bad["failures"].values())
