"""Scale: how dbt's daily incremental run, mart query p95 and disk footprint grow from 1 M to 100 M ad rows.

`generate` fills a warehouse with N Direct ad × day rows across 200 tenants (10 campaigns each, 90 days) plus E
impression-level events (Metrika visits with a visitor id, the input of the reach states), all inside the server
with INSERT … SELECT FROM numbers(), registered in app.raw_window_versions like real loads. The default sizes
are the issue's (100 M rows, 1 B events); on a small machine pass smaller ones.

Rows are generated in chunks of `--chunk-rows` (numbers(offset, n): the same rows as one big insert), so the
server's memory does not grow with the size.

`bench` (the default) runs each size in a fresh embedded warehouse capped at `--max-memory` (the server setting
MRM_WAREHOUSE_MAX_MEMORY sets): generate, the initial dbt run (not the benchmark), then the daily incremental run
of one day for the whole project and for the fact alone, mart query p50/p95 through the server, bytes on disk,
the server's peak RSS and the load average. Sizes are run smallest first; a size whose predicted time (the
previous size's × its growth) would pass `--budget-s` is skipped and reported as skipped, never guessed.

Usage: python -m benchmarks.scale [bench] [--sizes 1000000 10000000 100000000] [--events-ratio 1] [--budget-s 6000]
       python -m benchmarks.scale generate [--rows 100000000] [--events 1000000000]   (into MRM_DATA_DIR's warehouse)
"""

# ruff: noqa: S608 - SQL here is built from benchmark constants; the mart queries bind the tenant server-side

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.common import PeakRss, emit, percentile

ROOT = Path(__file__).resolve().parent.parent
TENANTS = 200
CLIENTS_PER_TENANT = 2
CAMPAIGNS_PER_TENANT = 10
DAYS = 90
START = dt.date(2026, 1, 1)
LOAD_ID = "scale"
PLOT = ROOT / "docs" / "img" / "scale.png"
CHUNK_ROWS = 10_000_000
# Half of this machine's 24 GiB: the benchmark shares it with other work; aggregations spill to disk under the cap.
MAX_MEMORY = "12G"


def _tenant(expr: str) -> str:
    return f"concat('t', leftPad(toString({expr}), 3, '0'))"


def _chunks(total: int, size: int) -> list[str]:
    """numbers() arguments covering 0..total-1 in pieces of at most `size` rows."""
    return [f"{start}, {min(size, total - start)}" for start in range(0, total, size)]


def generate(
    ch: Any, *, rows: int, events: int, progress: bool = True, chunk_rows: int = CHUNK_ROWS
) -> dict[str, float]:
    """Fill raw tables and app dimensions for 200 tenants, big tables chunk by chunk; returns seconds per step."""
    timings: dict[str, float] = {}

    def step(name: str, *sqls: str) -> None:
        t0 = time.perf_counter()
        for i, sql in enumerate(sqls):
            ch.command(sql)
            if progress and len(sqls) > 2:
                print(
                    f"  {name}: statement {i + 1}/{len(sqls)}, {time.perf_counter() - t0:.1f} s",
                    file=sys.stderr,
                    flush=True,
                )
        timings[name] = round(time.perf_counter() - t0, 2)
        if progress:
            print(f"  {name}: {timings[name]} s", file=sys.stderr, flush=True)

    tc = TENANTS * CLIENTS_PER_TENANT
    # client k of tenant t: number = t * CLIENTS + k
    t_of, k_of = f"intDiv(number, {CLIENTS_PER_TENANT})", f"number % {CLIENTS_PER_TENANT}"
    step(
        "dimensions",
        f"INSERT INTO app.tenants (tenant_id, name) SELECT {_tenant('number')}, concat('Agency ', toString(number)) "
        f"FROM numbers({TENANTS})",
        f"INSERT INTO app.clients (tenant_id, client_id, name) SELECT {_tenant(t_of)}, concat('c', toString({k_of})), "
        f"concat('Client ', toString(number)) FROM numbers({tc})",
        "INSERT INTO app.accounts (tenant_id, client_id, platform, account_id, spend_includes_vat) "
        f"SELECT {_tenant(t_of)}, concat('c', toString({k_of})), 'yandex_direct', "
        f"concat('d-', toString(number)), 1 FROM numbers({tc})",
        "INSERT INTO app.accounts (tenant_id, client_id, platform, account_id, spend_includes_vat) "
        f"SELECT {_tenant(t_of)}, concat('c', toString({k_of})), 'yandex_metrika', "
        f"concat('m-', toString(number)), 0 FROM numbers({tc})",
        # campaign c of tenant t belongs to client c % CLIENTS; number = t * CAMPAIGNS + c
        "INSERT INTO raw_yandex_direct.campaigns (tenant_id, account_id, campaign_id, campaign_name, campaign_type, "
        "state, status, currency, timezone, _load_id, _loaded_at) "
        f"SELECT {_tenant(f'intDiv(number, {CAMPAIGNS_PER_TENANT})')}, "
        f"concat('d-', toString(intDiv(number, {CAMPAIGNS_PER_TENANT}) * {CLIENTS_PER_TENANT} + "
        f"number % {CAMPAIGNS_PER_TENANT} % {CLIENTS_PER_TENANT})), 100000 + number, "
        "concat('Campaign ', toString(number)), 'TEXT_CAMPAIGN', 'ON', 'ACCEPTED', 'RUB', 'Europe/Moscow', "
        f"'{LOAD_ID}', now64(3) FROM numbers({TENANTS * CAMPAIGNS_PER_TENANT})",
        "INSERT INTO app.raw_window_versions SELECT 'raw_yandex_direct.campaigns', "
        f"{_tenant(t_of)}, concat('d-', toString(number)), toDate('1970-01-01'), '{LOAD_ID}', now64(6) "
        f"FROM numbers({tc})",
    )
    # number → tenant (fastest, so every tenant has every day), day, campaign, ad
    grid = (
        f"SELECT number, number % {TENANTS} AS t, intDiv(number, {TENANTS}) % {DAYS} AS d, "
        f"intDiv(number, {TENANTS * DAYS}) % {CAMPAIGNS_PER_TENANT} AS c, "
        f"intDiv(number, {TENANTS * DAYS * CAMPAIGNS_PER_TENANT}) AS a, "
        f"100 + cityHash64(number) % 5000 AS imp, intDiv(imp * (1 + cityHash64(number, 1) % 5), 100) AS clk "
        "FROM numbers({chunk})"
    )
    step(
        "ad_stats",
        *[
            (
                "INSERT INTO raw_yandex_direct.ad_stats_daily (tenant_id, account_id, date_day, campaign_id, campaign_name, "
                "campaign_type, ad_group_id, ad_id, ad_network_type, impressions, clicks, cost, cost_includes_vat, currency, "
                "conversions, revenue, timezone, is_provisional, _load_id, _loaded_at) "
                f"SELECT {_tenant('t')}, concat('d-', toString(t * {CLIENTS_PER_TENANT} + c % {CLIENTS_PER_TENANT})), "
                f"toDate('{START}') + d, 100000 + t * {CAMPAIGNS_PER_TENANT} + c, "
                f"concat('Campaign ', toString(t * {CAMPAIGNS_PER_TENANT} + c)), 'TEXT_CAMPAIGN', "
                f"(100000 + t * {CAMPAIGNS_PER_TENANT} + c) * 100 + a % 10, (100000 + t * {CAMPAIGNS_PER_TENANT} + c) * 100000 + a, "
                "'SEARCH', imp, clk, toDecimal64(clk * 12.5, 6), 1, 'RUB', toDecimal64(intDiv(clk, 20), 6), "
                f"toDecimal64(intDiv(clk, 20) * 1500, 6), 'Europe/Moscow', 0, '{LOAD_ID}', now64(3) "
                f"FROM ({grid.format(chunk=chunk)})"
            )
            for chunk in _chunks(rows, chunk_rows)
        ],
        "INSERT INTO app.raw_window_versions SELECT 'raw_yandex_direct.ad_stats_daily', "
        f"{_tenant(f'intDiv(number, {CLIENTS_PER_TENANT * DAYS})')}, "
        f"concat('d-', toString(intDiv(number, {CLIENTS_PER_TENANT * DAYS}) * {CLIENTS_PER_TENANT} + "
        f"number % {CLIENTS_PER_TENANT})), toDate('{START}') + intDiv(number, {CLIENTS_PER_TENANT}) % {DAYS}, "
        f"'{LOAD_ID}', now64(6) FROM numbers({tc * DAYS})",
    )
    if events:
        # Visits from Direct clicks (direct_click_order = campaign id); each tenant's visitors come from a pool of
        # 100,000 ids, so a visitor recurs across days and campaigns (what deduplicated reach is about).
        step(
            "events",
            *[
                (
                    "INSERT INTO raw_yandex_metrika.visits (tenant_id, account_id, date_day, visit_id, client_id, "
                    "visit_datetime, traffic_source, utm_source, utm_campaign, direct_click_order, is_provisional, _load_id, "
                    f"_loaded_at) SELECT {_tenant('t')}, concat('m-', toString(t * {CLIENTS_PER_TENANT} + c % "
                    f"{CLIENTS_PER_TENANT})), toDate('{START}') + d, number, t * 1000000 + cityHash64(number, 7) % 100000, "
                    f"toDateTime(toDate('{START}') + d) + cityHash64(number, 8) % 86400, 'ad', 'yandex', "
                    f"concat('ya_', toString(100000 + t * {CAMPAIGNS_PER_TENANT} + c)), "
                    f"100000 + t * {CAMPAIGNS_PER_TENANT} + c, 0, '{LOAD_ID}', now64(3) "
                    f"FROM (SELECT number, number % {TENANTS} AS t, intDiv(number, {TENANTS}) % {DAYS} AS d, "
                    f"intDiv(number, {TENANTS * DAYS}) % {CAMPAIGNS_PER_TENANT} AS c FROM numbers({chunk}))"
                )
                for chunk in _chunks(events, chunk_rows)
            ],
            "INSERT INTO app.raw_window_versions SELECT 'raw_yandex_metrika.visits', "
            f"{_tenant(f'intDiv(number, {CLIENTS_PER_TENANT * DAYS})')}, "
            f"concat('m-', toString(intDiv(number, {CLIENTS_PER_TENANT * DAYS}) * {CLIENTS_PER_TENANT} + "
            f"number % {CLIENTS_PER_TENANT})), toDate('{START}') + intDiv(number, {CLIENTS_PER_TENANT}) % {DAYS}, "
            f"'{LOAD_ID}', now64(6) FROM numbers({tc * DAYS})",
        )
    return timings


# Mart queries the app and reports run, each bound to one tenant server-side.
MART_QUERIES = {
    "daily_totals_month": "SELECT date_day, sum(impressions), sum(clicks), sum(spend_net) FROM marts.fct_ad_performance_daily "
    "WHERE tenant_id = {t:String} AND date_day >= {d:Date} - 30 AND date_day <= {d:Date} "
    "GROUP BY date_day ORDER BY date_day",
    "campaign_kpis_month": "SELECT campaign_id, sum(impressions) AS i, sum(clicks) AS c, sum(spend_net) AS s, c / i AS ctr "
    "FROM marts.fct_ad_performance_daily WHERE tenant_id = {t:String} "
    "AND date_day >= {d:Date} - 30 AND date_day <= {d:Date} GROUP BY campaign_id ORDER BY s DESC",
    "top5_ads_week": "SELECT ad_id, sum(spend_net) AS s FROM marts.fct_ad_performance_daily WHERE tenant_id = {t:String} "
    "AND date_day >= {d:Date} - 6 AND date_day <= {d:Date} GROUP BY ad_id ORDER BY s DESC LIMIT 5",
    # whole-flight reach per campaign: its newest flight-to-date state (not a merge of every day's state)
    "reach_flight": "SELECT campaign_id, finalizeAggregation(argMax(users_state, date_day)) "
    "FROM marts.fct_campaign_reach_flight_states WHERE tenant_id = {t:String} GROUP BY campaign_id ORDER BY campaign_id",
}
# Sizes up to this many ad rows also rebuild every model from scratch after the daily run and compare content.
EQUALITY_MAX_ROWS = 10_000_000


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _dbt(label: str, fn: Any) -> float:
    t0 = time.perf_counter()
    res = fn()
    secs = time.perf_counter() - t0
    if not res.success:
        raise RuntimeError(f"{label} failed: {[(n.unique_id, n.message) for n in res.failures]} {res.error}")
    print(f"  {label}: {secs:.1f} s (load average {_load()})", file=sys.stderr, flush=True)
    return round(secs, 1)


def _load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def _slowest_models(target: Path, n: int = 5) -> dict[str, float]:
    """The n slowest models of the last dbt invocation (target/run_results.json): where a run's time goes."""
    import json

    results = json.loads((target / "run_results.json").read_text())["results"]
    top = sorted(results, key=lambda r: -r["execution_time"])[:n]
    return {r["unique_id"].rsplit(".", 1)[-1]: round(r["execution_time"], 1) for r in top}


def _du_mb(path: Path) -> float:
    total = 0
    for root, _dirs, files in os.walk(path):
        for f in files:
            try:
                total += os.lstat(os.path.join(root, f)).st_size
            except OSError:
                continue
    return round(total / 2**20, 1)


def measure_size(
    base: Path,
    rows: int,
    events: int,
    target: Path,
    repeats: int,
    max_memory: str = MAX_MEMORY,
    chunk_rows: int = CHUNK_ROWS,
    equality_max_rows: int = EQUALITY_MAX_ROWS,
) -> dict[str, Any]:
    """One size in a fresh embedded warehouse: generate, initial build, daily incremental, queries, disk, peak RSS;
    whether the daily run leaves the initial (full) build's content; up to `equality_max_rows`, also whether a full
    rebuild after the daily run leaves the same content."""
    import clickhouse_connect

    from dbt_project import run as dbt_run
    from warehouse import embedded

    data_dir = base / f"wh-{rows}"
    info = embedded.start(data_dir, port=_free_port(), max_memory=max_memory or None)
    saved = os.environ.get("CLICKHOUSE_URL")
    os.environ["CLICKHOUSE_URL"] = info.url
    out: dict[str, Any] = {
        "rows": rows,
        "events": events,
        "server_max_memory": max_memory or "chDB default",
        "load_average_start": _load(),
    }
    rss = PeakRss([info.pid], interval=0.5)
    rss.__enter__()
    try:
        ch = clickhouse_connect.get_client(dsn=info.url, compress=False, send_receive_timeout=7200)
        t0 = time.perf_counter()
        out["generate_steps_s"] = generate(ch, rows=rows, events=events, chunk_rows=chunk_rows)
        out["generate_s"] = round(time.perf_counter() - t0, 1)
        out["peak_rss_mb_generate"] = rss.peak_mb(info.pid)
        out["initial_build_s"] = _dbt(
            "initial dbt run (every model, not the benchmark)", lambda: dbt_run.run(target_path=target)
        )
        out["initial_build_slowest_models_s"] = _slowest_models(target)
        out["peak_rss_mb_initial_build"] = rss.peak_mb(info.pid)
        # The initial run builds every model from nothing: a full build. The daily run below redoes its last day
        # from the same raw rows, so it must leave exactly this content (checked at every size, 100 M included).
        t0 = time.perf_counter()
        initial = dbt_run.relation_checksums(ch)
        out["checksum_s"] = round(time.perf_counter() - t0, 1)
        last = START + dt.timedelta(days=DAYS - 1)
        day = {"start_date": str(last), "end_date": str(last)}
        out["incremental_project_s"] = _dbt(
            f"daily incremental run, whole project ({last})",
            lambda: dbt_run.run(vars=day, target_path=target),
        )
        out["incremental_project_slowest_models_s"] = _slowest_models(target)
        out["incremental_fact_s"] = _dbt(
            "daily incremental run, fct_ad_performance_daily",
            lambda: dbt_run.run(select="fct_ad_performance_daily", vars=day, target_path=target),
        )
        out["fact_rows"] = int(ch.command("SELECT count() FROM marts.fct_ad_performance_daily"))
        daily = dbt_run.relation_checksums(ch)
        out["equal_to_initial_full_build"] = daily == initial
        out["relations_differing_from_initial"] = sorted(r for r in initial if daily.get(r) != initial[r])
        queries: dict[str, Any] = {}
        all_ms: list[float] = []
        for name, sql in MART_QUERIES.items():
            times = []
            for i in range(repeats + 1):
                params = {"t": f"t{(i * 37) % TENANTS:03d}", "d": last}
                t0 = time.perf_counter()
                res = ch.query(sql, parameters=params).result_rows
                if i:  # the first run warms the caches
                    times.append((time.perf_counter() - t0) * 1000)
                if not res:
                    raise RuntimeError(f"mart query {name} returned no rows for {params}")
            queries[name] = {
                "p50_ms": round(statistics.median(times), 1),
                "p95_ms": round(percentile(times, 95), 1),
            }
            all_ms += times
        out["queries"] = queries
        out["query_p95_ms"] = round(percentile(all_ms, 95), 1)
        parts = ch.query(
            "SELECT database, sum(bytes_on_disk) FROM system.parts WHERE active "
            "AND (database LIKE 'raw_%' OR database IN ('marts', 'app', 'staging', 'intermediate')) "
            "GROUP BY database"
        ).result_rows
        out["disk_mb_by_database"] = {db: round(b / 2**20, 1) for db, b in sorted(parts)}
        out["disk_mb_tables"] = round(sum(b for _db, b in parts) / 2**20, 1)
        out["disk_mb_data_dir"] = _du_mb(data_dir)
        out["load_average_end"] = _load()
        if rows <= equality_max_rows:
            out["full_rebuild_s"] = _dbt(
                "full rebuild of every model (equality check)",
                lambda: dbt_run.run(full_refresh=True, target_path=target),
            )
            full = dbt_run.relation_checksums(ch)
            out["equal_to_full_rebuild"] = daily == full
            out["relations_differing"] = sorted(r for r in full if daily.get(r) != full[r])
        ch.close()
    finally:
        rss.__exit__()
        out["peak_rss_mb"] = rss.peak_mb(info.pid)
        embedded.stop(data_dir)
        if saved is None:
            os.environ.pop("CLICKHOUSE_URL", None)
        else:
            os.environ["CLICKHOUSE_URL"] = saved
        shutil.rmtree(data_dir, ignore_errors=True)
    return out


# -- the table and the plot -----------------------------------------------------------------------------------------
def _fmt_rows(n: int) -> str:
    return f"{n / 1e6:g} M" if n >= 1_000_000 else f"{n / 1e3:g} k"


def _equality(r: dict[str, Any]) -> str:
    """Whether the daily run left the initial full build's content and, where run, a full rebuild's."""
    if "equal_to_initial_full_build" not in r:
        return "not checked"
    differing = [*r.get("relations_differing_from_initial", []), *r.get("relations_differing", [])]
    if not r["equal_to_initial_full_build"] or r.get("equal_to_full_rebuild") is False:
        return "NO: " + ", ".join(sorted(set(differing)))
    said = f"yes (= initial full build, hashed in {r['checksum_s']} s"
    if "full_rebuild_s" in r:
        said += f"; = full rebuild, {r['full_rebuild_s']} s"
    return said + ")"


def markdown_table(results: list[dict[str, Any]]) -> str:
    head = (
        "| ad rows | events | generate s | initial dbt run s | daily incremental (project) s | daily incremental "
        "(fact) s | mart query p95 ms | whole-flight reach p95 ms | disk (tables) MB | data dir MB | server peak "
        "RSS MB | load average (start → end) | equal to a full rebuild |\n"
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|\n"
    )
    body = ""
    for r in results:
        if r.get("skipped"):
            body += (
                f"| {_fmt_rows(r['rows'])} | {_fmt_rows(r['events'])} | skipped: {r['skipped']} |||||||||||\n"
            )
            continue
        body += (
            f"| {_fmt_rows(r['rows'])} | {_fmt_rows(r['events'])} | {r['generate_s']} | {r['initial_build_s']} | "
            f"{r['incremental_project_s']} | {r['incremental_fact_s']} | {r['query_p95_ms']} | "
            f"{r.get('queries', {}).get('reach_flight', {}).get('p95_ms', 'n/a')} | {r['disk_mb_tables']} | "
            f"{r['disk_mb_data_dir']} | {format(r['peak_rss_mb'], ',.0f') if 'peak_rss_mb' in r else 'n/a'} | "
            f"{r.get('load_average_start', 'n/a')} → {r.get('load_average_end', 'n/a')} | {_equality(r)} |\n"
        )
    return head + body


def draw_plot(results: list[dict[str, Any]], path: Path) -> Path:
    """Three panels (incremental run s, mart query p95 ms, disk MB) against rows on a log axis, drawn with Pillow."""
    import math

    from PIL import Image, ImageDraw, ImageFont

    done = [r for r in results if not r.get("skipped")]
    if not done:
        raise ValueError("no measured size to plot")
    panels = [
        (
            "daily incremental dbt run, s",
            "incremental_project_s",
            "incremental_fact_s",
            ("whole project", "fact only"),
        ),
        ("mart query p95, ms", "query_p95_ms", None, ("all mart queries", "")),
        ("disk footprint, MB", "disk_mb_tables", None, ("tables (raw + marts)", "")),
    ]
    pw, ph, pad = 420, 320, 60
    img = Image.new("RGB", (pw * len(panels), ph + 40), "white")
    draw = ImageDraw.Draw(img)
    try:
        font = ImageFont.truetype("DejaVuSans.ttf", 13)
        small = ImageFont.truetype("DejaVuSans.ttf", 11)
    except OSError:
        font = small = ImageFont.load_default()
    draw.text(
        (10, ph + 15),
        f"Scale on this machine: {len(done)} sizes measured, 200 tenants; x axis: ad rows "
        "(log scale). Source: BENCHMARKS.md",
        fill="black",
        font=small,
    )
    xs = [math.log10(r["rows"]) for r in done]
    x_lo, x_hi = min(xs) - 0.3, max(xs) + 0.3
    colors = ("#1f5fbf", "#d9661f")
    for i, (title, key, key2, legend) in enumerate(panels):
        ox = i * pw
        left, right, top, bottom = ox + pad, ox + pw - 20, 40, ph - 40
        draw.text((left, 12), title, fill="black", font=font)
        values = [r[key] for r in done] + ([r[key2] for r in done] if key2 else [])
        y_hi = max(values) * 1.15 or 1.0
        draw.line([(left, top), (left, bottom), (right, bottom)], fill="black")
        for frac in (0, 0.25, 0.5, 0.75, 1.0):  # y grid with labels
            y = bottom - frac * (bottom - top)
            draw.line([(left - 4, y), (right, y)], fill="#dddddd" if frac else "black")
            draw.text(
                (ox + 4, y - 7),
                f"{frac * y_hi:,.0f}" if y_hi >= 10 else f"{frac * y_hi:.1f}",
                fill="black",
                font=small,
            )

        def px(
            r: dict[str, Any],
            k: str,
            left: float = left,
            right: float = right,
            bottom: float = bottom,
            top: float = top,
            y_hi: float = y_hi,
        ) -> tuple[float, float]:
            x = left + (math.log10(r["rows"]) - x_lo) / (x_hi - x_lo) * (right - left)
            return x, bottom - r[k] / y_hi * (bottom - top)

        for r in done:
            x, _ = px(r, key)
            draw.text((x - 14, bottom + 6), _fmt_rows(r["rows"]), fill="black", font=small)
        for j, k in enumerate([key, key2] if key2 else [key]):
            pts = [px(r, k) for r in done]
            if len(pts) > 1:
                draw.line(pts, fill=colors[j], width=3)
            for (x, y), r in zip(pts, done, strict=True):
                draw.ellipse([x - 4, y - 4, x + 4, y + 4], fill=colors[j])
                draw.text((x + 6, y - 14), f"{r[k]:,.1f}", fill=colors[j], font=small)
            draw.rectangle([left + 10, top + 4 + 16 * j, left + 20, top + 14 + 16 * j], fill=colors[j])
            draw.text((left + 26, top + 2 + 16 * j), legend[j], fill="black", font=small)
    path.parent.mkdir(parents=True, exist_ok=True)
    img.save(path, "PNG")
    return path


def bench(
    sizes: list[int],
    *,
    events_ratio: float,
    budget_s: float,
    repeats: int,
    plot: Path | None,
    max_memory: str = MAX_MEMORY,
    chunk_rows: int = CHUNK_ROWS,
    equality_max_rows: int = EQUALITY_MAX_ROWS,
) -> dict[str, Any]:
    from dbt_project import run as dbt_run

    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    os.environ.setdefault("DBT_QUIET", "true")
    # the initial build of the ad fact at 100 M rows runs past dbt's default 600 s statement timeout here
    os.environ.setdefault("MRM_DBT_TIMEOUT_S", "7200")
    base = Path(tempfile.mkdtemp(prefix="mrm-scale-"))
    results: list[dict[str, Any]] = []
    started = time.perf_counter()
    try:
        target = base / "target"
        dbt_run.parse(target)  # start-up, not warehouse work: parsed once for every size
        prev: dict[str, Any] | None = None
        for rows in sorted(sizes):
            events = int(rows * events_ratio)
            elapsed = time.perf_counter() - started
            if prev is not None:
                predicted = prev["size_s"] * rows / prev["rows"]
                if elapsed + predicted > budget_s:
                    reason = (
                        f"predicted {predicted:.0f} s (linear from {_fmt_rows(prev['rows'])}) would pass the "
                        f"{budget_s:.0f} s budget after {elapsed:.0f} s"
                    )
                    print(f"== {_fmt_rows(rows)} rows skipped: {reason}", file=sys.stderr, flush=True)
                    results.append({"rows": rows, "events": events, "skipped": reason})
                    continue
            print(f"== {_fmt_rows(rows)} ad rows, {_fmt_rows(events)} events", file=sys.stderr, flush=True)
            t0 = time.perf_counter()
            res = measure_size(
                base,
                rows,
                events,
                target,
                repeats,
                max_memory=max_memory,
                chunk_rows=chunk_rows,
                equality_max_rows=equality_max_rows,
            )
            res["size_s"] = round(time.perf_counter() - t0, 1)
            results.append(res)
            prev = res
    finally:
        shutil.rmtree(base, ignore_errors=True)
    out: dict[str, Any] = {
        "tenants": TENANTS,
        "days": DAYS,
        "campaigns_per_tenant": CAMPAIGNS_PER_TENANT,
        "budget_s": budget_s,
        "server_max_memory": max_memory or "chDB default",
        "chunk_rows": chunk_rows,
        "sizes": results,
    }
    table = markdown_table(results)
    if plot is not None and any(not r.get("skipped") for r in results):
        draw_plot(results, plot)
        rel = os.path.relpath(plot, ROOT)
        out["plot"] = rel
        table += f"\n![growth from 1 M rows]({rel})\n"
    out["markdown"] = table
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("command", nargs="?", choices=("bench", "generate"), default="bench")
    ap.add_argument(
        "--sizes",
        type=int,
        nargs="+",
        default=[1_000_000, 10_000_000, 100_000_000],
        help="bench: ad-row counts, run smallest first",
    )
    ap.add_argument("--events-ratio", type=float, default=1.0, help="bench: impression events per ad row")
    ap.add_argument(
        "--budget-s",
        type=float,
        default=6000,
        help="bench: skip sizes predicted to pass this budget (the 100 M size takes most of an hour here)",
    )
    ap.add_argument(
        "--max-memory",
        default=MAX_MEMORY,
        help="bench: memory cap of each size's warehouse server ('' = chDB's default, 90%% of RAM)",
    )
    ap.add_argument("--chunk-rows", type=int, default=CHUNK_ROWS, help="rows per generating INSERT … SELECT")
    ap.add_argument(
        "--equality-max-rows",
        type=int,
        default=EQUALITY_MAX_ROWS,
        help="bench: sizes up to this compare the daily run's content with a full rebuild (0 = none)",
    )
    ap.add_argument("--repeats", type=int, default=20, help="bench: timed runs per mart query")
    ap.add_argument("--no-plot", action="store_true", help="bench: do not write docs/img/scale.png")
    ap.add_argument("--plot-path", type=Path, default=PLOT)
    ap.add_argument("--rows", type=int, default=100_000_000, help="generate: ad rows (default 100 M)")
    ap.add_argument(
        "--events", type=int, default=1_000_000_000, help="generate: impression events (default 1 B)"
    )
    args = ap.parse_args(argv)
    if args.command == "generate":
        import warehouse

        ch = warehouse.connect(send_receive_timeout=7200)
        t0 = time.perf_counter()
        steps = generate(ch, rows=args.rows, events=args.events, chunk_rows=args.chunk_rows)
        emit(
            {
                "rows": args.rows,
                "events": args.events,
                "steps_s": steps,
                "seconds": round(time.perf_counter() - t0, 1),
            }
        )
        return 0
    res = bench(
        args.sizes,
        events_ratio=args.events_ratio,
        budget_s=args.budget_s,
        repeats=args.repeats,
        plot=None if args.no_plot else args.plot_path,
        max_memory=args.max_memory,
        chunk_rows=args.chunk_rows,
        equality_max_rows=args.equality_max_rows,
    )
    print(res["markdown"], file=sys.stderr)
    emit(res)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
