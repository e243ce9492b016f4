"""Side-by-side reach: deduplicated reach from stored uniqCombined states vs uniqExact over raw impressions.

N impression events (default 100 M: 20 tenants × 50 campaigns × 90 days; each tenant's users come from its own
pool of 200,000, shared by its campaigns so cross-campaign deduplication matters) are generated in the embedded
warehouse with INSERT … SELECT FROM numbers(). The states table is what marts.fct_campaign_reach_states_daily
stores: one uniqCombinedState(user_id) per tenant, campaign and day. Three reach questions are then answered both
ways — merging states and recomputing uniqExact over the events — timed, and the sketch's relative error measured
against the exact answer.

Usage: python -m benchmarks.compare_reach [--impressions 100000000] [--repeats 3]
"""

# ruff: noqa: S608 - every SQL string here is built from benchmark constants, never user input

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.common import emit, ratio, summarize_ms, timed_runs

TENANTS = 20
CAMPAIGNS = 50
DAYS = 90
USERS_PER_TENANT = 200_000
START = "2025-10-01"

EVENTS_DDL = """CREATE TABLE reach.impressions (tenant_id LowCardinality(String), campaign_id UInt32, date_day Date,
    user_id UInt64) ENGINE = MergeTree ORDER BY (tenant_id, campaign_id, date_day)"""
STATES_DDL = """CREATE TABLE reach.states (tenant_id LowCardinality(String), campaign_id UInt32, date_day Date,
    users_state AggregateFunction(uniqCombined, UInt64)) ENGINE = AggregatingMergeTree
    ORDER BY (tenant_id, campaign_id, date_day)"""
GENERATE = f"""INSERT INTO reach.impressions SELECT
    concat('t', toString(number % {TENANTS})) AS tenant_id,
    toUInt32(intDiv(number, {TENANTS}) % {CAMPAIGNS}) AS campaign_id,
    toDate('{START}') + intDiv(number, {TENANTS * CAMPAIGNS}) % {DAYS} AS date_day,
    (number % {TENANTS}) * 10000000 + cityHash64(number) % {USERS_PER_TENANT} AS user_id
FROM numbers({{n}})"""
BUILD_STATES = """INSERT INTO reach.states SELECT tenant_id, campaign_id, date_day, uniqCombinedState(user_id)
    FROM reach.impressions GROUP BY tenant_id, campaign_id, date_day"""

# name → (from states, exact from events); each returns (group key, reach) rows in the same order.
QUESTIONS: dict[str, tuple[str, str]] = {
    # one tenant's campaigns over a 30-day window (the campaign report)
    "campaigns_of_tenant_30d": (
        "SELECT campaign_id, uniqCombinedMerge(users_state) FROM reach.states WHERE tenant_id = 't3' "
        f"AND date_day BETWEEN toDate('{START}') + 30 AND toDate('{START}') + 59 GROUP BY campaign_id ORDER BY 1",
        "SELECT campaign_id, uniqExact(user_id) FROM reach.impressions WHERE tenant_id = 't3' "
        f"AND date_day BETWEEN toDate('{START}') + 30 AND toDate('{START}') + 59 GROUP BY campaign_id ORDER BY 1",
    ),
    # every tenant's cross-campaign deduplicated reach over the whole flight (the agency overview)
    "tenants_all_campaigns_flight": (
        "SELECT tenant_id, uniqCombinedMerge(users_state) FROM reach.states GROUP BY tenant_id ORDER BY 1",
        "SELECT tenant_id, uniqExact(user_id) FROM reach.impressions GROUP BY tenant_id ORDER BY 1",
    ),
    # every campaign of every tenant over the whole flight (the heaviest: 1,000 groups)
    "all_campaigns_flight": (
        "SELECT (tenant_id, campaign_id), uniqCombinedMerge(users_state) FROM reach.states "
        "GROUP BY tenant_id, campaign_id ORDER BY tenant_id, campaign_id",
        "SELECT (tenant_id, campaign_id), uniqExact(user_id) FROM reach.impressions "
        "GROUP BY tenant_id, campaign_id ORDER BY tenant_id, campaign_id",
    ),
}


def relative_errors(approx: list[tuple], exact: list[tuple]) -> list[float]:
    """|approx − exact| / exact per group; the groups must match one to one."""
    if [r[0] for r in approx] != [r[0] for r in exact]:
        raise RuntimeError("states and exact answers have different groups")
    return [abs(int(a[1]) - int(e[1])) / int(e[1]) for a, e in zip(approx, exact, strict=True) if int(e[1])]


def run(impressions: int = 100_000_000, repeats: int = 3) -> dict[str, Any]:
    import clickhouse_connect

    from warehouse import embedded

    out: dict[str, Any] = {
        "impressions": impressions,
        "tenants": TENANTS,
        "campaigns_per_tenant": CAMPAIGNS,
        "days": DAYS,
        "users_per_tenant": USERS_PER_TENANT,
        "repeats": repeats,
    }
    with tempfile.TemporaryDirectory(prefix="mrm-cmp-reach-") as tmp:
        data = Path(tmp) / "wh"
        info = embedded.start(data, port=0)
        try:
            ch = clickhouse_connect.get_client(dsn=info.url, compress=False, send_receive_timeout=3600)
            ch.command("CREATE DATABASE IF NOT EXISTS reach")
            ch.command(EVENTS_DDL)
            ch.command(STATES_DDL)
            t0 = time.perf_counter()
            ch.command(GENERATE.format(n=impressions))
            out["generate_s"] = round(time.perf_counter() - t0, 1)
            t0 = time.perf_counter()
            ch.command(BUILD_STATES)
            ch.command("OPTIMIZE TABLE reach.states FINAL")
            out["build_states_s"] = round(time.perf_counter() - t0, 1)
            sizes = dict(
                ch.query(
                    "SELECT table, sum(bytes_on_disk) FROM system.parts WHERE database = 'reach' "
                    "AND active GROUP BY table"
                ).result_rows
            )
            out["events_mb_on_disk"] = round(sizes["impressions"] / 2**20, 1)
            out["states_mb_on_disk"] = round(sizes["states"] / 2**20, 1)
            out["state_rows"] = int(ch.command("SELECT count() FROM reach.states"))
            out["questions"] = {}
            for name, (states_sql, exact_sql) in QUESTIONS.items():
                t_states, approx = timed_runs(lambda sql=states_sql: ch.query(sql).result_rows, repeats)
                t_exact, exact = timed_runs(lambda sql=exact_sql: ch.query(sql).result_rows, repeats)
                errs = relative_errors(approx, exact)
                s, e = summarize_ms(t_states), summarize_ms(t_exact)
                out["questions"][name] = {
                    "groups": len(exact),
                    "states": s,
                    "uniq_exact": e,
                    "speedup_states_vs_exact_p50": ratio(e["p50_ms"], s["p50_ms"]),
                    "rel_error_mean_pct": round(statistics.fmean(errs) * 100, 3),
                    "rel_error_max_pct": round(max(errs) * 100, 3),
                    "exact_reach_example": int(exact[0][1]),
                }
        finally:
            embedded.stop(data)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--impressions", type=int, default=100_000_000, help="impression events (default 100 M)")
    ap.add_argument(
        "--repeats", type=int, default=3, help="timed runs per question and method (after a warm-up)"
    )
    args = ap.parse_args(argv)
    emit(run(impressions=args.impressions, repeats=args.repeats))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
