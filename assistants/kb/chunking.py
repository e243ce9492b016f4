"""Split a document by H1–H4 headings, keeping the heading path and the original line range."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from assistants.kb.loaders import Document

MAX_CHARS = 1500
# H1–H4: the seeds put one table per H4, and a table is the natural unit of an answer.
_HEADING = re.compile(r"^(#{1,4})\s+(.+?)\s*#*\s*$")


@dataclass
class Passage:
    """A piece of a knowledge-base document with where it stands (file, heading path, lines): what is stored as a
    chunk and what a search returns as a hit."""

    chunk_id: str
    source_path: str
    title: str
    heading: str
    line_start: int
    line_end: int
    text: str


@dataclass
class Chunk(Passage):
    doc_id: str  # the version of the document the chunk was cut from

    @property
    def embed_text(self) -> str:
        """What the embedder sees: title and heading path give short chunks their context."""
        return f"{self.title}\n{self.heading}\n{self.text}"


def chunk_document(doc: Document, max_chars: int = MAX_CHARS) -> list[Chunk]:
    lines = doc.text.split("\n")
    path: list[str] = []
    sections: list[tuple[str, int, list[str]]] = []  # (heading path, first line index, lines)
    cur: list[str] = []
    cur_start, cur_head = 0, ""
    in_fence = False
    for i, line in enumerate(lines):
        if line.lstrip().startswith("```"):
            in_fence = not in_fence
        m = None if in_fence else _HEADING.match(line)
        if m:
            # A section that is only its heading adds nothing: the heading lives on in its children's path.
            if any(x.strip() for x in (cur[1:] if cur_head else cur)):
                sections.append((cur_head, cur_start, cur))
            level = len(m.group(1))
            path = path[: level - 1] + [re.sub(r"[*_`]", "", m.group(2)).strip()]
            cur_head, cur_start, cur = " > ".join(path), i, [line]
        else:
            cur.append(line)
    if any(x.strip() for x in (cur[1:] if cur_head else cur)):
        sections.append((cur_head, cur_start, cur))

    chunks: list[Chunk] = []
    for head, start, sec_lines in sections:
        piece: list[str] = []
        piece_start = start
        size = 0
        for j, line in enumerate(sec_lines):
            # Split long sections at blank lines (or hard at 2x) so each chunk stays focused.
            if piece and size + len(line) > max_chars and (not line.strip() or size > 2 * max_chars):
                chunks.append(_mk(doc, head, piece_start, piece))
                piece, piece_start, size = [], start + j, 0
            piece.append(line)
            size += len(line) + 1
        if any(x.strip() for x in piece):
            chunks.append(_mk(doc, head, piece_start, piece))
    return chunks


def _mk(doc: Document, head: str, start: int, piece: list[str]) -> Chunk:
    while piece and not piece[-1].strip():
        piece = piece[:-1]
    text = "\n".join(piece).strip()
    first = doc.line_offset + start + 1  # 1-based line numbers in the original file
    last = first + len(piece) - 1
    cid = hashlib.sha256(f"{doc.doc_id}:{first}:{text}".encode()).hexdigest()[:24]
    return Chunk(cid, doc.source_path, doc.title, head or doc.title, first, last, text, doc_id=doc.doc_id)
