"""No credential in plain text after the demo (issue 13): `mrm demo --no-serve` runs in a data directory of its own
against a sandbox the test session holds (tests/demo_run.py), then every String/FixedString column (also inside Nullable, LowCardinality,
Array, Map, Tuple) of every table of every database, and every file under the log directory, is searched for each
token, secret and password the demo used — the sandboxes' fixed credentials, every token and key the emulators
issued during the run, the demo users' passwords and the warehouse's own secret. Dagster's run history and step
logs (the demo job is a Dagster run) are searched like the log directory.

A control first plants tokens in a scratch table and a log file and checks the same scan names them, so the scan
cannot pass by finding nothing anywhere. A failure names database.table.column or the file and which credential,
never the credential itself.
"""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import free_port

# The demo runs once for the session (tests/demo_run.py), in the first set-up that needs it: minutes when busy.
pytestmark = [pytest.mark.slow, pytest.mark.timeout(2400)]
MIN_SECRET = 8  # shorter values are not credentials (and would match ordinary text)
# Shapes of what the emulators issue, in case a value was issued and replaced before the test could read it.
ISSUED_SHAPES = {
    "sandbox access token": r"sbx-[a-z_]+-[0-9a-f]{16}",
    "VK Ads token": r"\bvkr?-[0-9a-f]{24}\b",
    "Garpun access token": r"\bgp-[0-9a-f]{32}\b",
    "Sheets access token": r"ya29\.sbx-[0-9a-f]{32}",
    "private key (PEM)": r"-----BEGIN [A-Z ]*PRIVATE KEY-----",
}
# Views of other tables and of the server's state; `system` is scanned for its stored tables (query_log, text_log…).
SKIPPED_DATABASES = ("INFORMATION_SCHEMA", "information_schema")
VIEW_ENGINES = ("View", "MaterializedView", "LiveView", "WindowView", "Dictionary")


# ---------------------------------------------------------------- what to look for


def fixed_credentials() -> dict[str, str]:
    from ingestion.sandbox.google_oauth import SANDBOX_GOOGLE
    from ingestion.sandbox.server import SANDBOX_TOKENS
    from ingestion.sandbox.telegram import BOT_TOKEN
    from ingestion.sandbox.vk_ads import SANDBOX_CLIENT_SECRET

    out = {f"sandbox {k}": v for k, v in SANDBOX_TOKENS.items() if "client_id" not in k}
    out.update(
        {f"google {k}": v for k, v in SANDBOX_GOOGLE.items() if k in ("client_secret", "refresh_token")}
    )
    out.update({"google developer token": SANDBOX_GOOGLE["developer_token"]})
    out.update({"vk client secret": SANDBOX_CLIENT_SECRET, "telegram bot token": BOT_TOKEN})
    return out


def demo_passwords(stdout: str) -> dict[str, str]:
    """The demo users' passwords from the summary the demo prints (login / password / role / tenant / client)."""
    part = stdout.split("Demo logins", 1)[1] if "Demo logins" in stdout else ""
    out = {}
    for line in part.splitlines()[1:]:
        fields = [f.strip() for f in line.split(" / ")]
        if len(fields) >= 4:
            out[f"password of demo user {fields[0]}"] = fields[1]
    return out


class Needles:
    """The credentials (label -> value) and issued-token shapes as one RE2/Python pattern, plus per-label ones."""

    def __init__(self, values: dict[str, str], shapes: dict[str, str] = ISSUED_SHAPES) -> None:
        values = {k: v for k, v in values.items() if isinstance(v, str) and len(v) >= MIN_SECRET}
        self.patterns = {label: re.escape(v) for label, v in values.items()} | dict(shapes)
        self.combined = "|".join(f"(?:{p})" for p in sorted(set(self.patterns.values())))
        self._re = re.compile(self.combined)

    def labels_in(self, text: str) -> list[str]:
        return sorted(label for label, p in self.patterns.items() if re.search(p, text))

    def search(self, text: str) -> bool:
        return self._re.search(text) is not None


# ---------------------------------------------------------------- the scan


def _unwrap(typ: str, wrapper: str) -> str | None:
    return typ[len(wrapper) + 1 : -1] if typ.startswith(wrapper + "(") and typ.endswith(")") else None


def match_expr(col: str, typ: str, pattern_param: str, depth: int = 0) -> str | None:
    """A ClickHouse boolean that is true when the value of type `typ` holds a match; None for types without text."""
    for wrapper in ("LowCardinality", "Nullable"):
        inner = _unwrap(typ, wrapper)
        if inner is not None:
            return match_expr(col, inner, pattern_param, depth)
    inner = _unwrap(typ, "Array")
    if inner is not None:
        var = f"x{depth}"
        body = match_expr(var, inner, pattern_param, depth + 1)
        return f"arrayExists({var} -> {body}, {col})" if body else None
    if typ == "String":
        return f"match({col}, {pattern_param})"
    if typ.startswith("FixedString("):
        return f"match(toString({col}), {pattern_param})"
    if "String" in typ:  # Map, Tuple, Nested …: their text form (quotes escaped, the credentials have none)
        return f"match(toString({col}), {pattern_param})"
    return None


def _q(name: str) -> str:
    return "`" + name.replace("\\", "\\\\").replace("`", "\\`") + "`"


def text_columns(ch: Any) -> dict[tuple[str, str], list[tuple[str, str]]]:
    """(database, table) -> [(column, type)] of every stored table whose columns can hold text."""
    rows = ch.query(
        "SELECT c.database, c.table, c.name, c.type FROM system.columns AS c "
        "INNER JOIN system.tables AS t ON t.database = c.database AND t.name = c.table "
        "WHERE c.database NOT IN {skip:Array(String)} AND t.engine NOT IN {views:Array(String)} "
        "AND (c.database != 'system' OR t.engine LIKE '%MergeTree') "
        "AND t.is_temporary = 0 AND c.type LIKE '%String%' ORDER BY c.database, c.table, c.position",
        parameters={"skip": list(SKIPPED_DATABASES), "views": list(VIEW_ENGINES)},
    ).result_rows
    out: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for db, table, col, typ in rows:
        out.setdefault((db, table), []).append((col, typ))
    return out


def scan_warehouse(ch: Any, needles: Needles) -> dict[str, list[str]]:
    """'db.table.column' -> labels of the credentials found there (one query per table, then per hit)."""
    found: dict[str, list[str]] = {}
    tables = text_columns(ch)
    assert tables, "system.columns lists no text columns: the scan would look at nothing"
    for (db, table), cols in tables.items():
        exprs = [(col, match_expr(_q(col), typ, "{p:String}")) for col, typ in cols]
        exprs = [(c, e) for c, e in exprs if e]
        if not exprs:
            continue
        counts = ch.query(
            "SELECT " + ", ".join(f"countIf({e})" for _, e in exprs) + f" FROM {_q(db)}.{_q(table)}",  # noqa: S608
            parameters={"p": needles.combined},
        ).result_rows[0]
        for (col, expr), n in zip(exprs, counts, strict=True):
            if not n:
                continue
            labels = [
                label
                for label, pattern in needles.patterns.items()
                if ch.query(
                    f"SELECT count() FROM {_q(db)}.{_q(table)} WHERE {expr}",  # noqa: S608
                    parameters={"p": pattern},
                ).result_rows[0][0]
            ]
            found[f"{db}.{table}.{col}"] = labels
    return found


def scan_files(folder: Path, needles: Needles) -> dict[str, list[str]]:
    """file path (relative) -> labels of the credentials found in it."""
    found = {}
    files = [p for p in folder.rglob("*") if p.is_file()]
    for path in files:
        text = path.read_bytes().decode("utf-8", errors="replace")
        if needles.search(text):
            found[str(path.relative_to(folder))] = needles.labels_in(text)
    return found


# ---------------------------------------------------------------- the demo


@pytest.fixture(scope="module")
def after_demo(demo_after_run):
    """The session's demo run (tests/demo_run.py), its warehouse started again on its data directory."""
    import clickhouse_connect

    from warehouse import embedded

    run, data = demo_after_run.run, demo_after_run.data
    assert run.returncode == 0, (run.stdout + run.stderr)[-4000:]
    info = embedded.start(data, port=free_port())
    try:
        ch = clickhouse_connect.get_client(dsn=info.url, send_receive_timeout=600)
        values = {
            **fixed_credentials(),
            **demo_after_run.issued,
            **demo_passwords(run.stdout),
            "warehouse secret": info.credentials.password,
        }
        yield {
            "ch": ch,
            "data": data,
            "values": values,
            "issued": demo_after_run.issued,
            "stdout": run.stdout,
        }
        ch.close()
    finally:
        embedded.stop(data)


def test_the_scan_finds_credentials_planted_in_any_text_column_type_and_in_a_log_file(after_demo):
    ch, values = after_demo["ch"], after_demo["values"]
    needles = Needles(values)
    planted = {  # column -> (type, label of the credential planted there)
        "plain": ("String", "sandbox direct"),
        "maybe": ("Nullable(String)", "vk client secret"),
        "lowcard": ("LowCardinality(Nullable(String))", "warehouse secret"),
        "listed": ("Array(LowCardinality(String))", "google client_secret"),
        "nested": ("Array(Array(Nullable(String)))", "sandbox yandex_refresh"),
        "fixed": ("FixedString(64)", next(k for k in values if k.startswith("password of demo user"))),
        "mapped": ("Map(String, String)", "telegram bot token"),
    }
    db = f"scan_control_{uuid.uuid4().hex[:8]}"
    ch.command(f"CREATE DATABASE {db}")
    logs = after_demo["data"] / "logs"
    planted_log = logs / "control" / "planted.log"
    try:
        cols = ", ".join(f"{c} {typ}" for c, (typ, _) in planted.items())
        ch.command(f"CREATE TABLE {db}.t (id UInt8, {cols}) ENGINE = MergeTree ORDER BY id")

        def literal(col: str, typ: str, label: str) -> str:
            v = "concat('prefix ', {v_" + col + ":String}, ' suffix')"
            if typ.startswith("Array(Array"):
                return f"[['x'], [NULL, {v}]]"
            if typ.startswith("Array"):
                return f"['x', {v}]"
            if typ.startswith("Map"):
                return f"map('key', {v})"
            if typ.startswith("FixedString"):
                return f"toFixedString({{v_{col}:String}}, 64)"
            return v

        ch.command(
            f"INSERT INTO {db}.t SELECT 1, "  # noqa: S608
            + ", ".join(literal(c, typ, label) for c, (typ, label) in planted.items()),
            parameters={f"v_{c}": values[label] for c, (_, label) in planted.items()},
        )
        planted_log.parent.mkdir(parents=True, exist_ok=True)
        planted_log.write_text("INFO token refreshed: " + values["sandbox direct"] + "\n")
        found = scan_warehouse(ch, needles)
        for col, (_, label) in planted.items():
            assert label in found.get(f"{db}.t.{col}", []), (col, found.get(f"{db}.t.{col}"))
        assert "sandbox direct" in scan_files(logs, needles).get("control/planted.log", [])
    finally:
        ch.command(f"DROP DATABASE IF EXISTS {db}")
        planted_log.unlink(missing_ok=True)


def test_no_credential_the_demo_used_is_stored_or_logged_in_plain_text(after_demo):
    ch, values = after_demo["ch"], after_demo["values"]
    # The demo did use credentials: tokens were issued to its loads and its users got passwords.
    assert after_demo["issued"], "no token was issued during the demo: the demo did not use the sandbox"
    assert any(k.startswith("password of demo user") for k in values), after_demo["stdout"][-2000:]
    needles = Needles(values)
    tables = text_columns(ch)
    assert any(db == "app" for db, _ in tables) and any(db.startswith("raw_") for db, _ in tables)
    in_tables = scan_warehouse(ch, needles)
    print(  # the scan's size, for the record (pytest -s)
        f"scanned {len(tables)} tables, {sum(len(c) for c in tables.values())} text columns, "
        f"{sum(1 for db, _ in tables if db == 'system')} of them system logs; {len(needles.patterns)} credentials "
        f"and shapes ({len(after_demo['issued'])} issued during the demo)"
    )
    assert not in_tables, f"credentials stored in plain text (column: credentials): {in_tables}"
    # The platform's log directory, and Dagster's run history and step logs (the demo job is a Dagster run).
    for folder in (after_demo["data"] / "logs", after_demo["data"] / "dagster"):
        assert any(p.is_file() for p in folder.rglob("*")), f"no file under {folder}"
        in_files = scan_files(folder, needles)
        print(f"scanned {sum(1 for p in folder.rglob('*') if p.is_file())} files under {folder}")
        assert not in_files, f"credentials in files under {folder} (file: credentials): {in_files}"
