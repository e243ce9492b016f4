"""`scripts/cpu_hog.py` (make test-under-load): it spins the cores it is asked for and stops on SIGTERM,
workers included, so a finished or failed suite never leaves it running."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

HOG = Path(__file__).resolve().parents[3] / "scripts" / "cpu_hog.py"


def _children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except FileNotFoundError:
        return []


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def test_hog_stops_with_its_workers_on_sigterm() -> None:
    proc = subprocess.Popen(
        [sys.executable, str(HOG), "--workers", "1", "--seconds", "120"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().startswith(
            "cpu hog: 1 busy processes"
        )  # announced once workers started
        workers = _children(proc.pid)
        assert len(workers) == 1 and _alive(workers[0])
        os.kill(proc.pid, signal.SIGTERM)
        assert proc.wait(60) == 0
        deadline = time.monotonic() + 30
        while _alive(workers[0]):
            assert time.monotonic() < deadline, f"worker {workers[0]} outlived the hog"
            time.sleep(0.05)
    finally:
        if proc.poll() is None:
            proc.kill()


def test_hog_rejects_bad_arguments() -> None:
    done = subprocess.run(
        [sys.executable, str(HOG), "--seconds", "0"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2 and "--seconds" in done.stderr


def test_await_load_returns_once_the_load_average_shows_the_hog(monkeypatch) -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("cpu_hog", HOG)
    assert spec and spec.loader
    hog = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(hog)
    readings = iter([0.1, 0.5, 1.7, 1.9])  # per machine; two cores
    monkeypatch.setattr(hog.os, "cpu_count", lambda: 2)
    monkeypatch.setattr(hog.os, "getloadavg", lambda: (next(readings), 0.0, 0.0))
    assert hog.await_load(60, poll_s=0) == 1.7 / 2  # the first reading at 0.8 per core or more
    monkeypatch.setattr(hog.os, "getloadavg", lambda: (0.2, 0.0, 0.0))
    assert hog.await_load(0, poll_s=0) == 0.1  # the limit passed: the last reading, no endless wait
