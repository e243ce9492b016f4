"""Benchmark: a 5 M-row Direct TSV report fetched from the sandbox, parsed, normalised and loaded.

Run: `.venv/bin/python -m benchmarks.ingestion_bench [--rows 5000000]`. Prints rows/s and peak RSS of this process
(sandbox + client) and of the warehouse server process. Target: ≥ 500 k rows/s, ≤ 1 GB.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import threading
import time
from datetime import date, timedelta
from pathlib import Path

BENCH_TODAY = date(2026, 1, 20)
ADS_PER_DAY = 55_000  # 500 campaigns × 10 groups × 11 ads, all active every day


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5_000_000, help="approximate report rows (default 5 M)")
    parser.add_argument(
        "--mode",
        choices=("offline", "online"),
        default="offline",
        help="offline (default): the report is built before download, like big Direct reports; "
        "online: the emulator renders while the client downloads (both share this CPU)",
    )
    parser.add_argument("--block-mb", type=int, default=8, help="TSV parse block (one insert per block)")
    parser.add_argument(
        "--compress",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="lz4-compress inserts (clickhouse-connect's default)",
    )
    parser.add_argument(
        "--keep-data", action="store_true", help="use MRM_DATA_DIR instead of a temporary warehouse"
    )
    args = parser.parse_args(argv)

    temp_dir = None
    if not args.keep_data and not os.environ.get("CLICKHOUSE_URL"):
        temp_dir = tempfile.mkdtemp(prefix="mrm-bench-")
        os.environ["MRM_DATA_DIR"] = temp_dir
    try:
        return _run(args)
    finally:
        if temp_dir is not None:
            from warehouse import embedded

            embedded.stop(Path(temp_dir))


def _run(args: argparse.Namespace) -> int:
    import pandas  # noqa: F401 - pyarrow imports it lazily on first use; keep that out of the timing
    import pyarrow as pa

    # Return freed Arrow buffers to the OS at once, so peak RSS measures what is live, not allocator cache.
    try:
        pa.jemalloc_set_decay_ms(0)
    except (NotImplementedError, AttributeError):
        pass
    import psutil

    import warehouse
    from ingestion import yandex_direct
    from ingestion.sandbox import SandboxServer, World

    days = max(1, round(args.rows / ADS_PER_DAY))
    world = World(seed=11, today=BENCH_TODAY, history_days=days + 5, bench_ads=ADS_PER_DAY)
    date_to = BENCH_TODAY - timedelta(days=1)
    date_from = date_to - timedelta(days=days - 1)
    client = warehouse.connect(compress=args.compress)
    server_pid = _server_pid(client)
    server_peak = [0.0]
    stop = threading.Event()

    def watch() -> None:
        if server_pid is None:
            return
        proc = psutil.Process(server_pid)
        while not stop.is_set():
            try:
                server_peak[0] = max(server_peak[0], proc.memory_info().rss / 2**20)
            except psutil.Error:
                return
            stop.wait(0.2)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    with SandboxServer(world) as sandbox:
        # Offline mode, as production uses for big reports: Direct (here the emulator) builds the report
        # between 201 and 200; the client then downloads, parses, normalises and loads it as one stream.
        settings = yandex_direct.Settings.for_sandbox(
            sandbox.url("direct"),
            goals=["29001", "29002"],
            attribution_models=["LC"],
            processing_mode=args.mode,
            timeout_s=120.0,
            lookback_days=0,
            max_retry_in_s=0.05,
            block_size=args.block_mb << 20,
        )
        rss_before = psutil.Process().memory_info().rss / 2**20
        last_poll = [0.0]

        def sleep(seconds: float) -> None:
            time.sleep(seconds)
            last_poll[0] = time.perf_counter()

        t0 = time.perf_counter()
        result = yandex_direct.load(
            client,
            settings,
            tenant_id="bench",
            account_id="bench-direct",
            date_from=date_from,
            date_to=date_to,
            today=BENCH_TODAY,
            tables=("ad_stats",),
            sleep=sleep,
        )
        t_end = time.perf_counter()
        elapsed = t_end - (last_poll[0] or t0)
        build = (last_poll[0] - t0) if last_poll[0] else 0.0
    stop.set()
    rows = result["raw_yandex_direct.ad_stats_daily"]
    stored = client.query(
        "SELECT count() FROM raw_yandex_direct.ad_stats_daily WHERE tenant_id = {t:String}",
        parameters={"t": "bench"},
    ).result_rows[0][0]
    rate = rows / elapsed
    peak = _peak_rss_mb()
    print(f"rows loaded      {rows:,} ({days} days × {ADS_PER_DAY:,} ads; {stored:,} stored)")
    print(f"mode             {args.mode} (emulator build/queue wait {build:.2f} s, not counted)")
    print(f"elapsed          {elapsed:.2f} s download → parse → normalise → insert → window switch")
    print(f"with build       {(t_end - t0):.2f} s ({rows / (t_end - t0):,.0f} rows/s)")
    print(f"throughput       {rate:,.0f} rows/s (target ≥ 500,000)")
    print(
        f"peak RSS client  {peak:,.0f} MB (sandbox + fetch + parse + insert, before load {rss_before:,.0f} MB; "
        "target ≤ 1,024)"
    )
    if server_pid is not None:
        print(f"peak RSS server  {server_peak[0]:,.0f} MB (embedded warehouse process, pid {server_pid})")
    ok = rate >= 500_000 and peak <= 1024 and stored == rows
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


def _server_pid(client: object) -> int | None:
    """The embedded warehouse's pid (from its pid file), to sample its memory too."""
    from warehouse import embedded

    info = embedded.status(Path(os.environ.get("MRM_DATA_DIR", ".mrm")))
    return info.pid if info else None


if __name__ == "__main__":
    sys.exit(main())
