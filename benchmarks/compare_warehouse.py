"""Side-by-side warehouse: the embedded server (chDB behind ClickHouse HTTP) vs chDB in-process vs DuckDB.

The same N ad-day rows (shaped like marts.fct_ad_performance_daily: 200 tenants, a year of days) are generated
once in the embedded server with INSERT … SELECT FROM numbers(), exported as Parquet, and loaded into a chDB
in-process session (MergeTree with the same key) and a DuckDB database (rows sorted the same way, so its zone maps
prune like the primary key). Each mart query runs once to warm up, then `--repeats` times per engine; the answers
are compared across engines before any time is reported.

Usage: python -m benchmarks.compare_warehouse [--rows 10000000] [--repeats 15]
"""

# ruff: noqa: S608 - every SQL string here is built from benchmark constants and temp paths, never user input

from __future__ import annotations

import argparse
import math
import tempfile
import time
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from benchmarks.common import emit, ratio, summarize_ms, timed_runs

TENANTS = 200
DAYS = 365
START = "2025-01-01"
TENANT = "t017"  # the tenant the per-tenant queries look at

DDL_CH = """
CREATE TABLE {db}.ad_day (
    tenant_id LowCardinality(String), client_id LowCardinality(String), date_day Date,
    platform LowCardinality(String), account_id String, campaign_id String, ad_id String,
    impressions UInt64, clicks UInt64, cost Decimal(18, 2), conversions UInt64
) ENGINE = MergeTree ORDER BY (tenant_id, client_id, date_day, platform, account_id, campaign_id, ad_id)
"""

# number → tenant (fastest-varying, so every tenant has every day), day, campaign, ad. Constants only.
GENERATE = f"""
INSERT INTO cmp.ad_day
SELECT concat('t', leftPad(toString(number % {TENANTS}), 3, '0')) AS tenant_id,
       concat('c', toString(intDiv(number, {TENANTS} * {DAYS}) % 8)) AS client_id,
       toDate('{START}') + intDiv(number, {TENANTS}) % {DAYS} AS date_day,
       ['yandex_direct', 'vk_ads', 'garpun'][1 + intDiv(number, {TENANTS} * {DAYS}) % 3] AS platform,
       concat('acc-', toString(intDiv(number, {TENANTS} * {DAYS}) % 8)) AS account_id,
       toString(1000 + intDiv(number, {TENANTS} * {DAYS}) % 120) AS campaign_id,
       toString(intDiv(number, {TENANTS} * {DAYS})) AS ad_id,
       100 + cityHash64(number) % 5000 AS impressions,
       intDiv(impressions * (1 + cityHash64(number, 1) % 5), 100) AS clicks,
       toDecimal64(clicks * 12.5 + cityHash64(number, 2) % 100 / 100, 2) AS cost,
       intDiv(clicks, 20) AS conversions
FROM numbers({{rows}})
"""

# name → (ClickHouse SQL, DuckDB SQL); {t} is the bench tenant constant.
QUERIES: dict[str, tuple[str, str]] = {
    "daily_totals_tenant_month": (
        f"SELECT date_day, sum(impressions), sum(clicks), sum(cost) FROM {{db}}ad_day WHERE tenant_id = '{TENANT}' "
        "AND date_day BETWEEN '2025-03-01' AND '2025-03-31' GROUP BY date_day ORDER BY date_day",
        f"SELECT date_day, sum(impressions), sum(clicks), sum(cost) FROM ad_day WHERE tenant_id = '{TENANT}' "
        "AND date_day BETWEEN DATE '2025-03-01' AND DATE '2025-03-31' GROUP BY date_day ORDER BY date_day",
    ),
    "campaign_kpis_tenant_month": (
        "SELECT campaign_id, sum(impressions) AS i, sum(clicks) AS c, sum(cost) AS s, round(c / i, 6) AS ctr, "
        f"round(toFloat64(s) / c, 4) AS cpc FROM {{db}}ad_day WHERE tenant_id = '{TENANT}' "
        "AND date_day BETWEEN '2025-03-01' AND '2025-03-31' GROUP BY campaign_id ORDER BY campaign_id",
        "SELECT campaign_id, sum(impressions) AS i, sum(clicks) AS c, sum(cost) AS s, round(c / i, 6) AS ctr, "
        f"round(CAST(s AS DOUBLE) / c, 4) AS cpc FROM ad_day WHERE tenant_id = '{TENANT}' "
        "AND date_day BETWEEN DATE '2025-03-01' AND DATE '2025-03-31' GROUP BY campaign_id ORDER BY campaign_id",
    ),
    "top10_campaigns_tenant_quarter": (
        f"SELECT campaign_id, sum(cost) AS s FROM {{db}}ad_day WHERE tenant_id = '{TENANT}' "
        "AND date_day BETWEEN '2025-01-01' AND '2025-03-31' GROUP BY campaign_id ORDER BY s DESC, campaign_id LIMIT 10",
        f"SELECT campaign_id, sum(cost) AS s FROM ad_day WHERE tenant_id = '{TENANT}' "
        "AND date_day BETWEEN DATE '2025-01-01' AND DATE '2025-03-31' GROUP BY campaign_id "
        "ORDER BY s DESC, campaign_id LIMIT 10",
    ),
    "agency_monthly_by_platform_full_scan": (
        "SELECT toStartOfMonth(date_day) AS m, platform, sum(impressions), sum(clicks), sum(cost) "
        "FROM {db}ad_day GROUP BY m, platform ORDER BY m, platform",
        "SELECT CAST(date_trunc('month', date_day) AS DATE) AS m, platform, sum(impressions), sum(clicks), "
        "sum(cost) FROM ad_day GROUP BY m, platform ORDER BY m, platform",
    ),
}


def _norm(rows: list[Any]) -> list[tuple]:
    """Engine-neutral answer: numbers as rounded floats, dates and strings as text."""
    out = []
    for row in rows:
        vals = []
        for v in row:
            if isinstance(v, datetime):  # chDB's DataFrame turns Date into a midnight Timestamp
                vals.append(str(v.date()))
            elif isinstance(v, (int, float, Decimal)):
                vals.append(float(v))
            else:
                vals.append(str(v))
        out.append(tuple(vals))
    return out


def same_answer(a: list[tuple], b: list[tuple]) -> bool:
    """Equal row for row; numbers equal to a cent (engines sum Decimal and Float64 in different orders)."""
    if len(a) != len(b):
        return False
    for ra, rb in zip(a, b, strict=True):
        if len(ra) != len(rb):
            return False
        for x, y in zip(ra, rb, strict=True):
            if isinstance(x, float) and isinstance(y, float):
                if not math.isclose(x, y, rel_tol=1e-9, abs_tol=0.005):
                    return False
            elif x != y:
                return False
    return True


def run(rows: int = 10_000_000, repeats: int = 15) -> dict[str, Any]:
    import chdb
    import clickhouse_connect
    import duckdb

    from warehouse import embedded

    out: dict[str, Any] = {"rows": rows, "tenants": TENANTS, "days": DAYS, "repeats": repeats, "queries": {}}
    with tempfile.TemporaryDirectory(prefix="mrm-cmp-wh-") as tmp:
        base = Path(tmp)
        info = embedded.start(base / "wh", port=0)
        try:
            server = clickhouse_connect.get_client(dsn=info.url, compress=False, send_receive_timeout=1800)
            server.command("CREATE DATABASE IF NOT EXISTS cmp")
            server.command(DDL_CH.format(db="cmp"))
            t0 = time.perf_counter()
            server.command(GENERATE.format(rows=rows))
            server.command("OPTIMIZE TABLE cmp.ad_day FINAL")
            out["generate_s"] = round(time.perf_counter() - t0, 1)
            parquet = base / "ad_day.parquet"
            t0 = time.perf_counter()
            with parquet.open("wb") as fh:
                for chunk in server.raw_stream("SELECT * FROM cmp.ad_day", fmt="Parquet"):
                    fh.write(chunk)
            out["export_parquet_s"] = round(time.perf_counter() - t0, 1)

            sess = chdb.session.Session(str(base / "chdb"))
            sess.query("CREATE DATABASE IF NOT EXISTS cmp")
            sess.query(DDL_CH.format(db="cmp"))
            t0 = time.perf_counter()
            sess.query(f"INSERT INTO cmp.ad_day SELECT * FROM file('{parquet}', 'Parquet')")
            sess.query("OPTIMIZE TABLE cmp.ad_day FINAL")
            out["load_chdb_s"] = round(time.perf_counter() - t0, 1)

            duck = duckdb.connect(str(base / "duck.duckdb"))
            t0 = time.perf_counter()
            duck.execute(
                f"CREATE TABLE ad_day AS SELECT * FROM read_parquet('{parquet}') "
                "ORDER BY tenant_id, client_id, date_day, platform, account_id, campaign_id, ad_id"
            )
            out["load_duckdb_s"] = round(time.perf_counter() - t0, 1)
            counts = {
                "server": server.command("SELECT count() FROM cmp.ad_day"),
                "chdb": int(sess.query("SELECT count() FROM cmp.ad_day", "CSV").bytes()),
                "duckdb": duck.execute("SELECT count(*) FROM ad_day").fetchone()[0],
            }
            if len({int(v) for v in counts.values()}) != 1:
                raise RuntimeError(f"row counts differ between engines: {counts}")

            engines = {
                "embedded_server": lambda sql: server.query(sql.format(db="cmp.")).result_rows,
                "chdb_in_process": lambda sql: [
                    tuple(r) for r in sess.query(sql.format(db="cmp."), "DataFrame").itertuples(index=False)
                ],
            }
            for name, (ch_sql, duck_sql) in QUERIES.items():
                res: dict[str, Any] = {}
                answers = {}
                for engine, fn in engines.items():
                    times, answer = timed_runs(lambda fn=fn, sql=ch_sql: fn(sql), repeats)
                    res[engine] = summarize_ms(times)
                    answers[engine] = _norm(answer)
                times, answer = timed_runs(lambda sql=duck_sql: duck.execute(sql).fetchall(), repeats)
                res["duckdb"] = summarize_ms(times)
                answers["duckdb"] = _norm(answer)
                ref = answers["embedded_server"]
                for engine, ans in answers.items():
                    if not same_answer(ans, ref):
                        raise RuntimeError(
                            f"{name}: {engine} answered differently from the embedded server: "
                            f"{ans[:3]} vs {ref[:3]}"
                        )
                res["result_rows"] = len(ref)
                res["ratio_server_vs_chdb_p50"] = ratio(
                    res["embedded_server"]["p50_ms"], res["chdb_in_process"]["p50_ms"]
                )
                res["ratio_duckdb_vs_server_p50"] = ratio(
                    res["duckdb"]["p50_ms"], res["embedded_server"]["p50_ms"]
                )
                out["queries"][name] = res
            sess.close()
            duck.close()
        finally:
            embedded.stop(base / "wh")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=10_000_000, help="ad-day rows (default 10 M)")
    ap.add_argument(
        "--repeats", type=int, default=15, help="timed runs per query and engine (after one warm-up)"
    )
    args = ap.parse_args(argv)
    emit(run(rows=args.rows, repeats=args.repeats))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
