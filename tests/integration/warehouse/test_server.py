"""The embedded warehouse answers the stock clients exactly as a ClickHouse server would."""

from __future__ import annotations

import datetime as dt
import decimal
import json
import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import clickhouse_connect
import httpx
import pandas as pd
import pyarrow as pa
import pytest
from clickhouse_connect.driver.exceptions import DatabaseError

from tests.conftest import free_port, http_head
from warehouse import embedded

TYPES_DDL = """
CREATE TABLE {t} (
    id UInt64, d Date, ts DateTime64(3, 'Europe/Moscow'), money Decimal(18, 6), tag LowCardinality(String),
    note Nullable(String), vec Array(Float32), attrs Map(String, UInt64)
) ENGINE = MergeTree ORDER BY id
"""


@pytest.fixture()
def table(ch) -> str:
    name = f"default.t_{uuid.uuid4().hex[:10]}"
    ch.command(TYPES_DDL.format(t=name))
    yield name
    ch.command(f"DROP TABLE IF EXISTS {name}")


ROWS = [
    [
        1,
        dt.date(2026, 1, 1),
        dt.datetime(2026, 1, 1, 9, 30, 15, 123000),
        decimal.Decimal("1234567.891011"),
        "direct",
        None,
        [0.5, -1.25],
        {"goal_1": 3},
    ],
    [
        2,
        dt.date(2025, 12, 31),
        dt.datetime(2025, 12, 31, 23, 59, 59),
        decimal.Decimal("-0.000001"),
        "вк",
        "Привет, мир",
        [],
        {},
    ],
]
COLS = ["id", "d", "ts", "money", "tag", "note", "vec", "attrs"]


@pytest.mark.parametrize("compress", [True, False])
def test_round_trip_of_every_type(warehouse_url, table, compress):
    client = clickhouse_connect.get_client(dsn=warehouse_url, compress=compress)
    client.insert(table, ROWS, column_names=COLS)
    got = client.query(f"SELECT * FROM {table} ORDER BY id").result_rows
    assert [r[0] for r in got] == [1, 2]
    assert got[0][1] == dt.date(2026, 1, 1)
    assert got[0][2].replace(tzinfo=None) == dt.datetime(2026, 1, 1, 12, 30, 15, 123000)  # naive input is UTC
    assert str(got[0][2].tzinfo) == "Europe/Moscow"
    assert got[0][3] == decimal.Decimal("1234567.891011") and got[1][3] == decimal.Decimal("-0.000001")
    assert got[1][4] == "вк" and got[0][5] is None and got[1][5] == "Привет, мир"
    assert got[0][6] == [0.5, -1.25] and got[1][6] == []
    assert got[0][7] == {"goal_1": 3}


def test_arrow_and_dataframe_inserts_and_queries(ch, table):
    arrow = pa.table(
        {
            "id": pa.array(range(1000), pa.uint64()),
            "d": pa.array([dt.date(2026, 3, 1)] * 1000, pa.date32()),
            "ts": pa.array([dt.datetime(2026, 3, 1, 12)] * 1000, pa.timestamp("ms")),
            "money": pa.array([decimal.Decimal("0.5")] * 1000, pa.decimal128(18, 6)),
            "tag": pa.array(["a", "b"] * 500),
            "note": pa.array([None, "x"] * 500),
            "vec": pa.array([[1.0, 2.0]] * 1000, pa.list_(pa.float32())),
            "attrs": pa.array([[("k", 1)]] * 1000, pa.map_(pa.string(), pa.uint64())),
        }
    )
    ch.insert_arrow(table, arrow)
    df = pd.DataFrame(
        {
            "id": [5000, 5001],
            "d": [dt.date(2026, 3, 2)] * 2,
            "ts": [pd.Timestamp("2026-03-02")] * 2,
            "money": [decimal.Decimal("1.5")] * 2,
            "tag": ["c", "c"],
            "note": [None, None],
            "vec": [[], [3.0]],
            "attrs": [{}, {"z": 2}],
        }
    )
    ch.insert_df(table, df)
    back = ch.query_arrow(f"SELECT tag, count() AS n, sum(money) AS s FROM {table} GROUP BY tag ORDER BY tag")
    assert back.column("tag").to_pylist() == ["a", "b", "c"]
    assert back.column("n").to_pylist() == [500, 500, 2]
    assert [decimal.Decimal(str(x)) for x in back.column("s").to_pylist()] == [250, 250, 3]
    frame = ch.query_df(f"SELECT id, note FROM {table} WHERE id >= 5000 ORDER BY id")
    assert list(frame["id"]) == [5000, 5001]


def test_bound_parameters_are_bound_server_side(ch, table):
    ch.insert(table, ROWS, column_names=COLS)
    hostile = "direct' OR 1=1 --"
    assert ch.query(
        f"SELECT count() FROM {table} WHERE tag = {{t:String}}", parameters={"t": hostile}
    ).result_rows == [(0,)]
    got = ch.query(
        f"SELECT id FROM {table} WHERE tag = {{t:String}} AND d <= {{day:Date}} AND id IN {{ids:Array(UInt64)}}",
        parameters={"t": "direct", "day": dt.date(2026, 1, 1), "ids": [1, 2]},
    ).result_rows
    assert got == [(1,)]


def test_errors_carry_code_and_message(ch):
    with pytest.raises(DatabaseError) as syntax:
        ch.query("SELEC 1")
    assert "code: 62" in str(syntax.value) and "Syntax error" in str(syntax.value)
    with pytest.raises(DatabaseError) as unknown:
        ch.query("SELECT * FROM default.no_such_table_here")
    assert "code: 60" in str(unknown.value) and "no_such_table_here" in str(unknown.value)


def test_raw_http_error_protocol(warehouse_url):
    r = httpx.post(warehouse_url + "/", content=b"SELECT * FROM default.nope_nope")
    assert r.status_code == 404
    assert r.headers["X-ClickHouse-Exception-Code"] == "60"
    assert r.text.startswith("Code: 60. DB::Exception:")
    assert httpx.get(warehouse_url + "/ping").text == "Ok.\n"
    assert httpx.get(warehouse_url + "/", params={"query": "SELECT 40+2"}).text == "42\n"


def test_settings_database_and_sessions(warehouse_url, ch):
    ch.command("CREATE DATABASE IF NOT EXISTS scratch_db")
    ch.command("CREATE TABLE IF NOT EXISTS scratch_db.x (a UInt8) ENGINE = MergeTree ORDER BY a")
    c = clickhouse_connect.get_client(dsn=warehouse_url, database="scratch_db")
    assert c.query("SELECT currentDatabase()").result_rows == [("scratch_db",)]
    assert c.query("SELECT count() FROM x").result_rows == [(0,)]
    assert c.query("SELECT getSetting('max_threads')", settings={"max_threads": 1}).result_rows == [(1,)]
    # a session keeps its own state across requests
    s = clickhouse_connect.get_client(dsn=warehouse_url, session_id=f"s-{uuid.uuid4()}")
    s.command("SET max_threads = 1")
    assert s.query("SELECT getSetting('max_threads')").result_rows == [(1,)]
    plain = clickhouse_connect.get_client(dsn=warehouse_url, autogenerate_session_id=False)
    plain.command("SET max_threads = 1")
    assert plain.query("SELECT getSetting('max_threads')").result_rows != [(1,)]


def test_max_execution_time_is_honoured(ch):
    t0 = time.monotonic()
    with pytest.raises(DatabaseError) as exc:
        ch.query(
            "SELECT sum(cityHash64(number)) FROM numbers(100000000000)",
            settings={"max_execution_time": 1, "max_threads": 1},
        )
    assert "code: 159" in str(exc.value)
    assert time.monotonic() - t0 < 10


def test_query_is_cancelled_when_client_disconnects(warehouse_url, ch):
    marker = uuid.uuid4().hex
    port = int(warehouse_url.rsplit(":", 1)[1])
    sql = (
        f"SELECT sum(cityHash64(number)) AS {'m' + marker} FROM numbers(100000000000) SETTINGS max_threads=1"
    )
    sock = socket.create_connection(("127.0.0.1", port))
    body = sql.encode()
    sock.sendall(
        b"POST / HTTP/1.1\r\n"
        + http_head(warehouse_url)
        + b"Content-Length: "
        + str(len(body)).encode()
        + b"\r\n\r\n"
        + body
    )
    running = "SELECT count() FROM system.processes WHERE query LIKE {p:String} AND query_id != queryID()"
    deadline = time.monotonic() + 10
    while ch.query(running, parameters={"p": f"%m{marker}%FROM numbers%"}).result_rows[0][0] == 0:
        assert time.monotonic() < deadline, "query never started"
        time.sleep(0.1)
    sock.close()
    deadline = time.monotonic() + 10
    while ch.query(running, parameters={"p": f"%m{marker}%FROM numbers%"}).result_rows[0][0] > 0:
        assert time.monotonic() < deadline, "query still running 10 s after its client went away"
        time.sleep(0.2)


def test_large_body_streams_to_disk_and_loads(ch, table):
    n = 300_000  # a few MB of Native data: spooled to the data dir, not held in memory
    arrow = pa.table(
        {
            "id": pa.array(range(n), pa.uint64()),
            "d": pa.array([dt.date(2026, 1, 1)] * n, pa.date32()),
            "ts": pa.array([dt.datetime(2026, 1, 1)] * n, pa.timestamp("ms")),
            "money": pa.array([decimal.Decimal("1.000001")] * n, pa.decimal128(18, 6)),
            "tag": pa.array(["x" * 20] * n),
            "note": pa.array([None] * n, pa.string()),
            "vec": pa.array([[1.0]] * n, pa.list_(pa.float32())),
            "attrs": pa.array([[]] * n, pa.map_(pa.string(), pa.uint64())),
        }
    )
    ch.insert_arrow(table, arrow)
    assert ch.query(f"SELECT count(), sum(money) FROM {table}").result_rows == [
        (n, decimal.Decimal("300000.300000"))
    ]
    tmp = Path(os.environ["MRM_DATA_DIR"]) / "tmp"
    assert list(tmp.glob("*")) == []  # spooled bodies are removed


WORKER = """
import datetime as dt, decimal, sys
import clickhouse_connect
url, table, worker = sys.argv[1], sys.argv[2], int(sys.argv[3])
cols = ["id", "d", "ts", "money", "tag", "note", "vec", "attrs"]
client = clickhouse_connect.get_client(dsn=url)
for batch in range(5):
    client.insert(table, [[worker * 1000 + batch * 10 + i, dt.date(2026, 1, 1), dt.datetime(2026, 1, 1),
                           decimal.Decimal(1), f"w{worker}", None, [], {}] for i in range(10)], column_names=cols)
    client.query(f"SELECT count() FROM {table}")
print("done", worker)
"""


def test_concurrent_clients_from_several_processes(warehouse_url, ch, table):
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, warehouse_url, table, str(w)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for w in range(4)
    ]
    outputs = [p.communicate(timeout=300) for p in procs]
    for w, (p, (out, err)) in enumerate(zip(procs, outputs, strict=True)):
        assert p.returncode == 0 and out.strip() == f"done {w}", err[-2000:]
    assert ch.query(f"SELECT count(), uniqExact(tag) FROM {table}").result_rows == [(200, 4)]


def test_concurrent_queries_inside_one_process(ch, warehouse_url):
    errors: list[Exception] = []

    def run() -> None:
        try:
            c = clickhouse_connect.get_client(dsn=warehouse_url)
            for _ in range(20):
                assert c.query("SELECT sum(number) FROM numbers(100000)").result_rows == [(4999950000,)]
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


def test_persistence_across_restart_and_single_owner(tmp_path):
    data = tmp_path / "wh"
    info = embedded.start(data, port=free_port())
    try:
        c = clickhouse_connect.get_client(dsn=info.url)
        c.command("CREATE TABLE default.keep (a UInt32) ENGINE = MergeTree ORDER BY a")
        c.insert("default.keep", [[7], [8]], column_names=["a"])
        # a second server on the same data directory is refused with a clear error
        second = subprocess.run(
            [sys.executable, "-m", "warehouse.server", "--data-dir", str(data), "--port", str(free_port())],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert second.returncode == 3
        assert "already served by another process" in second.stderr
    finally:
        assert embedded.stop(data)
    assert embedded.status(data) is None
    info2 = embedded.start(data, port=free_port())
    try:
        c2 = clickhouse_connect.get_client(dsn=info2.url)
        assert c2.query("SELECT sum(a) FROM default.keep").result_rows == [(15,)]
        applied = c2.query("SELECT count() FROM app.schema_migrations FINAL").result_rows[0][0]
        assert applied >= 5
    finally:
        embedded.stop(data)


def test_connect_autostarts_embedded_server(tmp_path, monkeypatch):
    import warehouse

    monkeypatch.delenv("CLICKHOUSE_URL", raising=False)
    monkeypatch.setenv("MRM_DATA_DIR", str(tmp_path / "auto"))
    monkeypatch.setenv("MRM_WAREHOUSE_PORT", str(free_port()))
    try:
        client = warehouse.connect()
        assert client.query(
            "SELECT count() > 0 FROM system.tables WHERE database = 'raw_yandex_direct'"
        ).result_rows == [(1,)]
        state = json.loads((tmp_path / "auto" / "warehouse.json").read_text())
        assert state["url"].startswith("http://127.0.0.1:")
    finally:
        embedded.stop(tmp_path / "auto")


def test_large_bound_parameters_travel_in_a_form_body(ch, warehouse_url):
    vector = [float(i) / 7 for i in range(2000)]  # far past the client's URL budget for parameters
    got = ch.query(
        "SELECT length({v:Array(Float32)}), {name:String}", parameters={"v": vector, "name": "x" * 5000}
    ).result_rows
    assert got == [(2000, "x" * 5000)]
    forced = clickhouse_connect.get_client(dsn=warehouse_url, form_encode_query_params=True)
    assert forced.query("SELECT {a:UInt8} + 1", parameters={"a": 1}).result_rows == [(2,)]


def test_migrate_stays_callable_after_submodule_import():
    import warehouse
    import warehouse.migrate  # noqa: F401

    assert callable(warehouse.migrate) and warehouse.migrate.__name__ == "migrate"


def test_request_settings_do_not_outlive_their_request_in_a_session(warehouse_url):
    s = clickhouse_connect.get_client(dsn=warehouse_url, session_id=f"s-{uuid.uuid4()}")
    default = s.query("SELECT getSetting('max_execution_time')").result_rows[0][0]
    assert s.query(
        "SELECT getSetting('max_execution_time')", settings={"max_execution_time": 7}
    ).result_rows == [(7,)]
    assert s.query("SELECT getSetting('max_execution_time')").result_rows == [(default,)]
    # an explicit SET is the session's own value and stays; a request override still applies on top of it
    s.command("SET max_execution_time = 9")
    assert s.query("SELECT getSetting('max_execution_time')").result_rows == [(9,)]
    assert s.query(
        "SELECT getSetting('max_execution_time')", settings={"max_execution_time": 3}
    ).result_rows == [(3,)]
    assert s.query("SELECT getSetting('max_execution_time')").result_rows == [(9,)]
