"""Benchmark: ~1 M Google Ads ad-day rows streamed by the emulator's googleAds:searchStream, parsed and loaded.

Run: `.venv/bin/python -m benchmarks.google_ads_bench [--rows 1000000]`. The sandbox (this process) serves one USD
customer of 55,000 ads, every ad active every day, for as many days as make `--rows`; the connector loads them in a
child process over real HTTP into a throw-away embedded warehouse, as in production where the API is remote.
Prints rows/s and peak RSS of the connector, the emulator and the warehouse, checks the stored sums against the
world's numbers, and ends with a JSON object (what `benchmarks/run.py` records). Target (issue 18): ≥ 300 k rows/s.
"""

from __future__ import annotations

import argparse
import importlib
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from functools import cached_property
from pathlib import Path
from typing import Any

from benchmarks.common import PeakRss, emit
from ingestion.sandbox.generator import Account, Ad, AdGroup, Campaign, World

BENCH_TODAY = date(2026, 1, 20)
ADS_PER_DAY = 55_000  # the shape of the Direct bench account: 500 campaigns × 10 groups × 11 ads
CUSTOMER = "4015559999"
TARGET_ROWS_PER_S = 300_000
ROOT = Path(__file__).resolve().parent.parent
WARM_IMPORTS = ("pandas", "pyarrow.json", "pyarrow.compute", "warehouse.loads", "ingestion.google_ads.fetch")


class BenchWorld(World):
    """The sandbox world plus one Google Ads customer shaped like the Direct bench account (its own numbers)."""

    @cached_property
    def accounts(self) -> list[Account]:
        bench = Account(
            "bench",
            "bench",
            "google_ads",
            CUSTOMER,
            "Bench Google Ads (USD)",
            currency="USD",
            spend_includes_vat=False,
            goals=(30001,),
            goal_values_rub=(2000,),
        )
        return [*World.accounts.func(self), bench]  # type: ignore[attr-defined]

    def _shape(self, account_id: str) -> str:
        return "bench-direct" if account_id == CUSTOMER else account_id

    def campaigns(self, account_id: str) -> list[Campaign]:
        return super().campaigns(self._shape(account_id))

    def ad_groups(self, account_id: str) -> list[AdGroup]:
        return super().ad_groups(self._shape(account_id))

    def ads(self, account_id: str) -> list[Ad]:
        return super().ads(self._shape(account_id))


def _window(days: int) -> tuple[date, date]:
    date_to = BENCH_TODAY - timedelta(days=1)
    return date_to - timedelta(days=days - 1), date_to


def worker(args: argparse.Namespace) -> dict[str, Any]:
    """The connector's side, in its own process: one `google_ads.load` of the window, timed."""
    import clickhouse_connect
    import pyarrow as pa

    from ingestion.google_ads import Settings, load

    # What a long-running worker has imported already: pyarrow imports pandas on its first list conversion.
    for name in WARM_IMPORTS:
        importlib.import_module(name)

    try:  # freed Arrow buffers go back to the OS at once: peak RSS measures what is live
        pa.jemalloc_set_decay_ms(0)
    except (NotImplementedError, AttributeError):
        pass
    date_from, date_to = _window(args.days)
    ch = clickhouse_connect.get_client(dsn=args.warehouse_url, compress=False, send_receive_timeout=1800)
    settings = Settings.for_sandbox(args.sandbox_url, timeout_s=300.0, lookback_days=0)
    if args.profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    # Sampled, not ru_maxrss: a child's ru_maxrss starts at its parent's size (fork), this emulator's.
    with PeakRss([os.getpid()]) as rss:
        t0, c0 = time.perf_counter(), time.process_time()
        res = load(
            ch,
            settings,
            tenant_id="bench",
            account_id=CUSTOMER,
            date_from=date_from,
            date_to=date_to,
            today=BENCH_TODAY,
        )
        seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    if args.profile:
        profiler.disable()
        profiler.dump_stats(args.profile)
    return {
        "rows": res["raw_google_ads.ad_stats_daily"],
        "seconds": seconds,
        "cpu_s": round(cpu, 2),
        "peak_rss_mb": rss.peak_mb(os.getpid()),
    }


def _expected(world: World, days: int) -> tuple[int, int, int, Decimal]:
    """(rows, impressions, clicks, cost in USD) the emulator serves for the window, from the world directly."""
    from ingestion.sandbox.google_ads import RUB_PER_UNIT

    divisor = RUB_PER_UNIT["USD"]
    rows = imps = clicks = micros = 0
    day, date_to = _window(days)
    while day <= date_to:
        s = world.daily_stats(CUSTOMER, day)
        rows += len(s)
        imps += int(s.impressions.sum())
        clicks += int(s.clicks.sum())
        micros += int((s.cost_net_micros // divisor).sum())
        day += timedelta(days=1)
    return rows, imps, clicks, Decimal(micros) / 1_000_000


def run(rows: int, *, live: bool = False, profile: str | None = None, timeout: int = 1800) -> dict[str, Any]:
    import warehouse
    from ingestion.sandbox import SandboxServer
    from warehouse import embedded
    from warehouse.loads import current_rows_sql

    days = max(1, math.ceil(rows / ADS_PER_DAY))
    world = BenchWorld(seed=11, today=BENCH_TODAY, history_days=days + 5, bench_ads=ADS_PER_DAY)
    expected = _expected(world, days)  # also builds the world's per-ad model before the clock starts
    with tempfile.TemporaryDirectory(prefix="mrm-gads-bench-") as tmp:
        info = embedded.start(Path(tmp) / "wh", port=0)
        try:
            ch = _client(info.url)
            warehouse.migrate(ch)
            with SandboxServer(world, apis=("google_oauth", "google_ads")) as sandbox:
                # As the Direct bench times the download of a report Direct has built, the emulator's rendering is
                # done before the clock starts (it is the API's CPU, here on the same two cores); --live keeps it in.
                first, last = _window(days)
                sandbox.apis["google_ads"].warm(CUSTOMER, *((None, None) if live else (first, last)))  # type: ignore[attr-defined]
                load_avg = os.getloadavg()
                cmd = [
                    sys.executable,
                    "-m",
                    "benchmarks.google_ads_bench",
                    "--worker",
                    "--sandbox-url",
                    sandbox.url("google_ads"),
                    "--warehouse-url",
                    info.url,
                    "--days",
                    str(days),
                    *(["--profile", profile] if profile else []),
                ]
                cpu_before = [_cpu_s(p) for p in (os.getpid(), info.pid)]
                with PeakRss([os.getpid(), info.pid]) as rss:
                    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
                cpu_emulator, cpu_warehouse = (
                    _cpu_s(p) - c for p, c in zip((os.getpid(), info.pid), cpu_before, strict=True)
                )
                load_after = os.getloadavg()
            if proc.returncode != 0:
                raise RuntimeError(
                    f"the load process failed (exit {proc.returncode}):\n{proc.stderr[-3000:]}"
                )
            side = json.loads(proc.stdout.strip().splitlines()[-1])
            table = "raw_google_ads.ad_stats_daily"
            stored = ch.query(
                f"SELECT count(), sum(impressions), sum(clicks), sum(cost) FROM ({current_rows_sql(table)}) "  # noqa: S608
                "WHERE tenant_id = 'bench' AND account_id = {a:String}",
                parameters={"a": CUSTOMER},
            ).result_rows[0]
        finally:
            embedded.stop(Path(tmp) / "wh")
    got = (int(stored[0]), int(stored[1]), int(stored[2]), Decimal(str(stored[3])))
    rate = side["rows"] / side["seconds"]
    return {
        "rows": side["rows"],
        "emulator": "rendering while serving" if live else "answer rendered before the clock",
        "days": days,
        "ads_per_day": ADS_PER_DAY,
        "seconds": round(side["seconds"], 2),
        "rows_per_s": round(rate),
        "target_rows_per_s": TARGET_ROWS_PER_S,
        # CPU seconds of each process over the load (the emulator's includes this process's RSS sampler)
        "cpu_s_connector": side["cpu_s"],
        "cpu_s_emulator": round(cpu_emulator, 2),
        "cpu_s_warehouse": round(cpu_warehouse, 2),
        "peak_rss_mb_connector": side["peak_rss_mb"],
        "peak_rss_mb_emulator": rss.peak_mb(os.getpid()),
        "peak_rss_mb_warehouse": rss.peak_mb(info.pid),
        "load_average_before": [round(x, 2) for x in load_avg],
        "load_average_after": [round(x, 2) for x in load_after],
        "stored_matches_emulator": got == expected,
        "stored": [got[0], got[1], got[2], str(got[3])],
        "expected": [expected[0], expected[1], expected[2], str(expected[3])],
    }


def _cpu_s(pid: int) -> float:
    import psutil

    t = psutil.Process(pid).cpu_times()
    return float(t.user + t.system)


def _client(url: str) -> Any:
    import clickhouse_connect

    return clickhouse_connect.get_client(dsn=url, compress=False, send_receive_timeout=1800)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--rows", type=int, default=1_000_000, help="ad-day rows at least (whole days of 55,000 ads)"
    )
    ap.add_argument("--live", action="store_true", help="the emulator renders the rows while serving them")
    ap.add_argument("--profile", help="write the connector's cProfile stats to this file")
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--sandbox-url", help=argparse.SUPPRESS)
    ap.add_argument("--warehouse-url", help=argparse.SUPPRESS)
    ap.add_argument("--days", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(args)))
        return 0
    out = run(args.rows, live=args.live, profile=args.profile)
    print(
        f"google ads: {out['rows']:,} ad-day rows ({out['days']} days × {ADS_PER_DAY:,} ads) in {out['seconds']} s "
        f"= {out['rows_per_s']:,} rows/s, emulator {out['emulator']} (target ≥ {TARGET_ROWS_PER_S:,}); peak RSS connector "
        f"{out['peak_rss_mb_connector']:,} MB, emulator {out['peak_rss_mb_emulator']:,} MB, warehouse "
        f"{out['peak_rss_mb_warehouse']:,} MB; CPU s connector {out['cpu_s_connector']}, emulator "
        f"{out['cpu_s_emulator']}, warehouse {out['cpu_s_warehouse']}; load average {out['load_average_before'][0]} → "
        f"{out['load_average_after'][0]}; stored = emulator: {out['stored_matches_emulator']}",
        file=sys.stderr,
    )
    emit(out)
    ok = out["stored_matches_emulator"] and out["rows_per_s"] >= TARGET_ROWS_PER_S
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
