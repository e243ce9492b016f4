"""Vector stores: ClickHouse app.kb_chunks (default, hybrid vector + full-text) and Pinecone (optional)."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

from assistants.kb.chunking import Chunk
from assistants.kb.embedder import bilingual_terms, tokens
from assistants.kb.loaders import Document

_COLS = [
    "tenant_id",
    "chunk_id",
    "doc_id",
    "source_path",
    "title",
    "heading",
    "line_start",
    "line_end",
    "text",
    "embedder",
    "embedding",
]


@dataclass
class Hit:
    chunk_id: str
    source_path: str
    title: str
    heading: str
    line_start: int
    line_end: int
    text: str
    score: float

    def as_dict(self) -> dict[str, Any]:
        return {
            "chunk_id": self.chunk_id,
            "source_path": self.source_path,
            "heading": self.heading,
            "line_start": self.line_start,
            "line_end": self.line_end,
            "score": round(self.score, 4),
            "text": self.text,
        }


def _vec_literal(v: Sequence[float]) -> str:
    # The query vector is produced by our embedder (floats only), never user text; it is inlined because a
    # ~10 KB bound array parameter exceeds the URL the HTTP interface accepts. Tenant stays a bound parameter.
    return "[" + ",".join(f"{float(x):.6g}" for x in v) + "]"


class ClickHouseStore:
    name = "clickhouse"

    def __init__(self, ch: Any):
        self.ch = ch

    def existing_doc(self, tenant_id: str, source_path: str) -> str | None:
        rows = self.ch.query(
            "SELECT doc_id FROM app.kb_documents FINAL WHERE tenant_id = {t:String} AND source_path = {p:String} "
            "ORDER BY ingested_at DESC LIMIT 1",
            parameters={"t": tenant_id, "p": source_path},
        ).result_rows
        return rows[0][0] if rows else None

    def upsert(
        self, tenant_id: str, doc: Document, chunks: list[Chunk], vectors: np.ndarray, embedder: str
    ) -> None:
        """Replace the document's chunks: new rows first, then delete the superseded version's rows."""
        if chunks:
            self.ch.insert(
                "app.kb_chunks",
                [
                    [
                        tenant_id,
                        c.chunk_id,
                        c.doc_id,
                        c.source_path,
                        c.title,
                        c.heading,
                        c.line_start,
                        c.line_end,
                        c.text,
                        embedder,
                        vectors[i].tolist(),
                    ]
                    for i, c in enumerate(chunks)
                ],
                column_names=_COLS,
            )
        self.ch.command(
            "DELETE FROM app.kb_chunks WHERE tenant_id = {t:String} AND source_path = {p:String} AND doc_id != {d:String}",
            parameters={"t": tenant_id, "p": doc.source_path, "d": doc.doc_id},
        )
        self.ch.command(
            "DELETE FROM app.kb_documents WHERE tenant_id = {t:String} AND source_path = {p:String} AND doc_id != {d:String}",
            parameters={"t": tenant_id, "p": doc.source_path, "d": doc.doc_id},
        )
        self.ch.insert(
            "app.kb_documents",
            [
                [
                    tenant_id,
                    doc.doc_id,
                    doc.source_path,
                    doc.title,
                    doc.doc_type,
                    doc.language,
                    json.dumps(doc.meta, ensure_ascii=False, default=str),
                    json.dumps(doc.repair, ensure_ascii=False),
                    len(chunks),
                ]
            ],
            column_names=[
                "tenant_id",
                "doc_id",
                "source_path",
                "title",
                "doc_type",
                "language",
                "meta_json",
                "repair_json",
                "n_chunks",
            ],
        )

    def search(
        self,
        tenant_id: str,
        query: str,
        qvec: Sequence[float],
        k: int = 5,
        pool: int = 40,
        source_prefix: str = "",
    ) -> list[Hit]:
        """Hybrid: vector top-`pool` and full-text top-`pool`, fused by reciprocal rank (tenant and source filtered)."""
        flt = "tenant_id = {t:String} AND ({src:String} = '' OR startsWith(source_path, {src:String}))"
        sql = (
            "SELECT chunk_id, source_path, title, heading, line_start, line_end, text, "
            "cosineDistance(embedding, " + _vec_literal(qvec) + ") AS dist "
            "FROM app.kb_chunks FINAL WHERE " + flt + " ORDER BY dist ASC LIMIT {n:UInt32}"
        )
        vec_rows = self.ch.query(
            sql, parameters={"t": tenant_id, "n": pool, "src": source_prefix}
        ).result_rows
        terms = sorted({t for t in tokens(query) if len(t) >= 3})[:24]
        # Prefixes make the full-text side tolerant to Russian inflection (бюджета ~ бюджет).
        # The glossary's words of the other language let a Russian question match an English passage here too.
        prefixes = sorted({t[: max(4, len(t) - 2)] for t in terms} | bilingual_terms(query))
        lex_rows = []
        if prefixes:
            lex_rows = self.ch.query(
                "SELECT chunk_id, source_path, title, heading, line_start, line_end, text, "
                "arraySum(arrayMap(p -> positionCaseInsensitiveUTF8(concat(title, ' ', heading, ' ', text), p) > 0, "
                "{p:Array(String)})) AS hits "
                "FROM app.kb_chunks FINAL WHERE " + flt + " AND hits > 0 "
                "ORDER BY hits DESC, length(text) ASC LIMIT {n:UInt32}",
                parameters={"t": tenant_id, "p": prefixes, "n": pool, "src": source_prefix},
            ).result_rows
        fused: dict[str, float] = {}
        info: dict[str, tuple] = {}
        for rank, r in enumerate(vec_rows):
            fused[r[0]] = fused.get(r[0], 0.0) + 1.0 / (20 + rank) + (1 - float(r[7])) * 0.05
            info[r[0]] = r[:7]
        for rank, r in enumerate(lex_rows):
            fused[r[0]] = fused.get(r[0], 0.0) + 0.7 / (20 + rank)
            info.setdefault(r[0], r[:7])
        best = sorted(fused.items(), key=lambda kv: -kv[1])[:k]
        return [
            Hit(
                cid,
                str(info[cid][1]),
                str(info[cid][2]),
                str(info[cid][3]),
                int(info[cid][4]),
                int(info[cid][5]),
                str(info[cid][6]),
                s,
            )
            for cid, s in best
        ]


class PineconeStore:
    """Pinecone serverless index, one namespace per tenant (isolation enforced by the service, not a filter)."""

    name = "pinecone"

    def __init__(self, api_key: str, index_name: str | None = None, dim: int = 1024):
        from pinecone import Pinecone, ServerlessSpec

        self.pc = Pinecone(api_key=api_key)
        self.index_name = index_name or os.environ.get("PINECONE_INDEX", "mrm-kb")
        if not self.pc.has_index(self.index_name):
            self.pc.create_index(
                name=self.index_name,
                dimension=dim,
                metric="cosine",
                spec=ServerlessSpec(
                    cloud=os.environ.get("PINECONE_CLOUD", "aws"),
                    region=os.environ.get("PINECONE_REGION", "us-east-1"),
                ),
            )
        self.index = self.pc.Index(self.index_name)

    def existing_doc(self, tenant_id: str, source_path: str) -> str | None:
        return None  # Pinecone re-upserts by chunk id, which is itself a content hash: idempotent anyway

    def upsert(
        self, tenant_id: str, doc: Document, chunks: list[Chunk], vectors: np.ndarray, embedder: str
    ) -> None:
        items = [
            {
                "id": c.chunk_id,
                "values": vectors[i].tolist(),
                "metadata": {
                    "tenant_id": tenant_id,
                    "doc_id": c.doc_id,
                    "source_path": c.source_path,
                    "title": c.title,
                    "heading": c.heading,
                    "line_start": c.line_start,
                    "line_end": c.line_end,
                    "text": c.text[:30000],
                    "embedder": embedder,
                },
            }
            for i, c in enumerate(chunks)
        ]
        for i in range(0, len(items), 100):
            self.index.upsert(vectors=items[i : i + 100], namespace=tenant_id)

    def search(
        self,
        tenant_id: str,
        query: str,
        qvec: Sequence[float],
        k: int = 5,
        pool: int = 40,
        source_prefix: str = "",
    ) -> list[Hit]:
        res = self.index.query(
            vector=list(qvec),
            top_k=k if not source_prefix else pool,
            namespace=tenant_id,
            include_metadata=True,
            filter={"tenant_id": {"$eq": tenant_id}},
        )
        hits = []
        for m in res.get("matches", []):
            md = m.get("metadata") or {}
            hits.append(
                Hit(
                    m["id"],
                    md.get("source_path", ""),
                    md.get("title", ""),
                    md.get("heading", ""),
                    int(md.get("line_start", 0)),
                    int(md.get("line_end", 0)),
                    md.get("text", ""),
                    float(m.get("score", 0.0)),
                )
            )
        # Pinecone metadata filters have no prefix match: filter the pool here.
        return [h for h in hits if h.source_path.startswith(source_prefix)][:k]


def default_store(ch: Any) -> ClickHouseStore | PineconeStore:
    key = os.environ.get("PINECONE_API_KEY")
    return PineconeStore(key) if key else ClickHouseStore(ch)


def snippet(text: str, limit: int = 300) -> str:
    return re.sub(r"\s+", " ", text).strip()[:limit]
