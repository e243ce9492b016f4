"""Warehouse benchmarks: round trip, bulk Arrow insert with server memory, GROUP BY through the server vs chDB direct."""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
import psutil
import pyarrow as pa

from warehouse import embedded

DDL = """
CREATE TABLE bench.ad_stats (
    tenant_id LowCardinality(String), account_id LowCardinality(String), date_day Date, campaign_id UInt64,
    ad_id UInt64, impressions UInt64, clicks UInt64, cost Decimal(18, 6), conversions UInt32, platform LowCardinality(String)
) ENGINE = MergeTree ORDER BY (tenant_id, account_id, date_day, campaign_id, ad_id)
"""
GROUP_BY = """
SELECT tenant_id, platform, toStartOfMonth(date_day) AS month, sum(impressions) AS impr, sum(clicks) AS clk,
       sum(cost) AS spend, sum(clicks) / nullIf(sum(impressions), 0) AS ctr
FROM bench.ad_stats GROUP BY tenant_id, platform, month ORDER BY tenant_id, platform, month
"""


def make_batch(start: int, n: int, rng: np.random.Generator) -> pa.Table:
    ids = np.arange(start, start + n, dtype=np.uint64)
    tenants = np.array([f"t{i:03d}" for i in range(200)])
    platforms = np.array(["yandex_direct", "vk_ads", "garpun"])
    days = (np.datetime64("2026-01-01") + (ids % 330).astype("timedelta64[D]")).astype("datetime64[D]")
    return pa.table(
        {
            "tenant_id": pa.array(tenants[ids % 200]),
            "account_id": pa.array(np.char.add("acc", (ids % 1000).astype(str))),
            "date_day": pa.array(days, pa.date32()),
            "campaign_id": pa.array(ids % 20000),
            "ad_id": pa.array(ids),
            "impressions": pa.array(rng.integers(0, 10000, n, dtype=np.uint64)),
            "clicks": pa.array(rng.integers(0, 300, n, dtype=np.uint64)),
            "cost": _money(rng.integers(0, 10**10, n)),
            "conversions": pa.array(rng.integers(0, 20, n, dtype=np.uint32)),
            "platform": pa.array(platforms[ids % 3]),
        }
    )


def _money(micros: np.ndarray) -> pa.Array:
    """Decimal(18, 6) straight from unscaled integers (int128 little-endian words), no Python objects."""
    words = np.zeros((len(micros), 2), dtype=np.int64)
    words[:, 0] = micros
    return pa.Array.from_buffers(pa.decimal128(18, 6), len(micros), [None, pa.py_buffer(words.tobytes())])


class PeakRss(threading.Thread):
    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.proc = psutil.Process(pid)
        self.peak = 0
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            try:
                self.peak = max(self.peak, self.proc.memory_info().rss)
            except psutil.Error:
                return
            time.sleep(0.05)

    def stop(self) -> int:
        self._stop_event.set()
        self.join()
        return self.peak


def run(rows: int = 10_000_000, batch: int = 1_000_000, repeats: int = 5) -> dict[str, Any]:
    import chdb
    import clickhouse_connect

    out: dict[str, Any] = {"rows": rows}
    with tempfile.TemporaryDirectory(prefix="mrm-bench-") as tmp:
        data = Path(tmp) / "wh"
        info = embedded.start(data, port=0)
        try:
            # the client as warehouse.connect() makes it for the embedded server (no compression on loopback)
            client = clickhouse_connect.get_client(dsn=info.url, compress=False)
            compressed = clickhouse_connect.get_client(dsn=info.url)
            client.query("SELECT 1")
            lat = []
            for _ in range(500):
                t0 = time.perf_counter()
                client.query("SELECT 1")
                lat.append((time.perf_counter() - t0) * 1000)
            out["select1_p50_ms"] = round(statistics.median(lat), 3)
            out["select1_p95_ms"] = round(float(np.percentile(lat, 95)), 3)

            client.command("CREATE DATABASE IF NOT EXISTS bench")
            client.command(DDL)
            rng = np.random.default_rng(7)
            batches = [make_batch(i, min(batch, rows - i), rng) for i in range(0, rows, batch)]
            monitor = PeakRss(info.pid)
            base_rss = psutil.Process(info.pid).memory_info().rss
            monitor.start()
            t0 = time.perf_counter()
            for b in batches:
                client.insert_arrow("bench.ad_stats", b)
            elapsed = time.perf_counter() - t0
            peak = monitor.stop()
            del batches
            out["insert_arrow_rows_per_s"] = round(rows / elapsed)
            out["insert_arrow_seconds"] = round(elapsed, 2)
            out["server_peak_rss_mb"] = round(peak / 2**20)
            out["server_rss_before_insert_mb"] = round(base_rss / 2**20)
            # the same insert with the client's default LZ4 compression, for the ratio
            client.command("CREATE TABLE bench.ad_stats_lz4 AS bench.ad_stats")
            sample = make_batch(0, batch, np.random.default_rng(8))
            t0 = time.perf_counter()
            for _ in range(3):
                compressed.insert_arrow("bench.ad_stats_lz4", sample)
            lz4_rate = 3 * batch / (time.perf_counter() - t0)
            t0 = time.perf_counter()
            for _ in range(3):
                client.insert_arrow("bench.ad_stats_lz4", sample)
            plain_rate = 3 * batch / (time.perf_counter() - t0)
            out["insert_arrow_lz4_vs_plain_ratio"] = round(lz4_rate / plain_rate, 3)
            assert client.query("SELECT count() FROM bench.ad_stats").result_rows[0][0] == rows

            # Background merges of the freshly inserted parts would otherwise run during the server's timings only.
            client.command("OPTIMIZE TABLE bench.ad_stats FINAL")
            client.query(GROUP_BY)  # warm-up, as on the direct side
            server_times = []
            for _ in range(repeats):
                t0 = time.perf_counter()
                client.query(GROUP_BY)
                server_times.append(time.perf_counter() - t0)
            client.close()
        finally:
            embedded.stop(data)
        conn = chdb.connect(str(data / "chdb"))
        conn.query(GROUP_BY, "Native")  # warm-up
        direct_times = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            conn.query(GROUP_BY, "Native")
            direct_times.append(time.perf_counter() - t0)
        conn.close()
    out["group_by_server_s"] = round(statistics.median(server_times), 4)
    out["group_by_chdb_direct_s"] = round(statistics.median(direct_times), 4)
    out["group_by_ratio_server_vs_direct"] = round(
        out["group_by_server_s"] / out["group_by_chdb_direct_s"], 3
    )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=10_000_000)
    args = parser.parse_args()
    print(json.dumps(run(args.rows), indent=2))


if __name__ == "__main__":
    main()
