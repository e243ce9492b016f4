"""The sticky balancer: routing by cookie between real HTTP servers, then the app behind `mrm dashboards --workers 2`
driven by the load generator over the websocket protocol."""

from __future__ import annotations

import http.server
import os
import signal
import socket
import subprocess
import sys
import threading
import urllib.request

import psutil
import pytest

from benchmarks import streamlit_load
from dashboards import balancer
from tests.conftest import free_port
from tests.integration.dashboards.conftest import APP
from tests.integration.dashboards.test_streamlit_load import three_users
from tests.machine import load_factor


def _named_server(name: str) -> http.server.ThreadingHTTPServer:
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
            forwarded = self.headers.get_all(balancer.CLIENT_HEADER) or []
            body = f"{name} {forwarded} {self.headers.get('Connection')}".encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv


@pytest.fixture
def two_backends():
    servers = [_named_server("a"), _named_server("b")]
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "dashboards.balancer",
            "--listen",
            f"127.0.0.1:{port}",
            *[x for s in servers for x in ("--backend", f"127.0.0.1:{s.server_address[1]}")],
        ],
        cwd=APP.parents[1],
    )
    url = f"http://127.0.0.1:{port}"
    try:
        streamlit_load.wait_healthy_path(url, "/", proc, 60 * load_factor())
        yield url
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
        for s in servers:
            s.shutdown()


def _get(url: str, cookie: str | None = None, accept: str = "text/html") -> tuple[str, str | None]:
    req = urllib.request.Request(url, headers={"Accept": accept, **({"Cookie": cookie} if cookie else {})})
    with urllib.request.urlopen(req, timeout=30) as resp:
        return resp.read().decode(), resp.headers.get("Set-Cookie")


def test_a_browser_is_pinned_by_its_cookie_and_new_browsers_are_spread(two_backends):
    first, cookie = _get(two_backends + "/")
    assert cookie and cookie.startswith(f"{balancer.COOKIE}=") and "HttpOnly" in cookie
    pin = cookie.split(";", 1)[0]
    # The same browser comes back to the same process, asking for anything; no new cookie is set.
    for path in ("/", "/campaigns", "/static/app.js"):
        body, again = _get(two_backends + path, cookie=pin, accept="*/*")
        assert (body, again) == (first, None)
    # A second new browser goes to the other (idle) process.
    second, cookie2 = _get(two_backends + "/")
    assert second != first and cookie2 and cookie2.split(";", 1)[0] != pin
    # A cookie naming no backend is re-pinned, not trusted.
    _, repinned = _get(two_backends + "/", cookie=f"{balancer.COOKIE}=7")
    assert repinned and repinned.split(";", 1)[0] in {pin, cookie2.split(";", 1)[0]}


def test_the_client_address_header_is_the_balancers_own_and_each_connection_carries_one_request(two_backends):
    req = urllib.request.Request(
        two_backends + "/", headers={balancer.CLIENT_HEADER: "203.0.113.9", "Connection": "keep-alive"}
    )
    with urllib.request.urlopen(req, timeout=30) as resp:
        body = resp.read().decode()
    assert body.endswith(" ['127.0.0.1'] close"), body


def test_assets_fetched_before_the_cookie_do_not_pin(two_backends):
    _, cookie = _get(two_backends + "/static/app.js", accept="*/*")
    assert cookie is None


def test_the_app_behind_two_workers_serves_three_simulated_users(dash, warehouse_url, ch, tmp_path):
    port = free_port()
    env = {**os.environ, "CLICKHOUSE_URL": warehouse_url, "MRM_MARTS_DB": dash["db"]}
    log = tmp_path / "app.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "mrm.cli", "dashboards", "--port", str(port), "--workers", "2"],
            cwd=APP.parents[1],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        streamlit_load.wait_healthy(url, proc, 180 * load_factor())
        res = three_users(url, ["it-pm@t1", "it-am@t2"])
        assert res.errors == [], log.read_text(errors="replace")[-3000:]
        assert res.sessions_done == 3
        # Sign-ins were throttled by the client's address as the balancer saw it (without its header, every
        # websocket would come from loopback, which the app treats as no address at all).
        n = ch.query(
            "SELECT count() FROM app.login_attempts WHERE kind = 'address' AND key = '127.0.0.1' AND ok = 1"
        ).result_rows[0][0]
        assert n >= 3
        children = psutil.Process(proc.pid).children(recursive=True)
        assert sum("streamlit" in " ".join(c.cmdline()) for c in children) >= 2
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 0, log.read_text(errors="replace")[-3000:]
    # Every child went with it (the balancer and both app processes), and the port is free again.
    assert not [c for c in children if c.is_running() and c.status() != psutil.STATUS_ZOMBIE]
    with socket.socket() as s:
        assert s.connect_ex(("127.0.0.1", port)) != 0


def test_a_backend_that_refuses_is_passed_over_and_its_browsers_pinned_anew():
    """A worker still starting (or gone) refuses connections: new browsers and the ones pinned to it reach the
    other worker instead of a 502 (the race the three-user test met while a worker was starting)."""
    live, dead = _named_server("live"), free_port()
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "dashboards.balancer", "--listen", f"127.0.0.1:{port}",
         "--backend", f"127.0.0.1:{dead}", "--backend", f"127.0.0.1:{live.server_address[1]}"],
        cwd=APP.parents[1], stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        streamlit_load.wait_healthy_path(url, "/", proc, 60 * load_factor())
        answers = [_get(url + "/") for _ in range(4)]  # new browsers: the least busy choice alternates
        assert {body.split()[0] for body, _ in answers} == {"live"}
        assert {cookie.split(";", 1)[0] for _, cookie in answers} == {f"{balancer.COOKIE}=1"}
        body, cookie = _get(url + "/", cookie=f"{balancer.COOKIE}=0")  # pinned to the worker that is down
        assert body.split()[0] == "live" and cookie and cookie.startswith(f"{balancer.COOKIE}=1")
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
        live.shutdown()
