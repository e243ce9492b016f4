"""Streaming parser for METAQL answers: NDJSON lines typed by the ``X-Meta-Column-Types`` header.

The header maps a Garpun type to the columns of that type, e.g. ``{"DATE": ["date"], "LONG": ["clicks"]}``.
Types seen in the official client: UNKNOWN, TEXT, BOOLEAN, PERCENT, DECIMAL, INT, LONG, DATE, TIME, DATETIME.
Dates and datetimes may arrive as ISO strings or as epoch milliseconds (the official client reads with
``date_unit="ms"``); both are accepted. Lines are decoded one at a time, never the whole body.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from decimal import Decimal
from typing import Any

from ingestion.common import PayloadError, parse_decimal

KNOWN_TYPES = ("UNKNOWN", "TEXT", "BOOLEAN", "PERCENT", "DECIMAL", "INT", "LONG", "DATE", "TIME", "DATETIME")
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
PLATFORM = "garpun"


def _bad(message: str) -> PayloadError:
    return PayloadError(message, platform=PLATFORM)


def parse_column_types(header: str | None, request: str = "metaql/query") -> dict[str, str]:
    """Turn the header into ``{column: TYPE}``; a missing, malformed or ambiguous header is an error."""
    if not header:
        raise _bad(f"{request}: response has no X-Meta-Column-Types header; cannot type the stream")
    try:
        decoded = json.loads(header)
    except json.JSONDecodeError as exc:
        raise _bad(f"{request}: X-Meta-Column-Types is not JSON ({exc}): {header[:200]}") from None
    if not isinstance(decoded, Mapping):
        raise _bad(f"{request}: X-Meta-Column-Types is not an object: {header[:200]}")
    types: dict[str, str] = {}
    for type_name, columns in decoded.items():
        if type_name not in KNOWN_TYPES:
            raise _bad(f"{request}: X-Meta-Column-Types has unknown type {type_name!r}")
        if not isinstance(columns, list) or not all(isinstance(c, str) for c in columns):
            raise _bad(f"{request}: X-Meta-Column-Types[{type_name!r}] is not a list of names")
        for column in columns:
            if column in types:
                raise _bad(f"{request}: column {column!r} is typed twice ({types[column]} and {type_name})")
            types[column] = type_name
    return types


def _fail(where: str, value: Any, expected: str) -> PayloadError:
    return _bad(f"{where}: expected {expected}, got {str(value)[:80]!r}")


def _text(value: Any, where: str) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        return str(value)  # ids typed TEXT sometimes arrive as bare numbers
    raise _fail(where, value, "TEXT")


def _boolean(value: Any, where: str) -> bool:
    if isinstance(value, bool):
        return value
    if value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise _fail(where, value, "BOOLEAN")


def _decimal(value: Any, where: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | Decimal | str):
        raise _fail(where, value, "DECIMAL")
    try:
        out = parse_decimal(str(value), platform=PLATFORM)
    except PayloadError:
        raise _fail(where, value, "DECIMAL") from None
    if out is None:
        raise _fail(where, value, "DECIMAL (empty string)")
    return out


def _integer(value: Any, where: str) -> int:
    if isinstance(value, bool):
        raise _fail(where, value, "INT/LONG")
    if isinstance(value, int):
        return value
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    raise _fail(where, value, "INT/LONG")


def _epoch_ms(value: Any, where: str) -> dt.datetime:
    ms = _integer(value, where)
    return _EPOCH + dt.timedelta(milliseconds=ms)


def _date(value: Any, where: str) -> dt.date:
    if isinstance(value, str) and not value.strip().lstrip("-").isdigit():
        try:
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            raise _fail(where, value, "DATE (YYYY-MM-DD or epoch ms)") from None
    return _epoch_ms(value, where).date()


def _time(value: Any, where: str) -> dt.time:
    if isinstance(value, str) and ":" in value:
        try:
            return dt.time.fromisoformat(value)
        except ValueError:
            raise _fail(where, value, "TIME (HH:MM:SS or ms since midnight)") from None
    ms = _integer(value, where)
    if not 0 <= ms < 86_400_000:
        raise _fail(where, value, "TIME within one day")
    return (dt.datetime.min + dt.timedelta(milliseconds=ms)).time()


def _datetime(value: Any, where: str) -> dt.datetime:
    if isinstance(value, str) and not value.strip().lstrip("-").isdigit():
        try:
            parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise _fail(where, value, "DATETIME (ISO 8601 or epoch ms)") from None
        # A zone-less datetime is taken as UTC, the zone of the epoch-ms variant.
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
    return _epoch_ms(value, where)


CONVERTERS: dict[str, Callable[[Any, str], Any]] = {
    "UNKNOWN": lambda value, where: value,
    "TEXT": _text,
    "BOOLEAN": _boolean,
    "PERCENT": _decimal,
    "DECIMAL": _decimal,
    "INT": _integer,
    "LONG": _integer,
    "DATE": _date,
    "TIME": _time,
    "DATETIME": _datetime,
}


def iter_lines(
    chunks: Iterable[bytes], *, require_final_newline: bool = False, request: str = "metaql/query"
) -> Iterator[bytes]:
    """Split a byte stream into lines without holding more than one partial line in memory.

    With ``require_final_newline`` a stream whose last line is not newline-terminated is refused: NDJSON has
    no trailer, so an unterminated last line is the one sign of a body cut in transit that still decodes.
    """
    pending = b""
    for chunk in chunks:
        pending += chunk
        *lines, pending = pending.split(b"\n")
        yield from lines
    if pending:
        if require_final_newline:
            raise _bad(
                f"{request}: the stream ends without a newline after {len(pending)} bytes "
                f"({pending[:80]!r}); body truncated?"
            )
        yield pending


def iter_records(
    lines: Iterable[bytes | str], column_types: Mapping[str, str], request: str = "metaql/query"
) -> Iterator[dict[str, Any]]:
    """Decode and type each NDJSON line; a bad line or value raises naming the line number and column."""
    for number, line in enumerate(lines, start=1):
        try:
            text = line.decode("utf-8") if isinstance(line, bytes) else line
            if not text.strip():
                continue
            record = json.loads(text, parse_float=Decimal)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise _bad(
                f"{request}: line {number} is not valid JSON ({exc.__class__.__name__}: {exc}); "
                f"stream truncated or garbled: {line[:120]!r}"
            ) from None
        if not isinstance(record, dict):
            raise _bad(f"{request}: line {number} is not a JSON object: {text[:120]!r}")
        typed: dict[str, Any] = {}
        for column, value in record.items():
            type_name = column_types.get(column)
            if type_name is None:
                raise _bad(
                    f"{request}: line {number} has column {column!r} that X-Meta-Column-Types does not type"
                )
            typed[column] = (
                None
                if value is None
                else CONVERTERS[type_name](
                    value, f"{request}: line {number}, column {column!r} ({type_name})"
                )
            )
        yield typed
