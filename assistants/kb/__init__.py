"""Knowledge base: load (with mojibake repair), chunk by headings, embed offline, store in ClickHouse, answer with citations."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistants.kb.chunking import Chunk, chunk_document
from assistants.kb.embedder import HashingEmbedder, tokens
from assistants.kb.loaders import SUPPORTED, Document, LoadError, load_path, load_text_document
from assistants.kb.store import ClickHouseStore, Hit, default_store, snippet
from mrm.i18n import t

__all__ = [
    "Answer",
    "Chunk",
    "ClickHouseStore",
    "Document",
    "HashingEmbedder",
    "Hit",
    "IndexReport",
    "LoadError",
    "ask",
    "chunk_document",
    "index_documents",
    "index_paths",
    "load_path",
    "load_text_document",
    "search",
]

ANSWER_SCHEMA = {
    "type": "object",
    "properties": {
        "answer": {"type": "string", "description": "The answer, in the question's language."},
        "citations": {"type": "array", "items": {"type": "string"}, "description": "chunk ids relied on"},
    },
    "required": ["answer", "citations"],
}


@dataclass
class IndexReport:
    indexed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    chunks: int = 0
    repaired: dict[str, dict[str, Any]] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


def _iter_files(paths: Iterable[str | Path]) -> list[Path]:
    files: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            files += sorted(
                f
                for f in p.rglob("*")
                if f.is_file()
                and f.suffix.lower() in SUPPORTED
                and not any(part.startswith(".") for part in f.relative_to(p).parts)
            )
        elif p.is_file():
            files.append(p)
        else:
            raise LoadError(f"{p}: no such file or directory")
    return files


def index_documents(
    ch: Any,
    tenant_id: str,
    docs: Iterable[Document],
    store: Any = None,
    embedder: Any = None,
    report: IndexReport | None = None,
) -> IndexReport:
    if not tenant_id:
        raise ValueError("tenant_id is required")
    store = store or default_store(ch)
    embedder = embedder or HashingEmbedder()
    report = report or IndexReport()
    for doc in docs:
        if doc.repair:
            report.repaired[doc.source_path] = doc.repair
        if store.existing_doc(tenant_id, doc.source_path) == doc.doc_id:
            report.unchanged.append(doc.source_path)  # content hash unchanged: nothing to do
            continue
        chunks = chunk_document(doc)
        vecs = embedder.embed([c.embed_text for c in chunks]) if chunks else None
        store.upsert(tenant_id, doc, chunks, vecs, embedder.name)
        report.indexed.append(doc.source_path)
        report.chunks += len(chunks)
    return report


def index_paths(
    client: Any,
    tenant_id: str,
    paths: Iterable[str | Path],
    *,
    store: Any = None,
    base: Path | None = None,
    progress: bool = False,
) -> IndexReport:
    """Index files/directories for one tenant; unchanged documents are skipped, unreadable ones reported loudly."""
    files = _iter_files(paths)
    report = IndexReport()
    docs = []
    it: Iterable[Path] = files
    if progress:
        from tqdm import tqdm

        it = tqdm(files, desc="kb index", unit="file")
    for f in it:
        sp = (
            str(f.resolve().relative_to(base.resolve()))
            if base and f.resolve().is_relative_to(base.resolve())
            else str(f)
        )
        try:
            docs.append(load_path(f, sp))
        except LoadError as exc:
            report.errors[sp] = str(exc)
    index_documents(client, tenant_id, docs, store=store, report=report)
    if report.errors and not docs:
        raise LoadError("; ".join(report.errors.values()))
    return report


def search(
    client: Any, tenant_id: str, query: str, k: int = 5, store: Any = None, source_prefix: str = ""
) -> list[Hit]:
    """Best-first hits of the tenant's chunks; `source_prefix` restricts to documents under a path."""
    if not tenant_id:
        raise ValueError("tenant_id is required")
    if not query.strip():
        raise ValueError("empty query")
    store = store or default_store(client)
    qvec = HashingEmbedder().embed_one(query)
    return store.search(tenant_id, query, qvec, k=k, source_prefix=source_prefix)


@dataclass
class Answer:
    question: str
    answer: str
    citations: list[Hit]
    provider: str
    prompt_version: str
    language: str

    def as_dict(self) -> dict[str, Any]:
        plain = ("question", "answer", "language", "provider", "prompt_version")
        return {k: getattr(self, k) for k in plain} | {"citations": [h.as_dict() for h in self.citations]}


def _offline_answer(question: str, hits: list[Hit], lang: str) -> dict[str, Any]:
    """Extractive answer: the sentences of the top passages that share most terms with the question."""
    if not hits:
        return {"answer": f"[offline] {t('asst_kb_no_answer', lang)}", "citations": []}
    q = set(tokens(question))
    cands = []
    for rank, h in enumerate(hits[:3]):
        for sent in re.split(r"(?<=[.!?])\s+|\n+", h.text):
            s = sent.replace("**", "").strip(" -*#|`")
            if len(s) < 15:
                continue
            overlap = len(q & set(tokens(s)))
            cands.append((overlap - 0.3 * rank, rank, s, h.chunk_id))
    cands.sort(key=lambda c: (-c[0], c[1]))
    picked = cands[:2] if cands else [(0, 0, snippet(hits[0].text, 240), hits[0].chunk_id)]
    lead = t("asst_kb_according", lang)
    text = " ".join(f"{snippet(s, 300)} [{cid}]" for _, _, s, cid in picked)
    return {"answer": f"[offline] {lead} {text}", "citations": list(dict.fromkeys(c[3] for c in picked))}


def ask(
    client: Any,
    tenant_id: str,
    question: str,
    lang: str | None = None,
    *,
    gateway: Any = None,
    k: int = 5,
    store: Any = None,
) -> Answer:
    """Retrieve the tenant's passages and answer with citations (Claude when configured, extractive offline)."""
    from assistants.kb.loaders import guess_language
    from assistants.llm import Gateway, load_prompt

    lang = lang or guess_language(question)
    if lang not in ("ru", "en"):
        raise ValueError(f"lang must be 'ru' or 'en', got {lang!r}")
    hits = search(client, tenant_id, question, k=k, store=store)
    gw = gateway or Gateway.from_env(client)
    prompt = load_prompt("rag_answer")
    context = "\n\n".join(
        f"[{h.chunk_id}] {h.source_path} — {h.heading} (lines {h.line_start}-{h.line_end})\n{h.text[:1500]}"
        for h in hits
    )
    res = gw.structured(
        tenant_id=tenant_id,
        purpose="rag_answer",
        prompt=prompt,
        variables={
            "language_name": "Russian" if lang == "ru" else "English",
            "question": question,
            "context": context or "(no passages)",
        },
        tool_name="submit_answer",
        input_schema=ANSWER_SCHEMA,
        offline=lambda: _offline_answer(question, hits, lang),
    )
    by_id = {h.chunk_id: h for h in hits}
    # Only passages we actually retrieved for this tenant can be cited; anything else the model names is dropped.
    cited = [by_id[c] for c in res.data.get("citations", []) if c in by_id]
    return Answer(question, str(res.data["answer"]), cited, res.label, res.prompt_version, lang)
