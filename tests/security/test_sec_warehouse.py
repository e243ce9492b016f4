"""The embedded warehouse server (loopback only, clean refusals) and `mrm tenants provision` against its tables."""

from __future__ import annotations

import hashlib
import re
import socket
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner

from tests.conftest import http_head
from tests.security.conftest import MARTS, T1, T2

pytestmark = pytest.mark.usefixtures("sec_world")


def _raw(url: str, payload: bytes, timeout: float = 10) -> bytes:
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=timeout) as s:
        s.sendall(payload)
        s.shutdown(socket.SHUT_WR)
        chunks = []
        while True:
            try:
                b = s.recv(65536)
            except (ConnectionResetError, TimeoutError):
                break
            if not b:
                break
            chunks.append(b)
    return b"".join(chunks)


def test_server_listens_on_loopback_only(warehouse_url):
    import psutil

    from warehouse.server import serve

    port = urlsplit(warehouse_url).port
    listening = [
        c for c in psutil.net_connections("inet") if c.status == psutil.CONN_LISTEN and c.laddr.port == port
    ]
    assert listening and all(c.laddr.ip in ("127.0.0.1", "::1") for c in listening), listening
    with pytest.raises(ValueError, match="loopback"):
        serve(__import__("pathlib").Path("/nonexistent"), 0, host="0.0.0.0")  # noqa: S104 - the attack itself


@pytest.mark.parametrize(
    "payload",
    [
        b"GARBAGE\r\n\r\n",
        b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + b"\0" * 64,  # a TLS hello on the plain port
        b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\nSELECT 1",
        b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nSELECT 1\r\n0\r\n\r\n",
        b"POST / HTTP/1.1\r\nHost: x\r\nContent-Encoding: br\r\nContent-Length: 8\r\n\r\nSELECT 1",
        b"POST / HTTP/1.1\r\nHost: x\r\nContent-Encoding: gzip\r\nContent-Length: 8\r\n\r\nnot-gzip",
        b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\n\xff\xfe\xfd\xfc",
        b"GET /?query=" + b"A" * 70000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",  # request line over 64 KiB
        b"GET /ping HTTP/1.1\r\nX-Big: " + b"v" * 70000 + b"\r\n\r\n",  # a header line over 64 KiB
        b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\nSELECT 1",  # body shorter than announced
    ],
)
def test_garbage_and_oversized_requests_are_refused_and_the_server_stays_up(ch, warehouse_url, payload):
    # With the right Host and the secret, so the malformed part is what the server has to deal with.
    reply = _raw(warehouse_url, payload.replace(b"Host: x\r\n", http_head(warehouse_url)), timeout=5)
    if reply:
        status = int(reply.split(b" ", 2)[1]) if reply.startswith(b"HTTP/") else 400
        assert status >= 400, reply[:300]
        assert b"Traceback" not in reply
    assert ch.query("SELECT 1").result_rows == [(1,)]


def test_file_and_url_are_refused_by_the_server_and_documented(ch):
    """chDB has no users or grants, so the server itself refuses outside-world functions (issue 21 finding 1);
    docs/security.md names the control and its test."""
    from clickhouse_connect.driver.exceptions import DatabaseError

    with pytest.raises(DatabaseError, match="FUNCTION_NOT_ALLOWED"):
        ch.query("SELECT count() FROM file('/etc/hostname', 'LineAsString')")
    doc = (__import__("pathlib").Path(__file__).resolve().parents[2] / "docs" / "security.md").read_text()
    assert "file(" in doc and "MRM_WAREHOUSE_ALLOW_FUNCTIONS" in doc and "test_sec_warehouse_browser" in doc


def _provision(*args: str) -> tuple[int, str, str]:
    from warehouse.cli import tenants

    r = CliRunner().invoke(tenants, ["provision", *args])
    return r.exit_code, r.stdout, r.output  # output = stdout and stderr (errors) together


def test_provision_sql_covers_every_tenant_table_and_denies_table_functions(ch, tmp_path):
    from warehouse.provision import STAFF_ROLE, tenant_tables

    pw_file = tmp_path / "pw.tsv"
    code, sql, _ = _provision(
        "--tenant", T1, "--tenant", T2, "--marts-db", MARTS, "--passwords-out", str(pw_file)
    )
    assert code == 0, sql
    statements = [s for s in sql.split(";\n") if s.strip()]
    live = tenant_tables(ch, marts_db=MARTS)
    assert {f"{t.database}.{t.table}" for t in live} >= {
        f"{MARTS}.fct_ad_performance_daily",
        "app.load_log",
        "app.kb_chunks",
        "app.users",
    }
    for tenant in (T1, T2):
        role = f"`mrm_tenant_{tenant}`"
        user = f"`mrm_{tenant}`"
        mine = [s for s in statements if role in s or user in s]
        # every table with tenant_id has this tenant's policy, bound to the literal tenant id and the role
        for t in live:
            want = (
                f"CREATE ROW POLICY OR REPLACE `mrm_tenant_{tenant}` ON `{t.database}`.`{t.table}` FOR SELECT "
                f"USING tenant_id = '{tenant}' AS PERMISSIVE TO {role}"
            )
            assert want in mine, want
        assert f"REVOKE CREATE TEMPORARY TABLE, SOURCES ON *.* FROM {role}" in mine
        assert f"REVOKE ALL ON *.* FROM {role}" in mine
        assert any(
            s.startswith(f"CREATE USER IF NOT EXISTS {user} IDENTIFIED WITH sha256_hash BY ")
            and s.endswith("SETTINGS readonly = 1 CONST")
            for s in mine
        )
        assert f"CREATE ROLE IF NOT EXISTS {role} SETTINGS readonly = 1 CONST" in mine
        grants = {s.split(" ON ", 1)[1].split(" TO ")[0] for s in mine if s.startswith("GRANT SELECT")}
        assert f"`{MARTS}`.`fct_ad_performance_daily`" in grants and "`app`.`clients`" in grants
        assert (
            "`app`.`users`" not in grants and "`app`.`audit_log`" not in grants
        )  # password hashes stay private
        assert not any(re.search(r"GRANT .*(SOURCES|FILE|URL|REMOTE|CREATE TEMPORARY|ALL)", s) for s in mine)
        assert f"GRANT {role} TO {user}" in mine
    assert any(f"TO `{STAFF_ROLE}`" in s and "USING 1" in s for s in statements)
    # passwords: only in the 0600 file, never in the SQL; the SQL carries a salted hash
    pw = dict(line.split("\t") for line in pw_file.read_text().splitlines())
    assert set(pw) == {f"mrm_{T1}", f"mrm_{T2}", "mrm_app"} and oct(pw_file.stat().st_mode & 0o777) == "0o600"
    for user, p in pw.items():
        assert len(p) >= 24 and p not in sql
        # the SQL's salted hash is SHA-256(password + salt), ClickHouse's sha256_password scheme, for this password
        m = re.search(
            rf"CREATE USER IF NOT EXISTS `{user}` IDENTIFIED WITH sha256_hash BY '([0-9A-F]{{64}})' "
            r"SALT '([0-9a-f]+)'",
            sql,
        )
        assert m and hashlib.sha256((p + m.group(2)).encode()).hexdigest().upper() == m.group(1)
    # finding 9: the app's own user reads marts and app, writes app only, no access management nor outside world
    app = [s for s in statements if "`mrm_app" in s]
    assert (
        f"GRANT SELECT ON `{MARTS}`.* TO `mrm_app_role`" in app
        and "GRANT SELECT, INSERT ON `app`.* TO `mrm_app_role`" in app
    )
    assert "REVOKE CREATE TEMPORARY TABLE, SOURCES ON *.* FROM `mrm_app_role`" in app
    assert any(
        s.startswith("REVOKE ACCESS MANAGEMENT, SYSTEM") and s.endswith("FROM `mrm_app_role`") for s in app
    )
    assert not any(
        re.search(r"GRANT .*(SOURCES|FILE|URL|REMOTE|ACCESS|ALL|CREATE|DROP|ALTER)", s) for s in app
    )
    assert "GRANT `mrm_app_role` TO `mrm_app`" in app and "GRANT `mrm_staff` TO `mrm_app_role`" in app
    # every statement is valid ClickHouse syntax (the engine's own parser, via formatQuery)
    for s in statements:
        ch.query("SELECT formatQuery({q:String})", parameters={"q": s})


def test_provision_apply_is_refused_on_the_embedded_engine_and_bad_tenants_are_rejected(ch):
    code, _, out = _provision("--apply", "--tenant", T1, "--marts-db", MARTS)
    assert code != 0 and "chDB" in out and "no users" in out
    for bad in ("t1' OR 1=1 --", "t1`; DROP USER default", "../x", ""):
        code, _, out = _provision("--tenant", bad, "--marts-db", MARTS)
        assert code != 0 and "invalid tenant" in out, (bad, out)
    code, _, out = _provision("--tenant", T1, "--marts-db", "marts; DROP DATABASE app")
    assert code != 0 and "plain name" in out


def test_provision_defaults_to_every_tenant_in_app_tenants(ch):
    code, sql, _ = _provision("--marts-db", MARTS)
    assert code == 0
    tenants = [r[0] for r in ch.query("SELECT DISTINCT tenant_id FROM app.tenants FINAL").result_rows]
    provisionable = [t for t in tenants if re.fullmatch(r"[A-Za-z0-9_.-]{1,64}", t)]
    assert T1 in provisionable and T2 in provisionable
    for t in provisionable:
        assert f"CREATE ROLE IF NOT EXISTS `mrm_tenant_{t}`" in sql
