"""Shared helpers of the side-by-side and scale benchmarks: RSS sampling, timing, percentiles, JSON output."""

from __future__ import annotations

import json
import math
import statistics
import sys
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

import psutil


class PeakRss(threading.Thread):
    """Samples the resident set size of some processes every `interval` seconds; `.peak_mb` is the maximum seen."""

    def __init__(self, pids: Iterable[int], interval: float = 0.05) -> None:
        super().__init__(daemon=True)
        self.procs = [psutil.Process(p) for p in pids]
        self.interval = interval
        self.peak: dict[int, int] = {p.pid: 0 for p in self.procs}
        self._stop_event = threading.Event()

    def sample(self) -> None:
        for p in self.procs:
            try:
                self.peak[p.pid] = max(self.peak[p.pid], p.memory_info().rss)
            except psutil.Error:
                continue

    def run(self) -> None:
        while not self._stop_event.is_set():
            self.sample()
            self._stop_event.wait(self.interval)

    def __enter__(self) -> PeakRss:
        self.sample()
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop_event.set()
        self.join()
        self.sample()

    def peak_mb(self, pid: int) -> float:
        return round(self.peak[pid] / 2**20, 1)


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty list."""
    if not values:
        raise ValueError("percentile of an empty list")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), math.ceil(q / 100 * len(ordered))))
    return ordered[rank - 1]


def timed_runs(fn: Callable[[], Any], repeats: int) -> tuple[list[float], Any]:
    """Run `fn` once to warm up, then `repeats` times; returns the timings in ms and the last result."""
    result = fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - t0) * 1000)
    return times, result


def summarize_ms(times: list[float]) -> dict[str, float]:
    return {"p50_ms": round(statistics.median(times), 2), "p95_ms": round(percentile(times, 95), 2)}


def ratio(a: float, b: float) -> float | None:
    """a / b rounded for the report; None when b is zero (no ratio can be claimed)."""
    return round(a / b, 2) if b else None


def emit(result: dict[str, Any]) -> None:
    """The last JSON object on stdout is what benchmarks/run.py records in BENCHMARKS.md."""
    sys.stdout.write(json.dumps(result, indent=2, ensure_ascii=False, default=str) + "\n")
    sys.stdout.flush()
