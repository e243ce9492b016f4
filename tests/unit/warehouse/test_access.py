"""The embedded server's request checks, without a server: the SQL lexer, ids, Host/Origin, credentials, secret."""

from __future__ import annotations

import base64
import os

import pytest

from warehouse.access import (
    Credentials,
    allowed_functions,
    check_authentication,
    check_id,
    check_origin,
    check_outside_world,
    client_url,
    load_or_create_secret,
)
from warehouse.engine import EngineError
from warehouse.settings import WarehouseSettings, redact

REFUSED = [
    "SELECT * FROM url('http://x/', 'TSV', 'a String')",
    "select * from URL ('http://x/')",
    "SELECT * FROM url/* a /* nested */ b */('http://x/')",
    "SELECT * FROM url -- comment\n ('http://x/')",
    "SELECT * FROM url # comment\n ('http://x/')",
    "SELECT * FROM `url`('http://x/')",
    "SELECT * FROM \"URL\"('http://x/')",
    "SELECT * FROM `\\x75rl`('http://x/')",
    "SELECT $$'$$, * FROM file('/etc/passwd') -- '",
    "SELECT $t$ ' $t$ FROM s3('http://x/b/k')",
    "SELECT 1; INSERT INTO FUNCTION remote('h', system.one) SELECT 1",
    "CREATE TABLE t (a String) ENGINE = URL('http://x/', TSV)",
    "CREATE DICTIONARY d (a String) PRIMARY KEY a SOURCE(HTTP(url 'http://x/' format 'TSV')) LAYOUT(FLAT()) "
    "LIFETIME(0)",
    "SELECT 1 INTO OUTFILE '/tmp/x'",
    "INSERT INTO t FROM INFILE '/etc/passwd' FORMAT TSV",
    "BACKUP TABLE t TO Disk('backups', 'x')",
    "SELECT 1; ATTACH TABLE t FROM '/var/lib/x' (a Int8) ENGINE = MergeTree ORDER BY a",
    "SELECT * FROM postgresql('h:5432', 'db', 't', 'u', 'p')",
    "SELECT * FROM executable('ls', 'TSV', 'a String')",
    "CREATE DATABASE fs ENGINE = Filesystem",
    "CREATE DATABASE b ENGINE = S3",
    "INSERT INTO t SETTINGS format_schema = '/etc/passwd:M' FORMAT Protobuf",
    "CREATE TABLE t (a String) ENGINE = FileLog('/var/log', 'TSV')",
]

ALLOWED = [
    "SELECT url, file, remote FROM t",  # columns, not calls (s3, hdfs, filesystem are refused anywhere: db engines)
    "SELECT 'url(' || \"file\" FROM t",
    "SELECT * FROM t WHERE x = 'INTO OUTFILE'",
    "SELECT /* url('x') */ 1",
    "SELECT 1 -- file('/etc/passwd')",
    "SELECT $$ file('/etc/passwd') $$",
    "SELECT domain(url) FROM t",
    "INSERT INTO app.users (login) VALUES ('remote(1)')",
    "ALTER TABLE t ATTACH PARTITION 1 FROM t2",  # only a statement that starts with ATTACH reads a path
]


@pytest.mark.parametrize("sql", REFUSED)
def test_outside_world_statements_are_refused(sql):
    with pytest.raises(EngineError) as err:
        check_outside_world(sql)
    assert err.value.code == 446 and "MRM_WAREHOUSE_ALLOW_FUNCTIONS" in str(err.value)


@pytest.mark.parametrize("sql", ALLOWED)
def test_lookalikes_are_allowed(sql):
    check_outside_world(sql)


def test_allow_list_enables_only_the_named_function():
    check_outside_world("SELECT * FROM url('http://x/')", frozenset({"url"}))
    with pytest.raises(EngineError):
        check_outside_world("SELECT * FROM file('/x')", frozenset({"url"}))
    assert allowed_functions({"MRM_WAREHOUSE_ALLOW_FUNCTIONS": " url, S3 "}) == {"url", "s3"}
    with pytest.raises(ValueError, match="unknown names"):
        allowed_functions({"MRM_WAREHOUSE_ALLOW_FUNCTIONS": "url,numbers"})


def test_statement_starts_are_reported_for_the_connection_pool():
    assert check_outside_world("SELECT 1; SET max_threads = 1; /* c */ USE db") == ["select", "set", "use"]


@pytest.mark.parametrize("value", ["%", "", "a b", "*/", "x'y", "a\r\nb", "é", "a" * 129])
def test_bad_ids_are_refused(value):
    with pytest.raises(EngineError, match="query_id"):
        check_id("query_id", value)


def test_good_ids_pass():
    assert check_id("query_id", "3f2a-11:bb.c_d") == "3f2a-11:bb.c_d"


def test_host_and_origin():
    check_origin({"Host": "127.0.0.1:8123"}, 8123)
    check_origin(
        {"Host": "LOCALHOST:8123", "Origin": "http://localhost:8123", "Sec-Fetch-Site": "same-origin"}, 8123
    )
    for headers in (
        {"Host": "evil.example:8123"},
        {"Host": "127.0.0.1:8124"},
        {"Host": "127.0.0.1"},
        {},
        {"Host": "127.0.0.1:8123", "Origin": "http://evil.example"},
        {"Host": "127.0.0.1:8123", "Sec-Fetch-Site": "cross-site"},
    ):
        with pytest.raises(EngineError, match="ACCESS_DENIED"):
            check_origin(headers, 8123)


def test_credentials_in_every_stock_form():
    creds = Credentials("default", "s" * 40)
    basic = "Basic " + base64.b64encode(f"default:{'s' * 40}".encode()).decode()
    check_authentication({"Authorization": basic}, {}, creds)
    check_authentication({"X-ClickHouse-User": "default", "X-ClickHouse-Key": "s" * 40}, {}, creds)
    check_authentication({}, {"user": "default", "password": "s" * 40}, creds)
    for headers, params in (
        ({}, {}),
        ({"Authorization": "Basic !!!"}, {}),
        ({"Authorization": "Basic " + base64.b64encode(b"other:" + b"s" * 40).decode()}, {}),
        ({"X-ClickHouse-Key": "s" * 39}, {}),
        ({}, {"password": ""}),
    ):
        with pytest.raises(EngineError, match="AUTHENTICATION_FAILED") as err:
            check_authentication(headers, params, creds)
        assert "s" * 39 not in str(err.value)


def test_secret_is_created_once_with_mode_0600(tmp_path):
    first = load_or_create_secret(tmp_path / "data")
    assert load_or_create_secret(tmp_path / "data") == first and len(first) >= 32
    path = tmp_path / "data" / "warehouse.secret"
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    os.chmod(path, 0o644)  # a copy that lost its mode is tightened, not trusted as is
    assert load_or_create_secret(tmp_path / "data") == first and oct(path.stat().st_mode & 0o777) == "0o600"
    path.write_text("short\n")
    with pytest.raises(RuntimeError, match="delete it"):
        load_or_create_secret(tmp_path / "data")


def test_client_url_round_trips_through_settings_and_redact_hides_it():
    url = client_url("http://127.0.0.1:8123", Credentials("default", "abc-_DEF" * 5))
    s = WarehouseSettings.from_env({"CLICKHOUSE_URL": url})
    assert (s.username, s.password, s.port) == ("default", "abc-_DEF" * 5, 8123)
    assert redact(url) == "http://127.0.0.1:8123" and redact("http://h:1/db") == "http://h:1/db"
