"""The chDB engine behind the embedded server: connections, their pool, HTTP sessions, disconnect watching."""

from __future__ import annotations

import logging
import re
import select
import shutil
import socket
import threading
import time
from pathlib import Path
from typing import Any

log = logging.getLogger("mrm.warehouse.server")

POOL_PER_KEY = 8
POOL_KEYS = 64
SET_STATEMENT = re.compile(r"^\s*(?:/\*.*?\*/\s*)*SET\s+(.*)$", re.IGNORECASE | re.DOTALL)
SET_ITEM = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)\s*=\s*('(?:[^'\\]|\\.)*'|[^,]+)")
STATEFUL = re.compile(r"^\s*(?:/\*.*?\*/\s*)*(SET|USE)\b|\bTEMPORARY\b", re.IGNORECASE | re.DOTALL)
ERROR_CODE = re.compile(r"Code:\s*(\d+)")
MARKER = re.compile(r"mrmq:[0-9a-f]{32}")


class EngineError(Exception):
    """An error from the engine, carrying the ClickHouse error code."""

    def __init__(self, message: str, code: int | None = None):
        super().__init__(message)
        self.code = code if code is not None else _error_code(message)


def _error_code(message: str) -> int:
    m = ERROR_CODE.search(message)
    return int(m.group(1)) if m else 1002  # UNKNOWN_EXCEPTION


MEMORY_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([KMGT]?)(?:i?B)?\s*$", re.IGNORECASE)


def parse_memory(value: str | None, name: str = "MRM_WAREHOUSE_MAX_MEMORY") -> int:
    """Bytes from '12G', '512MiB', '800000000' (binary units); '' or None or '0' = no cap. Raises on anything else."""
    if value is None or not value.strip():
        return 0
    m = MEMORY_SIZE.match(value)
    if not m:
        raise ValueError(f"{name} must be bytes or a size like 12G or 512M, got {value!r}")
    return int(float(m.group(1)) * 1024 ** " KMGT".index(m.group(2).upper() or " "))


class Engine:
    """chDB connections: a primary one for the process, one per request, one per HTTP session."""

    def __init__(self, data_dir: Path, max_memory: int = 0):
        import chdb

        self._chdb = chdb
        self.data_dir = data_dir
        self.db_path = str(data_dir / "chdb")
        self.tmp_dir = data_dir / "tmp"
        shutil.rmtree(self.tmp_dir, ignore_errors=True)
        self.tmp_dir.mkdir(parents=True, exist_ok=True)
        # The first connection starts the engine, so its startup arguments are the process's server settings.
        # With a server-wide cap, big GROUP BYs and sorts spill to tmp (their spill thresholds are ratios of it)
        # and a query that still does not fit fails with MEMORY_LIMIT_EXCEEDED instead of the OOM killer.
        primary_path = self.db_path + (f"?max_server_memory_usage={max_memory}" if max_memory else "")
        self.primary = chdb.connect(primary_path)
        rows = self.primary.query("SELECT name FROM system.settings", "TabSeparated").bytes().decode()
        self.setting_names = set(rows.split())
        self.version = self.primary.query("SELECT version()", "TabSeparated").bytes().decode().strip()
        self.timezone = self.primary.query("SELECT timezone()", "TabSeparated").bytes().decode().strip()
        self._sessions: dict[str, Session] = {}
        self._sessions_lock = threading.Lock()
        # Idle connections keyed by the settings applied to them: a SET per request would double a SELECT 1.
        self._pool: dict[tuple[Any, ...], list[Any]] = {}
        self._pool_lock = threading.Lock()
        self.watcher = DisconnectWatcher()

    def connection(self) -> Any:
        return self._chdb.connect(self.db_path)

    def acquire(self, key: tuple[Any, ...]) -> tuple[Any, bool]:
        """A connection already configured for `key`, or a new one (second value: needs configuring)."""
        with self._pool_lock:
            idle = self._pool.get(key)
            if idle:
                return idle.pop(), False
        return self.connection(), True

    def release(self, key: tuple[Any, ...], conn: Any, reusable: bool) -> None:
        if reusable:
            with self._pool_lock:
                idle = self._pool.setdefault(key, [])
                if len(idle) < POOL_PER_KEY and len(self._pool) < POOL_KEYS:
                    idle.append(conn)
                    return
        conn.close()

    def session(self, session_id: str, timeout: float) -> Session:
        with self._sessions_lock:
            now = time.monotonic()
            for sid, s in list(self._sessions.items()):
                if s.expires_at < now and not s.lock.locked():
                    s.close()
                    del self._sessions[sid]
            found = self._sessions.get(session_id)
            if found is None:
                found = Session(self.connection())
                self._sessions[session_id] = found
            found.expires_at = now + timeout
            return found

    def kill(self, marker: str) -> None:
        # The marker is server-made (mrmq:<hex>), and startsWith has no wildcards: the statement matches one query.
        # This runs on the watcher thread: an exception here would stop every later cancellation.
        if not MARKER.fullmatch(marker):
            log.error("refusing to cancel by a marker the server did not make: %r", marker[:80])
            return
        try:
            conn = self.connection()
            conn.query(f"KILL QUERY WHERE startsWith(query, '/* {marker} */') ASYNC", "TabSeparated")
            conn.close()
        except Exception:  # the query may have finished meanwhile
            log.debug("kill of %s failed", marker, exc_info=True)

    def close(self) -> None:
        with self._sessions_lock:
            for s in self._sessions.values():
                s.close()
            self._sessions.clear()
        with self._pool_lock:
            for idle in self._pool.values():
                for conn in idle:
                    conn.close()
            self._pool.clear()
        self.primary.close()


class Session:
    """An HTTP session's own connection. Settings sent with a request apply to that request only (as in
    ClickHouse): the session remembers what each overridden setting was and puts it back for the next request,
    issuing a SET only where the effective value changes (a client sending the same settings pays nothing)."""

    def __init__(self, conn: Any):
        self.conn = conn
        self.lock = threading.Lock()
        self.expires_at = 0.0
        self.baseline: dict[str, str] = {}  # the session's own value of every setting a request overrode
        self.applied: dict[str, str] = {}  # request overrides now in effect on the connection

    def settings_delta(self, wanted: dict[str, str]) -> dict[str, str]:
        """The SETs that make the connection's settings = baseline overridden by `wanted`."""
        unknown = [n for n in wanted if n not in self.baseline]
        if unknown:
            rows = (
                self.conn.query(
                    "SELECT name, value FROM system.settings WHERE has({names:Array(String)}, name)",
                    "TabSeparated",
                    params={"names": "[" + ",".join(f"'{n}'" for n in unknown) + "]"},
                )
                .bytes()
                .decode()
            )  # names are [A-Za-z0-9_]+ (checked by the caller)
            for line in rows.splitlines():
                name, _, value = line.partition("\t")
                self.baseline[name] = value
        delta = {}
        for name in set(wanted) | set(self.applied):
            target = wanted.get(name, self.baseline.get(name))
            current = self.applied.get(name, self.baseline.get(name))
            if target is not None and target != current:
                delta[name] = target
        self.applied = dict(wanted)
        return delta

    def explicit_set(self, sql: str) -> None:
        """A SET statement changes the session's own values: they become the baseline."""
        body = SET_STATEMENT.match(sql)
        if not body:
            return
        for m in SET_ITEM.finditer(body.group(1)):
            value = m.group(2).strip()
            if value.startswith("'") and value.endswith("'"):
                value = value[1:-1].replace("\\'", "'")
            self.baseline[m.group(1)] = value
            self.applied.pop(m.group(1), None)

    def close(self) -> None:
        try:
            self.conn.close()
        except Exception:
            pass


class DisconnectWatcher:
    """Cancels running queries whose client closed its connection (ClickHouse does the same).

    One thread polls the sockets of all running queries; a thread per query would cost more than a SELECT 1.
    """

    def __init__(self, interval: float = 0.25):
        self.interval = interval
        self._active: dict[int, tuple[socket.socket, Any]] = {}
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._watch, daemon=True, name="disconnect-watcher")
        self._thread.start()

    def watch(self, sock: socket.socket, on_disconnect: Any) -> int:
        token = id(on_disconnect)
        with self._lock:
            self._active[token] = (sock, on_disconnect)
        return token

    def unwatch(self, token: int) -> None:
        with self._lock:
            self._active.pop(token, None)

    def _watch(self) -> None:
        while True:
            time.sleep(self.interval)
            with self._lock:
                items = list(self._active.items())
            if not items:
                continue
            try:
                readable, _, _ = select.select([sock for _, (sock, _) in items], [], [], 0)
            except (OSError, ValueError):
                continue
            for token, (sock, callback) in items:
                if sock not in readable:
                    continue
                try:
                    closed = sock.recv(1, socket.MSG_PEEK) == b""
                except OSError:
                    closed = True
                if closed:
                    self.unwatch(token)
                    callback()
