"""Idempotent window loads into raw tables, and the load log.

A load for (table, tenant, account, days) writes its rows under a fresh load id, then switches the window to that id
with one insert into app.raw_window_versions (a single-block insert is atomic), then deletes the rows it superseded.
Readers that join the version table never see a half-replaced window; a crash before the switch leaves the previous
data current and the orphan rows are removed by the next load of the window. Rows carry their load id, so no two
loads ever insert an identical block: production insert deduplication cannot swallow a reload.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import time
import traceback
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from warehouse.rows import delete_rows

log = logging.getLogger("mrm.warehouse.loads")

SNAPSHOT_DAY = dt.date(1970, 1, 1)
VERSIONS_TABLE = "app.raw_window_versions"


def _insert_settings(load_id: str, part: int) -> dict[str, Any]:
    # Explicit dedup behaviour on every insert (docs/domain.md): a retried part of the same load is dropped by the token,
    # a new load never collides because its rows carry a new load id.
    return {
        "insert_deduplicate": 1,
        "insert_deduplication_token": f"{load_id}:{part}",
    }


def _as_batches(data: pa.Table | pa.RecordBatch | Iterable[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    if isinstance(data, pa.Table):
        yield from data.to_batches(max_chunksize=500_000)
    elif isinstance(data, pa.RecordBatch):
        yield data
    else:
        for item in data:
            if isinstance(item, pa.Table):
                yield from item.to_batches(max_chunksize=500_000)
            else:
                yield item


def _check_batch(
    batch: pa.RecordBatch, table: str, tenant_id: str, account_id: str, days: set[dt.date] | None, offset: int
) -> pa.RecordBatch:
    """Fill tenant/account if absent; refuse rows outside the window or of another tenant/account."""
    names = batch.schema.names
    n = batch.num_rows
    for col, expected in (("tenant_id", tenant_id), ("account_id", account_id)):
        if col not in names:
            batch = batch.append_column(col, pa.array([expected] * n, pa.string()))
        else:
            bad = pc.invert(pc.fill_null(pc.equal(batch.column(col).cast(pa.string()), expected), False))
            if pc.any(bad).as_py():
                idx = pc.index(bad, True).as_py()
                raise ValueError(
                    f"{table}: row {offset + idx} has {col}={batch.column(col)[idx].as_py()!r}, "
                    f"but this load is for {col}={expected!r}"
                )
    if days is not None:
        if "date_day" not in names:
            raise ValueError(f"{table}: a window load needs a date_day column")
        day_col = batch.column("date_day")
        if day_col.null_count:
            idx = pc.index(pc.is_null(day_col), True).as_py()
            raise ValueError(f"{table}: row {offset + idx} has no date_day")
        window = pa.array(sorted(days), pa.date32())
        outside = pc.invert(pc.is_in(day_col.cast(pa.date32()), value_set=window))
        if pc.any(outside).as_py():
            idx = pc.index(outside, True).as_py()
            raise ValueError(
                f"{table}: row {offset + idx} has date_day={day_col[idx].as_py()} outside the load window "
                f"{min(days)}..{max(days)}"
            )
    return batch


def replace_window(
    client: Any,
    table: str,
    data: pa.Table | pa.RecordBatch | Iterable[pa.RecordBatch],
    *,
    tenant_id: str,
    account_id: str,
    days: Iterable[dt.date] | None,
    load_id: str | None = None,
) -> int:
    """Replace exactly (tenant, account, days) of `table` with `data`; days=None replaces the account snapshot."""
    window = Window(table, tenant_id, account_id, days, load_id=load_id or uuid.uuid4().hex)
    rows = insert_window(client, window, data)
    try:
        switch_windows(client, [window])
    except BaseException:
        _delete_quietly(client, table, tenant_id, account_id, window.load_id)
        raise
    delete_superseded(client, [window])
    return rows


def _now_ms() -> dt.datetime:
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    # Millisecond precision, as stored in _loaded_at: the superseded-rows delete compares the two.
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


@dataclass
class Window:
    """One window load: (table, tenant, account, days) written under `load_id` at `loaded_at`.

    `replace_window` is `insert_window` + `switch_windows` + `delete_superseded` for one window; a connector
    that loads several tables of one account can insert each, then switch them all with one insert (one
    round trip, and the tables change together) and clean up with one existence check.
    """

    table: str
    tenant_id: str
    account_id: str
    days: Iterable[dt.date] | None
    load_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    loaded_at: dt.datetime = field(default_factory=_now_ms)
    rows: int = 0

    def __post_init__(self) -> None:
        if not self.tenant_id:
            raise ValueError("tenant_id is required")
        self.days = set(self.days) if self.days is not None else None
        if self.days is not None and not self.days:
            raise ValueError(f"{self.table}: empty load window")


def insert_window(
    client: Any, window: Window, data: pa.Table | pa.RecordBatch | Iterable[pa.RecordBatch]
) -> int:
    """Insert the rows of a window under its load id (not yet visible); on failure they are removed again."""
    try:
        window.rows = _insert_rows(client, window, data)
    except BaseException:
        _delete_quietly(client, window.table, window.tenant_id, window.account_id, window.load_id)
        raise
    return window.rows


def discard_window(client: Any, window: Window) -> None:
    """Remove the rows of an inserted window that will never be switched (best effort; logged on failure)."""
    _delete_quietly(client, window.table, window.tenant_id, window.account_id, window.load_id)


def switch_windows(client: Any, windows: list[Window]) -> None:
    """Make the inserted windows current with one single-block insert into app.raw_window_versions (atomic)."""
    if not windows:
        return
    cols: dict[str, list[Any]] = {
        "table_name": [],
        "tenant_id": [],
        "account_id": [],
        "date_day": [],
        "load_id": [],
        "loaded_at": [],
    }
    for w in windows:
        for day in sorted(w.days) if w.days is not None else [SNAPSHOT_DAY]:
            for key, value in (
                ("table_name", w.table),
                ("tenant_id", w.tenant_id),
                ("account_id", w.account_id),
                ("date_day", day),
                ("load_id", w.load_id),
                ("loaded_at", w.loaded_at),
            ):
                cols[key].append(value)
    types = {"date_day": pa.date32(), "loaded_at": pa.timestamp("us")}
    token_id = windows[0].load_id if len(windows) == 1 else "+".join(w.load_id for w in windows)
    _insert_table(
        client,
        VERSIONS_TABLE,
        pa.table({k: pa.array(v, types.get(k, pa.string())) for k, v in cols.items()}),
        settings=_insert_settings(token_id, -1),
    )


def delete_superseded(client: Any, windows: list[Window]) -> None:
    """Delete the rows the switched windows superseded; one existence check first, a DELETE only where needed."""
    if not windows:
        return
    selects: list[str] = []
    params: dict[str, Any] = {}
    for i, w in enumerate(windows):
        where = _superseded_where(w, params, f"_{i}")
        selects.append(f"SELECT {i} AS i FROM (SELECT 1 FROM {w.table} WHERE {where} LIMIT 1)")  # noqa: S608
    # A lightweight DELETE is a mutation over every part of the table even when nothing matches (seconds on
    # a table with many parts, measured); a first load of a window has nothing to supersede, so look first.
    # A row landing after this check is the same race as one landing after the DELETE: it belongs to an
    # older load, never becomes current, and the next load of the window removes it.
    found = client.query(" UNION ALL ".join(selects), parameters=params).result_rows
    for (i,) in found:
        w = windows[int(i)]
        one: dict[str, Any] = {}
        where = _superseded_where(w, one, "")
        # The windows are already switched: this only waits for the clean-up mutation, which keeps running if the
        # wait is cut short. A client-wide max_execution_time meant for queries must not turn a current load into
        # a `failed` one, so the wait is unbounded here (the HTTP send/receive timeout still applies).
        delete_rows(
            client, w.table, where, one, target=_delete_target(w.table), settings={"max_execution_time": 0}
        )


def _superseded_where(w: Window, params: dict[str, Any], suffix: str) -> str:
    # Only rows older than this load go: a newer concurrent load of the same window keeps its rows.
    params.update(
        {f"tenant{suffix}": w.tenant_id, f"account{suffix}": w.account_id, f"loaded_at{suffix}": w.loaded_at}
    )
    where = (
        f"tenant_id = {{tenant{suffix}:String}} AND account_id = {{account{suffix}:String}} "
        f"AND _loaded_at < {{loaded_at{suffix}:DateTime64(3)}}"
    )
    if w.days is not None:
        params[f"days{suffix}"] = sorted(w.days)
        where += f" AND date_day IN {{days{suffix}:Array(Date)}}"
    return where


# Rows per insert request. Each request streams its batches as one ArrowStream body and becomes one
# INSERT on the server, so a part is all-or-nothing; bigger parts mean fewer, larger MergeTree parts and
# fewer round trips, while neither side holds a part in memory (the client streams it batch by batch, the
# embedded server spools it to disk). 250 k rows: as fast as 1 M on the 5 M-row Direct bench, but the
# embedded server peaks at ~0.75 GB instead of ~1.4 GB (its insert squashes a part into blocks in memory).
PART_ROWS = 250_000


def _checked(
    data: pa.Table | pa.RecordBatch | Iterable[pa.RecordBatch], window: Window
) -> Iterator[pa.RecordBatch]:
    """Validated batches with tenant/account/_load_id/_loaded_at filled in, ready to insert."""
    table, tenant_id, account_id, load_id = window.table, window.tenant_id, window.account_id, window.load_id
    days = set(window.days) if window.days is not None else None
    offset = 0
    for batch in _as_batches(data):
        n = batch.num_rows
        if n == 0:
            continue
        batch = _check_batch(batch, table, tenant_id, account_id, days, offset)
        # tenant_id/account_id were just checked to hold exactly one value each, and _load_id/_loaded_at are
        # constants: send them dictionary-encoded (one value + int32 indices) instead of n copies of a string.
        for col, value in (("tenant_id", tenant_id), ("account_id", account_id)):
            i = batch.schema.get_field_index(col)
            batch = batch.set_column(i, batch.schema.field(i).with_type(_CONST_DICT), _constant(value, n))
        batch = batch.append_column(pa.field("_load_id", _CONST_DICT), _constant(load_id, n))
        batch = batch.append_column(
            "_loaded_at", pa.repeat(pa.scalar(window.loaded_at, pa.timestamp("ms")), n)
        )
        offset += n
        yield batch


_CONST_DICT = pa.dictionary(pa.int32(), pa.string())


def _constant(value: str, n: int) -> pa.DictionaryArray:
    return pa.DictionaryArray.from_arrays(
        pa.repeat(pa.scalar(0, pa.int32()), n), pa.array([value], pa.string())
    )


class _Chunks:
    """A write-only file for pyarrow's IPC writer that hands out what was written since the last take()."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []
        self.closed = False

    def write(self, data: Any) -> int:
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def close(self) -> None:
        self.closed = True

    def take(self) -> bytes:
        out = b"".join(self.parts)
        self.parts.clear()
        return out


def _insert_rows(
    client: Any, window: Window, data: pa.Table | pa.RecordBatch | Iterable[pa.RecordBatch]
) -> int:
    """Insert every row of `data` under the window's load id, streamed in parts of up to PART_ROWS rows; returns
    rows."""
    table, load_id = window.table, window.load_id
    batches = _checked(data, window)
    if not hasattr(client, "raw_insert"):  # not an HTTP clickhouse-connect client: one insert per batch
        rows = 0
        for part, batch in enumerate(batches):
            client.insert_arrow(
                table, pa.Table.from_batches([batch]), settings=_insert_settings(load_id, part)
            )
            rows += batch.num_rows
        return rows
    pending: list[pa.RecordBatch] = []
    rows = 0
    part = 0
    while True:
        if not pending:
            first = next(batches, None)
            if first is None:
                return rows
            pending.append(first)
        sent = [0]
        names = pending[0].schema.names
        body = _part_body(batches, pending, sent)
        summary = client.raw_insert(
            table, names, body, settings=_insert_settings(load_id, part), fmt="ArrowStream"
        )
        written = getattr(summary, "summary", {}).get("written_rows")
        if written is not None and int(written) < sent[0]:
            raise RuntimeError(
                f"{table}: the warehouse wrote {written} of the {sent[0]} rows sent in part {part} "
                f"of load {load_id}"
            )
        rows += sent[0]
        part += 1


def _part_body(
    batches: Iterator[pa.RecordBatch], pending: list[pa.RecordBatch], sent: list[int]
) -> Iterator[bytes]:
    """One ArrowStream body: `pending[0]` and the batches after it, up to PART_ROWS rows or a schema change.

    A batch with another schema is left in `pending` for the next part. An exception from the producer
    propagates out of the HTTP request while the body is incomplete, so the server inserts nothing of it.
    """
    first = pending.pop()
    schema = first.schema
    sink = _Chunks()
    with pa.ipc.new_stream(sink, schema) as writer:
        batch: pa.RecordBatch | None = first
        while batch is not None:
            writer.write_batch(batch)
            sent[0] += batch.num_rows
            yield sink.take()
            if sent[0] >= PART_ROWS:
                break
            batch = next(batches, None)
            if batch is not None and not batch.schema.equals(schema):
                pending.append(batch)
                break
    yield sink.take()


def _insert_table(client: Any, table: str, data: pa.Table, settings: dict[str, Any]) -> None:
    """A small insert as one ArrowStream body (replayable bytes; avoids clickhouse-connect's row path)."""
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, data.schema) as writer:
        writer.write_table(data)
    client.raw_insert(table, None, sink.getvalue().to_pybytes(), settings=settings, fmt="ArrowStream")


def _delete_target(table: str) -> str:
    """Where deletes of `table` go: on a sharded cluster raw tables are Distributed over `<table>_local` replicas,
    and ClickHouse deletes only from the local tables (deploy/clickhouse/render_cluster_ddl.py)."""
    cluster = os.environ.get("MRM_CLICKHOUSE_CLUSTER", "").strip()
    if not cluster or not table.startswith("raw_"):
        return table
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", cluster):
        raise ValueError(f"MRM_CLICKHOUSE_CLUSTER must be a cluster name, got {cluster!r}")
    return f"{table}_local ON CLUSTER {cluster}"


def _delete_quietly(client: Any, table: str, tenant_id: str, account_id: str, load_id: str) -> None:
    try:
        client.command(
            f"DELETE FROM {_delete_target(table)} WHERE tenant_id = {{tenant:String}} "  # noqa: S608
            "AND account_id = {account:String} "
            "AND _load_id = {load:String}",
            parameters={"tenant": tenant_id, "account": account_id, "load": load_id},
            # Not mutations_sync: on a full disk the mutation never finishes and a synchronous DELETE would turn
            # the failing load into a hang. Wait a bounded time instead; leftovers are invisible orphans that the
            # next load of the window deletes.
            settings={"lightweight_deletes_sync": 0, "mutations_sync": 0},
        )
        _wait_for_mutations(client, table, CLEANUP_WAIT_S)
    except Exception:
        log.warning(
            "could not remove rows of failed load %s from %s; the next load of the window removes them",
            load_id,
            table,
            exc_info=True,
        )


CLEANUP_WAIT_S = 2.0


def _wait_for_mutations(client: Any, table: str, timeout: float) -> None:
    """Wait until `table` has no unfinished mutation; TimeoutError after `timeout` seconds."""
    db, name = _delete_target(table).split(" ", 1)[0].split(".", 1)
    deadline = time.monotonic() + timeout
    while True:
        pending = client.command(
            "SELECT count() FROM system.mutations WHERE database = {d:String} "
            "AND table = {t:String} AND is_done = 0",
            parameters={"d": db, "t": name},
        )
        if not pending:
            return
        if time.monotonic() >= deadline:
            raise TimeoutError(
                f"{pending} mutation(s) of {db}.{name} unfinished after {timeout:.0f}s "
                "(disk full?); the failed load's rows stay invisible until the next load"
            )
        time.sleep(0.02)


def current_rows_sql(table: str, snapshot: bool = False) -> str:
    """A SELECT of the rows of `table` that belong to the current load of their window."""
    if snapshot:
        return (
            f"SELECT * FROM {table} WHERE (tenant_id, account_id, _load_id) IN ("  # noqa: S608 - table is ours
            f"SELECT tenant_id, account_id, argMax(load_id, loaded_at) FROM {VERSIONS_TABLE} "
            f"WHERE table_name = '{table}' AND date_day = '1970-01-01' GROUP BY tenant_id, account_id)"
        )
    return (
        f"SELECT * FROM {table} WHERE (tenant_id, account_id, date_day, _load_id) IN ("  # noqa: S608
        f"SELECT tenant_id, account_id, date_day, argMax(load_id, loaded_at) FROM {VERSIONS_TABLE} "
        f"WHERE table_name = '{table}' GROUP BY tenant_id, account_id, date_day)"
    )


@dataclass
class LoadLog:
    run_id: str
    tenant_id: str
    platform: str
    report: str
    account_id: str
    date_from: dt.date | None
    date_to: dt.date | None
    started_at: dt.datetime
    rows: int = 0
    request_ids: list[str] = field(default_factory=list)
    status: str = "running"
    error: str = ""


LOG_COLUMNS = [
    "run_id",
    "tenant_id",
    "platform",
    "report",
    "account_id",
    "date_from",
    "date_to",
    "status",
    "rows",
    "request_ids",
    "started_at",
    "finished_at",
    "duration_s",
    "error",
]
LOG_TYPES = [
    pa.string(),
    pa.string(),
    pa.string(),
    pa.string(),
    pa.string(),
    pa.date32(),
    pa.date32(),
    pa.string(),
    pa.uint64(),
    pa.list_(pa.string()),
    pa.timestamp("ms"),
    pa.timestamp("ms"),
    pa.float64(),
    pa.string(),
]


def _write_log(client: Any, entry: LoadLog, finished: dt.datetime | None) -> None:
    write_logs(client, [entry], [finished])


def write_logs(client: Any, entries: list[LoadLog], finished: list[dt.datetime | None]) -> None:
    """Append the current state of load-log entries to app.load_log, all in one insert."""
    columns: list[list[Any]] = [[] for _ in LOG_COLUMNS]
    for entry, end in zip(entries, finished, strict=True):
        duration = (end - entry.started_at).total_seconds() if end else 0.0
        values = [
            entry.run_id,
            entry.tenant_id,
            entry.platform,
            entry.report,
            entry.account_id,
            entry.date_from,
            entry.date_to,
            entry.status,
            entry.rows,
            list(entry.request_ids),
            entry.started_at,
            end,
            duration,
            entry.error,
        ]
        for col, v in zip(columns, values, strict=True):
            col.append(v)
    _insert_table(
        client,
        "app.load_log",
        pa.table([pa.array(v, t) for v, t in zip(columns, LOG_TYPES, strict=True)], names=LOG_COLUMNS),
        settings={"insert_deduplicate": 0},
    )


@contextmanager
def load_logged(
    client: Any,
    *,
    tenant_id: str,
    platform: str,
    report: str,
    account_id: str,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    run_id: str | None = None,
) -> Iterator[LoadLog]:
    """Record a load in app.load_log: a `running` row now, an `ok` or `failed` row (with the error) at the end."""
    entry = LoadLog(
        run_id or uuid.uuid4().hex,
        tenant_id,
        platform,
        report,
        account_id,
        date_from,
        date_to,
        dt.datetime.now(dt.UTC).replace(tzinfo=None),
    )
    _write_log(client, entry, None)
    t0 = time.monotonic()
    try:
        yield entry
    except BaseException as exc:
        entry.status = "failed"
        entry.error = f"{type(exc).__name__}: {exc}"[:4000] or traceback.format_exc()[-4000:]
        try:
            _write_log(client, entry, entry.started_at + dt.timedelta(seconds=time.monotonic() - t0))
        except Exception:
            log.exception("could not record the failure of load %s", entry.run_id)
        raise
    entry.status = "ok"
    _write_log(client, entry, entry.started_at + dt.timedelta(seconds=time.monotonic() - t0))
