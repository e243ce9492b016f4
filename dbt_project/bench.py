"""dbt benchmarks on a private embedded warehouse: prints seconds for each measured step.

1. full build: 90 days x 3 platforms (Direct, VK, Garpun) x 200 campaigns (+ Metrika traffic and visits, a media
   plan) -> `dbt run` (models) and `dbt build` (models + every test) from empty marts;
2. daily incremental: a Direct fact of 10 M rows, then the daily Dagster-style run of one day
   (`--vars start_date=end_date=<last day>`) over the whole project, and of the fact alone.

Raw rows are generated in the server (INSERT … SELECT FROM numbers()) and registered in app.raw_window_versions
like a real load, so staging's current-load filter does its real work.
Usage: python dbt_project/bench.py [--only full|incremental] [--rows 10000000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import socket
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

TENANT = "bench"
START = dt.date(2026, 1, 1)
ACCOUNTS = 10  # per platform; 200 campaigns spread over them like an agency's logins


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _versions(ch, table: str, prefix: str, days: int | None) -> None:
    # Bench constants only (no user input) are formatted into this SQL.
    if days is None:
        ch.command(
            "INSERT INTO app.raw_window_versions SELECT "  # noqa: S608
            f"'{table}', '{TENANT}', concat('{prefix}', toString(number)), toDate('1970-01-01'), 'bench', now64(6) "
            f"FROM numbers({ACCOUNTS})"
        )
    else:
        ch.command(
            "INSERT INTO app.raw_window_versions SELECT "  # noqa: S608
            f"'{table}', '{TENANT}', concat('{prefix}', toString(number % {ACCOUNTS})), "
            f"toDate('{START}') + intDiv(number, {ACCOUNTS}), 'bench', now64(6) FROM numbers({ACCOUNTS * days})"
        )


def generate(ch, *, days: int, campaigns: int, ads_per_campaign: int, platforms: tuple[str, ...]) -> int:
    """Fill raw tables for one tenant; returns the number of ad-stat rows generated."""
    n_ads = days * campaigns * ads_per_campaign
    ch.command(f"INSERT INTO app.tenants (tenant_id, name) VALUES ('{TENANT}', 'Bench agency')")
    ch.command(
        f"INSERT INTO app.clients (tenant_id, client_id, name) SELECT '{TENANT}', "  # noqa: S608
        f"concat('client-', toString(number)), concat('Client ', toString(number)) FROM numbers({ACCOUNTS})"
    )
    for platform, prefix, vat in (
        ("yandex_direct", "direct-", 1),
        ("vk_ads", "vk-", 0),
        ("garpun", "gp-", 1),
        ("yandex_metrika", "counter-", 0),
    ):
        ch.command(
            "INSERT INTO app.accounts (tenant_id, client_id, platform, account_id, spend_includes_vat) "  # noqa: S608
            f"SELECT '{TENANT}', concat('client-', toString(number)), '{platform}', "
            f"concat('{prefix}', toString(number)), {vat} FROM numbers({ACCOUNTS})"
        )
    # number -> (day d, campaign c, ad a); the account is c % ACCOUNTS
    grid = (
        f"SELECT number, number % {days} AS d, intDiv(number, {days}) % {campaigns} AS c, "
        f"intDiv(number, {days * campaigns}) AS a, 100 + cityHash64(number) % 5000 AS imp, "
        f"intDiv(imp * (1 + cityHash64(number, 1) % 5), 100) AS clk FROM numbers({n_ads})"
    )
    if "yandex_direct" in platforms:
        ch.command(
            "INSERT INTO raw_yandex_direct.ad_stats_daily (tenant_id, account_id, date_day, campaign_id, campaign_name, "  # noqa: S608
            "campaign_type, ad_group_id, ad_id, ad_network_type, impressions, clicks, cost, cost_includes_vat, "
            "currency, conversions, revenue, timezone, is_provisional, _load_id, _loaded_at) "
            f"SELECT '{TENANT}', concat('direct-', toString(c % {ACCOUNTS})), toDate('{START}') + d, 1000 + c, "
            "concat('Direct campaign ', toString(c)), 'TEXT_CAMPAIGN', (1000 + c) * 100 + a % 10, "
            "(1000 + c) * 100000 + a, 'SEARCH', imp, clk, toDecimal64(clk * 12.5, 6), 1, 'RUB', "
            "toDecimal64(intDiv(clk, 20), 6), toDecimal64(intDiv(clk, 20) * 1500, 6), 'Europe/Moscow', 0, 'bench', "
            f"now64(3) FROM ({grid})"
        )
        _versions(ch, "raw_yandex_direct.ad_stats_daily", "direct-", days)
        ch.command(
            "INSERT INTO raw_yandex_direct.campaigns (tenant_id, account_id, campaign_id, campaign_name, "  # noqa: S608
            "campaign_type, state, status, currency, timezone, _load_id, _loaded_at) "
            f"SELECT '{TENANT}', concat('direct-', toString(number % {ACCOUNTS})), 1000 + number, "
            "concat('Direct campaign ', toString(number)), 'TEXT_CAMPAIGN', 'ON', 'ACCEPTED', 'RUB', "
            f"'Europe/Moscow', 'bench', now64(3) FROM numbers({campaigns})"
        )
        _versions(ch, "raw_yandex_direct.campaigns", "direct-", None)
    if "vk_ads" in platforms:
        ch.command(
            "INSERT INTO raw_vk_ads.banner_stats_daily (tenant_id, account_id, date_day, banner_id, shows, clicks, "  # noqa: S608
            "goals, spent, spent_includes_vat, currency, uniques_total, timezone, is_provisional, _load_id, _loaded_at) "
            f"SELECT '{TENANT}', concat('vk-', toString(c % {ACCOUNTS})), toDate('{START}') + d, "
            f"(5000 + c) * 100000 + a, imp, clk, intDiv(clk, 25), toDecimal64(clk * 9.5, 6), 0, 'RUB', "
            f"intDiv(imp, 2), 'Europe/Moscow', 0, 'bench', now64(3) FROM ({grid})"
        )
        _versions(ch, "raw_vk_ads.banner_stats_daily", "vk-", days)
        ch.command(
            "INSERT INTO raw_vk_ads.ad_plans (tenant_id, account_id, ad_plan_id, name, status, _load_id, "  # noqa: S608
            f"_loaded_at) SELECT '{TENANT}', concat('vk-', toString(number % {ACCOUNTS})), 5000 + number, "
            f"concat('VK plan ', toString(number)), 'active', 'bench', now64(3) FROM numbers({campaigns})"
        )
        ch.command(
            "INSERT INTO raw_vk_ads.ad_groups (tenant_id, account_id, ad_group_id, ad_plan_id, name, "  # noqa: S608
            f"_load_id, _loaded_at) SELECT '{TENANT}', concat('vk-', toString(number % {ACCOUNTS})), "
            f"(5000 + number) * 10, 5000 + number, 'group', 'bench', now64(3) FROM numbers({campaigns})"
        )
        ch.command(
            "INSERT INTO raw_vk_ads.banners (tenant_id, account_id, banner_id, ad_group_id, name, _load_id, "  # noqa: S608
            f"_loaded_at) SELECT '{TENANT}', concat('vk-', toString(c % {ACCOUNTS})), "
            f"(5000 + c) * 100000 + a, (5000 + c) * 10, 'banner', 'bench', now64(3) "
            f"FROM (SELECT number % {campaigns} AS c, intDiv(number, {campaigns}) AS a "
            f"FROM numbers({campaigns * ads_per_campaign}))"
        )
        for t in ("ad_plans", "ad_groups", "banners"):
            _versions(ch, f"raw_vk_ads.{t}", "vk-", None)
    if "garpun" in platforms:
        ch.command(
            "INSERT INTO raw_garpun.ad_stats_daily (tenant_id, account_id, date_day, source_platform, campaign_id, "  # noqa: S608
            "campaign_name, ad_group_id, ad_id, impressions, clicks, cost, cost_includes_vat, currency, conversions, "
            "is_provisional, _load_id, _loaded_at) "
            f"SELECT '{TENANT}', concat('gp-', toString(c % {ACCOUNTS})), toDate('{START}') + d, 'google_ads', "
            "concat('g-', toString(c)), concat('Google campaign ', toString(c)), concat('gg-', toString(c)), "
            "concat('ga-', toString(c), '-', toString(a)), imp, clk, toDecimal64(clk * 20, 6), 1, 'RUB', "
            f"toDecimal64(intDiv(clk, 30), 6), 0, 'bench', now64(3) FROM ({grid})"
        )
        _versions(ch, "raw_garpun.ad_stats_daily", "gp-", days)
        ch.command(
            "INSERT INTO raw_garpun.campaigns (tenant_id, account_id, source_platform, campaign_id, "  # noqa: S608
            f"campaign_name, status, _load_id, _loaded_at) SELECT '{TENANT}', "
            f"concat('gp-', toString(number % {ACCOUNTS})), 'google_ads', concat('g-', toString(number)), "
            f"concat('Google campaign ', toString(number)), 'ENABLED', 'bench', now64(3) FROM numbers({campaigns})"
        )
        _versions(ch, "raw_garpun.campaigns", "gp-", None)
    # Metrika: per campaign-day one Direct-click row and one VK UTM row in the traffic report, 10 visits each.
    ch.command(
        "INSERT INTO raw_yandex_metrika.traffic_daily (tenant_id, account_id, date_day, traffic_source, utm_source, "  # noqa: S608
        "utm_medium, utm_campaign, direct_campaign_id, visits, goal_reaches, revenue, is_provisional, _load_id, "
        f"_loaded_at) SELECT '{TENANT}', concat('counter-', toString(c % {ACCOUNTS})), toDate('{START}') + d, 'ad', "
        "if(p = 0, 'yandex', 'vk'), 'cpc', if(p = 0, concat('ya_', toString(1000 + c)), concat('vk_', toString(5000 + c))), "
        "if(p = 0, 1000 + c, NULL), 50 + number % 30, number % 7, toDecimal64(number % 7 * 900, 6), 0, 'bench', now64(3) "
        f"FROM (SELECT number, number % {days} AS d, intDiv(number, {days}) % {campaigns} AS c, "
        f"intDiv(number, {days * campaigns}) AS p FROM numbers({days * campaigns * 2}))"
    )
    _versions(ch, "raw_yandex_metrika.traffic_daily", "counter-", days)
    ch.command(
        "INSERT INTO raw_yandex_metrika.visits (tenant_id, account_id, date_day, visit_id, client_id, visit_datetime, "  # noqa: S608
        "traffic_source, utm_source, utm_campaign, direct_click_order, is_provisional, _load_id, _loaded_at) "
        f"SELECT '{TENANT}', concat('counter-', toString(c % {ACCOUNTS})), toDate('{START}') + d, number, "
        f"cityHash64(number, 7) % 200000, toDateTime(toDate('{START}') + d) + 43200, 'ad', if(p = 0, 'yandex', 'vk'), "
        "if(p = 0, concat('ya_', toString(1000 + c)), concat('vk_', toString(5000 + c))), if(p = 0, 1000 + c, 0), 0, "
        f"'bench', now64(3) FROM (SELECT number, number % {days} AS d, intDiv(number, {days}) % {campaigns} AS c, "
        f"intDiv(number, {days * campaigns}) % 2 AS p FROM numbers({days * campaigns * 2 * 10}))"
    )
    _versions(ch, "raw_yandex_metrika.visits", "counter-", days)
    # One media plan per client: a line per Direct campaign of that client over the whole period.
    ch.command(
        "INSERT INTO app.media_plans (tenant_id, client_id, plan_id, plan_version, import_id, name, line_count) "  # noqa: S608
        f"SELECT '{TENANT}', concat('client-', toString(number)), 'plan', 1, 'imp', 'Bench plan', 1 "
        f"FROM numbers({ACCOUNTS})"
    )
    ch.command(
        "INSERT INTO app.media_plan_lines (tenant_id, client_id, plan_id, plan_version, import_id, line_id, "  # noqa: S608
        "line_no, platform, platform_campaign_id, flight_start, flight_end, budget_net) "
        f"SELECT '{TENANT}', concat('client-', toString(number % {ACCOUNTS})), 'plan', 1, 'imp', "
        f"concat('L', toString(number)), number, 'yandex_direct', toString(1000 + number), toDate('{START}'), "
        f"toDate('{START}') + {days - 1}, toDecimal64(500000, 2) FROM numbers({campaigns})"
    )
    return n_ads * len(platforms)


def _start(data_dir: Path):
    from warehouse import embedded

    info = embedded.start(data_dir, port=_free_port())
    os.environ.pop("CLICKHOUSE_HOST", None)
    os.environ["CLICKHOUSE_URL"] = info.url
    import clickhouse_connect

    return info, clickhouse_connect.get_client(dsn=info.url, send_receive_timeout=1800)


def _timed(label: str, fn) -> float:
    t0 = time.perf_counter()
    res = fn()
    secs = time.perf_counter() - t0
    if not res.success:
        raise SystemExit(f"{label} failed: {[(n.unique_id, n.message) for n in res.failures]} {res.error}")
    print(f"{label}: {secs:.1f} s")
    return secs


def bench_full(base: Path) -> dict[str, float]:
    from dbt_project import run as dbt_run
    from warehouse import embedded

    data_dir = base / "full"
    info, ch = _start(data_dir)
    try:
        t0 = time.perf_counter()
        rows = generate(
            ch, days=90, campaigns=200, ads_per_campaign=5, platforms=("yandex_direct", "vk_ads", "garpun")
        )
        print(
            f"generated {rows:,} ad-stat rows (90 days x 3 platforms x 200 campaigns x 5 ads) "
            f"in {time.perf_counter() - t0:.1f} s"
        )
        target = base / "target-full"
        # Parsing is dbt start-up, not warehouse work: deployments (Dagster) load a parsed manifest.
        t0 = time.perf_counter()
        dbt_run.parse(target)
        print(f"dbt parse (not part of the build time): {time.perf_counter() - t0:.1f} s")
        # From empty warehouse schemas: every model created, every data and unit test run.
        out = {
            "full_build_s": _timed(
                "full build from empty (dbt build: models + tests)", lambda: dbt_run.build(target_path=target)
            )
        }
        out["full_run_s"] = _timed(
            "full rebuild, models only (dbt run --full-refresh)",
            lambda: dbt_run.run(target_path=target, full_refresh=True),
        )
        return out
    finally:
        ch.close()
        embedded.stop(data_dir)
        del info


def bench_incremental(base: Path, fact_rows: int) -> dict[str, float]:
    from dbt_project import run as dbt_run
    from warehouse import embedded

    data_dir = base / "incremental"
    info, ch = _start(data_dir)
    days, campaigns = 90, 200
    ads = max(1, fact_rows // (days * campaigns))
    try:
        t0 = time.perf_counter()
        rows = generate(
            ch, days=days, campaigns=campaigns, ads_per_campaign=ads, platforms=("yandex_direct",)
        )
        print(f"generated {rows:,} Direct ad-stat rows in {time.perf_counter() - t0:.1f} s")
        target = base / "target-incremental"
        dbt_run.parse(target)
        _timed("initial full run (not the benchmark)", lambda: dbt_run.run(target_path=target))
        n = ch.command("SELECT count() FROM marts.fct_ad_performance_daily")
        print(f"fct_ad_performance_daily rows: {int(n):,}")
        last = START + dt.timedelta(days=days - 1)
        day = {"start_date": str(last), "end_date": str(last)}
        return {
            "incremental_fact_s": _timed(
                f"daily incremental run of fct_ad_performance_daily ({last})",
                lambda: dbt_run.run(select="fct_ad_performance_daily", vars=day, target_path=target),
            ),
            "incremental_project_s": _timed(
                "daily run of the whole project for that day",
                lambda: dbt_run.run(vars=day, target_path=target),
            ),
            # no vars: the default lookback (7 days, widened to whole weeks) — the worst case of a daily run
            "incremental_lookback_s": _timed(
                "run of the whole project with the default 7-day lookback",
                lambda: dbt_run.run(target_path=target),
            ),
        }
    finally:
        ch.close()
        embedded.stop(data_dir)
        del info


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", choices=["full", "incremental"])
    ap.add_argument("--rows", type=int, default=10_000_000, help="size of the incremental benchmark's fact")
    ap.add_argument("--keep", type=Path, help="keep the benchmark warehouses in this folder")
    args = ap.parse_args(argv)
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    os.environ.setdefault("DBT_QUIET", "true")  # the timings, not dbt's per-node log
    base = args.keep or Path(tempfile.mkdtemp(prefix="mrm-dbt-bench-"))
    base.mkdir(parents=True, exist_ok=True)
    results: dict[str, float] = {}
    try:
        if args.only in (None, "full"):
            results |= bench_full(base)
        if args.only in (None, "incremental"):
            results |= bench_incremental(base, args.rows)
    finally:
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)
    print(json.dumps({k: round(v, 1) for k, v in results.items()}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
