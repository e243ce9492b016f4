"""Request bodies of the embedded server: read, decoded within limits, and split into statement and data."""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any
from urllib.parse import parse_qsl

from warehouse.engine import EngineError

SPOOL_IN_MEMORY = 1 << 20  # request bodies above 1 MiB go to disk
# Decoded-size caps. Insert data streams to a file, so its cap guards the disk; a query body is read back whole,
# so its cap guards memory. Both are overridable per install (bytes or e.g. 8G).
MAX_DATA_BODY = 8 << 30
MAX_QUERY_BODY = 64 << 20
TOO_MANY_BYTES = 307
HEAD_BYTES = 1 << 16  # how much of a body we look at to find the statement before the data
INSERT_WITH_DATA = re.compile(
    rb"^\s*(?:/\*.*?\*/\s*|--[^\n]*\n\s*)*INSERT\s+INTO\s+(?P<target>.+?)\s+FORMAT\s+(?P<fmt>[A-Za-z0-9_]+)[ \t]*(?:\r?\n|$)",
    re.IGNORECASE | re.DOTALL,
)
# The same, requiring the line end: used while the body is still arriving.
INSERT_HEAD = re.compile(
    rb"^\s*(?:/\*.*?\*/\s*|--[^\n]*\n\s*)*INSERT\s+INTO\s+(?P<target>.+?)\s+FORMAT\s+(?P<fmt>[A-Za-z0-9_]+)[ \t]*\r?\n",
    re.IGNORECASE | re.DOTALL,
)


class Body:
    """A request body read from the socket, decoded, and split as it arrives.

    For `INSERT ... FORMAT X <data>` the statement is kept and the data streams straight into a file the engine
    reads with file(): the body is never held in memory nor copied twice. Other bodies (queries) stay in memory
    up to 1 MiB and spill to disk beyond.
    """

    def __init__(
        self,
        tmp_dir: Path,
        data_only: bool = False,
        max_data: int = MAX_DATA_BODY,
        max_query: int = MAX_QUERY_BODY,
    ):
        self.tmp_dir = tmp_dir
        self.max_data = max_data
        self.max_query = max_query
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
        limit = self.max_data if self._mode == "data" else self.max_query
        if self.size > limit:
            kind = "insert data" if self._mode == "data" else "a query body"
            raise EngineError(
                f"Code: {TOO_MANY_BYTES}. DB::Exception: the request body (decoded) exceeds the limit "
                f"of {limit} bytes for {kind} (MRM_WAREHOUSE_MAX_BODY / MRM_WAREHOUSE_MAX_QUERY_BODY). "
                "(TOO_MANY_BYTES)",
                TOO_MANY_BYTES,
            )
        if self._mode == "data":
            assert self._fh is not None
            self._fh.write(data)
            return
        if self._mode == "detect":
            self._buf += data
            m = INSERT_HEAD.match(self._buf)
            if m:
                self.statement = bytes(self._buf[: m.end()])
                rest = bytes(self._buf[m.end() :])
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
            if m and not self._buf[m.end() :].strip():
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


DECODED_PIECE = 1 << 20  # the most a decoder hands over at once: a bomb is refused before it fills memory
ZSTD_INPUT_SLICE = 1 << 10  # zstd cannot bound its output per call; 1 KiB of input expands to at most ~32 MiB


class Decoder:
    """Content-Encoding decoding (gzip/deflate, lz4, zstd) in bounded pieces, so the caller can count the decoded
    size and stop a decompression bomb after a few MiB instead of after the whole expansion."""

    def __init__(self, encoding: str):
        encoding = encoding.strip().lower()
        self.encoding = encoding
        self._obj: Any = None
        if encoding in ("", "identity"):
            return
        if encoding == "lz4":
            import lz4.frame

            self._obj = lz4.frame.LZ4FrameDecompressor()
        elif encoding == "zstd":
            import zstandard

            self._obj = zstandard.ZstdDecompressor().decompressobj()
        elif encoding in ("gzip", "deflate"):
            import zlib

            self._obj = zlib.decompressobj(zlib.MAX_WBITS | 32)
        else:
            raise EngineError(
                f"Code: 36. DB::Exception: Unknown Content-Encoding {encoding!r}. (BAD_ARGUMENTS)", 36
            )

    def feed(self, raw: bytes) -> Iterator[bytes]:
        """Decoded pieces of `raw`, each at most DECODED_PIECE bytes (zstd: at most one slice's expansion)."""
        obj = self._obj
        if obj is None:
            yield raw
        elif self.encoding == "lz4":
            out = obj.decompress(raw, max_length=DECODED_PIECE)
            yield out
            while not obj.eof and not obj.needs_input:
                yield obj.decompress(b"", max_length=DECODED_PIECE)
        elif self.encoding == "zstd":
            for at in range(0, len(raw), ZSTD_INPUT_SLICE):
                yield obj.decompress(raw[at : at + ZSTD_INPUT_SLICE])
        else:
            data = raw
            while data:
                yield obj.decompress(data, DECODED_PIECE)
                data = obj.unconsumed_tail

    def flush(self) -> bytes:
        obj = self._obj
        if obj is not None and self.encoding in ("gzip", "deflate", "zstd"):
            return bytes(obj.flush())
        return b""


def _form_fields(content_type: str, raw: bytes) -> dict[str, str]:
    """Fields of a form body (query, param_*, settings); external-data files are not supported."""
    if content_type.startswith("application/x-www-form-urlencoded"):
        return dict(parse_qsl(raw.decode(), keep_blank_values=True))
    import email
    import email.policy

    msg = email.message_from_bytes(
        b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + raw, policy=email.policy.HTTP
    )
    fields: dict[str, str] = {}
    for part in msg.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if part.get_filename():
            raise EngineError(
                "Code: 48. DB::Exception: External data tables are not supported by the embedded "
                "warehouse. (NOT_IMPLEMENTED)",
                48,
            )
        if name:
            payload = part.get_payload(decode=True)
            fields[str(name)] = payload.decode() if isinstance(payload, bytes) else ""
    return fields
