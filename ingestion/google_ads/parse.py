"""googleAds:searchStream bodies: a JSON array of batches `{"results": [...], "requestId"}` read element by element
from the HTTP stream (never held whole), and GAQL rows → typed values. An `{"error": ...}` element is the server
giving up part-way (partial failure): the rows before it must not be loaded alone."""

from __future__ import annotations

import codecs
import itertools
import json
from collections.abc import Iterable, Iterator
from typing import Any

from ingestion.common.errors import ApiError, PayloadError
from ingestion.google_ads.client import RETRY_STATUSES, failure_of
from ingestion.google_ads.settings import PLATFORM

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


def stream_results(
    chunks: Iterable[bytes], *, request_id: str | None = None
) -> Iterator[list[dict[str, Any]]]:
    """The `results` of each batch; an error element raises (retryable statuses as a PayloadError, so the whole
    window is fetched again; anything else as a loud ApiError)."""
    for element in iter_array(chunks, request_id=request_id):
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
            raise PayloadError(
                "searchStream batch has no results list", platform=PLATFORM, request_id=request_id
            )
        yield results


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
