"""`make bench`: run every area's benchmark and append the results, dated and with the machine, to BENCHMARKS.md."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import subprocess
import sys
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
SUITES = [
    (
        "warehouse",
        "benchmarks.warehouse_bench",
        "SELECT 1 p50 ≤ 2 ms; insert_arrow 10 M rows ≥ 1.5 M rows/s, server peak < 2 GB; GROUP BY ≤ 1.3× chDB direct",
    ),
    (
        "ingestion",
        "benchmarks.ingestion_bench",
        "5 M-row Direct TSV report end to end ≥ 500 k rows/s, peak memory ≤ 1 GB",
    ),
    (
        "google-ads",
        "benchmarks.google_ads_bench",
        "1 M Google Ads ad-day rows (searchStream JSON) through the emulator ≥ 300 k rows/s",
    ),
    (
        "dbt",
        "dbt_project.bench",
        "full build 90 d × 3 platforms × 200 campaigns ≤ 60 s; daily incremental on 10 M rows ≤ 30 s",
    ),
    ("planning", "planning.bench", "detection + validation of a 10,000-line plan ≤ 5 s"),
    (
        "assistants",
        "benchmarks.assistants_bench",
        "recall@5 ≥ 0.9 offline; `mrm ask` p95 ≤ 2 s; a client report ≤ 10 s",
    ),
    (
        "orchestration",
        "benchmarks.orchestration_bench",
        "daily run 3 tenants × 3 platforms end to end ≤ 3 min",
    ),
    (
        "dashboards",
        "benchmarks.dashboards_bench",
        "page data queries p95 ≤ 300 ms on 10 M rows; first paint ≤ 2 s with 5 sessions",
    ),
    (
        "streamlit-load",
        "benchmarks.streamlit_load",
        "100 simulated users over the app's websocket protocol: p95 per page < 2 s, 0 errors, CPU by process",
    ),
    (
        "api",
        "benchmarks.api_bench",
        "POST /v1/metrics/query p95 < 500 ms with 20 concurrent clients on 10 M ad rows",
    ),
    # Issue 9 (proof at scale): side by side against peers, and growth from 1 M to 100 M rows.
    (
        "compare",
        "benchmarks.compare",
        "ingestion ≥ 5× dlt's rows/s; warehouse server vs chDB in-process vs DuckDB; "
        "reach from uniqCombined states vs uniqExact: time and error",
    ),
    (
        "scale",
        "benchmarks.scale",
        "dbt daily incremental run, mart query p95 and disk at 1 M → 100 M ad rows "
        "(table + docs/img/scale.png)",
    ),
]

DEFAULT_TIMEOUT_S = 1800
# The 100 M size of the scale run takes ~30 min on 2 shared cores (BENCHMARKS.md).
SUITE_TIMEOUT_S = {"scale": 7200}


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        model = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    except (OSError, StopIteration):
        model = cpu
    return (
        f"{os.cpu_count()} cores ({model}), {psutil.virtual_memory().total / 2**30:.0f} GiB RAM, "
        f"{platform.system()} {platform.release()}, Python {platform.python_version()}"
    )


def last_json(text: str) -> dict | None:
    for m in reversed(list(re.finditer(r"^\{.*?^\}", text, re.MULTILINE | re.DOTALL))):
        try:
            return json.loads(m.group(0))
        except json.JSONDecodeError:
            continue
    return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", nargs="*", help="suite names to run (default: all)")
    parser.add_argument(
        "--timeout",
        type=int,
        default=None,
        help=f"seconds per suite (default {DEFAULT_TIMEOUT_S}; scale {SUITE_TIMEOUT_S['scale']})",
    )
    args = parser.parse_args()
    started = dt.datetime.now(dt.UTC)
    lines = [f"\n## {started:%Y-%m-%d %H:%M} UTC — {machine()}\n"]
    failed = 0
    for name, module, target in SUITES:
        if args.only and name not in args.only:
            continue
        print(f"== {name}: python -m {module}", flush=True)
        t0 = time.monotonic()
        try:
            proc = subprocess.run(
                [sys.executable, "-m", module],
                cwd=ROOT,
                capture_output=True,
                text=True,
                timeout=args.timeout or SUITE_TIMEOUT_S.get(name, DEFAULT_TIMEOUT_S),
            )
            out, code = proc.stdout, proc.returncode
            err_tail = proc.stderr.strip().splitlines()[-15:]
        except subprocess.TimeoutExpired as exc:
            out, code, err_tail = (
                (exc.stdout or b"").decode() if isinstance(exc.stdout, bytes) else (exc.stdout or ""),
                -1,
                ["timed out"],
            )
        seconds = time.monotonic() - t0
        print(out[-4000:], flush=True)
        status = "ok" if code == 0 else f"FAILED (exit {code})"
        failed += code != 0
        lines.append(f"### {name} — {status}, {seconds:.0f} s\nTarget: {target}\n")
        data = last_json(out)
        if data is not None and isinstance(data.get("markdown"), str):
            lines.append(data.pop("markdown") + "\n")  # a suite's own table (and plot link) before its JSON
        if data is not None:
            lines.append("```json\n" + json.dumps(data, indent=2, ensure_ascii=False) + "\n```\n")
        else:
            tail = "\n".join(out.strip().splitlines()[-25:])
            lines.append("```\n" + tail + "\n```\n")
        if code != 0:
            lines.append("stderr (tail):\n```\n" + "\n".join(err_tail) + "\n```\n")
    path = ROOT / "BENCHMARKS.md"
    if not path.exists():
        path.write_text(
            "# Benchmarks\n\nAppended by `make bench` (benchmarks/run.py): each run is dated, with the machine. "
            "Compare ratios within one run; these machines are noisy.\n"
        )
    with path.open("a") as fh:
        fh.write("\n".join(lines))
    print(f"results appended to {path}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
