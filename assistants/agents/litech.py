"""A stdlib-only ClickHouse HTTP client for latency-bound commands (`mrm ask`).

clickhouse-connect (~0.45 s) and warehouse.embedded (~0.3 s, httpx) dominate `mrm ask` start-up, while `ask`
needs three things: SELECT with server-side bound parameters, a raw JSONEachRow insert (usage rows) and a ping.
This client does exactly those over http.client; anything it cannot reach falls back to `warehouse.connect()`.
"""

from __future__ import annotations

import base64
import datetime as dt
import http.client
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlparse

# Same file name as warehouse.server.STATE_FILE; importing warehouse.server just for the constant costs start-up.
_STATE_FILE = "warehouse.json"
_JSON_SETTINGS = {"output_format_json_quote_64bit_integers": "0", "output_format_json_quote_decimals": "0"}


class LiteClickHouseError(RuntimeError):
    """The server answered with an error; the message carries ClickHouse's text."""


@dataclass
class LiteResult:
    column_names: tuple[str, ...]
    column_types: tuple[str, ...]
    result_rows: list[tuple[Any, ...]]

    def named_results(self) -> list[dict[str, Any]]:
        return [dict(zip(self.column_names, r, strict=True)) for r in self.result_rows]


def _escape(s: str) -> str:
    # Bound parameters travel in ClickHouse's escaped text format (the type's text representation).
    return s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def format_param(v: Any, nested: bool = False) -> str:
    """Python value → the text a `{name:Type}` placeholder parses (strings quoted only inside arrays)."""
    if v is None:
        return "NULL" if nested else "\\N"
    if isinstance(v, bool):
        return "1" if v else "0"
    if isinstance(v, dt.datetime):
        return ("'%s'" if nested else "%s") % v.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(v, dt.date):
        return ("'%s'" if nested else "%s") % v.isoformat()
    if isinstance(v, int | float):
        return repr(v)
    if isinstance(v, list | tuple):
        return "[" + ",".join(format_param(x, nested=True) for x in v) + "]"
    s = str(v)
    if nested:
        return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'"
    return _escape(s)


def _convert(value: Any, ctype: str) -> Any:
    if value is None:
        return None
    base = ctype
    for wrapper in ("Nullable(", "LowCardinality("):
        while base.startswith(wrapper):
            base = base[len(wrapper):-1]
    if base in ("Date", "Date32"):
        return dt.date.fromisoformat(value)
    if base.startswith("DateTime"):
        return dt.datetime.fromisoformat(str(value).replace(" ", "T")[:26])
    if base.startswith(("UInt", "Int")) and isinstance(value, str):
        return int(value)
    return value


class LiteClient:
    """Just enough of clickhouse_connect's Client for read paths: query, command, raw_insert."""

    def __init__(self, url: str, username: str = "default", password: str = "", database: str = "default",
                 timeout: float = 60.0):
        p = urlparse(url)
        self.host, self.port, self.secure = p.hostname or "127.0.0.1", p.port or 8123, p.scheme == "https"
        self.database, self.timeout = database, timeout
        token = base64.b64encode(f"{username}:{password}".encode()).decode()
        self._headers = {"Authorization": f"Basic {token}", "Content-Type": "text/plain; charset=utf-8"}
        self._conn: http.client.HTTPConnection | None = None

    def _request(self, method: str, params: dict[str, str], body: bytes | None) -> bytes:
        path = "/?" + urlencode(params) if params else "/"
        for attempt in (1, 2):  # one reconnect: the server may have closed an idle keep-alive connection
            if self._conn is None:
                cls = http.client.HTTPSConnection if self.secure else http.client.HTTPConnection
                self._conn = cls(self.host, self.port, timeout=self.timeout)
            try:
                self._conn.request(method, path, body=body, headers=self._headers)
                resp = self._conn.getresponse()
                data = resp.read()
            except (ConnectionError, http.client.HTTPException):
                self.close()
                if attempt == 2:
                    raise
                continue
            if resp.status != 200:
                raise LiteClickHouseError(f"ClickHouse HTTP {resp.status}: {data.decode('utf-8', 'replace')[:2000]}")
            return data
        raise AssertionError("unreachable")

    def _params(self, parameters: dict[str, Any] | None, settings: dict[str, str] | None = None) -> dict[str, str]:
        out = {"database": self.database, **(settings or {})}
        for k, v in (parameters or {}).items():
            out[f"param_{k}"] = format_param(v)
        return out

    def ping(self) -> bool:
        try:
            return self._request("GET", {}, None).startswith(b"Ok")
        except (OSError, LiteClickHouseError, http.client.HTTPException):
            return False

    def query(self, sql: str, parameters: dict[str, Any] | None = None, **_: Any) -> LiteResult:
        params = self._params(parameters, {"default_format": "JSONCompact", **_JSON_SETTINGS})
        data = json.loads(self._request("POST", params, sql.encode("utf-8")))
        names = tuple(m["name"] for m in data.get("meta", []))
        types = tuple(m["type"] for m in data.get("meta", []))
        rows = [tuple(_convert(v, t) for v, t in zip(r, types, strict=True)) for r in data.get("data", [])]
        return LiteResult(names, types, rows)

    def command(self, sql: str, parameters: dict[str, Any] | None = None, **_: Any) -> str:
        return self._request("POST", self._params(parameters), sql.encode("utf-8")).decode("utf-8").strip()

    def raw_insert(self, table: str, column_names: list[str] | None = None, insert_block: bytes | str = b"",
                   fmt: str = "JSONEachRow", **_: Any) -> None:
        cols = f" ({', '.join(column_names)})" if column_names else ""
        block = insert_block.encode("utf-8") if isinstance(insert_block, str) else insert_block
        self._request("POST", self._params(None), f"INSERT INTO {table}{cols} FORMAT {fmt}\n".encode() + block)

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def connect_fast() -> Any:
    """A LiteClient for the configured or already-running embedded warehouse; else the full `warehouse.connect()`."""
    from warehouse.settings import WarehouseSettings

    s = WarehouseSettings.from_env()
    url: str | None = None
    if not s.embedded:
        url = s.url
    else:
        state = Path(s.data_dir) / _STATE_FILE
        try:
            info = json.loads(state.read_text(encoding="utf-8"))
            if _pid_alive(int(info["pid"])):
                url = str(info["url"])
        except (OSError, ValueError, KeyError):
            url = None
    if url:
        client = LiteClient(url, s.username, s.password, s.database)
        if client.ping():
            return client
    import warehouse  # not running (or unreachable): the full path starts the embedded server

    return warehouse.connect()
