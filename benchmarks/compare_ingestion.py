"""Side-by-side ingestion: our Direct and VK Ads connectors → warehouse vs a dlt pipeline → DuckDB, same sandbox.

One sandbox (the API emulators, in this parent process) serves every contender; each contender runs in its own
worker process so its peak RSS (psutil, sampled every 50 ms) is its own. Both sides issue the same requests:

* Direct: the offline TSV report (``POST /json/v5/reports``, processingMode offline, same fields and goals).
  dlt's ``rest_api`` source only handles JSON, so the dlt side is a ``@dlt.resource`` over the same HTTP
  endpoint (dlt's ``requests`` helper, the same 201/202 polling) with a minimal TSV reader that yields dict rows
  in pages — the idiomatic way to feed dlt a non-JSON API. Time counts from the report being ready (the
  emulator's build wait is the same for both and not counted), through download, parse, normalise and load.
* VK Ads: dlt's ``rest_api`` source with an offset paginator (limit 250, ``count``) over ad_plans, ad_groups and
  banners, then ``statistics/banners/day.json`` for the same ≤200-id chunks and dates our connector requests.
  Throughput is banner-day rows in the API answers per second (our connector stores only non-empty ones).
  Both sides must report the same banner-days answered, and the same non-empty banner-days with the same
  shows, clicks and spend (ours from the warehouse, dlt's from DuckDB), or the run fails.
  The clock starts after each side has imported what it would otherwise import lazily mid-run (its
  ``*_VK_WARM`` list; ``late_imports`` in the output lists anything still imported inside the window) and
  after the accounts are resolved; the checks run after it stops. The emulator renders day.json as text
  directly (≈3× cheaper than building and dumping dicts), which shortens both sides' waits equally.

Usage: python -m benchmarks.compare_ingestion [--direct-rows 1000000] [--vk-days 365] [--only direct|vk]
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from benchmarks.common import PeakRss, emit, ratio

BENCH_TODAY = date(2026, 1, 20)
ADS_PER_DAY = 55_000  # the emulator's bench account: 500 campaigns × 10 groups × 11 ads, all active daily
GOALS = ["29001", "29002"]
DIRECT_LOGIN = "bench-direct"
ROOT = Path(__file__).resolve().parent.parent


# -- workers (one process each) -----------------------------------------------------------------------------------
# Modules each VK contender would otherwise import lazily inside its timed run (measured with `late_imports`):
# a long-running service pays them once, so both sides import theirs before the clock starts.
# pyarrow imports pandas on its first Python → Arrow conversion, whoever makes it.
OURS_VK_WARM = (
    "pandas",
    "pyarrow.pandas_compat",
    "pyarrow.vendored.version",
    "pyarrow.json",
    "pyarrow.compute",
    "httpcore",
    "h2.connection",
    "warehouse.loads",
)
DLT_VK_WARM = (
    "pandas",
    "pyarrow.pandas_compat",
    "pyarrow.vendored.version",
    "netrc",
    "pyarrow.compute",
    "pyarrow.parquet",
    "duckdb",
    "dlt.destinations.impl.duckdb.duck",
    "dlt.destinations.impl.duckdb.sql_client",
    "dlt.normalize",
    "dlt.load",
    "dlt.extract",
    "dlt.common.libs.pyarrow",
    "dlt.sources.rest_api",
    "dlt.sources.helpers.rest_client",
)


def _warm(modules: tuple[str, ...]) -> set[str]:
    """Import `modules` (the same treatment for every contender); returns the loaded modules to diff against."""
    import importlib

    for name in modules:
        importlib.import_module(name)
    return set(sys.modules)


def _late_imports(before: set[str]) -> list[str]:
    """Modules first imported inside the timed window (none once warmed)."""
    return sorted(set(sys.modules) - before)


def _micros(total: Any) -> str:
    """A money sum from either database in one spelling (6 decimal places) for the cross-check."""
    from decimal import Decimal

    return str(Decimal(str(total)).quantize(Decimal("0.000001")))


def _window(days: int) -> tuple[date, date]:
    date_to = BENCH_TODAY - timedelta(days=1)
    return date_to - timedelta(days=days - 1), date_to


def worker_ours_direct(a: argparse.Namespace) -> dict[str, Any]:
    import clickhouse_connect

    from ingestion import yandex_direct

    date_from, date_to = _window(a.days)
    # As warehouse.connect() configures it for the embedded server: no compression on loopback.
    ch = clickhouse_connect.get_client(dsn=a.warehouse_url, compress=False, send_receive_timeout=1800)
    settings = yandex_direct.Settings.for_sandbox(
        a.sandbox_url,
        goals=GOALS,
        attribution_models=["LC"],
        processing_mode="offline",
        timeout_s=300.0,
        lookback_days=0,
        max_retry_in_s=0.05,
        max_report_polls=100_000,
    )
    last_poll = [0.0]

    def sleep(seconds: float) -> None:
        time.sleep(seconds)
        last_poll[0] = time.perf_counter()

    with PeakRss([os.getpid(), a.server_pid]) as rss:
        t0 = time.perf_counter()
        res = yandex_direct.load(
            ch,
            settings,
            tenant_id="bench",
            account_id=DIRECT_LOGIN,
            date_from=date_from,
            date_to=date_to,
            today=BENCH_TODAY,
            tables=("ad_stats",),
            sleep=sleep,
        )
        t1 = time.perf_counter()
    stored = ch.command("SELECT count() FROM raw_yandex_direct.ad_stats_daily WHERE tenant_id = 'bench'")
    return {
        "rows": res["raw_yandex_direct.ad_stats_daily"],
        "rows_stored": int(stored),
        "seconds": t1 - (last_poll[0] or t0),
        "seconds_with_build_wait": t1 - t0,
        "peak_rss_mb": rss.peak_mb(os.getpid()),
        "server_peak_rss_mb": rss.peak_mb(a.server_pid),
    }


def _tsv_rows(lines: Any, page: int = 10_000) -> Any:
    """Minimal Direct TSV reader: skip the title line, take the header, convert numbers, stop at the footer."""
    ints = {"CampaignId", "AdGroupId", "AdId", "Impressions", "Clicks", "Cost"}
    header: list[str] | None = None
    batch: list[dict[str, Any]] = []
    title_seen = False
    for raw in lines:
        line = raw.decode("utf-8") if isinstance(raw, bytes) else raw
        if not title_seen:
            title_seen = True
            continue
        if header is None:
            header = line.split("\t")
            continue
        if line.startswith("Total rows:"):
            break
        values = next(csv.reader(io.StringIO(line), delimiter="\t", quoting=csv.QUOTE_NONE))
        row: dict[str, Any] = {}
        for k, v in zip(header, values, strict=True):
            if v == "--":
                row[k] = None
            elif k in ints:
                row[k] = int(v)
            elif k.startswith(("Conversions", "Revenue")):
                row[k] = float(v)
            else:
                row[k] = v
        batch.append(row)
        if len(batch) >= page:
            yield batch
            batch = []
    if batch:
        yield batch


def worker_dlt_direct(a: argparse.Namespace) -> dict[str, Any]:
    import dlt
    from dlt.sources.helpers import requests

    from ingestion.sandbox.server import SANDBOX_TOKENS
    from ingestion.yandex_direct.fetch import STAT_DIMENSIONS, STAT_METRICS

    date_from, date_to = _window(a.days)
    # The connector's own ad × day columns, so both contenders ask the API for the same report.
    fields = [*STAT_DIMENSIONS, *STAT_METRICS, "Conversions", "Revenue"]
    body = {
        "params": {
            "SelectionCriteria": {"DateFrom": str(date_from), "DateTo": str(date_to)},
            "FieldNames": fields,
            "ReportName": f"dlt_ad_day_{date_from:%Y%m%d}_{date_to:%Y%m%d}",
            "ReportType": "CUSTOM_REPORT",
            "DateRangeType": "CUSTOM_DATE",
            "Format": "TSV",
            "IncludeVAT": "YES",
            "OrderBy": [{"Field": "Date", "SortOrder": "ASCENDING"}],
            "Goals": GOALS,
            "AttributionModels": ["LC"],
        }
    }
    headers = {
        "Authorization": f"Bearer {SANDBOX_TOKENS['direct']}",
        "Client-Login": DIRECT_LOGIN,
        "processingMode": "offline",
        "returnMoneyInMicros": "true",
        "skipReportHeader": "false",
        "skipColumnHeader": "false",
        "skipReportSummary": "false",
    }
    last_poll = [0.0]

    @dlt.resource(name="ad_stats_daily", write_disposition="replace")
    def direct_ad_stats() -> Any:
        while True:
            resp = requests.post(
                f"{a.sandbox_url}/json/v5/reports", json=body, headers=headers, stream=True, timeout=300
            )
            if resp.status_code in (201, 202):
                resp.close()
                time.sleep(min(float(resp.headers.get("retryIn", "1")), 0.05))
                last_poll[0] = time.perf_counter()
                continue
            resp.raise_for_status()
            yield from _tsv_rows(resp.iter_lines(chunk_size=1 << 20))
            return

    pipeline = dlt.pipeline(
        pipeline_name="bench_direct",
        pipelines_dir=str(Path(a.workdir) / "dlt"),
        destination=dlt.destinations.duckdb(str(Path(a.workdir) / "dlt_direct.duckdb")),
        dataset_name="yandex_direct",
    )
    with PeakRss([os.getpid()]) as rss:
        t0 = time.perf_counter()
        pipeline.run(direct_ad_stats(), loader_file_format=a.dlt_format)
        t1 = time.perf_counter()
    with pipeline.sql_client() as c:
        rows = c.execute_sql("SELECT count(*) FROM ad_stats_daily")[0][0]
    return {
        "rows": int(rows),
        "rows_stored": int(rows),
        "seconds": t1 - (last_poll[0] or t0),
        "seconds_with_build_wait": t1 - t0,
        "peak_rss_mb": rss.peak_mb(os.getpid()),
    }


def _vk_accounts() -> list[tuple[str, str]]:
    from ingestion.sandbox import World

    return [
        (acc.tenant_id, acc.account_id) for acc in World(seed=11, today=BENCH_TODAY).accounts_for("vk_ads")
    ]


def worker_ours_vk(a: argparse.Namespace) -> dict[str, Any]:
    import clickhouse_connect

    from ingestion import vk_ads
    from warehouse.loads import current_rows_sql

    date_from, date_to = _window(a.days)
    ch = clickhouse_connect.get_client(dsn=a.warehouse_url, compress=False, send_receive_timeout=1800)
    settings = vk_ads.Settings.for_sandbox(a.sandbox_url, lookback_days=0, timeout_s=300.0)
    accounts = _vk_accounts()
    stored = 0
    loaded = _warm(OURS_VK_WARM)
    with PeakRss([os.getpid(), a.server_pid]) as rss:
        t0 = time.perf_counter()
        for tenant, account in accounts:
            res = vk_ads.load(
                ch,
                settings,
                tenant_id=tenant,
                account_id=account,
                date_from=date_from,
                date_to=date_to,
                today=BENCH_TODAY,
            )
            stored += res["raw_vk_ads.banner_stats_daily"]
        t1 = time.perf_counter()
    late = _late_imports(loaded)
    # The API answers every day of every requested banner: banner-days answered = banners × days.
    tenants = sorted({t for t, _ in accounts})
    current_banners = current_rows_sql("raw_vk_ads.banners", snapshot=True)
    current_stats = current_rows_sql("raw_vk_ads.banner_stats_daily")
    of_tenants = "WHERE has({t:Array(String)}, tenant_id)"
    banners = ch.query(
        f"SELECT count() FROM ({current_banners}) {of_tenants}",  # noqa: S608 - our SQL
        parameters={"t": tenants},
    ).result_rows[0][0]
    check = ch.query(
        f"SELECT count(), sum(shows), sum(clicks), toString(sum(spent)) FROM ({current_stats}) "  # noqa: S608
        f"{of_tenants}",
        parameters={"t": tenants},
    ).result_rows[0]
    return {
        "rows": int(banners) * a.days,
        "rows_stored": stored,
        "seconds": t1 - t0,
        "peak_rss_mb": rss.peak_mb(os.getpid()),
        "server_peak_rss_mb": rss.peak_mb(a.server_pid),
        "late_imports": late,
        "stored_check": {
            "rows": int(check[0]),
            "shows": int(check[1]),
            "clicks": int(check[2]),
            "spent": _micros(check[3]),
        },
    }


def worker_dlt_vk(a: argparse.Namespace) -> dict[str, Any]:
    import dlt
    from dlt.sources.helpers import requests
    from dlt.sources.rest_api import rest_api_source

    from ingestion.sandbox.vk_ads import SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET

    date_from, date_to = _window(a.days)
    statuses = {"_status__in": "active,blocked,deleted"}  # the same status filter our connector sends
    listing = {
        "type": "offset",
        "limit": 250,
        "offset_param": "offset",
        "limit_param": "limit",
        "total_path": "count",
    }
    pipeline = dlt.pipeline(
        pipeline_name="bench_vk",
        pipelines_dir=str(Path(a.workdir) / "dlt"),
        destination=dlt.destinations.duckdb(str(Path(a.workdir) / "dlt_vk.duckdb")),
        dataset_name="vk_ads",
    )
    accounts = _vk_accounts()
    stats_tables: list[str] = []
    loaded = _warm(DLT_VK_WARM)
    with PeakRss([os.getpid()]) as rss:
        t0 = time.perf_counter()
        for _tenant, account in accounts:
            token = requests.post(
                f"{a.sandbox_url}/api/v2/oauth2/token.json",
                data={
                    "grant_type": "agency_client_credentials",
                    "client_id": SANDBOX_CLIENT_ID,
                    "client_secret": SANDBOX_CLIENT_SECRET,
                    "agency_client_name": account,
                },
            ).json()["access_token"]
            client = {"base_url": f"{a.sandbox_url}/api/v2/", "auth": {"type": "bearer", "token": token}}
            lists = rest_api_source(
                {
                    "client": client,
                    "resource_defaults": {
                        "write_disposition": "replace",
                        "endpoint": {"paginator": listing, "data_selector": "items"},
                    },
                    "resources": [
                        {
                            "name": name,
                            "table_name": f"{name}_{account}",
                            "endpoint": {
                                "path": f"{name}.json",
                                "params": {"fields": fields, "sorting": "id", **statuses},
                            },
                        }
                        for name, fields in (
                            (
                                "ad_plans",
                                "id,name,status,objective,budget_limit,budget_limit_day,date_start,date_end,"
                                "created,updated",
                            ),
                            ("ad_groups", "id,ad_plan_id,name,status,package_id,budget_limit_day,updated"),
                            ("banners", "id,ad_group_id,name,status,moderation_status,urls,updated"),
                        )
                    ],
                },
                name=f"vk_lists_{account}",
            )
            pipeline.run(lists, loader_file_format=a.dlt_format)
            with pipeline.sql_client() as c:
                ids = [r[0] for r in c.execute_sql(f"SELECT id FROM banners_{account} ORDER BY id")]  # noqa: S608 - sandbox ids
            chunks = [ids[i : i + 200] for i in range(0, len(ids), 200)]
            stats = rest_api_source(
                {
                    "client": client,
                    "resource_defaults": {
                        "write_disposition": "replace",
                        "endpoint": {"paginator": "single_page", "data_selector": "items"},
                    },
                    "resources": [
                        {
                            "name": f"banner_day_{i}",
                            "table_name": f"banner_day_{account}_{i}",
                            "endpoint": {
                                "path": "statistics/banners/day.json",
                                "params": {
                                    "id": ",".join(map(str, chunk)),
                                    "date_from": str(date_from),
                                    "date_to": str(date_to),
                                    "metrics": "base,uniques",
                                    "attribution": "conversion",
                                },
                            },
                        }
                        for i, chunk in enumerate(chunks)
                    ],
                },
                name=f"vk_stats_{account}",
            )
            pipeline.run(stats, loader_file_format=a.dlt_format)
            stats_tables += [f"banner_day_{account}_{i}__rows" for i in range(len(chunks))]
        t1 = time.perf_counter()
    late = _late_imports(loaded)
    # Counted after the clock stops: every banner-day answered, and the non-empty ones our connector keeps.
    union = " UNION ALL ".join(f"SELECT * FROM {t}" for t in stats_tables)  # noqa: S608 - our table names
    with pipeline.sql_client() as c:
        api_rows, kept, shows, clicks, spent = c.execute_sql(
            "SELECT count(*), count(*) FILTER (WHERE base__shows <> 0 OR base__clicks <> 0 OR base__goals <> 0 "  # noqa: S608
            "OR CAST(base__spent AS DECIMAL(18, 6)) <> 0), sum(base__shows), sum(base__clicks), "
            f"CAST(sum(CAST(base__spent AS DECIMAL(18, 6))) AS VARCHAR) FROM ({union})"
        )[0]
    return {
        "rows": int(api_rows),
        "rows_stored": int(api_rows),
        "seconds": t1 - t0,
        "peak_rss_mb": rss.peak_mb(os.getpid()),
        "late_imports": late,
        "stored_check": {
            "rows": int(kept),
            "shows": int(shows),
            "clicks": int(clicks),
            "spent": _micros(spent),
        },
    }


WORKERS = {
    "ours-direct": worker_ours_direct,
    "dlt-direct": worker_dlt_direct,
    "ours-vk": worker_ours_vk,
    "dlt-vk": worker_dlt_vk,
}


# -- orchestration -------------------------------------------------------------------------------------------------
def _run_worker(
    name: str,
    *,
    sandbox_url: str,
    warehouse_url: str,
    server_pid: int,
    days: int,
    workdir: Path,
    dlt_format: str,
    timeout: int,
) -> dict[str, Any]:
    env = dict(os.environ, RUNTIME__LOG_LEVEL="WARNING", RUNTIME__DLTHUB_TELEMETRY="false")
    cmd = [
        sys.executable,
        "-m",
        "benchmarks.compare_ingestion",
        "--worker",
        name,
        "--sandbox-url",
        sandbox_url,
        "--warehouse-url",
        warehouse_url,
        "--server-pid",
        str(server_pid),
        "--days",
        str(days),
        "--workdir",
        str(workdir),
        "--dlt-format",
        dlt_format,
    ]
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        raise RuntimeError(f"worker {name} failed (exit {proc.returncode}):\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def run(
    direct_rows: int = 1_000_000,
    vk_days: int = 365,
    dlt_format: str = "parquet",
    timeout: int = 1800,
    only: str | None = None,
) -> dict[str, Any]:
    """Run the contenders (both platforms, or ``only`` one) against one sandbox and one embedded warehouse;
    returns measurements and ratios."""
    from ingestion.sandbox import SandboxServer, World
    from warehouse import embedded

    direct_days = max(1, round(direct_rows / ADS_PER_DAY))
    if not 1 <= vk_days <= 365:
        raise SystemExit(
            f"--vk-days must be 1..365 (VK serves day statistics for the last 366 days), got {vk_days}"
        )
    platforms = [
        p for p in (("direct", direct_days, "direct"), ("vk", vk_days, "vk")) if only in (None, p[0])
    ]
    out: dict[str, Any] = {
        "direct_days": direct_days,
        "direct_ads_per_day": ADS_PER_DAY,
        "vk_days": vk_days,
        "dlt_loader_file_format": dlt_format,
    }
    with tempfile.TemporaryDirectory(prefix="mrm-cmp-ingest-") as tmp:
        base = Path(tmp)
        info = embedded.start(base / "wh", port=0)
        world = World(
            seed=11, today=BENCH_TODAY, history_days=max(direct_days, vk_days) + 5, bench_ads=ADS_PER_DAY
        )
        try:
            with SandboxServer(world) as sandbox:
                # The emulator's per-account caches are built before either side runs, so neither pays for them.
                if any(p[0] == "vk" for p in platforms):
                    sandbox.apis["vk"].warm(_window(vk_days)[0])  # type: ignore[attr-defined]
                for platform, days, api in platforms:
                    for side in ("ours", "dlt"):
                        name = f"{side}-{platform}"
                        workdir = base / name
                        workdir.mkdir()
                        print(f"-- {name}", file=sys.stderr, flush=True)
                        out[name] = _run_worker(
                            name,
                            sandbox_url=sandbox.url(api),
                            warehouse_url=info.url,
                            server_pid=info.pid,
                            days=days,
                            workdir=workdir,
                            dlt_format=dlt_format,
                            timeout=timeout,
                        )
        finally:
            embedded.stop(base / "wh")
    for platform, _days, _api in platforms:
        ours, peer = out[f"ours-{platform}"], out[f"dlt-{platform}"]
        ours["rows_per_s"] = round(ours["rows"] / ours["seconds"])  # VK: banner-days in the answers
        peer["rows_per_s"] = round(peer["rows"] / peer["seconds"])
        for side in (ours, peer):
            for k in ("seconds", "seconds_with_build_wait"):
                if k in side:
                    side[k] = round(side[k], 2)
        out[f"{platform}_throughput_ratio_ours_vs_dlt"] = ratio(ours["rows_per_s"], peer["rows_per_s"])
        out[f"{platform}_peak_rss_ratio_dlt_vs_ours_client"] = ratio(peer["peak_rss_mb"], ours["peak_rss_mb"])
        if ours["rows"] != peer["rows"]:
            raise RuntimeError(f"{platform} row counts differ: ours {ours['rows']:,}, dlt {peer['rows']:,}")
        if platform == "vk" and ours["stored_check"] != peer["stored_check"]:
            raise RuntimeError(
                f"VK non-empty banner-days differ: ours {ours['stored_check']}, dlt {peer['stored_check']}"
            )
    out["goal"] = "throughput ≥ 5× dlt's"
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--direct-rows", type=int, default=1_000_000, help="approximate Direct report rows")
    ap.add_argument("--vk-days", type=int, default=365, help="days of VK banner statistics (≤ 365)")
    ap.add_argument(
        "--dlt-format",
        choices=("parquet", "insert_values", "jsonl"),
        default="parquet",
        help="dlt loader file format for DuckDB (parquet: its fast path; insert_values: its default)",
    )
    ap.add_argument("--only", choices=("direct", "vk"), help="run one platform's pair only (default: both)")
    ap.add_argument("--worker", choices=sorted(WORKERS), help=argparse.SUPPRESS)
    ap.add_argument("--sandbox-url", help=argparse.SUPPRESS)
    ap.add_argument("--warehouse-url", help=argparse.SUPPRESS)
    ap.add_argument("--server-pid", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--days", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--workdir", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        print(json.dumps(WORKERS[args.worker](args)))
        return 0
    emit(run(direct_rows=args.direct_rows, vk_days=args.vk_days, dlt_format=args.dlt_format, only=args.only))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
