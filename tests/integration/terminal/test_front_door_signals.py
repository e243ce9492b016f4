"""Stopping a front door stops what it started: SIGTERM to `mrm dashboards` / `mrm dagster` ends the Streamlit /
Dagster process it runs, and the port is free once the command has exited (we wait on its exit, not a sleep)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import free_port

ROOT = Path(__file__).resolve().parents[3]
# Start-up limit on a busy two-core machine; the test waits for the health answer, not for the clock.
START_LIMIT_S = 300


def _port_is_free(port: int) -> bool:
    with socket.socket() as s:
        # SO_REUSEADDR: connections of our health polls may linger in TIME_WAIT; only a listener makes bind fail.
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def _start_and_stop(args: list[str], port: int, health: str, tmp_path: Path) -> str:
    """Start `mrm ARGS`, wait until `health` answers, SIGTERM the command, wait for it; returns its output."""
    log = tmp_path / "front-door.log"
    env = {**os.environ, "MRM_DATA_DIR": str(tmp_path / "data"), "DAGSTER_HOME": str(tmp_path / "dagster")}
    with open(log, "wb") as out:
        # A session of its own, so our SIGTERM reaches only the command (what a supervisor does), never pytest.
        proc = subprocess.Popen(
            [sys.executable, "-m", "mrm.cli", *args],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + START_LIMIT_S
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}{health}", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"{args[0]} did not come up: {log.read_text(errors='replace')[-3000:]}")
            time.sleep(0.5)
        assert not _port_is_free(port)  # the check below can fail: the port is really held while serving
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=120)
    finally:
        if proc.poll() is None:  # only when the test already failed: leave nothing behind
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    output = log.read_text(errors="replace")
    assert code == 0, output[-3000:]
    assert _port_is_free(port), f"port {port} still served after `mrm {args[0]}` exited:\n{output[-3000:]}"
    return output


def test_sigterm_to_mrm_dashboards_ends_streamlit_and_frees_the_port(warehouse_url, tmp_path):
    port = free_port()
    output = _start_and_stop(["dashboards", "--port", str(port)], port, "/_stcore/health", tmp_path)
    assert f"http://127.0.0.1:{port}" in output


@pytest.mark.slow
def test_sigterm_to_mrm_dagster_ends_webserver_and_daemon_and_frees_the_port(warehouse_url, tmp_path):
    port = free_port()
    output = _start_and_stop(["dagster", "--port", str(port), "--sandbox"], port, "/server_info", tmp_path)
    # Acknowledged on purpose (see mrm.logsetup.ACKNOWLEDGED_WARNINGS), so absent from the terminal.
    assert "SupersessionWarning" not in output and "BetaWarning" not in output
