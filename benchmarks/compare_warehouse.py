"""Side-by-side warehouse: the embedded server (chDB behind ClickHouse HTTP) vs chDB in-process vs DuckDB.

The same N ad-day rows (shaped like marts.fct_ad_performance_daily: 200 tenants, a year of days) are generated
once in the embedded server with INSERT … SELECT FROM numbers() and exported as Parquet; DuckDB loads that Parquet
once (rows sorted by the current mart key, so its zone maps prune like the primary key).

The ClickHouse side is measured per *variant*: a table design (ORDER BY, column types, index_granularity,
aggregate projections) and/or query settings. For every variant the table is built from the same rows in the
embedded server (INSERT … SELECT from the generated table) and in a chDB in-process session (INSERT … SELECT from
the Parquet file), then each mart query runs once to warm up and `--repeats` times on the server, on chDB and on
DuckDB (DuckDB's table never changes: every variant gets its own DuckDB timings, so the ratios come from the same
minutes of a shared machine). Every engine's answer is checked against DuckDB's before any time is reported.
The fixed per-query cost of each engine (SELECT 1, a one-row read) is measured as well.

`result["queries"]` holds the first variant's results (the shape `benchmarks.compare` reads);
`result["variants"]` holds all of them.

Usage: python -m benchmarks.compare_warehouse [--rows 10000000] [--repeats 15] [--variant NAME ...|all]
"""

# ruff: noqa: S608 - every SQL string here is built from benchmark constants and temp paths, never user input

from __future__ import annotations

import argparse
import math
import os
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any

from benchmarks.common import emit, ratio, summarize_ms, timed_runs

TENANTS = 200
DAYS = 365
START = "2025-01-01"
TENANT = "t017"  # the tenant the per-tenant queries look at

CURRENT_ORDER = "tenant_id, client_id, date_day, platform, account_id, campaign_id, ad_id"
DATE_ORDER = "tenant_id, date_day, client_id, platform, account_id, campaign_id, ad_id"

# The generated (source) table, in the current mart design.
DDL_CH = f"""
CREATE TABLE {{db}}.ad_day (
    tenant_id LowCardinality(String), client_id LowCardinality(String), date_day Date,
    platform LowCardinality(String), account_id String, campaign_id String, ad_id String,
    impressions UInt64, clicks UInt64, cost Decimal(18, 2), conversions UInt64
) ENGINE = MergeTree ORDER BY ({CURRENT_ORDER})
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

# name → (ClickHouse SQL template, DuckDB SQL). In the ClickHouse template {table} is the variant's table,
# {sum_cost} its money sum (see Variant.sum_cost); the variant's settings are appended.
QUERIES: dict[str, tuple[str, str]] = {
    "daily_totals_tenant_month": (
        f"SELECT date_day, sum(impressions), sum(clicks), {{sum_cost}} FROM {{table}} WHERE tenant_id = '{TENANT}' "
        "AND date_day BETWEEN '2025-03-01' AND '2025-03-31' GROUP BY date_day ORDER BY date_day",
        f"SELECT date_day, sum(impressions), sum(clicks), sum(cost) FROM ad_day WHERE tenant_id = '{TENANT}' "
        "AND date_day BETWEEN DATE '2025-03-01' AND DATE '2025-03-31' GROUP BY date_day ORDER BY date_day",
    ),
    "campaign_kpis_tenant_month": (
        "SELECT campaign_id, sum(impressions) AS i, sum(clicks) AS c, {sum_cost} AS s, round(c / i, 6) AS ctr, "
        f"round(toFloat64(s) / c, 4) AS cpc FROM {{table}} WHERE tenant_id = '{TENANT}' "
        "AND date_day BETWEEN '2025-03-01' AND '2025-03-31' GROUP BY campaign_id ORDER BY campaign_id",
        "SELECT campaign_id, sum(impressions) AS i, sum(clicks) AS c, sum(cost) AS s, round(c / i, 6) AS ctr, "
        f"round(CAST(s AS DOUBLE) / c, 4) AS cpc FROM ad_day WHERE tenant_id = '{TENANT}' "
        "AND date_day BETWEEN DATE '2025-03-01' AND DATE '2025-03-31' GROUP BY campaign_id ORDER BY campaign_id",
    ),
    "top10_campaigns_tenant_quarter": (
        f"SELECT campaign_id, {{sum_cost}} AS s FROM {{table}} WHERE tenant_id = '{TENANT}' "
        "AND date_day BETWEEN '2025-01-01' AND '2025-03-31' GROUP BY campaign_id ORDER BY s DESC, campaign_id LIMIT 10",
        f"SELECT campaign_id, sum(cost) AS s FROM ad_day WHERE tenant_id = '{TENANT}' "
        "AND date_day BETWEEN DATE '2025-01-01' AND DATE '2025-03-31' GROUP BY campaign_id "
        "ORDER BY s DESC, campaign_id LIMIT 10",
    ),
    "agency_monthly_by_platform_full_scan": (
        "SELECT toStartOfMonth(date_day) AS m, platform, sum(impressions), sum(clicks), {sum_cost} "
        "FROM {table} GROUP BY m, platform ORDER BY m, platform",
        "SELECT CAST(date_trunc('month', date_day) AS DATE) AS m, platform, sum(impressions), sum(clicks), "
        "sum(cost) FROM ad_day GROUP BY m, platform ORDER BY m, platform",
    ),
}

# Fixed per-query cost: statements that do (almost) no work. {table} as above.
TRIVIAL: dict[str, tuple[str, str]] = {
    "select_1": ("SELECT 1", "SELECT 1"),
    "one_row": ("SELECT tenant_id FROM {table} LIMIT 1", "SELECT tenant_id FROM ad_day LIMIT 1"),
}

# Aggregate projections for the app's query shapes; {cost} is the variant's money column.
PROJECTIONS: dict[str, str] = {
    "p_tenant_day": "SELECT tenant_id, date_day, sum(impressions), sum(clicks), sum({cost}) "
    "GROUP BY tenant_id, date_day",
    "p_tenant_day_campaign": "SELECT tenant_id, date_day, campaign_id, sum(impressions), sum(clicks), sum({cost}) "
    "GROUP BY tenant_id, date_day, campaign_id",
    "p_tenant_month_platform": "SELECT tenant_id, toStartOfMonth(date_day), platform, sum(impressions), "
    "sum(clicks), sum({cost}) GROUP BY tenant_id, toStartOfMonth(date_day), platform",
}


@dataclass(frozen=True)
class Money:
    """One way to store the cost: its column type, the select turning the source's Decimal(18, 2) `cost` into
    it, and whether CODEC(T64, …) can encode it (integers and 32/64-bit Decimals only)."""

    column_type: str
    from_source: str
    t64: bool = True


MONEY: dict[str, Money] = {
    "decimal": Money("Decimal(18, 2)", "cost"),
    "decimal38": Money("Decimal(38, 6)", "toDecimal128(cost, 6) AS cost", t64=False),
    "int64_kopecks": Money("Int64", "toInt64(cost * 100) AS cost_kopecks"),
    "float64": Money("Float64", "toFloat64(cost) AS cost", t64=False),
}


@dataclass(frozen=True)
class Variant:
    """One ClickHouse table design plus query settings. `money`: a key of MONEY — cost as Decimal(18, 2) (current),
    as Decimal(38, 6) (what the dbt mart's sums produce), as Int64 kopecks (column cost_kopecks, summed then divided
    by 100) or as Float64; money T64 cannot encode keeps `codec`. `dims_low_cardinality`: client_id and
    platform as LowCardinality(String) (the benchmark's default) or String (the dbt mart)."""

    name: str
    about: str
    order_by: str = CURRENT_ORDER
    money: str = "decimal"
    ids_low_cardinality: bool = False
    dims_low_cardinality: bool = True
    codec: str = ""  # every column's codec; "" = the engine default (ZSTD(3) in chDB 26.9)
    number_codec: str = ""  # impressions, clicks, cost, conversions; "" = `codec`
    index_granularity: int = 8192
    partition_by: str = ""  # "" = one partition (the mart's dbt default is toMonday(date_day))
    projections: tuple[str, ...] = ()
    settings: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        if self.money not in MONEY:
            raise ValueError(f"{self.name}: money must be one of {tuple(MONEY)}, got {self.money!r}")
        unknown = set(self.projections) - set(PROJECTIONS)
        if unknown:
            raise ValueError(f"{self.name}: unknown projections {sorted(unknown)}")

    @property
    def cost_column(self) -> str:
        return "cost_kopecks" if self.money == "int64_kopecks" else "cost"

    @property
    def sum_cost(self) -> str:
        """The money sum in the variant's query text (answers in roubles, like Decimal(18, 2))."""
        return "sum(cost_kopecks) / 100" if self.money == "int64_kopecks" else "sum(cost)"

    def columns(self) -> list[tuple[str, str]]:
        """(name, type with codec) of every column, in the table's order."""
        ids = "LowCardinality(String)" if self.ids_low_cardinality else "String"
        money = MONEY[self.money]
        dims = "LowCardinality(String)" if self.dims_low_cardinality else "String"
        cols = [
            ("tenant_id", "LowCardinality(String)"),
            ("client_id", dims),
            ("date_day", "Date"),
            ("platform", dims),
            ("account_id", ids),
            ("campaign_id", ids),
            ("ad_id", ids),
            ("impressions", "UInt64"),
            ("clicks", "UInt64"),
            (self.cost_column, money.column_type),
            ("conversions", "UInt64"),
        ]
        numbers = {"impressions", "clicks", "conversions"} | ({self.cost_column} if money.t64 else set())
        out = []
        for name, typ in cols:
            codec = (self.number_codec or self.codec) if name in numbers else self.codec
            out.append((name, f"{typ} CODEC({codec})" if codec else typ))
        return out

    def ddl(self, table: str) -> str:
        """CREATE TABLE for this design; `table` is the qualified name."""
        body = [f"    {name} {typ}" for name, typ in self.columns()]
        body += [
            f"    PROJECTION {p} ({PROJECTIONS[p].format(cost=self.cost_column)})" for p in self.projections
        ]
        return (
            f"CREATE TABLE {table} (\n"
            + ",\n".join(body)
            + "\n) ENGINE = MergeTree"
            + (f" PARTITION BY {self.partition_by}" if self.partition_by else "")
            + f" ORDER BY ({self.order_by})"
            + (
                f" SETTINGS index_granularity = {self.index_granularity}"
                if self.index_granularity != 8192
                else ""
            )
        )

    def select_from_source(self) -> str:
        """The column list that turns a row of the source (current design) into this design's row."""
        return (
            "tenant_id, client_id, date_day, platform, account_id, campaign_id, ad_id, "
            f"impressions, clicks, {MONEY[self.money].from_source}, conversions"
        )

    def sql(self, template: str, table: str) -> str:
        """A ClickHouse query template rendered for this variant's table, money column and settings."""
        text = template.format(table=table, sum_cost=self.sum_cost)
        if self.settings:
            text += " SETTINGS " + ", ".join(f"{k} = {v}" for k, v in self.settings)
        return text


RECOMMENDED_PROJECTIONS = ("p_tenant_day", "p_tenant_day_campaign", "p_tenant_month_platform")
LZ4 = "LZ4"
T64_LZ4 = "T64, LZ4"
RECOMMENDED_TABLE = Variant(
    "recommended_no_projections",
    "order_date + cost Int64 kopecks + LowCardinality ids + LZ4 / T64 codecs",
    DATE_ORDER,
    money="int64_kopecks",
    ids_low_cardinality=True,
    codec=LZ4,
    number_codec=T64_LZ4,
)

# marts.fct_ad_performance_daily as dbt builds it (SHOW CREATE TABLE after `dbt run`, 2026-12-06): money sums as
# Decimal(38, 6), client_id and platform String, weekly partitions (fact_partition_by), the engine's default codec.
MART = Variant(
    "mart",
    "marts.fct_ad_performance_daily as dbt builds it: Decimal(38, 6) money, String client_id and platform, "
    "PARTITION BY toMonday(date_day), default codec",
    money="decimal38",
    dims_low_cardinality=False,
    partition_by="toMonday(date_day)",
)

# The in-process chDB session starts with an uncompressed-block cache (chDB's default size is 0, which makes
# use_uncompressed_cache a no-op); the embedded server starts chDB with only a memory cap, so there it stays 0.
CHDB_ENGINE_START = "uncompressed_cache_size=1073741824"

VARIANTS: dict[str, Variant] = {
    v.name: v
    for v in (
        Variant(
            "current", f"the mart today: ORDER BY ({CURRENT_ORDER}), cost Decimal(18, 2), chDB default codec"
        ),
        MART,
        replace(
            MART,
            name="mart_codecs",
            about="mart + CODEC(LZ4) on every column and CODEC(T64, LZ4) on impressions, clicks, conversions",
            codec=LZ4,
            number_codec=T64_LZ4,
        ),
        Variant("order_date", f"ORDER BY ({DATE_ORDER}): the date range right after the tenant", DATE_ORDER),
        Variant(
            "order_date_g1024", "order_date + index_granularity = 1024", DATE_ORDER, index_granularity=1024
        ),
        Variant(
            "partition_week",
            "PARTITION BY toMonday(date_day), as the dbt marts (fact_partition_by default)",
            partition_by="toMonday(date_day)",
        ),
        Variant("partition_month", "PARTITION BY toYYYYMM(date_day)", partition_by="toYYYYMM(date_day)"),
        Variant("money_int64", "cost as Int64 kopecks (sum(cost_kopecks) / 100)", money="int64_kopecks"),
        Variant("money_float64", "cost as Float64", money="float64"),
        Variant(
            "ids_lowcard",
            "account_id, campaign_id, ad_id as LowCardinality(String)",
            ids_low_cardinality=True,
        ),
        Variant("codec_lz4", "every column CODEC(LZ4) instead of chDB's default ZSTD(3)", codec=LZ4),
        Variant(
            "codec_lz4_t64",
            "codec_lz4, and CODEC(T64, LZ4) on impressions, clicks, cost, conversions",
            codec=LZ4,
            number_codec=T64_LZ4,
        ),
        Variant("max_threads_1", "setting max_threads = 1", settings=(("max_threads", "1"),)),
        Variant(
            "uncompressed_cache",
            "setting use_uncompressed_cache = 1 (a no-op on the embedded server: its cache size is 0)",
            settings=(("use_uncompressed_cache", "1"),),
        ),
        Variant(
            "projections",
            "current + aggregate projections " + ", ".join(RECOMMENDED_PROJECTIONS),
            projections=RECOMMENDED_PROJECTIONS,
        ),
        RECOMMENDED_TABLE,
        replace(
            RECOMMENDED_TABLE,
            name="recommended",
            about="recommended_no_projections + the aggregate projections",
            projections=RECOMMENDED_PROJECTIONS,
        ),
        replace(
            RECOMMENDED_TABLE,
            name="recommended_month_projection",
            about="recommended_no_projections + only p_tenant_month_platform (agency-wide month roll-up)",
            projections=("p_tenant_month_platform",),
        ),
        Variant(
            "proposed",
            "the design docs/warehouse_profile.md proposes: order_date + codec_lz4_t64 (cost stays Decimal, ids "
            "String) + only p_tenant_month_platform",
            DATE_ORDER,
            codec=LZ4,
            number_codec=T64_LZ4,
            projections=("p_tenant_month_platform",),
        ),
        replace(
            RECOMMENDED_TABLE,
            name="recommended_partition_month",
            about="recommended + PARTITION BY toYYYYMM(date_day)",
            projections=RECOMMENDED_PROJECTIONS,
            partition_by="toYYYYMM(date_day)",
        ),
    )
}


def select_variants(names: list[str] | None) -> list[Variant]:
    """Variants by name, in the order given; None or [] = only `current`; 'all' = every variant."""
    if not names:
        return [VARIANTS["current"]]
    if "all" in names:
        return list(VARIANTS.values())
    unknown = [n for n in names if n not in VARIANTS]
    if unknown:
        raise ValueError(f"unknown variants {unknown}; known: {', '.join(VARIANTS)}")
    return [VARIANTS[n] for n in dict.fromkeys(names)]


def _norm(rows: list[Any]) -> list[tuple[Any, ...]]:
    """Engine-neutral answer: numbers as rounded floats, dates and strings as text."""
    out = []
    for row in rows:
        vals: list[Any] = []
        for v in row:
            if isinstance(v, datetime):  # chDB's DataFrame turns Date into a midnight Timestamp
                vals.append(str(v.date()))
            elif isinstance(v, (int, float, Decimal)):
                vals.append(float(v))
            else:
                vals.append(str(v))
        out.append(tuple(vals))
    return out


def same_answer(a: list[tuple[Any, ...]], b: list[tuple[Any, ...]]) -> bool:
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


def query_ratios(res: dict[str, Any]) -> dict[str, float | None]:
    """The p50 ratios of one query's timings (keys embedded_server, chdb_in_process, duckdb → {"p50_ms": …}).
    The acceptance is server/chDB ≤ 1.3 and server/DuckDB ≤ 1.0."""
    server, chdb, duck = (res[e]["p50_ms"] for e in ("embedded_server", "chdb_in_process", "duckdb"))
    return {
        "ratio_server_vs_chdb_p50": ratio(server, chdb),
        "ratio_duckdb_vs_server_p50": ratio(duck, server),
        "ratio_server_vs_duckdb_p50": ratio(server, duck),
        "ratio_chdb_vs_duckdb_p50": ratio(chdb, duck),
    }


def markdown_table(result: dict[str, Any]) -> str:
    """Per variant per query: p50 of each engine and the ratios, as a markdown table."""
    lines = [
        "| variant | query | server p50 ms | chDB p50 ms | DuckDB p50 ms | server/chDB | server/DuckDB "
        "| chDB/DuckDB | load 1m |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for vname, var in result["variants"].items():
        for qname, q in var["queries"].items():
            lines.append(
                f"| {vname} | {qname} | {q['embedded_server']['p50_ms']} | {q['chdb_in_process']['p50_ms']} "
                f"| {q['duckdb']['p50_ms']} | {q['ratio_server_vs_chdb_p50']} | {q['ratio_server_vs_duckdb_p50']} "
                f"| {q['ratio_chdb_vs_duckdb_p50']} | {var.get('load_avg_1m', '')} |"
            )
    return "\n".join(lines) + "\n"


def _compare(
    engines: dict[str, Callable[[], list[Any]]], repeats: int, label: str
) -> tuple[dict[str, Any], int]:
    """Time each engine's statement; check every answer against DuckDB's. Returns timings and result rows."""
    res: dict[str, Any] = {}
    answers: dict[str, list[tuple[Any, ...]]] = {}
    for engine, fn in engines.items():
        times, answer = timed_runs(fn, repeats)
        res[engine] = summarize_ms(times)
        answers[engine] = _norm(answer)
    ref = answers["duckdb"]
    for engine, ans in answers.items():
        if not same_answer(ans, ref):
            raise RuntimeError(f"{label}: {engine} answered differently from DuckDB: {ans[:3]} vs {ref[:3]}")
    return res, len(ref)


def run(rows: int = 10_000_000, repeats: int = 15, variants: list[str] | None = None) -> dict[str, Any]:
    """Generate the rows, then measure every selected variant (default: only `current`) on the three engines."""
    import chdb
    import clickhouse_connect
    import duckdb

    from warehouse import embedded

    chosen = select_variants(variants)
    out: dict[str, Any] = {
        "rows": rows,
        "tenants": TENANTS,
        "days": DAYS,
        "repeats": repeats,
        "cpus": os.cpu_count(),
        "load_avg_at_start": [round(x, 2) for x in os.getloadavg()],
    }
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

            sess = chdb.session.Session(f"{base / 'chdb'}?{CHDB_ENGINE_START}")
            sess.query("CREATE DATABASE IF NOT EXISTS cmp")
            duck = duckdb.connect(str(base / "duck.duckdb"))
            t0 = time.perf_counter()
            duck.execute(
                f"CREATE TABLE ad_day AS SELECT * FROM read_parquet('{parquet}') ORDER BY {CURRENT_ORDER}"
            )
            out["load_duckdb_s"] = round(time.perf_counter() - t0, 1)
            out["versions"] = {
                "clickhouse": server.command("SELECT version()"),
                "chdb": chdb.__version__,
                "duckdb": duckdb.__version__,
            }

            def server_rows(sql: str) -> list[Any]:
                return list(server.query(sql).result_rows)

            def chdb_rows(sql: str) -> list[Any]:
                return [tuple(r) for r in sess.query(sql, "DataFrame").itertuples(index=False)]

            def duck_rows(sql: str) -> list[Any]:
                return duck.execute(sql).fetchall()

            out["variants"] = {}
            for v in chosen:
                print(f"== variant {v.name}", file=sys.stderr, flush=True)
                table = f"cmp.ad_day_{v.name}"
                server.command(f"DROP TABLE IF EXISTS {table}")
                sess.query(f"DROP TABLE IF EXISTS {table}")
                t0 = time.perf_counter()
                server.command(v.ddl(table))
                server.command(f"INSERT INTO {table} SELECT {v.select_from_source()} FROM cmp.ad_day")
                server.command(f"OPTIMIZE TABLE {table} FINAL")
                build_server_s = time.perf_counter() - t0
                t0 = time.perf_counter()
                sess.query(v.ddl(table))
                sess.query(
                    f"INSERT INTO {table} SELECT {v.select_from_source()} FROM file('{parquet}', 'Parquet')"
                )
                sess.query(f"OPTIMIZE TABLE {table} FINAL")
                build_chdb_s = time.perf_counter() - t0
                counts = {
                    "server": int(str(server.command(f"SELECT count() FROM {table}"))),
                    "chdb": int(sess.query(f"SELECT count() FROM {table}", "CSV").bytes()),
                    "duckdb": int(duck.execute("SELECT count(*) FROM ad_day").fetchone()[0]),  # type: ignore[index]
                }
                if len(set(counts.values())) != 1:
                    raise RuntimeError(f"{v.name}: row counts differ between engines: {counts}")
                parts: Any = server.query(
                    f"SELECT count(), sum(marks), sum(bytes_on_disk) FROM system.parts "
                    f"WHERE database = 'cmp' AND table = 'ad_day_{v.name}' AND active"
                ).result_rows[0]
                var: dict[str, Any] = {
                    "about": v.about,
                    "ddl": v.ddl("ad_day"),
                    "settings": dict(v.settings),
                    "build_server_s": round(build_server_s, 1),
                    "build_chdb_s": round(build_chdb_s, 1),
                    "server_parts": int(parts[0]),
                    "server_marks": int(parts[1]),
                    "server_bytes_on_disk": int(parts[2]),
                    "load_avg_1m": round(os.getloadavg()[0], 2),
                    "trivial": {},
                    "queries": {},
                }
                for name, (ch_sql, duck_sql) in {**TRIVIAL, **QUERIES}.items():
                    sql = v.sql(ch_sql, table)
                    res, n_rows = _compare(
                        {
                            "embedded_server": partial(server_rows, sql),
                            "chdb_in_process": partial(chdb_rows, sql),
                            "duckdb": partial(duck_rows, duck_sql),
                        },
                        repeats,
                        f"{v.name}/{name}",
                    )
                    res["result_rows"] = n_rows
                    res.update(query_ratios(res))
                    var["trivial" if name in TRIVIAL else "queries"][name] = res
                var["load_avg_1m_end"] = round(os.getloadavg()[0], 2)
                out["variants"][v.name] = var
                server.command(f"DROP TABLE {table}")
                sess.query(f"DROP TABLE {table}")
            out["queries"] = out["variants"][chosen[0].name]["queries"]
            sess.close()
            duck.close()
        finally:
            embedded.stop(base / "wh")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--rows", type=int, default=10_000_000, help="ad-day rows (default 10 M)")
    ap.add_argument(
        "--repeats", type=int, default=15, help="timed runs per query and engine (after one warm-up)"
    )
    ap.add_argument(
        "--variant",
        nargs="+",
        metavar="NAME",
        help=f"table designs / settings to measure, or 'all' (default: current). Known: {', '.join(VARIANTS)}",
    )
    ap.add_argument("--markdown", type=Path, help="also write the per-variant table as markdown to this file")
    args = ap.parse_args(argv)
    try:
        select_variants(args.variant)
    except ValueError as exc:
        ap.error(str(exc))
    result = run(rows=args.rows, repeats=args.repeats, variants=args.variant)
    if args.markdown:
        args.markdown.write_text(markdown_table(result))
    emit(result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
