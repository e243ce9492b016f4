"""Yandex Direct end to end: sandbox over loopback → connector → embedded warehouse."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
import textwrap
import time
from datetime import date, timedelta
from decimal import Decimal

import httpx
import pytest

from ingestion import yandex_direct
from ingestion.common import VAT_RATES, ApiError, IngestionError, PayloadError, RetryExhausted
from ingestion.sandbox.testing import SANDBOX_TODAY, clean_faults, sandbox  # noqa: F401
from tests.integration.ingestion.test_common_helpers import fingerprint, last_log, physical_rows

STATS = "raw_yandex_direct.ad_stats_daily"
LOGIN = "shoes-direct"
_ids = itertools.count()


def tenant(prefix: str = "it-direct") -> str:
    return f"{prefix}-{os.getpid()}-{next(_ids)}"


def settings(sandbox, **kw) -> yandex_direct.Settings:  # noqa: F811
    return yandex_direct.Settings.for_sandbox(sandbox.url("direct"), **kw)


def run(ch, sandbox, t: str, d1: date, d2: date, today: date = SANDBOX_TODAY, **kw):  # noqa: F811
    return yandex_direct.load(
        ch, settings(sandbox, **kw), tenant_id=t, account_id=LOGIN, date_from=d1, date_to=d2, today=today
    )


D1, D2 = date(2025, 12, 29), date(2026, 1, 19)  # crosses the 2026-01-01 VAT change and the provisional window


def test_load_equals_ground_truth_and_reconciles_across_grains(ch, clean_faults):  # noqa: F811
    t = tenant()
    result = run(ch, clean_faults, t, date(2026, 1, 19), D2)  # asking for yesterday re-pulls the lookback
    assert result[STATS] > 0 and result["raw_yandex_direct.campaigns"] == len(
        clean_faults.world.campaigns(LOGIN)
    )
    result = run(ch, clean_faults, t, D1, D2)
    truth = clean_faults.world.truth.ads_totals(LOGIN, D1, D2, include_vat=True)
    raw = ch.query(
        f"SELECT sum(impressions), sum(clicks), sum(cost), sum(conversions), countIf(is_provisional = 1), "
        f"uniqExact(date_day) FROM {STATS} WHERE tenant_id = {{t:String}}",
        parameters={"t": t},
    ).result_rows[0]
    assert raw[:4] == (truth["impressions"], truth["clicks"], truth["cost"], truth["conversions"])
    assert raw[5] == (D2 - D1).days + 1
    # provisional = the days younger than the 7-day lookback (the 7-day-old one is fetched final)
    prov_days = ch.query(
        f"SELECT DISTINCT date_day FROM {STATS} WHERE tenant_id = {{t:String}} AND is_provisional = 1 "
        "ORDER BY date_day",
        parameters={"t": t},
    ).result_rows
    assert [r[0] for r in prov_days] == [SANDBOX_TODAY - timedelta(days=k) for k in range(6, 0, -1)]
    by_campaign = clean_faults.world.truth.ads_totals(LOGIN, D1, D2, include_vat=True, by="campaign")
    rows = ch.query(
        f"SELECT campaign_id, sum(cost) FROM {STATS} WHERE tenant_id = {{t:String}} GROUP BY campaign_id",
        parameters={"t": t},
    ).result_rows
    assert {cid: cost for cid, cost in rows} == {cid: v["cost"] for cid, v in by_campaign.items()}
    # account = Σ campaigns = Σ ads, against the platform's own account- and campaign-level reports for a day
    day = date(2026, 1, 10)
    account = _platform_report(
        clean_faults, "ACCOUNT_PERFORMANCE_REPORT", ["Impressions", "Clicks", "Cost"], day
    )
    campaigns = _platform_report(
        clean_faults, "CAMPAIGN_PERFORMANCE_REPORT", ["CampaignId", "Impressions", "Clicks", "Cost"], day
    )
    ads = ch.query(
        f"SELECT sum(impressions), sum(clicks), sum(cost) * 1000000 FROM {STATS} WHERE tenant_id = {{t:String}} "
        "AND date_day = {d:Date}",
        parameters={"t": t, "d": day},
    ).result_rows[0]
    assert account == [tuple(int(x) for x in ads)]
    assert [tuple(sum(c[i] for c in campaigns) for i in (1, 2, 3))] == account
    assert last_log(ch, t, "ad_stats_daily")[0] == "ok" and last_log(ch, t, "ad_stats_daily")[3] >= 1
    reach = ch.query(
        "SELECT count(), min(impression_reach) > 0, sum(impressions) FROM raw_yandex_direct.reach_frequency "
        "WHERE tenant_id = {t:String} AND date_day = {d:Date}",
        parameters={"t": t, "d": D2},
    ).result_rows[0]
    display = [
        c
        for c in clean_faults.world.campaigns(LOGIN)
        if c.type == "CPM_BANNER_CAMPAIGN"
        and any(c.active_on(D1 + timedelta(days=k)) for k in range((D2 - D1).days + 1))
    ]
    assert reach[0] == len(display) > 0 and reach[1] == 1


def _platform_report(sandbox, rtype: str, fields: list[str], day: date) -> list[tuple]:  # noqa: F811
    body = {
        "params": {
            "SelectionCriteria": {"DateFrom": day.isoformat(), "DateTo": day.isoformat()},
            "FieldNames": fields,
            "ReportName": f"chk-{rtype}-{time.time()}",
            "ReportType": rtype,
            "DateRangeType": "CUSTOM_DATE",
            "Format": "TSV",
            "IncludeVAT": "YES",
        }
    }
    r = httpx.post(
        f"{sandbox.url('direct')}/json/v5/reports",
        json=body,
        headers={
            "Authorization": "Bearer sandbox-yandex-token",
            "Client-Login": LOGIN,
            "skipReportHeader": "true",
            "skipColumnHeader": "true",
            "skipReportSummary": "true",
            "processingMode": "online",
        },
    )
    assert r.status_code == 200, r.text
    return [tuple(int(x) for x in line.split("\t")) for line in r.text.splitlines()]


def test_code_vat_rates_are_identical_to_app_vat_rates(ch):
    rows = ch.query(
        "SELECT country, valid_from, argMax(rate, updated_at) FROM app.vat_rates "
        "GROUP BY country, valid_from ORDER BY country, valid_from"
    ).result_rows
    seeded: dict[str, list[tuple[date, Decimal]]] = {}
    for country, since, rate in rows:
        seeded.setdefault(country, []).append((since, Decimal(str(rate))))
    assert {c: tuple(r) for c, r in seeded.items()} == VAT_RATES


W1, W2 = date(2026, 1, 13), date(2026, 1, 19)


@pytest.fixture(scope="module")
def baseline(ch, sandbox):  # noqa: F811
    sandbox.faults.clear()
    t = tenant("it-direct-base")
    run(ch, sandbox, t, W1, W2)
    return {
        tb: fingerprint(ch, tb, t, snapshot=tb.endswith("campaigns"))
        for tb in (STATS, "raw_yandex_direct.campaigns", "raw_yandex_direct.reach_frequency")
    }


RECOVERABLE = [
    ("http_429", {"retry_after": 0.2, "count": 2}),
    ("http_429", {"count": 2}),
    ("http_420", {"count": 1}),
    ("http_5xx", {"status": 503, "count": 2}),
    ("reset", {"count": 1}),
    ("timeout", {"seconds": 1.5, "count": 1}),
    ("truncate", {"path": "reports", "count": 1}),
    ("garble", {"path": "reports", "count": 1}),
    ("expired_token", {"count": 1}),
    ("direct_offline", {"polls": 3, "retry_in": 0, "count": 1}),
    ("direct_error_200", {"code": 152, "count": 1}),
    ("direct_error_200", {"code": 506, "count": 1}),
    ("direct_error_200", {"code": 52, "path": "campaigns", "count": 1}),
    ("direct_error", {"code": 1000, "status": 500, "count": 1}),
    ("direct_queue_full", {"count": 2}),
    (
        "direct_error",
        {"code": 8000, "status": 502, "path": "reports", "count": 1},
    ),  # period too long → halved
]


@pytest.mark.parametrize(
    "kind, params",
    RECOVERABLE,
    ids=lambda v: v if isinstance(v, str) else ",".join(f"{k}={x}" for k, x in v.items()),
)
def test_each_recoverable_fault_still_loads_exactly_the_clean_result(
    ch, clean_faults, baseline, kind, params
):  # noqa: F811
    params = dict(params)
    clean_faults.faults.add(
        "direct", kind, count=params.pop("count"), path=params.pop("path", None), **params
    )
    t = tenant()
    run(ch, clean_faults, t, W1, W2, timeout_s=1.0)
    fired = [h for h in clean_faults.faults.history if h[1] == kind]
    assert fired, f"fault {kind} never fired"
    assert fingerprint(ch, STATS, t) == baseline[STATS]
    assert (
        fingerprint(ch, "raw_yandex_direct.campaigns", t, snapshot=True)
        == baseline["raw_yandex_direct.campaigns"]
    )
    assert (
        fingerprint(ch, "raw_yandex_direct.reach_frequency", t)
        == baseline["raw_yandex_direct.reach_frequency"]
    )


FATAL = [
    ("direct_error_200", {"code": 54, "path": "campaigns"}, ApiError, "54 No rights"),
    ("direct_error_200", {"code": 3000, "path": "reports"}, ApiError, "3000 No API access"),
    ("http_5xx", {"status": 500}, RetryExhausted, "gave up after"),
    ("truncate", {"path": "reports"}, PayloadError, "truncated|malformed"),
    ("direct_offline", {"polls": 10_000, "retry_in": 0}, ApiError, "not ready after"),
]


@pytest.mark.parametrize(
    "kind, params, exc, text",
    FATAL,
    ids=[f"{k}-{p.get('code', p.get('status', ''))}" for k, p, _e, _t in FATAL],
)
def test_persistent_faults_fail_loudly_and_write_nothing(ch, clean_faults, kind, params, exc, text):  # noqa: F811
    params = dict(params)
    clean_faults.faults.add("direct", kind, count=None, path=params.pop("path", None), **params)
    t = tenant()
    with pytest.raises(exc, match=text) as info:
        run(ch, clean_faults, t, W1, W2, max_attempts=3, max_report_polls=5)
    assert isinstance(info.value, IngestionError) and info.value.platform == "yandex_direct"
    for table in (STATS, "raw_yandex_direct.reach_frequency"):
        assert fingerprint(ch, table, t)[0] == 0
        assert physical_rows(ch, table, t) == 0
    failed = ch.query(
        "SELECT error FROM app.load_log WHERE tenant_id = {t:String} AND status = 'failed'",
        parameters={"t": t},
    ).result_rows
    assert [r[0] for r in failed] == [f"{type(info.value).__name__}: {info.value}"[:4000]]


def test_reload_twice_and_with_production_dedup_settings_equals_one_clean_load(
    ch, warehouse_url, clean_faults, baseline
):  # noqa: F811
    import clickhouse_connect

    t = tenant()
    for _ in range(3):
        run(ch, clean_faults, t, W1, W2)
        assert fingerprint(ch, STATS, t) == baseline[STATS]
    assert physical_rows(ch, STATS, t) == baseline[STATS][0]
    # Production-like deduplication: ReplicatedMergeTree drops identical re-inserted blocks by default. chDB has no
    # replication, but plain MergeTree does the same with non_replicated_deduplication_window > 0.
    # Since ClickHouse 26.2 `deduplicate_insert` (enum) overrides `insert_deduplicate` (bool): set both on.
    available = {
        r[0]
        for r in ch.query(
            "SELECT name FROM system.settings WHERE name IN ('insert_deduplicate', 'deduplicate_insert')"
        ).result_rows
    }
    wanted = {"insert_deduplicate": 1, "deduplicate_insert": "enable"}
    prod = clickhouse_connect.get_client(
        dsn=warehouse_url, settings={k: v for k, v in wanted.items() if k in available}
    )
    ch.command(f"ALTER TABLE {STATS} MODIFY SETTING non_replicated_deduplication_window = 1000")
    try:
        for _ in range(2):
            run(prod, clean_faults, t, W1, W2)
            assert fingerprint(ch, STATS, t) == baseline[STATS]
    finally:
        ch.command(f"ALTER TABLE {STATS} MODIFY SETTING non_replicated_deduplication_window = 0")
        prod.close()
    assert physical_rows(ch, STATS, t) == baseline[STATS][0]


def test_restated_conversions_are_picked_up_by_the_next_run(ch, clean_faults):  # noqa: F811
    t = tenant()
    run(ch, clean_faults, t, W1, W2)
    before = dict(
        ch.query(
            f"SELECT date_day, sum(conversions) FROM {STATS} WHERE tenant_id = {{t:String}} GROUP BY date_day",
            parameters={"t": t},
        ).result_rows
    )
    later = SANDBOX_TODAY + timedelta(days=3)
    clean_faults.world.set_today(later)
    run(ch, clean_faults, t, later - timedelta(days=1), later - timedelta(days=1), today=later)
    after = dict(
        ch.query(
            f"SELECT date_day, sum(conversions) FROM {STATS} WHERE tenant_id = {{t:String}} GROUP BY date_day",
            parameters={"t": t},
        ).result_rows
    )
    truth = clean_faults.world.truth.ads_totals(LOGIN, W1, W2, include_vat=True, as_of=later, by="day")
    repulled = [d for d in before if d >= later - timedelta(days=7)]
    assert {d: after[d] for d in repulled} == {d: truth[d]["conversions"] for d in repulled}
    assert all(after[d] == before[d] for d in before if d not in repulled)  # outside the lookback: untouched
    assert sum(after[d] for d in repulled) > sum(before[d] for d in repulled)  # restated upwards
    flags = dict(
        ch.query(
            f"SELECT date_day, max(is_provisional) FROM {STATS} WHERE tenant_id = {{t:String}} "
            "GROUP BY date_day",
            parameters={"t": t},
        ).result_rows
    )
    assert {d: flags[d] for d in repulled} == {d: int(d >= later - timedelta(days=6)) for d in repulled}


CHILD = textwrap.dedent("""
    import sys, time
    from datetime import date
    import clickhouse_connect
    from ingestion import yandex_direct
    from warehouse.loads import VERSIONS_TABLE
    ch = clickhouse_connect.get_client(dsn=sys.argv[1])
    s = yandex_direct.Settings.for_sandbox(sys.argv[2], block_size=1 << 16)
    raw_insert = ch.raw_insert
    def insert(table, *args, **kwargs):
        # every row of the new load is in the table; die before the window switches to it
        if table == VERSIONS_TABLE:
            print("INSERTED", flush=True)
            time.sleep(60)
        return raw_insert(table, *args, **kwargs)
    ch.raw_insert = insert
    yandex_direct.load(ch, s, tenant_id=sys.argv[3], account_id="shoes-direct", date_from=date(2025, 12, 1),
                       date_to=date(2026, 1, 19), today=date(2026, 1, 20), tables=("ad_stats",))
""")


def test_kill_9_mid_load_leaves_previous_data_and_a_rerun_equals_a_clean_load(
    ch, warehouse_url, clean_faults
):  # noqa: F811
    t = tenant()
    d1 = date(2025, 12, 1)

    def load_stats() -> None:
        yandex_direct.load(
            ch,
            settings(clean_faults),
            tenant_id=t,
            account_id=LOGIN,
            date_from=d1,
            date_to=D2,
            today=SANDBOX_TODAY,
            tables=("ad_stats",),
        )

    load_stats()
    clean = fingerprint(ch, STATS, t)
    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD, warehouse_url, clean_faults.url("direct"), t],
        stdout=subprocess.PIPE,
        text=True,
        cwd=os.getcwd(),
    )
    try:
        line = proc.stdout.readline()
        assert line.strip() == "INSERTED", line
        proc.kill()  # SIGKILL: no cleanup, no finally
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert physical_rows(ch, STATS, t) > clean[0]  # orphans of the killed load are in the table...
    assert fingerprint(ch, STATS, t) == clean  # ...but readers still see exactly the previous load
    load_stats()  # the same load again
    assert fingerprint(ch, STATS, t) == clean
    assert physical_rows(ch, STATS, t) == clean[0]  # the rerun removed the orphans
