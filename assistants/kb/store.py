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

from assistants.kb.chunking import Chunk, Passage
from assistants.kb.embedder import DIM, bilingual_terms, tokens
from assistants.kb.loaders import Document
from warehouse.rows import delete_rows

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
class Hit(Passage):
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


# Candidate rows, best first: (chunk_id, source_path, title, heading, line_start, line_end, text, ...).
Ranking = list[Sequence[Any]]


class _HybridSearch:
    """The search both stores answer: a vector ranking and a full-text ranking of candidates, fused by rank."""

    pool: int  # candidates per ranking when the caller does not say

    def search(
        self,
        tenant_id: str,
        query: str,
        qvec: Sequence[float],
        k: int = 5,
        pool: int = 0,
        source_prefix: str = "",
    ) -> list[Hit]:
        """The `k` best passages of the tenant (under `source_prefix`); `pool` candidates per ranking (0: the
        store's own)."""
        vec_rows, lex_rows = self._rankings(tenant_id, query, qvec, k, pool or self.pool, source_prefix)
        return fuse(vec_rows, lex_rows, k)

    def _rankings(
        self, tenant_id: str, query: str, qvec: Sequence[float], k: int, pool: int, source_prefix: str
    ) -> tuple[Ranking, Ranking]:
        raise NotImplementedError


class ClickHouseStore(_HybridSearch):
    name = "clickhouse"
    pool = 40

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
        older = {"t": tenant_id, "p": doc.source_path, "d": doc.doc_id}
        for table in ("app.kb_chunks", "app.kb_documents"):
            delete_rows(
                self.ch,
                table,
                "tenant_id = {t:String} AND source_path = {p:String} AND doc_id != {d:String}",
                older,
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

    def _rankings(
        self, tenant_id: str, query: str, qvec: Sequence[float], k: int, pool: int, source_prefix: str
    ) -> tuple[Ranking, Ranking]:
        """Vector top-`pool` and full-text top-`pool` of the tenant's chunks under the source prefix."""
        flt = "tenant_id = {t:String} AND ({src:String} = '' OR startsWith(source_path, {src:String}))"
        sql = (
            "SELECT chunk_id, source_path, title, heading, line_start, line_end, text, "
            "cosineDistance(embedding, " + _vec_literal(qvec) + ") AS dist "
            "FROM app.kb_chunks FINAL WHERE " + flt + " ORDER BY dist ASC LIMIT {n:UInt32}"
        )
        vec_rows = self.ch.query(
            sql, parameters={"t": tenant_id, "n": pool, "src": source_prefix}
        ).result_rows
        prefixes = lexical_prefixes(query)
        lex_rows: Ranking = []
        if prefixes:
            lex_rows = self.ch.query(
                "SELECT chunk_id, source_path, title, heading, line_start, line_end, text, "
                "arraySum(arrayMap(p -> positionCaseInsensitiveUTF8(concat(title, ' ', heading, ' ', text), p) > 0, "
                "{p:Array(String)})) AS hits "
                "FROM app.kb_chunks FINAL WHERE " + flt + " AND hits > 0 "
                "ORDER BY hits DESC, length(text) ASC LIMIT {n:UInt32}",
                parameters={"t": tenant_id, "p": prefixes, "n": pool, "src": source_prefix},
            ).result_rows
        return vec_rows, lex_rows

    def delete_document(self, tenant_id: str, source_path: str) -> None:
        """Forget one document of the tenant: its chunks and its record."""
        params = {"t": tenant_id, "p": source_path}
        for table in ("app.kb_chunks", "app.kb_documents"):
            delete_rows(self.ch, table, "tenant_id = {t:String} AND source_path = {p:String}", params)


def lexical_prefixes(query: str) -> list[str]:
    """What the full-text side looks for: word prefixes (tolerant to Russian inflection: бюджета ~ бюджет)
    plus the glossary's words of the other language, so a Russian question matches an English passage too."""
    terms = sorted({t for t in tokens(query) if len(t) >= 3})[:24]
    return sorted({t[: max(4, len(t) - 2)] for t in terms} | bilingual_terms(query))


def fuse(vec_rows: Sequence[Sequence[Any]], lex_rows: Sequence[Sequence[Any]], k: int) -> list[Hit]:
    """Reciprocal-rank fusion of the vector ranking (rows end with the cosine distance) and the full-text one.

    Rows are (chunk_id, source_path, title, heading, line_start, line_end, text, ...), best first."""
    fused: dict[str, float] = {}
    info: dict[str, Sequence[Any]] = {}
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


class PineconeStore(_HybridSearch):
    """Pinecone serverless index, one namespace per tenant, plus a tenant metadata filter on every read.

    The namespace keeps tenants apart inside the service; the filter is a second, independent check. Each
    chunk's metadata names its document (`doc_id`, `source_path`, `doc_chunks`), so the index itself tells
    whether a document is already stored complete (re-indexing an unchanged file upserts nothing) and which
    chunks a new version supersedes. Retrieval is hybrid like the warehouse's: a vector pool from the service,
    a full-text ranking of that pool's passages, fused by reciprocal rank.
    """

    name = "pinecone"
    pool = 100  # vector candidates per search: the full-text side ranks only what the service returns
    wide_pool = 1000  # the most a query with metadata may ask for, for a prefix the service cannot filter

    def __init__(self, api_key: str, index_name: str | None = None, dim: int = DIM, host: str | None = None):
        from pinecone import Pinecone, ServerlessSpec

        # MRM_PINECONE_HOST: another control plane (a gateway, or the sandbox's emulator); unset = Pinecone's.
        self.pc = Pinecone(api_key=api_key, host=host or os.environ.get("MRM_PINECONE_HOST") or None)
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
        desc = self.pc.describe_index(self.index_name)
        have = _index_dimension(desc)
        if have is not None and have != dim:
            raise ValueError(
                f"Pinecone index {self.index_name!r} has dimension {have}, the embedder makes {dim}: "
                "set PINECONE_INDEX to another index (or delete this one)"
            )
        self.index = self.pc.Index(host=desc.host) if desc.host else self.pc.Index(self.index_name)

    @staticmethod
    def _tenant(tenant_id: str) -> dict[str, Any]:
        return {"tenant_id": {"$eq": tenant_id}}

    def existing_doc(self, tenant_id: str, source_path: str) -> str | None:
        """The stored version of the document, if exactly one version is stored and all its chunks are there."""
        res = self.index.fetch_by_metadata(
            filter={"$and": [self._tenant(tenant_id), {"source_path": {"$eq": source_path}}]},
            namespace=tenant_id,
            limit=10_000,
        )
        versions: dict[str, list[int]] = {}
        for vec in res.vectors.values():
            md = vec.metadata or {}
            versions.setdefault(str(md.get("doc_id")), []).append(int(md.get("doc_chunks", -1)))
        if (res.pagination is not None and res.pagination.next) or len(versions) != 1:
            return None  # none stored, or an interrupted replacement left two versions: index again
        doc_id, counts = next(iter(versions.items()))
        return doc_id if all(n == len(counts) for n in counts) else None

    def upsert(
        self, tenant_id: str, doc: Document, chunks: list[Chunk], vectors: np.ndarray, embedder: str
    ) -> None:
        """Write the document's chunks (ids are content hashes), then delete the chunks of other versions."""
        items = [
            {
                "id": c.chunk_id,
                "values": vectors[i].tolist(),
                "metadata": {
                    "tenant_id": tenant_id,
                    "doc_id": c.doc_id,
                    "doc_chunks": len(chunks),
                    "source_path": c.source_path,
                    "source_dirs": _parent_dirs(c.source_path),
                    "title": c.title,
                    "heading": c.heading,
                    "line_start": c.line_start,
                    "line_end": c.line_end,
                    "text": _clip_utf8(c.text, 30_000),  # Pinecone caps a record's metadata at 40 KB
                    "embedder": embedder,
                },
            }
            for i, c in enumerate(chunks)
        ]
        for i in range(0, len(items), 100):
            self.index.upsert(vectors=items[i : i + 100], namespace=tenant_id, show_progress=False)
        self.index.delete(
            filter={"source_path": {"$eq": doc.source_path}, "doc_id": {"$ne": doc.doc_id}},
            namespace=tenant_id,
        )

    def delete_document(self, tenant_id: str, source_path: str) -> None:
        """Forget one document of the tenant (every version's chunks)."""
        self.index.delete(filter={"source_path": {"$eq": source_path}}, namespace=tenant_id)

    def _query(
        self, tenant_id: str, qvec: Sequence[float], top_k: int, extra: dict[str, Any] | None = None
    ) -> list[Any]:
        flt = {"$and": [self._tenant(tenant_id), extra]} if extra else self._tenant(tenant_id)
        res = self.index.query(
            vector=list(qvec), top_k=top_k, namespace=tenant_id, include_metadata=True, filter=flt
        )
        return list(res.matches)

    def _rankings(
        self, tenant_id: str, query: str, qvec: Sequence[float], k: int, pool: int, source_prefix: str
    ) -> tuple[Ranking, Ranking]:
        # A directory prefix is filtered by the service (every chunk lists its parent directories); any other
        # prefix (part of a name) narrows a wide candidate pool here, as Pinecone filters have no prefix match.
        matches = []
        if source_prefix.rstrip("/"):
            dirs = {"source_dirs": {"$in": [source_prefix.rstrip("/")]}}
            matches = self._query(tenant_id, qvec, max(k, pool), dirs)
        if not matches:
            wide = self.wide_pool if source_prefix else max(k, pool)
            matches = self._query(tenant_id, qvec, wide)
        rows: Ranking = []
        for m in matches:
            md = m.metadata or {}
            if md.get("tenant_id") != tenant_id:
                continue  # never expected: the namespace and the filter both bind the tenant
            rows.append(
                (
                    m.id,
                    str(md.get("source_path", "")),
                    str(md.get("title", "")),
                    str(md.get("heading", "")),
                    int(md.get("line_start", 0)),
                    int(md.get("line_end", 0)),
                    str(md.get("text", "")),
                    1.0 - float(m.score),  # cosine distance, as the warehouse ranks
                )
            )
        rows = [r for r in rows if r[1].startswith(source_prefix)]
        prefixes = [p.lower() for p in lexical_prefixes(query)]
        scored = []
        for r in rows:
            hay = f"{r[2]} {r[3]} {r[6]}".lower()
            hits = sum(p in hay for p in prefixes)
            if hits:
                scored.append((hits, r))
        # The warehouse's shape: the vector top-40 and the full-text top-40 (here: of the service's pool).
        # Ties go to the shorter passage, its length in bytes as the warehouse's length() counts it.
        lex_rows = [r for _, r in sorted(scored, key=lambda hr: (-hr[0], len(hr[1][6].encode())))]
        return rows[:40], lex_rows[:40]


def _index_dimension(desc: Any) -> int | None:
    for f in getattr(getattr(desc, "schema", None), "fields", {}).values():
        if getattr(f, "dimension", None) is not None:
            return int(f.dimension)
    return None


def _parent_dirs(path: str) -> list[str]:
    """`a/b/c.md` → [`a`, `a/b`]; `/t/x.md` → [`/t`] (what a directory `source_prefix` is matched against)."""
    parts = path.split("/")[:-1]
    return [d for d in ("/".join(parts[: i + 1]) for i in range(len(parts))) if d][-50:]


def _clip_utf8(text: str, limit: int) -> str:
    raw = text.encode("utf-8")
    return text if len(raw) <= limit else raw[:limit].decode("utf-8", "ignore")


def default_store(ch: Any) -> ClickHouseStore | PineconeStore:
    key = os.environ.get("PINECONE_API_KEY")
    return PineconeStore(key) if key else ClickHouseStore(ch)


def snippet(text: str, limit: int = 300) -> str:
    return re.sub(r"\s+", " ", text).strip()[:limit]
