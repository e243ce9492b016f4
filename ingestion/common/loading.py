"""`run_load`: the one way every connector writes a window: logged, atomic, retried on bad payloads."""

from __future__ import annotations

import logging
import queue
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypedDict, TypeVar

import pyarrow as pa

from ingestion.common.errors import ConfigError, PayloadError
from ingestion.common.settings import ConnectorSettings

T = TypeVar("T")

log = logging.getLogger("mrm.ingestion.loading")

BatchSource = Callable[[], "pa.Table | Iterable[pa.RecordBatch]"]


class _AccountWindow(TypedDict):
    tenant_id: str
    account_id: str
    date_from: date
    date_to: date


class LoadRequest(_AccountWindow, total=False):
    """The keyword arguments of every connector's `load(client, settings, **request)` (ingestion/CONTRACT.md):
    one account of one tenant, the requested window, the day that counts as today (default: the clock's) and a
    callback given the rows loaded as they arrive."""

    today: date | None
    progress: Callable[[int], None] | None


@dataclass(frozen=True)
class AccountLoad:
    """A connector's `LoadRequest`, checked, with `today` settled."""

    platform: str
    tenant_id: str
    account_id: str
    date_from: date
    date_to: date
    today: date
    progress: Callable[[int], None] | None

    @classmethod
    def of(cls, request: LoadRequest, platform: str, *, require_ids: bool = False) -> AccountLoad:
        """A keyword missing or not in `LoadRequest` is a TypeError naming it, as a spelled-out signature
        would raise; with `require_ids`, an empty tenant or account id is a ConfigError."""
        missing = sorted(LoadRequest.__required_keys__ - set(request))
        unknown = sorted(set(request) - LoadRequest.__required_keys__ - LoadRequest.__optional_keys__)
        if missing or unknown:
            raise TypeError(
                f"{platform} load(): missing keyword(s) {missing}, unexpected keyword(s) {unknown}"
            )
        if require_ids and not (request["tenant_id"] and request["account_id"]):
            raise ConfigError("tenant_id and account_id are required", platform=platform)
        from mrm import clock

        return cls(
            platform,
            request["tenant_id"],
            request["account_id"],
            request["date_from"],
            request["date_to"],
            request.get("today") or clock.today(),
            request.get("progress"),
        )

    def window(self, lookback_days: int) -> tuple[date, date]:
        """The days to fetch for the requested window (`load_window`: a ConfigError when there are none)."""
        from ingestion.common.windows import load_window

        return load_window(
            self.date_from,
            self.date_to,
            today=self.today,
            lookback_days=lookback_days,
            platform=self.platform,
        )

    def run(
        self,
        client: Any,
        settings: ConnectorSettings,
        api: Any,
        loads: Sequence[LoadSpec],
        together: bool = False,
    ) -> dict[str, int]:
        """`load_account` for this account, reporting rows to the request's `progress`."""
        return load_account(
            client,
            settings,
            api,
            tenant_id=self.tenant_id,
            account_id=self.account_id,
            loads=loads,
            progress=self.progress,
            together=together,
        )


@dataclass
class LoadResult:
    table: str
    account_id: str
    rows: int
    attempts: int
    request_ids: list[str]


def rows_per_table(results: Iterable[LoadResult]) -> dict[str, int]:
    """{table: rows loaded}: what every connector's `load` returns."""
    return {r.table: r.rows for r in results}


def load_account(
    client: Any,
    settings: ConnectorSettings,
    api: Any,
    *,
    tenant_id: str,
    account_id: str,
    loads: Sequence[LoadSpec],
    progress: Callable[[int], None] | None = None,
    together: bool = False,
) -> dict[str, int]:
    """`run_loads` for one account of the connector `settings` belong to (its platform and payload attempts);
    rows per table. Each table is switched on its own unless `together`."""
    return rows_per_table(
        run_loads(
            client,
            tenant_id=tenant_id,
            platform=settings.platform,
            account_id=account_id,
            loads=loads,
            api=api,
            payload_attempts=settings.payload_attempts,
            on_rows=progress,
            together=together,
        )
    )


def run_load(
    client: Any,
    *,
    tenant_id: str,
    platform: str,
    report: str,
    table: str,
    account_id: str,
    date_from: date | None,
    date_to: date | None,
    days: Sequence[date] | None,
    produce: BatchSource,
    api: Any = None,
    payload_attempts: int = 3,
    on_rows: Callable[[int], None] | None = None,
) -> LoadResult:
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
    with loads.load_logged(
        client,
        tenant_id=tenant_id,
        platform=platform,
        report=report,
        account_id=account_id,
        date_from=date_from,
        date_to=date_to,
    ) as log:
        try:
            rows, attempt = _with_payload_retries(
                lambda: loads.replace_window(
                    client,
                    table,
                    _counting(produce(), on_rows),
                    tenant_id=tenant_id,
                    account_id=account_id,
                    days=list(days) if days is not None else None,
                ),
                payload_attempts,
            )
        finally:
            if api is not None:
                log.request_ids.extend(api.request_ids[first_rid:])
        log.rows += rows
    rids = api.request_ids[first_rid:] if api is not None else []
    return LoadResult(table=table, account_id=account_id, rows=rows, attempts=attempt, request_ids=list(rids))


def _with_payload_retries(action: Callable[[], T], payload_attempts: int) -> tuple[T, int]:
    """`action()` and the attempt it succeeded on; it runs again from scratch while it fails with a retryable
    `PayloadError` (a truncated/garbled body: a half-consumed stream cannot be resumed), at most
    `payload_attempts` times."""
    attempt = 0
    while True:
        attempt += 1
        try:
            return action(), attempt
        except PayloadError as exc:
            if not exc.retryable or attempt >= payload_attempts:
                raise


def _counting(
    data: pa.Table | Iterable[pa.RecordBatch], on_rows: Callable[[int], None] | None
) -> pa.Table | Iterable[pa.RecordBatch]:
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


@dataclass
class LoadSpec:
    """One table of a `run_loads` batch: what `run_load` takes per table."""

    report: str
    table: str
    date_from: date | None
    date_to: date | None
    days: Sequence[date] | None
    produce: BatchSource

    @classmethod
    def snapshot(cls, report: str, table: str, produce: BatchSource) -> LoadSpec:
        """A whole-account snapshot (a dimension table): no window, every earlier row of the account replaced."""
        return cls(report=report, table=table, date_from=None, date_to=None, days=None, produce=produce)

    @classmethod
    def window(
        cls,
        report: str,
        table: str,
        date_from: date,
        date_to: date,
        produce: BatchSource,
        days: Sequence[date] | None = None,
    ) -> LoadSpec:
        """The window [date_from, date_to]; it replaces `days` (every day of the window unless given)."""
        from ingestion.common.windows import days_between

        return cls(
            report=report,
            table=table,
            date_from=date_from,
            date_to=date_to,
            days=days_between(date_from, date_to) if days is None else days,
            produce=produce,
        )


def run_loads(
    client: Any,
    *,
    tenant_id: str,
    platform: str,
    account_id: str,
    loads: Sequence[LoadSpec],
    api: Any = None,
    payload_attempts: int = 3,
    on_rows: Callable[[int], None] | None = None,
    together: bool = True,
) -> list[LoadResult]:
    """`run_load` for several tables of one account, switched together in one atomic insert.

    With `together=False` each table goes through `run_load` in turn and is switched on its own as soon as it
    is loaded: a failure stops the rest but leaves the tables loaded before it current.

    Each table keeps its own app.load_log entry, load id and payload retries, but the `running` rows, the
    window switch, the superseded-rows check and the final log rows are one round trip each for the whole
    batch, and the tables become current together: if any table fails, none is switched (every entry is
    logged `failed` with the error, the inserted rows are removed) and the error is re-raised.
    """
    from warehouse import loads as wl  # imported lazily: unit tests of connectors need no warehouse

    if not together:
        return [
            run_load(
                client,
                tenant_id=tenant_id,
                platform=platform,
                report=spec.report,
                table=spec.table,
                account_id=account_id,
                date_from=spec.date_from,
                date_to=spec.date_to,
                days=spec.days,
                produce=spec.produce,
                api=api,
                payload_attempts=payload_attempts,
                on_rows=on_rows,
            )
            for spec in loads
        ]
    if not tenant_id:
        raise ValueError("tenant_id is required")
    started = datetime.now(UTC).replace(tzinfo=None)
    entries = [
        wl.LoadLog(
            uuid.uuid4().hex,
            tenant_id,
            platform,
            spec.report,
            account_id,
            spec.date_from,
            spec.date_to,
            started,
        )
        for spec in loads
    ]
    wl.write_logs(client, entries, [None] * len(entries))
    t0 = time.monotonic()

    def finish(status: str, error: str = "", failed_at: int | None = None) -> None:
        for i, entry in enumerate(entries):
            entry.status = status
            if error:
                entry.error = (
                    error
                    if failed_at is None or i == failed_at
                    else f"not switched: {loads[failed_at].report} of this batch failed: {error}"
                )[:4000]
        end = started + timedelta(seconds=time.monotonic() - t0)
        wl.write_logs(client, entries, [end] * len(entries))

    def failed(exc: BaseException, failed_at: int | None) -> None:
        try:
            finish("failed", f"{type(exc).__name__}: {exc}", failed_at)
        except Exception:
            log.exception("could not record the failure of loads %s", [e.run_id for e in entries])

    windows: list[Any] = []
    results: list[LoadResult] = []
    try:
        for spec, entry in zip(loads, entries, strict=True):
            first_rid = len(api.request_ids) if api is not None else 0

            def insert_once(spec: LoadSpec = spec) -> Any:
                window = wl.Window(
                    spec.table, tenant_id, account_id, list(spec.days) if spec.days is not None else None
                )
                wl.insert_window(client, window, _counting(spec.produce(), on_rows))
                return window

            try:
                window, attempt = _with_payload_retries(insert_once, payload_attempts)
            finally:
                if api is not None:
                    entry.request_ids.extend(api.request_ids[first_rid:])
            windows.append(window)
            entry.rows = window.rows
            results.append(
                LoadResult(
                    table=spec.table,
                    account_id=account_id,
                    rows=window.rows,
                    attempts=attempt,
                    request_ids=list(entry.request_ids),
                )
            )
        wl.switch_windows(client, windows)
    except BaseException as exc:
        for w in windows:  # inserted but never made current
            wl.discard_window(client, w)
        failed(exc, len(windows) if len(windows) < len(loads) else None)
        raise
    try:
        wl.delete_superseded(client, windows)
    except BaseException as exc:  # the windows are current; only the clean-up of older rows failed
        failed(exc, None)
        raise
    finish("ok")
    return results
