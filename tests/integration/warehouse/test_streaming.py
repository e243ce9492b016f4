"""The embedded server streams SELECT results as chDB produces them: memory flat in the result size, errors loud."""

from __future__ import annotations

import json
import socket
import time
from urllib.parse import urlsplit

import clickhouse_connect
import psutil
import pytest
import requests

from tests.conftest import free_port, http_head
from warehouse import embedded

MB = 1 << 20


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A private server, so its RSS is this module's alone."""
    data = tmp_path_factory.mktemp("streaming")
    info = embedded.start(data, port=free_port())
    try:
        yield info
    finally:
        embedded.stop(data)


def _post(info, sql: str, **params: str) -> requests.Response:
    parts = urlsplit(info.url)
    base = f"http://{parts.hostname}:{parts.port}/"
    return requests.post(
        base,
        params=params,
        data=sql.encode(),
        auth=(parts.username, parts.password),
        stream=True,
        timeout=600,
    )


def test_multi_million_row_export_keeps_server_memory_flat(server):
    proc = psutil.Process(server.pid)
    warm = _post(server, "SELECT number, toString(number) FROM numbers(100000)")
    assert warm.status_code == 200 and len(warm.content.splitlines()) == 100_000
    idle = proc.memory_info().rss
    # ~10 M rows of ~45 bytes: a result several times the bound below, had the server held it whole.
    rows = 10_000_000
    reply = _post(server, f"SELECT number, repeat('x', 30), toString(number * 7) FROM numbers({rows})")
    assert reply.status_code == 200, reply.text[:500]
    assert reply.headers.get("Transfer-Encoding") == "chunked"
    peak, received, lines, tail = idle, 0, 0, b""
    for i, piece in enumerate(reply.iter_content(1 << 20)):
        received += len(piece)
        lines += piece.count(b"\n")
        tail = (tail + piece)[-200:]
        if i % 8 == 0:
            peak = max(peak, proc.memory_info().rss)
    peak = max(peak, proc.memory_info().rss)
    growth = (peak - idle) / MB
    print(
        f"\nexport: {received / MB:.0f} MB, {lines} rows; server RSS idle {idle / MB:.0f} MB, "
        f"peak {peak / MB:.0f} MB (+{growth:.0f} MB)"
    )
    assert lines == rows
    assert tail.endswith(f"\t{'x' * 30}\t{(rows - 1) * 7}\n".encode())
    assert received > 400 * MB
    assert growth < 200, f"server RSS grew {growth:.0f} MB while streaming {received / MB:.0f} MB"


@pytest.mark.parametrize("fmt", ["JSON", "JSONCompact"])
def test_empty_result_keeps_its_format_skeleton(server, fmt):
    reply = _post(server, f"SELECT 1 AS one WHERE 0 FORMAT {fmt}")
    assert reply.status_code == 200
    doc = json.loads(reply.content)
    assert doc["rows"] == 0 and doc["data"] == [] and doc["meta"][0]["name"] == "one"


@pytest.mark.parametrize("fmt", ["CSVWithNames", "JSON", "Parquet", "TabSeparated", "Native", "JSONEachRow"])
def test_every_format_answers_the_same_streamed_or_whole(server, fmt):
    sql = f"SELECT number, toString(number) AS s FROM numbers(300000) FORMAT {fmt}"  # several chunks
    streamed = _post(server, sql).content
    whole = _post(server, sql, wait_end_of_query="1").content
    if fmt in ("JSON", "Parquet"):  # they carry the elapsed time / writer metadata: compare what they hold
        assert len(streamed) > 1_000_000
        if fmt == "JSON":
            assert json.loads(streamed)["data"] == json.loads(whole)["data"]
        else:
            import io

            import pyarrow.parquet as pq

            assert pq.read_table(io.BytesIO(streamed)).equals(pq.read_table(io.BytesIO(whole)))
        return
    assert streamed == whole and len(streamed) > 1_000_000


def test_small_results_and_names_through_a_stock_client(server):
    ch = clickhouse_connect.get_client(dsn=server.url)
    assert ch.query("SELECT number FROM numbers({n:UInt32})", parameters={"n": 3}).result_rows == [
        (0,),
        (1,),
        (2,),
    ]
    assert ch.query("SELECT 'a' AS s").column_names == ("s",)
    names = _post(server, "SELECT 1 AS a WHERE 0 FORMAT TabSeparatedWithNames")
    assert names.content == b"a\n"
    assert ch.query("SHOW DATABASES").result_rows  # not streamable in chDB: answered whole
    ch.close()


def test_error_before_the_first_chunk_is_an_http_error(server):
    reply = _post(server, "SELECT no_such_column FROM numbers(10)")
    assert reply.status_code == 404 or reply.status_code == 400
    assert "UNKNOWN_IDENTIFIER" in reply.text


def test_error_mid_stream_truncates_the_reply_loudly(server):
    reply = _post(server, "SELECT throwIf(number = 3000000, 'boom mid stream') FROM numbers(5000000)")
    assert reply.status_code == 200  # the status left with the first chunk
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        body = b"".join(reply.iter_content(1 << 20))
        pytest.fail(f"a failed query's reply ended as if whole ({len(body)} bytes)")
    again = _post(server, "SELECT 42")
    assert again.status_code == 200 and again.text == "42\n"  # the server and its pool are fine


def test_client_leaving_mid_stream_cancels_and_the_server_carries_on(server):
    parts = urlsplit(server.url)
    sql = b"SELECT number, repeat('y', 50) FROM numbers(200000000)"
    with socket.create_connection((parts.hostname, parts.port), timeout=120) as sock:
        sock.sendall(
            b"POST / HTTP/1.1\r\n"
            + http_head(server.url)
            + b"Content-Length: "
            + str(len(sql)).encode()
            + b"\r\n\r\n"
            + sql
        )
        head = sock.recv(65536)
        assert head.startswith(b"HTTP/1.1 200")
    # The query is cancelled, not left running to the end (200 M rows would take minutes here).
    ch = clickhouse_connect.get_client(dsn=server.url, send_receive_timeout=600)
    running = "SELECT count() FROM system.processes WHERE query LIKE '%numbers(200000000)%' AND query NOT LIKE '%system.processes%'"
    for _ in range(600):
        if ch.query(running).result_rows == [(0,)]:
            break
        time.sleep(0.1)  # polling a state (the query gone), with a generous limit
    assert ch.query(running).result_rows == [(0,)]
    assert ch.query("SELECT 7").result_rows == [(7,)]
    ch.close()


def test_back_to_back_statements_on_one_session_are_never_refused(server):
    """A client that sends its next statement the moment the last chunk of a streamed result arrives (as dbt's
    session does) must not meet SESSION_IS_LOCKED from the previous request still finishing on the server."""
    import clickhouse_connect

    c = clickhouse_connect.get_client(dsn=server.url, session_id="back-to-back", compress=False)
    for i in range(150):
        assert c.query(f"SELECT number FROM numbers({1000 + i})").result_rows[-1][0] == 999 + i
        c.command("SET max_threads = 2")


def test_a_truly_concurrent_request_on_a_busy_session_is_refused(server):
    import threading

    import clickhouse_connect

    busy = clickhouse_connect.get_client(
        dsn=server.url, session_id="busy-session", compress=False, send_receive_timeout=120
    )
    probe = clickhouse_connect.get_client(dsn=server.url, compress=False)
    t = threading.Thread(
        target=lambda: busy.command(
            "SELECT sum(sleepEachRow(1)) FROM numbers(15) SETTINGS max_block_size = 1"
        ),
        daemon=True,
    )
    t.start()
    # wait for the signal that the long statement runs (it shows in system.processes), never a fixed pause
    while not probe.query(
        "SELECT count() FROM system.processes WHERE query LIKE '%sum(sleepEachRow(1)) FROM numbers(15)%' "
        "AND query NOT LIKE '%system.processes%'"
    ).result_rows[0][0]:
        assert t.is_alive()
    other = clickhouse_connect.get_client(dsn=server.url, session_id="busy-session", compress=False)
    with pytest.raises(Exception, match="SESSION_IS_LOCKED|locked by a concurrent client"):
        other.command("SELECT 1")
    t.join(timeout=120)
