"""Stopping a front door stops what it started: SIGTERM to `mrm dashboards` / `mrm dagster` ends the Streamlit /
Dagster process it runs, and the port is free once the command has exited (we wait on its exit, not a sleep)."""

from __future__ import annotations

import os
import re
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
NOISE = re.compile(
    r" - (dagster|dagster-webserver|dagster-daemon|dagster.code_server) - INFO - |BetaWarning|"
    r"SupersessionWarning|You can now view your Streamlit app"
)
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


def _start_and_stop(argv: list[str], served: dict[int, str], tmp_path: Path) -> str:
    """Start ARGV, wait until every port's health path answers, SIGTERM the command, wait for it to exit, and check
    that every port is free; returns the command's output."""
    log = tmp_path / "front-door.log"
    env = {**os.environ, "MRM_DATA_DIR": str(tmp_path / "data"), "DAGSTER_HOME": str(tmp_path / "dagster")}
    env["MRM_LANG"] = "en"  # the English lines are asserted
    with open(log, "wb") as out:
        # A session of its own, so our SIGTERM reaches only the command (what a supervisor does), never pytest.
        proc = subprocess.Popen(
            argv, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        deadline = time.monotonic() + START_LIMIT_S
        waiting = dict(served)
        while waiting:
            for port, health in list(waiting.items()):
                try:
                    if httpx.get(f"http://127.0.0.1:{port}{health}", timeout=5).status_code == 200:
                        del waiting[port]
                except httpx.HTTPError:
                    pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"{argv} did not come up: {log.read_text(errors='replace')[-3000:]}")
            time.sleep(0.5)
        # The check after the stop can fail: each port is really held while serving.
        assert not any(_port_is_free(port) for port in served)
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=180)
    finally:
        if proc.poll() is None:  # only when the test already failed: leave nothing behind
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    output = log.read_text(errors="replace")
    assert code == 0, output[-3000:]
    held = [port for port in served if not _port_is_free(port)]
    assert not held, f"ports {held} still served after {argv} exited:\n{output[-3000:]}"
    return output


def _mrm(*args: str) -> list[str]:
    return [sys.executable, "-m", "mrm.cli", *args]


def test_sigterm_to_mrm_dashboards_ends_streamlit_and_frees_the_port(warehouse_url, tmp_path):
    port = free_port()
    output = _start_and_stop(_mrm("dashboards", "--port", str(port)), {port: "/_stcore/health"}, tmp_path)
    assert f"http://127.0.0.1:{port}" in output
    assert "You can now view your Streamlit app" not in output  # its banner repeats the URL with others


@pytest.mark.slow
def test_sigterm_to_mrm_dagster_ends_webserver_and_daemon_and_frees_the_port(warehouse_url, tmp_path):
    port = free_port()
    output = _start_and_stop(
        _mrm("dagster", "--port", str(port), "--sandbox"), {port: "/server_info"}, tmp_path
    )
    # Acknowledged on purpose (see mrm.logsetup.ACKNOWLEDGED_WARNINGS), so absent from the terminal.
    assert "SupersessionWarning" not in output and "BetaWarning" not in output


@pytest.mark.slow
def test_sigterm_to_the_demo_while_serving_ends_both_uis_and_frees_their_ports(warehouse_url, tmp_path):
    app, dagster = free_port(), free_port()
    # The serving half of `mrm demo` (the job half is covered by test_demo_output); its own process, like `mrm`.
    serve = f"from mrm.demo import serve; serve(app_port={app}, dagster_port={dagster})"
    output = _start_and_stop(
        [sys.executable, "-c", serve], {app: "/_stcore/health", dagster: "/server_info"}, tmp_path
    )
    assert (
        f"Streamlit app: http://127.0.0.1:{app}" in output
        and f"Dagster UI: http://127.0.0.1:{dagster}" in output
    )
    # Both UIs' own start-up chatter stays off the terminal (the front doors print the URLs themselves).
    noise = [line for line in output.splitlines() if NOISE.search(line)]
    assert not noise, "\n".join(noise[:20])
