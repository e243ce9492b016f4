"""googleAds:searchStream bodies: a JSON array of batches `{"results": [...], "fieldMask", "requestId"}` read from the
HTTP stream a batch at a time (the reader holds one batch, not the answer), and GAQL rows → typed values. An `{"error": ...}` element is the
server giving up part-way (partial failure): the rows before it must not be loaded alone.

Batches are cut out of the byte stream where the next one begins (`,{"results"`) and handed whole to a decoder —
Arrow's JSON reader for the ad rows, `json` otherwise. A cut that was not between batches after all (the key began an
object nested inside a row) leaves JSON that does not parse, and the rest of the answer is then read element by
element."""

from __future__ import annotations

import codecs
import collections
import io
import itertools
import json
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

import pyarrow as pa
import pyarrow.json as pa_json

from ingestion.common.errors import ApiError, PayloadError
from ingestion.google_ads.client import RETRY_STATUSES, failure_of
from ingestion.google_ads.settings import PLATFORM

T = TypeVar("T")
_DECODER = json.JSONDecoder()
_WS = " \t\r\n"


def iter_array(chunks: Iterable[bytes], *, request_id: str | None = None) -> Iterator[dict[str, Any]]:
    """The elements of a top-level JSON array arriving in byte chunks."""
    utf8 = codecs.getincrementaldecoder("utf-8")()
    buf, pos, started, done, n = "", 0, False, False, 0
    # One batch may be megabytes long: parsing it again on every chunk would be quadratic, so an incomplete
    # element is retried only once the text waiting has doubled (each byte is parsed a bounded number of times).
    pending: list[str] = []
    waiting, need = 0, 0
    for chunk in itertools.chain(chunks, [None]):
        try:
            text = utf8.decode(chunk) if chunk is not None else utf8.decode(b"", final=True)
        except UnicodeDecodeError as exc:
            raise PayloadError(
                f"searchStream answer is not UTF-8 after {n} batches: {exc.reason}",
                platform=PLATFORM,
                request_id=request_id,
                row=n + 1,
            ) from exc
        pending.append(text)
        waiting += len(text)
        if chunk is not None and len(buf) - pos + waiting < need:
            continue
        buf = buf[pos:] + "".join(pending)
        pos, pending, waiting, need = 0, [], 0, 0
        while True:
            while pos < len(buf) and buf[pos] in _WS:
                pos += 1
            if pos >= len(buf) or done:
                break
            if not started:
                if buf[pos] != "[":
                    raise PayloadError(
                        f"searchStream answer does not start with '[': {buf[pos : pos + 80]!r}",
                        platform=PLATFORM,
                        request_id=request_id,
                    )
                started, pos = True, pos + 1
                continue
            if buf[pos] == "]":
                done, pos = True, pos + 1
                continue
            if buf[pos] == ",":
                pos += 1
                continue
            try:
                element, end = _DECODER.raw_decode(buf, pos)
            except json.JSONDecodeError:
                if chunk is None:
                    raise PayloadError(
                        f"searchStream answer cut or garbled after {n} batches",
                        platform=PLATFORM,
                        request_id=request_id,
                        row=n + 1,
                    ) from None
                need = 2 * (len(buf) - pos)
                break  # the element continues in the next chunks
            pos = end
            n += 1
            if not isinstance(element, dict):
                raise PayloadError(
                    "searchStream element is not an object", platform=PLATFORM, request_id=request_id, row=n
                )
            yield element
    if not done:
        raise PayloadError(
            f"searchStream answer ends without ']' after {n} batches",
            platform=PLATFORM,
            request_id=request_id,
        )


_RESULTS = b'"results"'
_WS_BYTES = b" \t\r\n"


def iter_runs(
    chunks: Iterable[bytes],
    decode: Callable[[bytes], T],
    *,
    request_id: str | None = None,
    threads: int = 1,
) -> Iterator[T | dict[str, Any]]:
    """`decode(run)` for each run of whole elements of a top-level JSON array arriving in byte chunks, in order; a
    run is the elements' text as sent (comma-separated, no brackets), normally one batch. With `threads` > 1 that
    many runs are decoded at once (Arrow's reader works outside the GIL).

    A run ends where `,{"results"` begins the next batch (inside a string the quotes would be escaped). `decode`
    raises ValueError when the run is not JSON — the key began an object nested in a row — and from there on the
    elements are read one by one (`iter_array`, dicts), as they are for anything else unexpected (no '[', a cut
    answer), with its errors."""
    runs = _Runs(chunks)
    pending: collections.deque[tuple[bytes, Future[T]]] = collections.deque()
    pool = ThreadPoolExecutor(threads, thread_name_prefix="mrm-gads-decode") if threads > 1 else None
    try:
        while True:
            # Two runs per thread in flight: the threads keep decoding while the reader waits on its consumer.
            while len(pending) < (2 * threads if pool else 1) and (run := runs.next()) is not None:
                pending.append((run, pool.submit(decode, run) if pool else _done(decode, run)))
            if not pending:
                break
            run, future = pending.popleft()
            try:
                made = future.result()
            except ValueError:
                # Not between elements after all: this run and those cut after it go back as they came.
                unread = [run, *(r for r, _ in pending)]
                pending.clear()
                yield from iter_array(runs.rest(unread), request_id=request_id)
                return
            yield made
        if not runs.complete:
            yield from iter_array(runs.rest([]), request_id=request_id)
    finally:
        for _, future in pending:
            future.cancel()
        if pool is not None:
            pool.shutdown(wait=True)


def _done(decode: Callable[[bytes], T], run: bytes) -> Future[T]:
    future: Future[T] = Future()
    try:
        future.set_result(decode(run))
    except BaseException as exc:  # handed to the reader as a threaded decode would
        future.set_exception(exc)
    return future


class _Runs:
    """Cuts a JSON array arriving in chunks into runs of whole elements (see `iter_runs`)."""

    def __init__(self, chunks: Iterable[bytes]) -> None:
        self._chunks = _slices(chunks)
        self._buf = bytearray()
        self._pos = -1  # where the text not yet handed out begins: after '[', or the comma / ']' after a run
        self._scan = 0  # where to look for the next batch key
        self._first = True  # the next run starts at _pos (after '['), not after a comma
        self.complete = False  # the array ended with ']' and every element was handed out

    def next(self) -> bytes | None:
        """The next run, or None when there is none: the array is complete, or not shaped as expected."""
        buf = self._buf
        while True:
            if self._pos >= 0:
                begin = self._pos if self._first else self._pos + 1
                while (key := buf.find(_RESULTS, self._scan)) >= 0:
                    self._scan = key + 1
                    brace = _back(buf, key - 1, begin)
                    comma = _back(buf, brace - 1, begin) if brace >= 0 and buf[brace] == ord("{") else -1
                    if comma >= 0 and buf[comma] == ord(","):
                        return self._hand_out(begin, comma)
                self._scan = max(begin, len(buf) - len(_RESULTS))
            chunk = next(self._chunks, None)
            if chunk is None:
                return self._last(begin if self._pos >= 0 else 0)
            buf += chunk
            if self._pos < 0:
                head = buf.lstrip(_WS_BYTES)
                if head and head[:1] != b"[":
                    return None  # not an array: iter_array says so
                if head:
                    self._pos = self._scan = len(buf) - len(head) + 1

    def _hand_out(self, begin: int, end: int) -> bytes:
        with memoryview(self._buf) as view:
            run = bytes(view[begin:end])
        del self._buf[:end]  # keeps the comma: `rest` gives the text back exactly
        self._scan -= end
        self._pos, self._first = 0, False
        return run

    def _last(self, begin: int) -> bytes | None:
        if self._pos < 0:
            return None
        close = len(self._buf.rstrip(_WS_BYTES)) - 1
        if close < begin or self._buf[close] != ord("]"):
            return None  # cut short: iter_array says so
        run = bytes(self._buf[begin:close])
        if not run.strip(_WS_BYTES):
            if not self._first:
                return None  # a comma before ']': iter_array decides
            self.complete = True
            return None
        del self._buf[:close]
        self._pos, self._first, self.complete = 0, True, True
        return run

    def rest(self, unread: list[bytes]) -> Iterator[bytes | memoryview]:
        """The text from the first of the `unread` runs on (the runs, then what is not cut yet), as chunks."""
        if self._pos < 0:
            return itertools.chain([bytes(self._buf)], self._chunks)
        tail = bytes(self._buf[self._pos :])
        if self.complete and not unread:
            tail = b""
        return itertools.chain([b"[" + b",".join(unread) + tail], self._chunks)


def _slices(chunks: Iterable[bytes], size: int = 1 << 20) -> Iterator[bytes | memoryview]:
    """The chunks, a long one in slices (a body read ahead whole arrives as one chunk; the buffer stays a batch)."""
    for chunk in chunks:
        if len(chunk) <= size:
            yield chunk
            continue
        view = memoryview(chunk)
        for i in range(0, len(view), size):
            yield view[i : i + size]


def _back(buf: bytearray, pos: int, floor: int) -> int:
    """The position of the last non-blank byte at or before `pos` (not before `floor`), or -1."""
    while pos >= floor and buf[pos] in _WS_BYTES:
        pos -= 1
    return pos if pos >= floor else -1


def results_of(element: dict[str, Any], request_id: str | None) -> list[dict[str, Any]]:
    """The `results` of a batch; an error element raises (retryable statuses as a PayloadError, so the whole window
    is fetched again; anything else as a loud ApiError)."""
    if "error" in element:
        grpc, code, message, _delay, rid = failure_of(element)
        text = f"searchStream failed part-way: {grpc} {code}: {message}"
        if grpc in RETRY_STATUSES:
            raise PayloadError(text, platform=PLATFORM, request_id=rid or request_id)
        raise ApiError(
            text, platform=PLATFORM, request_id=rid or request_id, code=code or grpc, error_text=message
        )
    results = element.get("results", [])
    if not isinstance(results, list):
        raise PayloadError("searchStream batch has no results list", platform=PLATFORM, request_id=request_id)
    return results


class _Elements(list):  # type: ignore[type-arg]
    """Elements decoded with `json` (told apart from what a fast decoder makes)."""


def stream_runs(
    chunks: Iterable[bytes],
    fast: Callable[[bytes], T | None] | None = None,
    *,
    request_id: str | None = None,
    threads: int = 1,
) -> Iterator[T | list[dict[str, Any]]]:
    """Each run of whole batches as `fast(run)` where that gives something (it returns None for anything it cannot
    prove clean), else as the `results` list of each batch in it, error elements raising. `threads`: runs decoded
    at once."""

    def decode(run: bytes) -> T | _Elements:
        made = fast(run) if fast is not None else None
        return made if made is not None else _Elements(json.loads(b"[" + run + b"]"))

    for item in iter_runs(chunks, decode, request_id=request_id, threads=threads):
        if isinstance(item, dict):
            yield results_of(item, request_id)
        elif isinstance(item, _Elements):
            for n, element in enumerate(item, 1):
                if not isinstance(element, dict):
                    raise PayloadError(
                        "searchStream element is not an object",
                        platform=PLATFORM,
                        request_id=request_id,
                        row=n,
                    )
                yield results_of(element, request_id)
        else:
            yield item


def stream_results(
    chunks: Iterable[bytes], *, request_id: str | None = None
) -> Iterator[list[dict[str, Any]]]:
    """The `results` of each batch (dicts); an error element raises."""
    yield from stream_runs(chunks, None, request_id=request_id)  # type: ignore[misc]


def arrow_results(run: bytes, row_type: pa.StructType) -> pa.StructArray | None:
    """The rows of a run of batches read by Arrow's JSON reader against `row_type` (fields not in it are skipped),
    or None when the run is not batches of rows of exactly those JSON types (a number where a string belongs, a
    batch without results — an error element, say — a null row): the `json` path then reads it and says what is
    wrong. Raises ValueError when the run is not JSON at all."""
    try:
        table = pa_json.read_json(
            io.BytesIO(run),
            read_options=pa_json.ReadOptions(use_threads=False, block_size=len(run) + 1),
            parse_options=pa_json.ParseOptions(
                explicit_schema=pa.schema([("results", pa.list_(row_type))]),
                unexpected_field_behavior="ignore",
                newlines_in_values=True,
            ),
        )
    except (pa.ArrowInvalid, ValueError):
        return None  # not this shape, or not JSON: json.loads decides which
    results = table.column("results")
    if results.null_count:
        return None
    if results.num_chunks == 0:
        return pa.array([], row_type)
    rows = pa.concat_arrays([c.flatten() for c in results.chunks])
    return None if rows.null_count else rows


def int_field(
    row: dict[str, Any], path: str, *, n: int, request_id: str | None, default: int | None = 0
) -> int:
    """An int64 field (sent as a JSON string by the REST mapping); proto3 leaves zeros out."""
    value = get(row, path)
    if value is None:
        if default is None:
            raise PayloadError(
                "missing", platform=PLATFORM, request_id=request_id, row=n, field=path, retryable=False
            )
        return default
    try:
        return int(value)
    except (TypeError, ValueError):
        raise PayloadError(
            f"not an integer: {value!r}",
            platform=PLATFORM,
            request_id=request_id,
            row=n,
            field=path,
            retryable=False,
        ) from None


def get(row: dict[str, Any], path: str) -> Any:
    """`campaign.id` → row["campaign"]["id"] (GAQL names are snake_case, the JSON lowerCamelCase)."""
    node: Any = row
    for part in path.split("."):
        head, *rest = part.split("_")
        key = head + "".join(w.capitalize() for w in rest)
        if not isinstance(node, dict):
            return None
        node = node.get(key)
    return node
