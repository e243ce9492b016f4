"""`make bench-compare`: ingestion, warehouse and reach side by side in one run; one JSON with the ratios.

Usage: python -m benchmarks.compare [--quick] [--direct-rows N] [--vk-days D] [--warehouse-rows N]
[--impressions N]. `--quick` shrinks every size (for CI and smoke runs); the defaults are the full sizes.
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

from benchmarks import compare_ingestion, compare_reach, compare_warehouse
from benchmarks.common import emit


def headline(result: dict[str, Any]) -> dict[str, Any]:
    """The ratios the issue asks for, lifted out of the detailed results."""
    ing, wh, reach = result["ingestion"], result["warehouse"], result["reach"]
    return {
        "ingestion_direct_rows_per_s_ours_vs_dlt": ing["direct_throughput_ratio_ours_vs_dlt"],
        "ingestion_vk_rows_per_s_ours_vs_dlt": ing["vk_throughput_ratio_ours_vs_dlt"],
        "ingestion_direct_peak_rss_dlt_vs_ours": ing["direct_peak_rss_ratio_dlt_vs_ours_client"],
        "ingestion_vk_peak_rss_dlt_vs_ours": ing["vk_peak_rss_ratio_dlt_vs_ours_client"],
        "warehouse_p50_server_vs_chdb": {q: r["ratio_server_vs_chdb_p50"] for q, r in wh["queries"].items()},
        "warehouse_p50_duckdb_vs_server": {
            q: r["ratio_duckdb_vs_server_p50"] for q, r in wh["queries"].items()
        },
        "reach_speedup_states_vs_exact": {
            q: r["speedup_states_vs_exact_p50"] for q, r in reach["questions"].items()
        },
        "reach_rel_error_max_pct": {q: r["rel_error_max_pct"] for q, r in reach["questions"].items()},
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--quick",
        action="store_true",
        help="small sizes: 110 k Direct rows, 30 VK days, 1 M ad-day rows, 5 M impressions",
    )
    ap.add_argument("--direct-rows", type=int)
    ap.add_argument("--vk-days", type=int)
    ap.add_argument("--warehouse-rows", type=int)
    ap.add_argument("--impressions", type=int)
    ap.add_argument("--dlt-format", default="parquet", choices=("parquet", "insert_values", "jsonl"))
    args = ap.parse_args(argv)
    q = args.quick
    sizes = {
        "direct_rows": args.direct_rows or (110_000 if q else 1_000_000),
        "vk_days": args.vk_days or (30 if q else 365),
        "warehouse_rows": args.warehouse_rows or (1_000_000 if q else 10_000_000),
        "impressions": args.impressions or (5_000_000 if q else 100_000_000),
    }
    out: dict[str, Any] = {"sizes": sizes}
    steps = (
        (
            "ingestion",
            lambda: compare_ingestion.run(
                direct_rows=sizes["direct_rows"], vk_days=sizes["vk_days"], dlt_format=args.dlt_format
            ),
        ),
        ("warehouse", lambda: compare_warehouse.run(rows=sizes["warehouse_rows"], repeats=5 if q else 15)),
        ("reach", lambda: compare_reach.run(impressions=sizes["impressions"], repeats=2 if q else 3)),
    )
    for name, fn in steps:
        print(f"== compare {name}", file=sys.stderr, flush=True)
        t0 = time.perf_counter()
        out[name] = fn()
        out[name]["suite_seconds"] = round(time.perf_counter() - t0, 1)
    out = {"headline": headline(out), **out}
    emit(out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
