"""Read an agency spreadsheet (.xlsx, .xls, .csv) into plain sheets of cell values.

The file type is decided from the bytes, not the name; size and zip-bomb limits are checked before
parsing; merged cells are filled with their top-left value; formulas keep their cached result and
their text (for the injection check).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import threading
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mrm.i18n import carry, explain, refusal, t

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 400 * 1024 * 1024
MAX_CELLS = 5_000_000
# Bounds checked while the sheet is parsed, before any row is allocated: a 5 KB file can reference cell XFD1048576
# or merge A1:XFD1048576, and sizing lists by such a reference would allocate billions of slots.
MAX_ROWS = 200_000
MAX_COLS = 2_000
MAX_MERGED_RANGES = 50_000


class PlanFileError(ValueError):
    """The file cannot be read as a media plan; `code` is stable for tests and the UI, the message is the
    catalogue text `key` (str() in English, `mrm.i18n.explain` in either language)."""

    def __init__(self, code: str, key: str, /, **values: Any) -> None:
        self.code = code
        super().__init__(t(key, "en", **values))
        carry(refusal(ValueError, key, **values), self)

    @property
    def en(self) -> str:
        return explain(self, "en")

    @property
    def ru(self) -> str:
        return explain(self, "ru")


@dataclass
class Sheet:
    name: str
    rows: list[list[Any]]
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # 0-based inclusive r1, c1, r2, c2
    formulas: dict[tuple[int, int], str] = field(default_factory=dict)

    @property
    def width(self) -> int:
        return max((len(r) for r in self.rows), default=0)


@dataclass
class Workbook:
    filename: str
    file_format: str  # 'xlsx' | 'xls' | 'csv'
    sheets: list[Sheet]
    size_bytes: int
    sha256: str = ""


_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_SIGNATURES = [
    (b"%PDF", "PDF"),
    (b"\x89PNG", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"GIF8", "GIF"),
    (b"Rar!", "RAR"),
    (b"7z\xbc\xaf", "7-Zip"),
    (b"\x1f\x8b", "gzip"),
    (b"MZ", "Windows EXE"),
    (b"\x7fELF", "ELF"),
]


def sniff_format(data: bytes, filename: str = "") -> str:
    """'xlsx', 'xls' or 'csv' from the content; PlanFileError for anything else."""
    if data.startswith(b"PK\x03\x04") or data.startswith(b"PK\x05\x06"):
        return "xlsx"
    if data.startswith(_OLE_MAGIC):
        return "xls"
    for magic, what in _SIGNATURES:
        if data.startswith(magic):
            raise PlanFileError("wrong_type", "plan_file_wrong_type", file=filename or "upload", what=what)
    head = data[:4096]
    if b"\x00" in head and not (head.startswith((b"\xff\xfe", b"\xfe\xff"))):
        raise PlanFileError("wrong_type", "plan_file_binary", file=filename or "upload")
    if filename.lower().endswith((".xlsx", ".xlsm", ".xls")):
        raise PlanFileError("wrong_type", "plan_file_text_as_excel", file=filename)
    return "csv"


def read_workbook(source: str | Path | bytes, filename: str | None = None) -> Workbook:
    """Read a spreadsheet from a path or bytes; PlanFileError with a precise reason on failure."""
    import hashlib

    if isinstance(source, (str, Path)):
        path = Path(source)
        filename = filename or path.name
        try:
            size = path.stat().st_size
        except FileNotFoundError:
            raise PlanFileError("not_found", "plan_file_not_found", path=str(path)) from None
        _check_size(size, filename)
        data = path.read_bytes()
    else:
        data = bytes(source)
        filename = filename or "upload"
        _check_size(len(data), filename)
    if not data:
        raise PlanFileError("empty", "plan_file_empty", file=filename)
    digest = hashlib.sha256(data).hexdigest()
    with _recent_lock:
        again = _recent.get((digest, filename))
    if again is not None:
        return again
    fmt = sniff_format(data, filename)
    if fmt == "xlsx":
        sheets = _read_xlsx(data, filename)
    elif fmt == "xls":
        sheets = _read_xls(data, filename)
    else:
        sheets = [_read_csv(data, filename)]
    # Rows are already allocated (each sheet checked its own budget); merged areas count by their declared area
    # against the whole workbook's budget before a single cell is filled.
    cells = sum(len(r) for s in sheets for r in s.rows)
    merged_area = sum((r2 - r1 + 1) * (c2 - c1 + 1) for s in sheets for r1, c1, r2, c2 in s.merged)
    if cells + merged_area > MAX_CELLS:
        raise _too_many_cells(filename, cells + merged_area, merged_area)
    for s in sheets:
        _fill_merged(s)
    wb = Workbook(filename, fmt, sheets, len(data), digest)
    with _recent_lock:
        _recent[(digest, filename)] = wb
        while len(_recent) > _RECENT_MAX:
            _recent.pop(next(iter(_recent)))
    return wb


# The app reads an upload twice: to show its mapping and report, then on Import. The same bytes give the same
# Workbook (nothing downstream changes one), so the last few are kept and handed out again.
_RECENT_MAX = 2
_recent: dict[tuple[str, str], Workbook] = {}
_recent_lock = threading.Lock()


def _check_size(size: int, filename: str) -> None:
    if size > MAX_FILE_BYTES:
        raise PlanFileError(
            "too_big", "plan_file_too_big", file=filename, mb=f"{size / 1024 / 1024:.1f}",
            limit=MAX_FILE_BYTES // 1024 // 1024,
        )  # fmt: skip


def _too_many_cells(where: str, cells: int, merged_area: int = 0) -> PlanFileError:
    if merged_area:
        return PlanFileError(
            "too_big", "plan_file_too_many_cells_merged", where=where, cells=cells, merged=merged_area,
            limit=MAX_CELLS,
        )  # fmt: skip
    return PlanFileError("too_big", "plan_file_too_many_cells", where=where, cells=cells, limit=MAX_CELLS)


def _check_bounds(where: str, r: int, c: int) -> None:
    """A cell or merged corner outside the row/column limits is refused before anything is sized by it."""
    if r >= MAX_ROWS:
        raise PlanFileError(
            "too_big", "plan_file_beyond_row", where=where, cell=f"{column_letter(c)}{r + 1}", limit=MAX_ROWS
        )
    if c >= MAX_COLS:
        raise PlanFileError(
            "too_big", "plan_file_beyond_column", where=where, cell=f"{column_letter(c)}{r + 1}",
            column=column_letter(MAX_COLS - 1), limit=MAX_COLS,
        )  # fmt: skip


def _check_merged(where: str, merged: list[tuple[int, int, int, int]]) -> None:
    """Merged ranges are bounded by count and by area (as they would be filled), not just by their corners."""
    if len(merged) > MAX_MERGED_RANGES:
        raise PlanFileError("too_big", "plan_file_too_many_merged", where=where, limit=MAX_MERGED_RANGES)
    area = 0
    for r1, c1, r2, c2 in merged:
        if r2 < r1 or c2 < c1:
            raise PlanFileError(
                "corrupt", "plan_file_merged_reversed", where=where,
                range=f"{column_letter(c1)}{r1 + 1}:{column_letter(c2)}{r2 + 1}",
            )  # fmt: skip
        area += (r2 - r1 + 1) * (c2 - c1 + 1)
        if area > MAX_CELLS:
            raise _too_many_cells(where, area, area)
        _check_bounds(where, r2, c2)


def _allocate(where: str, cells: dict[tuple[int, int], Any]) -> list[list[Any]]:
    """Rows sized by the sheet's real (non-empty) cells; the padded total is checked before allocating."""
    widths: dict[int, int] = {}
    for r, c in cells:
        if c >= widths.get(r, 0):
            widths[r] = c + 1
    n_rows = max(widths, default=-1) + 1
    padded = sum(widths.values()) + n_rows
    if padded > MAX_CELLS:
        raise _too_many_cells(where, padded)
    rows: list[list[Any]] = [[] for _ in range(n_rows)]
    for r, w in widths.items():
        rows[r] = [None] * w
    for (r, c), v in cells.items():
        rows[r][c] = v
    return rows


def _fill_merged(sheet: Sheet) -> None:
    for r1, c1, r2, c2 in sheet.merged:
        if r1 >= len(sheet.rows):
            continue
        top = sheet.rows[r1]
        value = top[c1] if c1 < len(top) else None
        if value is None:
            continue
        for r in range(r1, min(r2, len(sheet.rows) - 1) + 1):
            row = sheet.rows[r]
            if len(row) <= c2:
                row.extend([None] * (c2 + 1 - len(row)))
            for c in range(c1, c2 + 1):
                if row[c] is None:
                    row[c] = value


# ---------------------------------------------------------------------------------------------
# xlsx
# ---------------------------------------------------------------------------------------------
_MERGE_RE = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="([A-Z]+)(\d+):([A-Z]+)(\d+)"')


def _col_index(letters: bytes | str) -> int:
    n = 0
    for ch in letters.decode() if isinstance(letters, bytes) else letters:
        n = n * 26 + (ord(ch) - 64)
    return n - 1


def column_letter(index: int) -> str:
    """0-based column index -> Excel letters (0 -> A)."""
    out = ""
    n = index + 1
    while n:
        n, rem = divmod(n - 1, 26)
        out = chr(65 + rem) + out
    return out


def _shared_strings(src: Any) -> list[str]:
    """The shared-string table as openpyxl's reader gives it (plain text plus rich-text runs, phonetic runs left
    out), through openpyxl's own guarded XML parser but without building its Text objects: ~5x faster."""
    from openpyxl.xml.constants import SHEET_MAIN_NS
    from openpyxl.xml.functions import iterparse

    si, t, r = (f"{{{SHEET_MAIN_NS}}}{tag}" for tag in ("si", "t", "r"))
    out: list[str] = []
    for _, node in iterparse(src):
        if node.tag == si:
            plain = node.find(t)
            parts = [plain.text or ""] if plain is not None else []
            parts += [x.text or "" for run in node.findall(r) for x in run.findall(t)]
            out.append("".join(parts).replace("x005F_", ""))
            node.clear()
    return out


def _excel_reader() -> type:
    from openpyxl.reader.excel import SHARED_STRINGS, ExcelReader

    class Reader(ExcelReader):  # type: ignore[misc]
        def read_strings(self) -> None:
            ct = self.package.find(SHARED_STRINGS)
            if ct is not None:
                with self.archive.open(ct.PartName[1:]) as src:
                    self.shared_strings = _shared_strings(src)

    return Reader


def _read_xlsx(data: bytes, filename: str) -> list[Sheet]:
    _ExcelReader = _excel_reader()  # noqa: N806 - a class

    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        names = set(zf.namelist())
        # Declared sizes first: testzip() inflates every member, so a bomb must be refused before it runs
        # (zipfile never inflates past a member's declared size, so the check below bounds testzip's work).
        total = sum(i.file_size for i in zf.infolist())
        bad = zf.testzip() if total <= MAX_UNCOMPRESSED_BYTES else None
    except (zipfile.BadZipFile, EOFError, OSError) as exc:
        raise PlanFileError("corrupt", "plan_file_damaged_xlsx", file=filename, error=f"zip: {exc}") from None
    except Exception as exc:  # zlib errors from a truncated member
        raise PlanFileError(
            "corrupt", "plan_file_damaged_xlsx", file=filename, error=f"{type(exc).__name__}: {exc}"
        ) from None
    if bad is not None:
        raise PlanFileError("corrupt", "plan_file_bad_member", file=filename, member=bad)
    if "xl/workbook.xml" not in names:
        raise PlanFileError("wrong_type", "plan_file_zip_not_excel", file=filename)
    if total > MAX_UNCOMPRESSED_BYTES:
        raise PlanFileError(
            "too_big", "plan_file_unpacks_to", file=filename, mb=f"{total / 1024 / 1024:.0f}",
            limit=MAX_UNCOMPRESSED_BYTES // 1024 // 1024,
        )  # fmt: skip
    try:
        reader = _ExcelReader(io.BytesIO(data), read_only=True, keep_vba=False, data_only=False)
        reader.read()
        wb = reader.wb
        sheets: list[Sheet] = []
        for ws in wb.worksheets:
            path = getattr(ws, "_worksheet_path", None)
            if path is None:  # chartsheets and the like carry no cells
                continue
            with wb._archive.open(path) as fh:
                xml = fh.read()
            where = f"{filename} [{ws.title}]"
            merged: list[tuple[int, int, int, int]] = []
            for m in _MERGE_RE.finditer(xml):
                merged.append((int(m[2]) - 1, _col_index(m[1]), int(m[4]) - 1, _col_index(m[3])))
                if len(merged) > MAX_MERGED_RANGES:
                    break
            _check_merged(where, merged)  # before the cells: a merge bomb costs no parsing
            rows, formulas = _parse_sheet_xml(
                xml, ws._shared_strings, wb._date_formats, wb.epoch, where=where
            )
            sheets.append(Sheet(ws.title, rows, merged, formulas))
        wb.close()
    except PlanFileError:
        raise
    except Exception as exc:
        raise PlanFileError(
            "corrupt",
            "plan_file_unreadable",
            file=filename,
            kind="xlsx",
            error=f"{type(exc).__name__}: {exc}",
        ) from None
    return sheets


# Unrolled loops ([^<]* runs in C) instead of lazy '.*?': several times faster on big sheets.
_CELL_RE = re.compile(rb"<c\b([^>]*)>(?:(?<=/>)|([^<]*(?:<(?!/c>)[^<]*)*)</c>)")
_ATTR_RE = re.compile(rb'([\w:]+)="([^"]*)"')
_F_RE = re.compile(rb"<f\b([^>]*?)(?:/>|>(.*?)</f>)", re.S)
_V_RE = re.compile(rb"<v>(.*?)</v>", re.S)
_T_RE = re.compile(rb"<t\b[^>]*>(.*?)</t>", re.S)
_REF_RE = re.compile(rb"([A-Z]+)(\d+)")


def _parse_sheet_xml(
    xml: bytes, shared: Any, date_formats: Any, epoch: Any, *, where: str = "sheet"
) -> tuple[list[list[Any]], dict[tuple[int, int], str]]:
    """One regex pass over a worksheet part: every cell's cached value and, for formulas, their text.

    openpyxl can give either the formula or the cached value per load; reading both that way
    costs two full parses, which is most of the 10,000-line benchmark.
    """
    from html import unescape

    from openpyxl.utils.datetime import from_excel

    cells: dict[tuple[int, int], Any] = {}
    formulas: dict[tuple[int, int], str] = {}
    seq_r, seq_c = 0, -1
    col_cache: dict[bytes, int] = {}
    for m in _CELL_RE.finditer(xml):
        attrs = dict(_ATTR_RE.findall(m[1]))
        ref = attrs.get(b"r")
        if ref:
            rm = _REF_RE.match(ref)
            assert rm is not None
            letters = rm[1]
            c = col_cache.get(letters)
            if c is None:
                c = col_cache[letters] = _col_index(letters)
            r = int(rm[2]) - 1
        else:
            seq_c += 1
            r, c = seq_r, seq_c
        inner = m[2] or b""
        t = attrs.get(b"t", b"n")
        fm = _F_RE.search(inner) if b"<f" in inner else None
        if fm is not None:
            formulas[(r, c)] = "=" + unescape((fm[2] or b"").decode("utf-8"))
        vm = _V_RE.search(inner) if b"<v" in inner else None
        raw = vm[1] if vm else None
        value: Any = None
        if t == b"s":
            value = shared[int(raw)] if raw is not None else None
        elif t == b"inlineStr":
            value = unescape(b"".join(_T_RE.findall(inner)).decode("utf-8"))
        elif t in (b"str", b"e"):
            value = unescape(raw.decode("utf-8")) if raw is not None and t == b"str" else None
        elif t == b"b":
            value = raw == b"1" if raw is not None else None
        elif t == b"d":
            value = dt.datetime.fromisoformat(raw.decode()) if raw else None
        elif raw is not None:
            txt = raw.decode()
            fnum = float(txt)
            num: float | int = (
                int(fnum) if fnum.is_integer() and "e" not in txt.lower() and "." not in txt else fnum
            )
            style = int(attrs.get(b"s", b"0"))
            value = from_excel(num, epoch) if style in date_formats else num
        if value is not None or (r, c) in formulas:
            # Only real cells count: empty styled cells far out (whole formatted columns) size nothing.
            _check_bounds(where, r, c)
            cells[(r, c)] = value
            if len(cells) > MAX_CELLS:
                raise _too_many_cells(where, len(cells))
    return _allocate(where, cells), formulas


# ---------------------------------------------------------------------------------------------
# xls (BIFF)
# ---------------------------------------------------------------------------------------------
def _read_xls(data: bytes, filename: str) -> list[Sheet]:
    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=data, formatting_info=True, on_demand=False)
    except Exception as exc:
        try:
            book = xlrd.open_workbook(file_contents=data, formatting_info=False)
        except Exception:
            raise PlanFileError(
                "corrupt",
                "plan_file_unreadable",
                file=filename,
                kind="xls",
                error=f"{type(exc).__name__}: {exc}",
            ) from None
    sheets = []
    for sh in book.sheets():
        where = f"{filename} [{sh.name}]"
        merged = [(r1, c1, r2 - 1, c2 - 1) for r1, r2, c1, c2 in getattr(sh, "merged_cells", [])]
        _check_merged(where, merged)
        if sh.nrows or sh.ncols:
            _check_bounds(where, sh.nrows - 1, sh.ncols - 1)
        if sh.nrows * sh.ncols > MAX_CELLS:
            raise _too_many_cells(where, sh.nrows * sh.ncols)
        rows: list[list[Any]] = []
        for r in range(sh.nrows):
            vals: list[Any] = []
            for c in range(sh.ncols):
                cell = sh.cell(r, c)
                if cell.ctype == xlrd.XL_CELL_DATE:
                    try:
                        vals.append(xlrd.xldate.xldate_as_datetime(cell.value, book.datemode))
                    except Exception:
                        vals.append(cell.value)
                elif cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
                    vals.append(None)
                elif cell.ctype == xlrd.XL_CELL_ERROR:
                    vals.append(None)
                elif cell.ctype == xlrd.XL_CELL_BOOLEAN:
                    vals.append(bool(cell.value))
                else:
                    vals.append(cell.value)
            rows.append(vals)
        sheets.append(Sheet(sh.name, rows, merged))
    return sheets


# ---------------------------------------------------------------------------------------------
# csv
# ---------------------------------------------------------------------------------------------
def _decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        # Excel "CSV (разделители — запятые)" on Russian Windows writes cp1251.
        return data.decode("cp1251", errors="strict")


def _read_csv(data: bytes, filename: str) -> Sheet:
    try:
        text = _decode(data)
    except UnicodeDecodeError:
        raise PlanFileError("encoding", "plan_file_encoding", file=filename) from None
    sample = text[:20000]
    counts = {d: sum(line.count(d) for line in sample.splitlines()[:50]) for d in ";,\t|"}
    delim = max(counts, key=lambda d: counts[d])
    if counts[delim] == 0:
        delim = ","
    # Every delimiter and line break outside quotes ends one cell: the file's cells, counted once, before the
    # parser builds anything (a file of bare delimiters would otherwise become one row of millions of empty
    # fields). Counting with the quoted text left in can only count more, so that cheaper count decides first.
    if text.count(delim) + text.count("\n") + 1 > MAX_CELLS:
        unquoted = re.sub(r'"[^"]*"', "", text) if '"' in text else text
        cells = unquoted.count(delim) + unquoted.count("\n") + 1
        if cells > MAX_CELLS:
            raise _too_many_cells(filename, cells)
    rows: list[list[Any]] = []
    try:
        for row in csv.reader(io.StringIO(text), delimiter=delim):
            _check_bounds(filename, len(rows), len(row) - 1 if len(row) > MAX_COLS else 0)
            rows.append([(v if v.strip() != "" else None) for v in row])
    except csv.Error as exc:
        raise PlanFileError("corrupt", "plan_file_broken_csv", file=filename, error=str(exc)) from None
    while rows and all(v is None for v in rows[-1]):
        rows.pop()
    return Sheet(Path(filename).stem or "csv", rows)
