"""Document loaders (Markdown with YAML front matter, text, PDF, XLSX) into one Document shape."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml  # type: ignore[import-untyped]

from assistants.kb.mojibake import repair

# Part of every doc_id: bump it when chunking or embedding changes so unchanged files are re-indexed once.
PIPELINE_VERSION = "kb-v6"
SUPPORTED = {".md", ".markdown", ".txt", ".pdf", ".xlsx"}


class LoadError(ValueError):
    """A document could not be read; the message names the file and the reason."""


@dataclass
class Document:
    source_path: str
    text: str  # body after repair; line numbers below refer to the original file
    title: str
    doc_type: str
    language: str
    meta: dict[str, Any] = field(default_factory=dict)
    repair: dict[str, Any] = field(default_factory=dict)
    line_offset: int = 0  # lines of front matter before `text`

    @property
    def doc_id(self) -> str:
        return hashlib.sha256(f"{PIPELINE_VERSION}\n{self.source_path}\n{self.text}".encode()).hexdigest()[
            :32
        ]


def guess_language(text: str) -> str:
    cyr = len(re.findall(r"[А-Яа-яЁё]", text))
    lat = len(re.findall(r"[A-Za-z]", text))
    return "ru" if cyr > 0.3 * (cyr + lat) else "en"


def _front_matter(text: str) -> tuple[dict[str, Any], str, int]:
    m = re.match(r"^---\n(.*?)\n---\n", text, re.S)
    if not m:
        return {}, text, 0
    try:
        meta = yaml.safe_load(m.group(1)) or {}
    except yaml.YAMLError as exc:
        raise LoadError(f"front matter is not valid YAML: {exc}") from exc
    if not isinstance(meta, dict):
        raise LoadError("front matter is not a mapping")
    return meta, text[m.end() :], m.group(0).count("\n")


def load_text_document(text: str, source_path: str, doc_type: str = "markdown") -> Document:
    """Repair mojibake, parse front matter and return the Document (used for files and generated text)."""
    fixed = repair(text)
    meta, body, offset = _front_matter(fixed.text)
    title = str(meta.get("title") or "")
    if not title:
        h = re.search(r"^#\s+(.+)$", body, re.M)
        title = h.group(1).strip() if h else Path(source_path).stem
    return Document(
        source_path=source_path,
        text=body,
        title=title,
        doc_type=str(meta.get("artifact_type") or doc_type),
        language=str(meta.get("language") or guess_language(body)),
        meta=_jsonable(meta),
        repair=fixed.summary() if fixed.changed else {},
        line_offset=offset,
    )


def _jsonable(meta: dict[str, Any]) -> dict[str, Any]:
    return {
        str(k): (v if isinstance(v, str | int | float | bool | list | dict | type(None)) else str(v))
        for k, v in meta.items()
    }


def load_path(path: Path, source_path: str | None = None) -> Document:
    """Load one file by extension; unsupported or unreadable files raise LoadError naming the file."""
    sp = source_path or str(path)
    ext = path.suffix.lower()
    try:
        if ext in (".md", ".markdown", ".txt"):
            raw = path.read_bytes()
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                text = raw.decode("cp1251")  # Russian legacy files
            return load_text_document(text.replace("\r\n", "\n"), sp, "markdown" if ext != ".txt" else "text")
        if ext == ".pdf":
            return _load_pdf(path, sp)
        if ext == ".xlsx":
            return _load_xlsx(path, sp)
    except LoadError as exc:
        raise LoadError(f"{sp}: {exc}") from exc
    except Exception as exc:
        raise LoadError(f"{sp}: cannot read {ext} file: {exc}") from exc
    raise LoadError(f"{sp}: unsupported file type {ext!r} (supported: {sorted(SUPPORTED)})")


def _load_pdf(path: Path, sp: str) -> Document:
    from pypdf import PdfReader

    reader = PdfReader(str(path))
    parts = []
    for i, page in enumerate(reader.pages, start=1):
        parts.append(f"## Page {i}\n{(page.extract_text() or '').strip()}\n")
    text = "\n".join(parts)
    meta: Any = reader.metadata or {}
    title = str(meta.get("/Title") or path.stem)
    return Document(sp, text, title, "pdf", guess_language(text))


def _load_xlsx(path: Path, sp: str) -> Document:
    from openpyxl import load_workbook

    wb = load_workbook(str(path), read_only=True, data_only=True)
    parts = [f"# {path.stem}"]
    for ws in wb.worksheets:
        rows = [r for r in ws.iter_rows(values_only=True) if any(v not in (None, "") for v in r)]
        if not rows:
            continue
        parts.append(f"\n## {ws.title}")
        header = [str(v) if v is not None else "" for v in rows[0]]
        for r in rows[1:]:
            cells = [f"{h}: {v}" for h, v in zip(header, r, strict=False) if v not in (None, "")]
            parts.append(
                "; ".join(cells) if header and any(header) else " | ".join(str(v) for v in r if v is not None)
            )
    wb.close()
    text = "\n".join(parts)
    return Document(sp, text, path.stem, "report", guess_language(text))
