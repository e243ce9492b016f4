"""`run_load`: the one way every connector writes a window: logged, atomic, retried on bad payloads."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import pyarrow as pa

from ingestion.common.errors import PayloadError

BatchSource = Callable[[], "pa.Table | Iterable[pa.RecordBatch]"]


@dataclass
class LoadResult:
    table: str
    account_id: str
    rows: int
    attempts: int
    request_ids: list[str]


def run_load(client: Any, *, tenant_id: str, platform: str, report: str, table: str, account_id: str,
             date_from: date | None, date_to: date | None, days: Sequence[date] | None, produce: BatchSource,
             api: Any = None, payload_attempts: int = 3, on_rows: Callable[[int], None] | None = None) -> LoadResult:
    """Fetch with `produce()` and replace exactly (tenant, account, days) of `table`, inside `load_logged`.

    `produce` is called again from scratch when a body turns out truncated/garbled (`PayloadError` with
    `retryable`), because a half-consumed stream cannot be resumed; `replace_window` only switches the
    window after the whole stream was inserted, so a failed attempt leaves the previous data visible.
    `days=None` replaces the whole-account snapshot (dimension tables). Request ids made through `api`
    (an `ApiClient`) during the load are recorded in app.load_log.
    """
    from warehouse import loads  # imported lazily: unit tests of connectors need no warehouse

    if not tenant_id:
        raise ValueError("tenant_id is required")
    first_rid = len(api.request_ids) if api is not None else 0
    with loads.load_logged(client, tenant_id=tenant_id, platform=platform, report=report, account_id=account_id,
                           date_from=date_from, date_to=date_to) as log:
        attempt = 0
        try:
            while True:
                attempt += 1
                try:
                    data = _counting(produce(), on_rows)
                    rows = loads.replace_window(client, table, data, tenant_id=tenant_id, account_id=account_id,
                                                days=list(days) if days is not None else None)
                    break
                except PayloadError as exc:
                    if not exc.retryable or attempt >= payload_attempts:
                        raise
        finally:
            if api is not None:
                log.request_ids.extend(api.request_ids[first_rid:])
        log.rows += rows
    rids = api.request_ids[first_rid:] if api is not None else []
    return LoadResult(table=table, account_id=account_id, rows=rows, attempts=attempt, request_ids=list(rids))


def _counting(data: pa.Table | Iterable[pa.RecordBatch],
              on_rows: Callable[[int], None] | None) -> pa.Table | Iterable[pa.RecordBatch]:
    if isinstance(data, pa.Table):
        if on_rows is not None:
            on_rows(data.num_rows)
        return data

    def gen() -> Iterator[pa.RecordBatch]:
        for batch in prefetch(data):
            if on_rows is not None:
                on_rows(batch.num_rows)
            yield batch

    return gen()


_DONE = object()


def prefetch(items: Iterable[Any], depth: int = 3) -> Iterator[Any]:
    """Iterate `items` in a background thread, `depth` ahead: fetching/parsing overlaps the inserts.

    Exceptions from the producer are re-raised in the consumer at the point they happened; when the
    consumer stops early the producer is told to stop and its iterator is closed (so HTTP streams end).
    """
    q: queue.Queue[Any] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def run() -> None:
        it = iter(items)
        try:
            for item in it:
                while not stop.is_set():
                    try:
                        q.put(("item", item), timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    break
        except BaseException as exc:  # forwarded to the consumer
            _put(q, ("error", exc), stop)
            return
        finally:
            close = getattr(it, "close", None)
            if close is not None and stop.is_set():
                close()
        _put(q, ("done", _DONE), stop)

    worker = threading.Thread(target=run, name="mrm-prefetch", daemon=True)
    worker.start()
    try:
        while True:
            kind, value = q.get()
            if kind == "item":
                yield value
            elif kind == "error":
                raise value
            else:
                return
    finally:
        stop.set()
        worker.join(timeout=30)


def _put(q: queue.Queue[Any], item: Any, stop: threading.Event) -> None:
    while not stop.is_set():
        try:
            q.put(item, timeout=0.1)
            return
        except queue.Full:
            continue
