"""The embedded server's memory cap (MRM_WAREHOUSE_MAX_MEMORY / --max-memory) reaches chDB and is enforced."""

from __future__ import annotations

import subprocess
import sys

import clickhouse_connect
import pytest
from clickhouse_connect.driver.exceptions import DatabaseError

from tests.conftest import free_port
from warehouse import embedded
from warehouse.server import parse_memory


def test_parse_memory_units_and_errors():
    assert parse_memory("") == 0 and parse_memory(None) == 0 and parse_memory("0") == 0
    assert parse_memory("800000000") == 800_000_000
    assert parse_memory("512M") == 512 * 2**20
    assert parse_memory("12G") == 12 * 2**30
    assert parse_memory("1.5GiB") == int(1.5 * 2**30)
    assert parse_memory("2 gb") == 2 * 2**30
    with pytest.raises(ValueError, match="MRM_WAREHOUSE_MAX_MEMORY"):
        parse_memory("lots")
    with pytest.raises(ValueError, match="MRM_WAREHOUSE_MAX_MEMORY"):
        parse_memory("-1G")


def test_capped_server_reports_the_cap_and_refuses_a_query_past_it(tmp_path, monkeypatch):
    data = tmp_path / "capped"
    monkeypatch.setenv("MRM_WAREHOUSE_MAX_MEMORY", "600M")  # the env var reaches the detached server process
    info = embedded.start(data, port=free_port())
    try:
        ch = clickhouse_connect.get_client(dsn=info.url)
        cap = ch.query("SELECT value FROM system.server_settings WHERE name = 'max_server_memory_usage'")
        assert cap.result_rows == [(str(600 * 2**20),)]
        # ~1.6 GB of distinct strings held at once: past a 600 MB server cap it must fail, not grow
        with pytest.raises(DatabaseError, match="MEMORY_LIMIT_EXCEEDED|memory limit"):
            ch.query(
                "SELECT groupArray(s) FROM (SELECT repeat(toString(number), 20) AS s FROM numbers(20000000)) "
                "SETTINGS max_memory_usage = 0"
            )
        assert ch.query("SELECT 1").result_rows == [(1,)]  # the server survives the refused query
    finally:
        embedded.stop(data)


def test_bad_cap_is_a_clear_startup_error(tmp_path):
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "warehouse.server",
            "--data-dir",
            str(tmp_path / "bad"),
            "--port",
            str(free_port()),
            "--max-memory",
            "lots",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    assert "MRM_WAREHOUSE_MAX_MEMORY must be bytes or a size" in proc.stderr
