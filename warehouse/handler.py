"""The ClickHouse HTTP interface of the embedded server: one request in, one engine call, one reply out."""

from __future__ import annotations

import errno
import json
import logging
import re
import socket
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from warehouse.access import SAFE_ID, AccessPolicy, check_id, check_outside_world
from warehouse.engine import STATEFUL, Engine, EngineError
from warehouse.request_body import (
    INSERT_WITH_DATA,
    MAX_DATA_BODY,
    MAX_QUERY_BODY,
    Body,
    Decoder,
    _form_fields,
)

log = logging.getLogger("mrm.warehouse.server")
MAX_RATIO = 1000
DISPLAY_NAME = "mrm-embedded"  # how `warehouse.provision.engine_is_embedded` recognises this server
SESSION_LOCK_WAIT_S = 5.0  # how long a request waits for its session to be free before SESSION_IS_LOCKED
RATIO_FLOOR = 16 << 20  # small bodies may compress better than that (a column of zeros); they cannot hurt

# URL parameters that are part of the HTTP interface, not engine settings.
HTTP_PARAMS = {
    "query",
    "database",
    "default_format",
    "session_id",
    "session_timeout",
    "session_check",
    "query_id",
    "user",
    "password",
    "compress",
    "decompress",
    "buffer_size",
    "wait_end_of_query",
    "quota_key",
    "client_protocol_version",
    "role",
}

FORMAT_CLAUSE = re.compile(r"\bFORMAT\s+([A-Za-z0-9_]+)\s*;?\s*$", re.IGNORECASE)
# Statements whose result chDB can stream chunk by chunk (it refuses SHOW/DESCRIBE/EXISTS for streaming).
STREAMABLE = re.compile(
    r"^\s*(?:/\*.*?\*/\s*|--[^\n]*\n\s*)*\(?\s*(?:SELECT|WITH)\b", re.IGNORECASE | re.DOTALL
)
# Formats whose chunks concatenate to the whole answer. chDB writes the prefix/suffix of the others (names row,
# JSON skeleton, Parquet/Arrow footers) into every chunk, so those are sent whole.
STREAM_FORMATS = frozenset(
    {
        "TabSeparated",
        "TSV",
        "TabSeparatedRaw",
        "TSVRaw",
        "CSV",
        "JSONEachRow",
        "JSONLines",
        "NDJSON",
        "JSONCompactEachRow",
        "JSONStringsEachRow",
        "RowBinary",
        "Native",
    }
)
SETTINGS_IN_TARGET = re.compile(r"^(?P<table>.*?)\s+SETTINGS\s+(?P<settings>.+)$", re.IGNORECASE | re.DOTALL)

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
    62: 400,
    27: 400,
    26: 400,
    6: 400,
    38: 400,
    41: 400,
    53: 400,
    69: 400,
    70: 400,
    72: 400,
    115: 400,
    117: 400,
    47: 404,
    60: 404,
    81: 404,
    46: 404,
    36: 400,
    164: 403,
    497: 403,
    516: 403,
    159: 500,
    394: 500,
    373: 400,
    243: 507,
    307: 413,
    446: 403,
}


@dataclass(frozen=True)
class _Statement:
    """One request's statement as the handler runs and answers it."""

    params: dict[str, str]  # the request's URL parameters
    sql: str  # led by the marker comment
    out_format: str
    bound: dict[str, str]  # the `param_*` values, by name
    marker: str  # unique to this request: a disconnect kills exactly the query that carries it
    query_id: str
    stream: bool  # sent chunk by chunk as produced, not whole


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "mrm-warehouse"
    engine: Engine  # set on the subclass by serve()
    policy: AccessPolicy  # likewise
    max_data: int = MAX_DATA_BODY
    max_query: int = MAX_QUERY_BODY

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
        if self._admit(params):
            # A GET can be sent by any <img> or link: it reads, never writes (ClickHouse does the same).
            self._handle(params, None, read_only=True)

    def _admit(self, params: dict[str, str]) -> bool:
        """Check the request's origin and credentials; on refusal answer it and close the connection."""
        try:
            self.policy.admit(self.headers, params)
        except EngineError as exc:
            self.close_connection = True  # an unread body must not be parsed as the next request
            self._error(exc)
            return False
        return True

    def do_POST(self) -> None:
        params = dict(parse_qsl(urlsplit(self.path).query, keep_blank_values=True))
        url_query = params.get("query")
        if not self._admit(params):
            return
        data_only = url_query is not None and INSERT_WITH_DATA.match(url_query.encode() + b"\n") is not None
        body = Body(
            self.engine.tmp_dir, data_only=data_only, max_data=self.max_data, max_query=self.max_query
        )
        chunks = self._read_body()
        try:
            for chunk in chunks:
                body.write(chunk)
            body.finish()
        except EngineError as exc:
            body.discard()
            self.close_connection = True  # the rest of the body was not read
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
            self._error(
                EngineError(
                    f"Cannot write the request body to {self.engine.tmp_dir}: {exc}. (NOT_ENOUGH_SPACE)",
                    code=243,
                )
            )
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
        decoder = Decoder(self.headers.get("Content-Encoding", ""))
        counts = [0, 0]  # raw bytes in, decoded bytes out

        def decode(raw: bytes) -> Iterator[bytes]:
            counts[0] += len(raw)
            for piece in decoder.feed(raw):
                counts[1] += len(piece)
                # Real data compresses well under 1000:1 (lz4 cannot exceed ~255:1); a bomb is refused after a few
                # MiB of decoding instead of filling the disk up to the body cap.
                if counts[1] > RATIO_FLOOR and counts[1] > MAX_RATIO * counts[0]:
                    raise EngineError(
                        f"Code: 307. DB::Exception: the {decoder.encoding} body decodes to more than "
                        f"{MAX_RATIO}x its size (a decompression bomb?). (TOO_MANY_BYTES)",
                        307,
                    )
                yield piece

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
                for piece in self._read_exactly(size, "a chunk"):
                    yield from decode(piece)
                self.rfile.readline(3)
        else:
            remaining = int(self.headers.get("Content-Length") or 0)
            if remaining > self.max_data:
                raise EngineError(
                    f"Code: 307. DB::Exception: Content-Length {remaining} exceeds the limit of "
                    f"{self.max_data} bytes (MRM_WAREHOUSE_MAX_BODY). (TOO_MANY_BYTES)",
                    307,
                )
            for piece in self._read_exactly(remaining, "the body"):
                yield from decode(piece)
        tail = decoder.flush()
        if tail:
            yield tail

    def _read_exactly(self, size: int, where: str) -> Iterator[bytes]:
        """`size` bytes of the request in pieces of up to 1 MiB; the client closing first is a ConnectionError
        naming `where`."""
        while size:
            piece = self.rfile.read(min(size, 1 << 20))
            if not piece:
                raise ConnectionError(f"connection closed inside {where}")
            size -= len(piece)
            yield piece

    # --- query ----------------------------------------------------------------------------------------------------
    def _handle(self, params: dict[str, str], body: Body | None, read_only: bool = False) -> None:
        query_id = params.get("query_id") or str(uuid.uuid4())
        # The marker that finds this query for cancellation is ours alone: a client choosing another client's
        # query_id (or a LIKE pattern such as %) must not be able to cancel that client's query.
        marker = f"mrmq:{uuid.uuid4().hex}"
        try:
            check_id("query_id", query_id)
            if "session_id" in params:
                check_id("session_id", params["session_id"])
                if read_only:
                    raise EngineError(
                        "Code: 164. DB::Exception: a GET request is read-only and cannot use a "
                        "session; send it as POST. (READONLY)",
                        164,
                    )
            if params.get("database") and not re.fullmatch(r"[A-Za-z0-9_]{1,128}", params["database"]):
                raise EngineError(
                    f"Code: 36. DB::Exception: database must be a plain name, got "
                    f"{params['database'][:40]!r}. (BAD_ARGUMENTS)",
                    36,
                )
            sql, data_path, fmt_in = self._statement(params, body)
            starts = check_outside_world(sql, self.policy.allowed)
            check_outside_world(
                " ".join(params), self.policy.allowed
            )  # setting names too (format_schema=...)
            if data_path is not None:
                sql = self._insert_from_file(sql, data_path, fmt_in)
            out_format = params.get("default_format") or "TabSeparated"
            m = FORMAT_CLAUSE.search(sql)
            if m:
                out_format = m.group(1)
            bound = {k[6:]: v for k, v in params.items() if k.startswith("param_")}
            settings = {
                k: v for k, v in params.items() if k not in HTTP_PARAMS and not k.startswith("param_")
            }
            if read_only:
                # Last, so the client's own settings are applied before it (readonly=2: settings may still change).
                settings.pop("readonly", None)
                settings["readonly"] = "2" if params.get("readonly", "0") in ("0", "2") else "1"
            stateful = any(word in ("set", "use") for word in starts)
            # A SELECT is streamed as chDB produces it (server memory flat in the result size); a client asking
            # wait_end_of_query=1 gets the whole result at once, as from ClickHouse.
            stream = (
                len(starts) <= 1
                and out_format in STREAM_FORMATS
                and STREAMABLE.match(sql) is not None
                and params.get("wait_end_of_query") != "1"
            )
            statement = _Statement(
                params, f"/* {marker} */ {sql}", out_format, bound, marker, query_id, stream
            )
            self._run(statement, settings, stateful)
        except EngineError as exc:
            self._error(exc, query_id if SAFE_ID.fullmatch(query_id) else "")

    def _result_headers(
        self, params: dict[str, str], result: Any, out_format: str, query_id: str
    ) -> dict[str, str]:
        # For a streamed result the summary is the progress at the first chunk (ClickHouse sends it likewise).
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
            "X-ClickHouse-Server-Display-Name": DISPLAY_NAME,
        }
        if "session_id" in params:
            headers["X-ClickHouse-Session-Id"] = params["session_id"]
        return headers

    def _deliver(self, conn: Any, st: _Statement) -> bool:
        """Run the statement and send its result; True: the connection is reusable.

        Whole: run to the end, then reply with a Content-Length. Streamed: send the result chunk by chunk as chDB
        produces it. An error before the first chunk is an ordinary error reply either way."""
        chunks: Any = None
        try:
            if st.stream:
                chunks = conn.send_query(st.sql, st.out_format, params=st.bound or None)
                first = _next_chunk(chunks)
            else:
                first = conn.query(st.sql, st.out_format, params=st.bound or None)
        except Exception as exc:
            raise EngineError(str(exc)) from exc
        headers = self._result_headers(st.params, first, st.out_format, st.query_id)
        content_type = CONTENT_TYPES.get(st.out_format, "application/octet-stream")
        if not st.stream:
            self._reply(200, first.bytes(), content_type, headers)
            return True
        return self._send_chunks(chunks, first, content_type, headers, st.query_id)

    def _send_chunks(
        self, stream: Any, first: Any, content_type: str, headers: dict[str, str], query_id: str
    ) -> bool:
        """After the first chunk the status is sent, so an error then ends the body with its text and the
        connection is cut without the closing chunk (the client sees a truncated reply, never a short result
        taken as whole)."""
        chunked = self.request_version != "HTTP/1.0"
        try:
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            if chunked:
                self.send_header("Transfer-Encoding", "chunked")
            else:
                self.close_connection = True  # an HTTP/1.0 body ends where the connection does
            for k, v in headers.items():
                self.send_header(k, v)
            self.end_headers()
            chunk = first
            while chunk is not None:
                self._write_piece(chunk.bytes(), chunked)
                chunk = _next_chunk(stream)
            if chunked:
                self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()
            return True
        except (BrokenPipeError, ConnectionResetError):
            log.info("client of %s went away mid-result: cancelling the query", query_id)
            self.close_connection = True
            _cancel(stream)
            return False
        except Exception as exc:
            log.error("query %s failed after its first chunk was sent: %s", query_id, str(exc)[:500])
            self.close_connection = True
            _cancel(stream)
            try:
                self._write_piece(f"\n{exc}\n".encode(), chunked)
                self.wfile.flush()
            except OSError:
                pass
            return False

    def _write_piece(self, data: bytes, chunked: bool) -> None:
        if not data:
            return
        if chunked:
            self.wfile.write(b"%x\r\n" % len(data) + data + b"\r\n")
        else:
            self.wfile.write(data)

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
            raise EngineError(
                f"Code: 36. DB::Exception: Query is not valid UTF-8: {exc}. (BAD_ARGUMENTS)", 36
            ) from exc

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

    def _run(self, st: _Statement, settings: dict[str, str], stateful: bool) -> None:
        """Run on the session's or a pooled connection, answering the client while the connection is held (a
        streamed result needs it until its last chunk)."""
        session_id = st.params.get("session_id")
        if session_id:
            session = self.engine.session(session_id, float(st.params.get("session_timeout") or 60))
            # The previous request of the session may still be finishing on its own thread after its last byte
            # reached the client (a client that sends its next statement at once would otherwise be refused):
            # wait a little for it; a truly concurrent client is still refused.
            if not session.lock.acquire(timeout=SESSION_LOCK_WAIT_S):
                raise EngineError(
                    f"Code: 373. DB::Exception: Session {session_id} is locked by a concurrent client. (SESSION_IS_LOCKED)",
                    373,
                )
            try:
                known = {
                    k: v
                    for k, v in settings.items()
                    if k in self.engine.setting_names and re.fullmatch(r"[A-Za-z0-9_]+", k)
                }
                try:
                    delta = session.settings_delta(known)
                except Exception as exc:
                    raise EngineError(str(exc)) from exc
                self._execute(session.conn, st, delta)
                session.explicit_set(st.sql.split("*/", 1)[-1])
                return
            finally:
                session.lock.release()
        key = (tuple(sorted(settings.items())), st.params.get("database", ""))
        conn, fresh = self.engine.acquire(key)
        reusable = False
        try:
            completed = self._execute(conn, st, settings if fresh else {}, fresh)
            # A statement that changes connection state must not leak into the next request; nor may a
            # connection whose streamed result was abandoned midway.
            reusable = completed and not stateful and not STATEFUL.search(st.sql.split("*/", 1)[-1][:2000])
        finally:
            self.engine.release(key, conn, reusable)

    def _execute(self, conn: Any, st: _Statement, settings: dict[str, str], configure: bool = True) -> bool:
        try:
            for name, value in settings.items():
                if name in self.engine.setting_names and re.fullmatch(r"[A-Za-z0-9_]+", name):
                    conn.query(f"SET {name} = {_setting_literal(value)}", "TabSeparated")
            if configure and st.params.get("database"):
                conn.query(f"USE `{st.params['database'].replace('`', '')}`", "TabSeparated")
        except Exception as exc:
            raise EngineError(str(exc)) from exc
        cancelled: list[bool] = []

        def cancel() -> None:
            cancelled.append(True)
            log.info("client of %s disconnected: cancelling the query", st.marker)
            self.engine.kill(st.marker)

        token = self.engine.watcher.watch(self.connection, cancel)
        try:
            return self._deliver(conn, st)
        finally:
            self.engine.watcher.unwatch(token)

    # --- replies ------------------------------------------------------------------------------------------------
    def _error(self, exc: EngineError, query_id: str = "") -> None:
        message = str(exc).strip()
        if not message.startswith("Code:"):
            message = f"Code: {exc.code}. DB::Exception: {message}"
        # A missing or wrong secret is 401 (stock ClickHouse answers 516 the same way over HTTP).
        status = 401 if exc.code == 516 else HTTP_STATUS.get(exc.code or 0, 500)
        headers = {
            "X-ClickHouse-Exception-Code": str(exc.code),
            "X-ClickHouse-Server-Display-Name": DISPLAY_NAME,
        }
        if query_id:
            headers["X-ClickHouse-Query-Id"] = query_id
        body = f"{message} (version {self.engine.version})\n".encode()
        self._reply(status, body, "text/plain; charset=UTF-8", headers)

    def _reply(
        self, status: int, payload: bytes, content_type: str, headers: dict[str, str] | None = None
    ) -> None:
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


def _call(result: Any, name: str) -> Any:
    attr = getattr(result, name, 0)
    try:
        return attr() if callable(attr) else attr
    except Exception:
        return 0


def _next_chunk(stream: Any) -> Any:
    """The next chunk of a chDB stream, or None at its end. chDB's own iterator stops at the first chunk without
    rows, which drops the header/skeleton of an empty result (JSON, WithNames); only an empty chunk ends it here."""
    if getattr(stream, "_exhausted", False):
        return None
    chunk = stream._conn.streaming_fetch_result(stream._result)
    if chunk is None or (chunk.rows_read() == 0 and not chunk.size()):
        stream._exhausted = True
        return None
    if chunk.has_error():
        raise EngineError(chunk.error_message())
    return chunk


def _cancel(stream: Any) -> None:
    try:
        stream.cancel()
    except Exception:  # already finished or failed
        log.debug("cancelling a stream failed", exc_info=True)


def _setting_literal(value: str) -> str:
    if re.fullmatch(r"-?\d+(\.\d+)?", value):
        return value
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
