"""The embedded warehouse: chDB served over the ClickHouse HTTP interface on loopback.

chDB lets one process open a data path, while Dagster, dbt and Streamlit run in several processes; so one owner
process serves the engine and every component talks to it exactly as to a real ClickHouse server.
"""

from __future__ import annotations

import argparse
import errno
import fcntl
import json
import logging
import os
import re
import select
import shutil
import signal
import socket
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import IO, Any
from urllib.parse import parse_qsl, urlsplit

log = logging.getLogger("mrm.warehouse.server")

STATE_FILE = "warehouse.json"
LOCK_FILE = "warehouse.lock"
SPOOL_IN_MEMORY = 1 << 20  # request bodies above 1 MiB go to disk
HEAD_BYTES = 1 << 16  # how much of a body we look at to find the statement before the data
POOL_PER_KEY = 8
POOL_KEYS = 64
SET_STATEMENT = re.compile(r"^\s*(?:/\*.*?\*/\s*)*SET\s+(.*)$", re.IGNORECASE | re.DOTALL)
SET_ITEM = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)\s*=\s*('(?:[^'\\]|\\.)*'|[^,]+)")
STATEFUL = re.compile(r"^\s*(?:/\*.*?\*/\s*)*(SET|USE)\b|\bTEMPORARY\b", re.IGNORECASE | re.DOTALL)

# URL parameters that are part of the HTTP interface, not engine settings.
HTTP_PARAMS = {
    "query", "database", "default_format", "session_id", "session_timeout", "session_check", "query_id",
    "user", "password", "compress", "decompress", "buffer_size", "wait_end_of_query", "quota_key",
    "client_protocol_version", "role",
}

INSERT_WITH_DATA = re.compile(
    rb"^\s*(?:/\*.*?\*/\s*|--[^\n]*\n\s*)*INSERT\s+INTO\s+(?P<target>.+?)\s+FORMAT\s+(?P<fmt>[A-Za-z0-9_]+)[ \t]*(?:\r?\n|$)",
    re.IGNORECASE | re.DOTALL,
)
# The same, requiring the line end: used while the body is still arriving.
INSERT_HEAD = re.compile(
    rb"^\s*(?:/\*.*?\*/\s*|--[^\n]*\n\s*)*INSERT\s+INTO\s+(?P<target>.+?)\s+FORMAT\s+(?P<fmt>[A-Za-z0-9_]+)[ \t]*\r?\n",
    re.IGNORECASE | re.DOTALL,
)
FORMAT_CLAUSE = re.compile(r"\bFORMAT\s+([A-Za-z0-9_]+)\s*;?\s*$", re.IGNORECASE)
SETTINGS_IN_TARGET = re.compile(r"^(?P<table>.*?)\s+SETTINGS\s+(?P<settings>.+)$", re.IGNORECASE | re.DOTALL)
ERROR_CODE = re.compile(r"Code:\s*(\d+)")
ERROR_NAME = re.compile(r"\(([A-Z_]+)\)\s*$")

CONTENT_TYPES = {
    "TabSeparated": "text/tab-separated-values; charset=UTF-8",
    "TSV": "text/tab-separated-values; charset=UTF-8",
    "TabSeparatedWithNames": "text/tab-separated-values; charset=UTF-8",
    "CSV": "text/csv; charset=UTF-8",
    "CSVWithNames": "text/csv; charset=UTF-8",
    "JSON": "application/json; charset=UTF-8",
    "JSONCompact": "application/json; charset=UTF-8",
    "JSONEachRow": "application/x-ndjson; charset=UTF-8",
}

# ClickHouse's own mapping of error codes to HTTP statuses, for the codes clients branch on.
HTTP_STATUS = {
    62: 400, 27: 400, 26: 400, 6: 400, 38: 400, 41: 400, 53: 400, 69: 400, 70: 400, 72: 400, 115: 400, 117: 400,
    47: 404, 60: 404, 81: 404, 46: 404, 36: 400, 164: 403, 497: 403, 516: 403, 159: 500, 394: 500, 373: 400,
    243: 507,
}


class WarehouseLockedError(RuntimeError):
    """Another process owns the data directory."""


class EngineError(Exception):
    """An error from the engine, carrying the ClickHouse error code."""

    def __init__(self, message: str, code: int | None = None):
        super().__init__(message)
        self.code = code if code is not None else _error_code(message)


def _error_code(message: str) -> int:
    m = ERROR_CODE.search(message)
    return int(m.group(1)) if m else 1002  # UNKNOWN_EXCEPTION


class DataDirLock:
    """An exclusive flock on the data directory, held for the life of the owner process."""

    def __init__(self, data_dir: Path):
        self.path = data_dir / LOCK_FILE
        self._fh: IO[str] | None = None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fh = open(self.path, "a+")
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            holder = fh.read().strip() or "unknown"
            fh.close()
            raise WarehouseLockedError(
                f"data directory {self.path.parent} is already served by another process ({holder}); "
                "stop it with `mrm warehouse stop` or point MRM_DATA_DIR elsewhere"
            ) from None
        fh.seek(0)
        fh.truncate()
        fh.write(f"pid {os.getpid()}")
        fh.flush()
        self._fh = fh

    def release(self) -> None:
        if self._fh:
            fcntl.flock(self._fh, fcntl.LOCK_UN)
            self._fh.close()
            self._fh = None


MEMORY_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([KMGT]?)(?:i?B)?\s*$", re.IGNORECASE)


def parse_memory(value: str | None) -> int:
    """Bytes from '12G', '512MiB', '800000000' (binary units); '' or None or '0' = no cap. Raises on anything else."""
    if value is None or not value.strip():
        return 0
    m = MEMORY_SIZE.match(value)
    if not m:
        raise ValueError(f"MRM_WAREHOUSE_MAX_MEMORY must be bytes or a size like 12G or 512M, got {value!r}")
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
        try:
            conn = self.connection()
            conn.query(f"KILL QUERY WHERE query LIKE '/* {marker} */%' ASYNC", "TabSeparated")
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
            rows = self.conn.query("SELECT name, value FROM system.settings WHERE has({names:Array(String)}, name)",
                                   "TabSeparated", params={"names": "[" + ",".join(f"'{n}'" for n in unknown) + "]"}
                                   ).bytes().decode()  # names are [A-Za-z0-9_]+ (checked by the caller)
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


class Body:
    """A request body read from the socket, decoded, and split as it arrives.

    For `INSERT ... FORMAT X <data>` the statement is kept and the data streams straight into a file the engine
    reads with file(): the body is never held in memory nor copied twice. Other bodies (queries) stay in memory
    up to 1 MiB and spill to disk beyond.
    """

    def __init__(self, tmp_dir: Path, data_only: bool = False):
        self.tmp_dir = tmp_dir
        self.size = 0
        self.statement: bytes | None = None  # the INSERT statement in front of inline data
        self.data_path: Path | None = None  # where that data (or the whole body, if data_only) went
        self._mode = "data" if data_only else "detect"
        self._buf = bytearray()
        self._fh: IO[bytes] | None = None
        self._spill: Path | None = None
        if data_only:
            self._open_data()

    def _open_data(self) -> None:
        fd, name = tempfile.mkstemp(dir=self.tmp_dir, suffix=".data")
        self.data_path = Path(name)
        self._fh = os.fdopen(fd, "wb", buffering=1 << 20)

    def write(self, data: bytes) -> None:
        if not data:
            return
        self.size += len(data)
        if self._mode == "data":
            assert self._fh is not None
            self._fh.write(data)
            return
        if self._mode == "detect":
            self._buf += data
            m = INSERT_HEAD.match(self._buf)
            if m:
                self.statement = bytes(self._buf[: m.end()])
                rest = bytes(self._buf[m.end():])
                self._buf = bytearray()
                self._mode = "data"
                self._open_data()
                assert self._fh is not None
                self._fh.write(rest)
            elif len(self._buf) > HEAD_BYTES:
                self._mode = "query"
            return
        if self._fh is None and len(self._buf) + len(data) <= SPOOL_IN_MEMORY:
            self._buf += data
            return
        if self._fh is None:
            fd, name = tempfile.mkstemp(dir=self.tmp_dir, suffix=".body")
            self._spill = Path(name)
            self._fh = os.fdopen(fd, "wb", buffering=1 << 20)
            self._fh.write(self._buf)
            self._buf = bytearray()
        self._fh.write(data)

    def finish(self) -> None:
        if self._fh is not None:
            self._fh.close()
        if self._mode == "detect":
            m = INSERT_WITH_DATA.match(self._buf)  # a statement with no data after it
            if m and not self._buf[m.end():].strip():
                self.statement = bytes(self._buf[: m.end()])

    @property
    def has_data(self) -> bool:
        return self.data_path is not None and self.data_path.stat().st_size > 0

    def raw(self) -> bytes:
        return self._spill.read_bytes() if self._spill is not None else bytes(self._buf)

    def text(self) -> str:
        return self.raw().decode()

    def discard(self) -> None:
        if self._fh is not None and not self._fh.closed:
            self._fh.close()
        for path in (self._spill, self.data_path):
            if path is not None:
                path.unlink(missing_ok=True)


def _decoder(encoding: str) -> Any:
    encoding = encoding.strip().lower()
    if encoding in ("", "identity"):
        return None
    if encoding == "lz4":
        import lz4.frame

        return lz4.frame.LZ4FrameDecompressor()
    if encoding == "zstd":
        import zstandard

        return zstandard.ZstdDecompressor().decompressobj()
    if encoding in ("gzip", "deflate"):
        import zlib

        return zlib.decompressobj(zlib.MAX_WBITS | 32)
    raise EngineError(f"Code: 36. DB::Exception: Unknown Content-Encoding {encoding!r}. (BAD_ARGUMENTS)", 36)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "mrm-warehouse"
    engine: Engine  # set on the subclass by serve()

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        log.debug("%s " + format, self.client_address[0], *args)

    def setup(self) -> None:
        super().setup()
        # Without TCP_NODELAY every round trip pays a ~40 ms delayed-ACK stall.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    # --- HTTP verbs -------------------------------------------------------------------------------------------
    def do_GET(self) -> None:
        path = urlsplit(self.path).path
        if path in ("/ping", "/ping/"):
            self._reply(200, b"Ok.\n", "text/plain; charset=UTF-8")
            return
        params = dict(parse_qsl(urlsplit(self.path).query, keep_blank_values=True))
        if "query" not in params:
            self._reply(200, b"Ok.\n", "text/plain; charset=UTF-8")
            return
        self._handle(params, None)

    def do_POST(self) -> None:
        params = dict(parse_qsl(urlsplit(self.path).query, keep_blank_values=True))
        url_query = params.get("query")
        data_only = url_query is not None and INSERT_WITH_DATA.match(url_query.encode() + b"\n") is not None
        body = Body(self.engine.tmp_dir, data_only=data_only)
        chunks = self._read_body()
        try:
            for chunk in chunks:
                body.write(chunk)
            body.finish()
        except EngineError as exc:
            body.discard()
            self._error(exc)
            return
        except OSError as exc:
            body.discard()
            if exc.errno not in (errno.ENOSPC, errno.EDQUOT):
                log.info("client dropped while sending a body: %s", exc)
                self.close_connection = True
                return
            # A full disk is the server's failure, not the client's: answer it like ClickHouse (NOT_ENOUGH_SPACE)
            # after draining the body, instead of closing the connection as if the client had gone away.
            log.error("no space left for an insert body in %s: %s", self.engine.tmp_dir, exc)
            try:
                for _ in chunks:
                    pass
            except (ConnectionError, OSError, ValueError):
                self.close_connection = True
                return
            self._error(EngineError(f"Cannot write the request body to {self.engine.tmp_dir}: {exc}. "
                                    "(NOT_ENOUGH_SPACE)", code=243))
            return
        except (ConnectionError, ValueError) as exc:
            body.discard()
            log.info("client dropped while sending a body: %s", exc)
            self.close_connection = True
            return
        try:
            ctype = self.headers.get("Content-Type", "")
            if ctype.startswith(("multipart/form-data", "application/x-www-form-urlencoded")):
                # clickhouse-connect moves the query and large bound parameters into a form body.
                try:
                    params.update(_form_fields(ctype, body.raw()))
                except EngineError as exc:
                    self._error(exc)
                    return
                self._handle(params, None)
            else:
                self._handle(params, body)
        finally:
            body.discard()

    # --- body ---------------------------------------------------------------------------------------------------
    def _read_body(self) -> Iterator[bytes]:
        decoder = _decoder(self.headers.get("Content-Encoding", ""))

        def decode(raw: bytes) -> bytes:
            return decoder.decompress(raw) if decoder is not None else raw

        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            while True:
                line = self.rfile.readline(65537)
                if not line:
                    raise ConnectionError("connection closed inside a chunked body")
                size = int(line.split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                        pass
                    break
                remaining = size
                while remaining:
                    piece = self.rfile.read(min(remaining, 1 << 20))
                    if not piece:
                        raise ConnectionError("connection closed inside a chunk")
                    remaining -= len(piece)
                    yield decode(piece)
                self.rfile.readline(3)
        else:
            remaining = int(self.headers.get("Content-Length") or 0)
            while remaining:
                piece = self.rfile.read(min(remaining, 1 << 20))
                if not piece:
                    raise ConnectionError("connection closed inside the body")
                remaining -= len(piece)
                yield decode(piece)
        if decoder is not None and hasattr(decoder, "flush"):
            tail = decoder.flush()
            if tail:
                yield tail

    # --- query ----------------------------------------------------------------------------------------------------
    def _handle(self, params: dict[str, str], body: Body | None) -> None:
        query_id = params.get("query_id") or str(uuid.uuid4())
        marker = f"mrmq:{query_id}"
        try:
            sql, data_path, fmt_in = self._statement(params, body)
            if data_path is not None:
                sql = self._insert_from_file(sql, data_path, fmt_in)
            out_format = params.get("default_format") or "TabSeparated"
            m = FORMAT_CLAUSE.search(sql)
            if m:
                out_format = m.group(1)
            bound = {k[6:]: v for k, v in params.items() if k.startswith("param_")}
            settings = {k: v for k, v in params.items() if k not in HTTP_PARAMS and not k.startswith("param_")}
            result = self._run(params, f"/* {marker} */ {sql}", out_format, bound, settings, marker)
        except EngineError as exc:
            self._error(exc, query_id)
            return
        payload = result.bytes()
        summary = {
            "read_rows": str(_call(result, "rows_read")),
            "read_bytes": str(_call(result, "bytes_read")),
            "written_rows": str(_call(result, "rows_written")),
            "written_bytes": str(_call(result, "bytes_written")),
            "elapsed_ns": str(int(_call(result, "elapsed") * 1e9)),
        }
        headers = {
            "X-ClickHouse-Query-Id": query_id,
            "X-ClickHouse-Format": out_format,
            "X-ClickHouse-Timezone": self.engine.timezone,
            "X-ClickHouse-Summary": json.dumps(summary),
            "X-ClickHouse-Server-Display-Name": "mrm-embedded",
        }
        if "session_id" in params:
            headers["X-ClickHouse-Session-Id"] = params["session_id"]
        self._reply(200, payload, CONTENT_TYPES.get(out_format, "application/octet-stream"), headers)

    def _statement(self, params: dict[str, str], body: Body | None) -> tuple[str, Path | None, str]:
        """The SQL to run and, for `INSERT ... FORMAT X <data>`, the file holding the data."""
        url_query = params.get("query")
        if url_query is not None:
            m = INSERT_WITH_DATA.match(url_query.encode() + b"\n")
            if m and body is not None and body.has_data:
                return url_query, body.data_path, m.group("fmt").decode()
            extra = body.text() if body is not None and body.size and not m else ""
            return (url_query + ("\n" + extra if extra else "")), None, ""
        if body is None or not body.size:
            raise EngineError("Code: 62. DB::Exception: Empty query. (SYNTAX_ERROR)", 62)
        if body.statement is not None:
            m = INSERT_WITH_DATA.match(body.statement)
            assert m is not None
            statement = body.statement.decode().strip()
            if body.has_data:
                return statement, body.data_path, m.group("fmt").decode()
            return statement, None, ""
        try:
            return body.text(), None, ""
        except UnicodeDecodeError as exc:
            raise EngineError(f"Code: 36. DB::Exception: Query is not valid UTF-8: {exc}. (BAD_ARGUMENTS)", 36) from exc

    @staticmethod
    def _insert_from_file(statement: str, data_path: Path, fmt: str) -> str:
        m = INSERT_WITH_DATA.match(statement.encode() + b"\n")
        assert m is not None
        target = m.group("target").decode()
        trailing = ""
        s = SETTINGS_IN_TARGET.match(target)
        if s:
            target, trailing = s.group("table"), " SETTINGS " + s.group("settings")
        # The file is ours (a temp name), so quoting it into the statement is safe.
        return f"INSERT INTO {target} SELECT * FROM file('{data_path}', '{fmt}'){trailing}"  # noqa: S608

    def _run(
        self,
        params: dict[str, str],
        sql: str,
        out_format: str,
        bound: dict[str, str],
        settings: dict[str, str],
        marker: str,
    ) -> Any:
        session_id = params.get("session_id")
        if session_id:
            session = self.engine.session(session_id, float(params.get("session_timeout") or 60))
            if not session.lock.acquire(blocking=False):
                raise EngineError(
                    f"Code: 373. DB::Exception: Session {session_id} is locked by a concurrent client. (SESSION_IS_LOCKED)",
                    373,
                )
            try:
                known = {k: v for k, v in settings.items()
                         if k in self.engine.setting_names and re.fullmatch(r"[A-Za-z0-9_]+", k)}
                try:
                    delta = session.settings_delta(known)
                except Exception as exc:
                    raise EngineError(str(exc)) from exc
                result = self._execute(session.conn, params, sql, out_format, bound, delta, marker)
                session.explicit_set(sql.split("*/", 1)[-1])
                return result
            finally:
                session.lock.release()
        key = (tuple(sorted(settings.items())), params.get("database", ""))
        conn, fresh = self.engine.acquire(key)
        reusable = False
        try:
            result = self._execute(conn, params, sql, out_format, bound, settings if fresh else {}, marker,
                                   configure=fresh)
            # A statement that changes connection state must not leak into the next request.
            reusable = not STATEFUL.search(sql.split("*/", 1)[-1][:2000])
            return result
        finally:
            self.engine.release(key, conn, reusable)

    def _execute(
        self,
        conn: Any,
        params: dict[str, str],
        sql: str,
        out_format: str,
        bound: dict[str, str],
        settings: dict[str, str],
        marker: str,
        configure: bool = True,
    ) -> Any:
        try:
            for name, value in settings.items():
                if name in self.engine.setting_names and re.fullmatch(r"[A-Za-z0-9_]+", name):
                    conn.query(f"SET {name} = {_setting_literal(value)}", "TabSeparated")
            if configure and params.get("database"):
                conn.query(f"USE `{params['database'].replace('`', '')}`", "TabSeparated")
        except Exception as exc:
            raise EngineError(str(exc)) from exc
        cancelled: list[bool] = []

        def cancel() -> None:
            cancelled.append(True)
            log.info("client of %s disconnected: cancelling the query", marker)
            self.engine.kill(marker)

        token = self.engine.watcher.watch(self.connection, cancel)
        try:
            return conn.query(sql, out_format, params=bound or None)
        except Exception as exc:
            raise EngineError(str(exc)) from exc
        finally:
            self.engine.watcher.unwatch(token)

    # --- replies ------------------------------------------------------------------------------------------------
    def _error(self, exc: EngineError, query_id: str = "") -> None:
        message = str(exc).strip()
        if not message.startswith("Code:"):
            message = f"Code: {exc.code}. DB::Exception: {message}"
        status = HTTP_STATUS.get(exc.code or 0, 500)
        headers = {"X-ClickHouse-Exception-Code": str(exc.code)}
        if query_id:
            headers["X-ClickHouse-Query-Id"] = query_id
        body = f"{message} (version {self.engine.version})\n".encode()
        self._reply(status, body, "text/plain; charset=UTF-8", headers)

    def _reply(self, status: int, payload: bytes, content_type: str, headers: dict[str, str] | None = None) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(payload)))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(payload)
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True


def _form_fields(content_type: str, raw: bytes) -> dict[str, str]:
    """Fields of a form body (query, param_*, settings); external-data files are not supported."""
    if content_type.startswith("application/x-www-form-urlencoded"):
        return dict(parse_qsl(raw.decode(), keep_blank_values=True))
    import email
    import email.policy

    msg = email.message_from_bytes(b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + raw,
                                   policy=email.policy.HTTP)
    fields: dict[str, str] = {}
    for part in msg.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if part.get_filename():
            raise EngineError("Code: 48. DB::Exception: External data tables are not supported by the embedded "
                              "warehouse. (NOT_IMPLEMENTED)", 48)
        if name:
            payload = part.get_payload(decode=True)
            fields[str(name)] = payload.decode() if isinstance(payload, bytes) else ""
    return fields


def _call(result: Any, name: str) -> Any:
    attr = getattr(result, name, 0)
    try:
        return attr() if callable(attr) else attr
    except Exception:
        return 0


def _setting_literal(value: str) -> str:
    if re.fullmatch(r"-?\d+(\.\d+)?", value):
        return value
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


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


class WarehouseServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # idle keep-alive connections must not hold up a stop
    allow_reuse_address = True
    request_queue_size = 128


def serve(data_dir: Path, port: int, host: str = "127.0.0.1", ready: threading.Event | None = None,
          max_memory: int = 0) -> None:
    """Own the data directory, open chDB (memory capped at max_memory bytes if > 0), migrate, and serve until
    SIGTERM/SIGINT."""
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise ValueError("the embedded warehouse listens on loopback only")
    data_dir.mkdir(parents=True, exist_ok=True)
    lock = DataDirLock(data_dir)
    lock.acquire()
    state = data_dir / STATE_FILE
    try:
        engine = Engine(data_dir, max_memory)
        handler = type("BoundHandler", (Handler,), {"engine": engine})
        try:
            httpd = WarehouseServer((host, port), handler)
        except OSError as exc:
            engine.close()
            raise OSError(f"cannot listen on {host}:{port}: {exc.strerror}") from exc
        actual_port = httpd.server_address[1]
        thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True)
        thread.start()
        from warehouse.migrate import migrate_url

        applied = migrate_url(f"http://{host}:{actual_port}")
        log.info("migrations applied: %s", applied or "none new")
        state.write_text(json.dumps({"pid": os.getpid(), "host": host, "port": actual_port,
                                     "url": f"http://{host}:{actual_port}", "version": engine.version}))
        log.info("embedded ClickHouse %s serving %s on http://%s:%s", engine.version, data_dir, host, actual_port)
        if ready is not None:
            ready.set()
        stop = threading.Event()
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, lambda *_: stop.set())
            signal.signal(signal.SIGINT, lambda *_: stop.set())
        while not stop.wait(0.5):  # a bare wait() would not wake for the signal handler
            pass
        log.info("stopping")
        httpd.shutdown()
        httpd.server_close()
        log.info("http closed")
        engine.close()
        log.info("engine closed")
    finally:
        state.unlink(missing_ok=True)
        lock.release()


def main(argv: list[str] | None = None) -> int:
    from warehouse.settings import DEFAULT_PORT, data_dir

    parser = argparse.ArgumentParser(description="Serve the embedded ClickHouse (chDB) over the ClickHouse HTTP interface.")
    parser.add_argument("--data-dir", type=Path, default=data_dir(), help="data directory (MRM_DATA_DIR)")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="port on 127.0.0.1 (0 = any free port)")
    parser.add_argument("--log-level", default=os.environ.get("MRM_LOG_LEVEL", "INFO"))
    parser.add_argument("--max-memory", default=os.environ.get("MRM_WAREHOUSE_MAX_MEMORY", ""),
                        help="server memory cap, bytes or e.g. 12G (MRM_WAREHOUSE_MAX_MEMORY; default: chDB's 90%% of RAM)")
    args = parser.parse_args(argv)
    try:
        max_memory = parse_memory(args.max_memory)
    except ValueError as exc:
        parser.error(str(exc))
    logging.basicConfig(level=args.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        serve(args.data_dir.resolve(), args.port, max_memory=max_memory)
    except WarehouseLockedError as exc:
        log.error("%s", exc)
        return 3
    except OSError as exc:
        log.error("%s", exc)
        return 4
    return 0


if __name__ == "__main__":
    code = main()
    logging.shutdown()
    # chDB's background threads can keep the interpreter from exiting after the engine is closed.
    os._exit(code)
