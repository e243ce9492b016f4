"""Front doors started as child processes by benchmarks and tests: a free loopback port, the analyst app served
by one Streamlit process, and the wait for a health endpoint. One way to do each, so a benchmark measures the
app as the browser tests see it."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "dashboards" / "streamlit_app.py"


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_healthy_path(
    url: str, path: str, proc: subprocess.Popen[bytes], timeout_s: float, log: Path | None = None
) -> None:
    """Wait until `url + path` answers 200; a clear error (with the tail of `log`) when the process exits first
    or the time runs out."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            if urllib.request.urlopen(f"{url}{path}", timeout=5).status == 200:
                return
        except OSError:
            pass
        problem = ""
        if proc.poll() is not None:
            problem = f"the process serving {url} exited with code {proc.returncode} before it was healthy"
        elif time.monotonic() > deadline:
            problem = f"{url}{path} was not healthy within {timeout_s:.0f} s"
        if problem:
            tail = log.read_text(errors="replace")[-3000:] if log is not None and log.exists() else ""
            raise RuntimeError(problem + (f"; its output ends:\n{tail}" if tail else ""))
        time.sleep(0.5)


@contextlib.contextmanager
def streamlit_app(env: Mapping[str, str], *, timeout_s: float, log: Path | None = None) -> Iterator[str]:
    """Serve the analyst app with one Streamlit process on a free loopback port (headless, no usage statistics);
    yields its URL once healthy and stops the process on exit. Its output goes to `log` (discarded without)."""
    port = free_port()
    options = {
        "server.address": "127.0.0.1",
        "server.port": str(port),
        "server.headless": "true",
        "browser.gatherUsageStats": "false",
    }
    cmd = [sys.executable, "-m", "streamlit", "run", str(APP), *(f"--{k}={v}" for k, v in options.items())]
    with open(log, "wb") if log is not None else contextlib.nullcontext(subprocess.DEVNULL) as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=dict(env), stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy_path(url, "/_stcore/health", proc, timeout_s, log)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@contextlib.contextmanager
def dagster_dev(
    command: Callable[[int], list[str]], env: Mapping[str, str], *, timeout_s: float, log: Path
) -> Iterator[str]:
    """Run `command(port)` (a `dagster dev` front door: webserver, daemon, code server) in its own process group
    on a free loopback port; yield its URL once `/server_info` answers. On exit SIGINT lets dagster dev stop its
    children; the group is killed if it has not ended within 20 s (its webserver can wait a minute on its own
    shutdown; a clean stop is tests/integration/terminal/test_front_door_signals.py's business)."""
    port = free_port()
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            command(port),
            cwd=ROOT,
            env=dict(env),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy_path(url, "/server_info", proc, timeout_s, log)
        yield url
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
