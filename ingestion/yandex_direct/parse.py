"""Streaming parser for Direct Reports TSV: title line, column header, rows, `Total rows: N` footer.

Bytes flow from the HTTP stream through a small file-like adapter into pyarrow's streaming CSV reader, so
the report is turned into Arrow record batches block by block and never held whole. The footer is checked
against the rows parsed: a body cut short (no footer or a wrong count) is a `PayloadError`, never a
silently short load.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Iterator, Mapping

import pyarrow as pa
import pyarrow.csv as pacsv

from ingestion.common.errors import PayloadError

PLATFORM = "yandex_direct"
_FOOTER = re.compile(rb"^Total rows: (\d+)\s*$")


class ReportStream(io.RawIOBase):
    """File-like view of a TSV report that strips the title line and holds back the footer line."""

    def __init__(self, chunks: Iterable[bytes]) -> None:
        self._chunks = iter(chunks)
        self._buf = bytearray()
        self._ready = bytearray()
        self._eof = False
        self._started = False
        self.title: str | None = None
        self.footer_rows: int | None = None
        self.bytes_read = 0

    def readable(self) -> bool:
        return True

    def readinto(self, b: memoryview) -> int:  # type: ignore[override]
        # Fill the whole request: pyarrow treats each read as a block, and tiny blocks mean tiny batches.
        while len(self._ready) < len(b) and not self._eof:
            self._pull()
        n = min(len(b), len(self._ready))
        b[:n] = self._ready[:n]
        del self._ready[:n]
        return n

    def _pull(self) -> None:
        chunk = next(self._chunks, None)
        if chunk is None:
            self._eof = True
            tail = bytes(self._buf)
            self._buf.clear()
            lines = tail.splitlines(keepends=True)
            if lines and _FOOTER.match(lines[-1]):
                self.footer_rows = int(_FOOTER.match(lines[-1]).group(1))  # type: ignore[union-attr]
                lines = lines[:-1]
            self._ready += b"".join(lines)
            return
        self.bytes_read += len(chunk)
        self._buf += chunk
        if not self._started:
            if b"\n" not in self._buf:
                return
            self._started = True
            if self._buf.startswith(b'"'):
                end = self._buf.index(b"\n")
                self.title = self._buf[:end].decode("utf-8", "replace").strip()
                del self._buf[: end + 1]
        # Keep the last complete line (maybe the footer) and any partial line back.
        last = self._buf.rfind(b"\n", 0, len(self._buf) - 1)
        if last > 0:
            prev = self._buf.rfind(b"\n", 0, last)
            if prev >= 0:
                self._ready += self._buf[: prev + 1]
                del self._buf[: prev + 1]


def parse_report(
    chunks: Iterable[bytes],
    *,
    column_types: Mapping[str, pa.DataType] | None = None,
    block_size: int = 4 << 20,
    request_id: str | None = None,
    expect_columns: Iterable[str] | None = None,
) -> Iterator[pa.RecordBatch]:
    """Yield record batches of a Direct TSV report; `--` becomes null. Raises PayloadError on any damage."""
    stream = ReportStream(chunks)
    rows = 0
    try:
        reader = pacsv.open_csv(
            stream,
            read_options=pacsv.ReadOptions(block_size=block_size, use_threads=True),
            parse_options=pacsv.ParseOptions(
                delimiter="\t", quote_char=False, escape_char=False, newlines_in_values=False
            ),
            convert_options=pacsv.ConvertOptions(
                column_types=dict(column_types or {}),
                null_values=["--"],
                strings_can_be_null=True,
                check_utf8=True,
            ),
        )
        names = reader.schema.names
        if expect_columns is not None:
            missing = [c for c in expect_columns if c not in names]
            if missing:
                raise PayloadError(
                    f"report lacks columns {missing}; got {names}",
                    platform=PLATFORM,
                    request_id=request_id,
                    retryable=False,
                )
        for batch in reader:
            rows += batch.num_rows
            yield batch
    except pa.ArrowInvalid as exc:
        raise PayloadError(
            f"malformed TSV report after {rows} rows: {_short(exc)}",
            platform=PLATFORM,
            request_id=request_id,
            row=rows + 1,
        ) from exc
    except (
        StopIteration
    ):  # pragma: no cover - pyarrow raises StopIteration on an empty stream in some versions
        pass
    if stream.footer_rows is None:
        raise PayloadError(
            f"report truncated: no 'Total rows' footer after {rows} rows ({stream.bytes_read} bytes)",
            platform=PLATFORM,
            request_id=request_id,
        )
    if stream.footer_rows != rows:
        raise PayloadError(
            f"report says Total rows: {stream.footer_rows} but {rows} rows were parsed",
            platform=PLATFORM,
            request_id=request_id,
        )


def _short(exc: Exception, limit: int = 300) -> str:
    text = str(exc)
    return text if len(text) <= limit else text[:limit] + "…"
