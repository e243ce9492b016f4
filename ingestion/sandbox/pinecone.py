"""Pinecone API emulator (API version 2026-07), for the knowledge base's `PineconeStore`.

Control plane under `/pinecone`: `GET|POST /indexes`, `GET|DELETE /indexes/{name}`. Each index's data plane
lives under `/pinecone/data/{name}` and `describe` returns that URL as the index's `host`, so the official
client finds it as it finds a real index: `POST /vectors/upsert`, `POST /query` (metadata filters with `$eq`,
`$ne`, `$gt`, `$gte`, `$lt`, `$lte`, `$in`, `$nin`, `$exists`, `$and`, `$or`), `GET /vectors/fetch`,
`POST /vectors/fetch_by_metadata`, `POST /vectors/delete` (ids, filter or everything), `POST
/describe_index_stats`, `GET /namespaces`, `DELETE /namespaces/{ns}`. Search is exact (numpy) in the index's
metric: cosine and dot product score higher-is-better, euclidean is the squared distance, lower first.

Every request needs the header `Api-Key: sandbox-pinecone-key`; an `X-Pinecone-Api-Version` other than 2026-07
(the shapes served here) is refused. Errors have Pinecone's shapes: the control plane
answers `{"error": {"code", "message"}, "status"}`, the data plane `{"code", "message", "details"}` (gRPC codes).
State lives in the sandbox process and is cleared by `reset`. Faults: the sandbox's `http_429` / `http_5xx`
(answered in the control plane's shape, which the client retries) and the other transport faults.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

import numpy as np

from ingestion.sandbox.server import EmulatorApi, Request, Response, Route

API_KEY = "sandbox-pinecone-key"
API_VERSION = "2026-07"  # the request and response shapes served; a request naming another version is refused
MAX_UPSERT_VECTORS = 1000
MAX_REQUEST_BYTES = 2 * 1024 * 1024
MAX_METADATA_BYTES = 40 * 1024
MAX_TOP_K = 10_000
_NAME = re.compile(r"[a-z0-9]([a-z0-9-]{0,43}[a-z0-9])?\Z")
_METRICS = ("cosine", "dotproduct", "euclidean")
# gRPC status codes the data plane puts in its error bodies.
_GRPC = {400: 3, 404: 5, 401: 16, 403: 7, 413: 3, 429: 8, 500: 13, 503: 14}
_CONTROL_CODES = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    409: "ALREADY_EXISTS",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
}


class PineconeError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass
class Namespace:
    """Vectors of one namespace: id → row in a matrix kept in step with the ids and metadata."""

    dim: int
    ids: list[str] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)
    meta: list[dict[str, Any]] = field(default_factory=list)
    matrix: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=np.float32))

    def __post_init__(self) -> None:
        self.matrix = np.zeros((0, self.dim), dtype=np.float32)

    def upsert(self, items: list[tuple[str, np.ndarray, dict[str, Any]]]) -> None:
        items = list(
            {vid: (vid, vec, md) for vid, vec, md in items}.values()
        )  # an id given twice: the last wins
        new = [(vid, vec, md) for vid, vec, md in items if vid not in self.rows]
        for vid, vec, md in items:
            if vid in self.rows:
                self.matrix[self.rows[vid]] = vec
                self.meta[self.rows[vid]] = md
        if new:
            for vid, _vec, md in new:
                self.rows[vid] = len(self.ids)
                self.ids.append(vid)
                self.meta.append(md)
            self.matrix = np.vstack([self.matrix, np.stack([v for _, v, _ in new])])

    def delete(self, ids: set[str]) -> None:
        keep = [i for i, vid in enumerate(self.ids) if vid not in ids]
        self.ids = [self.ids[i] for i in keep]
        self.meta = [self.meta[i] for i in keep]
        self.matrix = self.matrix[keep]
        self.rows = {vid: i for i, vid in enumerate(self.ids)}

    def matching(self, flt: dict[str, Any] | None) -> list[int]:
        return [i for i, md in enumerate(self.meta) if flt is None or matches(md, flt)]

    def record(self, i: int, values: bool = True, metadata: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.ids[i]}
        out["values"] = [float(x) for x in self.matrix[i]] if values else []
        if metadata and self.meta[i]:
            out["metadata"] = self.meta[i]
        return out


@dataclass
class IndexState:
    name: str
    dim: int
    metric: str
    cloud: str
    region: str
    deletion_protection: str = "disabled"
    tags: dict[str, str] | None = None
    namespaces: dict[str, Namespace] = field(default_factory=dict)
    upserted: int = 0  # vectors written since creation (tests read it: an idempotent re-index writes none)


# ----------------------------------------------------------------------------------------------- filters
def _cmp(value: Any, op: str, arg: Any) -> bool:
    if op == "$eq":
        return value == arg if not isinstance(value, list) else arg in value
    if op == "$ne":
        return value != arg if not isinstance(value, list) else arg not in value
    if op == "$in":
        return (value in arg) if not isinstance(value, list) else any(v in arg for v in value)
    if op == "$nin":
        return (value not in arg) if not isinstance(value, list) else not any(v in arg for v in value)
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return False  # range operators compare numbers only
    return {"$gt": value > arg, "$gte": value >= arg, "$lt": value < arg, "$lte": value <= arg}[op]


_OPS = ("$eq", "$ne", "$gt", "$gte", "$lt", "$lte", "$in", "$nin", "$exists")


def check_filter(flt: Any, where: str = "filter") -> None:
    """Reject a malformed filter with a message naming the offending part (as the service does, 400)."""
    if not isinstance(flt, dict) or not flt:
        raise PineconeError(400, f"{where}: a filter must be a non-empty object")
    for key, cond in flt.items():
        if key in ("$and", "$or"):
            if not isinstance(cond, list) or not cond:
                raise PineconeError(400, f"{where}.{key}: expected a non-empty array of filters")
            for i, sub in enumerate(cond):
                check_filter(sub, f"{where}.{key}[{i}]")
        elif key.startswith("$"):
            raise PineconeError(400, f"{where}: unknown top-level operator {key!r}")
        elif isinstance(cond, dict):
            for op, arg in cond.items():
                if op not in _OPS:
                    raise PineconeError(
                        400, f"{where}.{key}: unknown operator {op!r}; known: {', '.join(_OPS)}"
                    )
                if op in ("$in", "$nin") and not isinstance(arg, list):
                    raise PineconeError(400, f"{where}.{key}.{op}: expected an array")
                if op in ("$gt", "$gte", "$lt", "$lte") and (
                    isinstance(arg, bool) or not isinstance(arg, (int, float))
                ):
                    raise PineconeError(400, f"{where}.{key}.{op}: expected a number")
                if op == "$exists" and not isinstance(arg, bool):
                    raise PineconeError(400, f"{where}.{key}.$exists: expected true or false")
        elif not isinstance(cond, (str, int, float, bool)):
            raise PineconeError(400, f"{where}.{key}: expected a value or an operator object")


def matches(md: dict[str, Any], flt: dict[str, Any]) -> bool:
    """Does a record's metadata satisfy a (checked) filter? Every top-level condition must hold."""
    for key, cond in flt.items():
        if key == "$and":
            ok = all(matches(md, sub) for sub in cond)
        elif key == "$or":
            ok = any(matches(md, sub) for sub in cond)
        else:
            ops = cond if isinstance(cond, dict) else {"$eq": cond}
            ok = True
            for op, arg in ops.items():
                if op == "$exists":
                    ok = (key in md) == arg
                elif key not in md:
                    ok = op in ("$ne", "$nin")  # an absent field is unequal to anything
                else:
                    ok = _cmp(md[key], op, arg)
                if not ok:
                    break
        if not ok:
            return False
    return True


def _metadata(raw: Any, vid: str) -> dict[str, Any]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise PineconeError(400, f"vector {vid!r}: metadata must be an object")
    for k, v in raw.items():
        ok = isinstance(v, (str, int, float, bool)) or (
            isinstance(v, list) and all(isinstance(x, str) for x in v)
        )
        if not ok:
            raise PineconeError(
                400,
                f"vector {vid!r}: metadata field {k!r} has a value of type {type(v).__name__}; "
                "allowed: string, number, boolean, list of strings",
            )
    size = len(json.dumps(raw, ensure_ascii=False).encode("utf-8"))
    if size > MAX_METADATA_BYTES:
        raise PineconeError(
            400,
            f"vector {vid!r}: metadata size is {size} bytes, over the limit of {MAX_METADATA_BYTES} bytes",
        )
    return raw


# ----------------------------------------------------------------------------------------------- the API
class PineconeApi(EmulatorApi):
    name = "pinecone"

    def __init__(self, ctx: Any) -> None:
        super().__init__(ctx)
        self._lock = threading.RLock()

    @property
    def indexes(self) -> dict[str, IndexState]:
        with self.ctx.lock:
            return self.ctx.state.setdefault("pinecone", {})

    def host(self, name: str) -> str:
        return f"{self.ctx.base_url}/{self.name}/data/{name}"

    def routes(self) -> list[Route]:
        control = [
            ("GET", r"/indexes", self.list_indexes),
            ("POST", r"/indexes", self.create_index),
            ("GET", r"/indexes/(?P<name>[^/]+)", self.describe_index),
            ("DELETE", r"/indexes/(?P<name>[^/]+)", self.delete_index),
        ]
        data = [
            ("POST", r"/vectors/upsert", self.upsert),
            ("POST", r"/query", self.query),
            ("GET", r"/vectors/fetch", self.fetch),
            ("POST", r"/vectors/fetch_by_metadata", self.fetch_by_metadata),
            ("POST", r"/vectors/delete", self.delete),
            ("POST", r"/describe_index_stats", self.stats),
            ("GET", r"/namespaces", self.list_namespaces),
            ("DELETE", r"/namespaces/(?P<ns>[^/]+)", self.delete_namespace),
        ]
        return [Route(m, p, self._control(h)) for m, p, h in control] + [
            Route(m, r"/data/(?P<index>[^/]+)" + p, self._data(h)) for m, p, h in data
        ]

    # -- errors and wrapping --------------------------------------------------------------------------
    def error_response(
        self, status: int, kind: str, message: str, *, retry_after: float | None = None
    ) -> Response:
        """Control-plane shape; also what a throttled or failing data-plane request carries in this sandbox."""
        headers = {"Retry-After": str(int(retry_after))} if retry_after is not None else {}
        code = _CONTROL_CODES.get(status, "UNKNOWN")
        return Response.json({"error": {"code": code, "message": message}, "status": status}, status, headers)

    def _data_error(self, status: int, message: str) -> Response:
        return Response.json({"code": _GRPC.get(status, 2), "message": message, "details": []}, status)

    def _refusal(self, req: Request) -> tuple[int, str] | None:
        if req.header("api-key") != API_KEY:
            return 401, "Invalid API Key"
        version = req.header("x-pinecone-api-version")
        if version is not None and version != API_VERSION:
            return 400, f"X-Pinecone-Api-Version {version!r}: this sandbox serves API version {API_VERSION}"
        return None

    def _control(self, handler: Any) -> Any:
        def run(req: Request, m: re.Match[str]) -> Response:
            refused = self._refusal(req)
            if refused is not None:
                return self.error_response(refused[0], "", refused[1])
            try:
                with self._lock:
                    return handler(req, m)
            except PineconeError as exc:
                return self.error_response(exc.status, "", exc.message)

        return run

    def _data(self, handler: Any) -> Any:
        def run(req: Request, m: re.Match[str]) -> Response:
            refused = self._refusal(req)
            if refused is not None:
                return self._data_error(*refused)
            if len(req.body) > MAX_REQUEST_BYTES:
                return self._data_error(
                    413,
                    f"request size {len(req.body)} bytes exceeds the maximum of {MAX_REQUEST_BYTES} bytes",
                )
            try:
                with self._lock:
                    idx = self.indexes.get(m["index"])
                    if idx is None:
                        raise PineconeError(404, f"index {m['index']!r} not found")
                    body = req.json() if req.method == "POST" else None
                    if req.method == "POST" and not isinstance(body, dict):
                        raise PineconeError(400, "request body must be a JSON object")
                    return handler(req, m, idx, body or {})
            except PineconeError as exc:
                return self._data_error(exc.status, exc.message)
            except json.JSONDecodeError as exc:
                return self._data_error(400, f"request body is not JSON: {exc}")

        return run

    # -- control plane --------------------------------------------------------------------------------
    def model(self, idx: IndexState) -> dict[str, Any]:
        return {
            "name": idx.name,
            "host": self.host(idx.name),
            "status": {"ready": True, "state": "Ready"},
            "schema": {
                "fields": {"_values": {"type": "dense_vector", "dimension": idx.dim, "metric": idx.metric}}
            },
            "deployment": {"deployment_type": "managed", "cloud": idx.cloud, "region": idx.region},
            "deletion_protection": idx.deletion_protection,
            "tags": idx.tags,
        }

    def list_indexes(self, req: Request, _m: re.Match[str]) -> Response:
        return Response.json({"indexes": [self.model(i) for i in self.indexes.values()]})

    def describe_index(self, req: Request, m: re.Match[str]) -> Response:
        idx = self.indexes.get(m["name"])
        if idx is None:
            raise PineconeError(404, f"Resource {m['name']} not found")
        return Response.json(self.model(idx))

    def delete_index(self, req: Request, m: re.Match[str]) -> Response:
        idx = self.indexes.get(m["name"])
        if idx is None:
            raise PineconeError(404, f"Resource {m['name']} not found")
        if idx.deletion_protection == "enabled":
            raise PineconeError(403, f"Deletion protection is enabled for index {idx.name!r}")
        del self.indexes[idx.name]
        return Response(202)

    def create_index(self, req: Request, _m: re.Match[str]) -> Response:
        body = req.json() or {}
        name = body.get("name")
        if not isinstance(name, str) or not _NAME.match(name):
            raise PineconeError(
                400,
                f"name {name!r}: 1-45 characters, lowercase letters, digits and hyphens, no leading hyphen",
            )
        if name in self.indexes:
            raise PineconeError(409, f"Resource {name} already exists")
        fields = (body.get("schema") or {}).get("fields") or {}
        dense = [(k, f) for k, f in fields.items() if isinstance(f, dict) and f.get("type") == "dense_vector"]
        if len(dense) != 1 or len(fields) != 1:
            raise PineconeError(400, "schema.fields: this sandbox serves one dense_vector field (`_values`)")
        fname, spec = dense[0]
        dim, metric = spec.get("dimension"), spec.get("metric", "cosine")
        if not isinstance(dim, int) or isinstance(dim, bool) or not 1 <= dim <= 20000:
            raise PineconeError(
                400, f"schema.fields.{fname}.dimension: an integer from 1 to 20000, got {dim!r}"
            )
        if metric not in _METRICS:
            raise PineconeError(
                400, f"schema.fields.{fname}.metric: one of {', '.join(_METRICS)}, got {metric!r}"
            )
        dep = body.get("deployment") or {"deployment_type": "managed", "cloud": "aws", "region": "us-east-1"}
        if dep.get("deployment_type") != "managed":
            raise PineconeError(
                400, "deployment.deployment_type: this sandbox serves managed (serverless) indexes"
            )
        dp = body.get("deletion_protection", "disabled")
        if dp not in ("enabled", "disabled"):
            raise PineconeError(400, f"deletion_protection: 'enabled' or 'disabled', got {dp!r}")
        idx = IndexState(
            name, dim, metric, str(dep.get("cloud")), str(dep.get("region")), dp, body.get("tags")
        )
        self.indexes[name] = idx
        return Response.json(self.model(idx), 201)

    # -- data plane -----------------------------------------------------------------------------------
    def _vector(self, idx: IndexState, raw: Any, where: str) -> np.ndarray:
        if not isinstance(raw, list) or not all(
            isinstance(x, (int, float)) and not isinstance(x, bool) for x in raw
        ):
            raise PineconeError(400, f"{where}: values must be an array of numbers")
        if len(raw) != idx.dim:
            raise PineconeError(
                400,
                f"{where}: vector dimension {len(raw)} does not match the dimension of the index {idx.dim}",
            )
        vec = np.asarray(raw, dtype=np.float32)
        if not np.isfinite(vec).all():
            raise PineconeError(400, f"{where}: values must be finite numbers")
        if idx.metric == "cosine" and not vec.any():
            raise PineconeError(400, f"{where}: dense vectors must contain at least one non-zero value")
        return vec

    @staticmethod
    def _namespace(body: dict[str, Any] | None, req: Request | None = None) -> str:
        ns = (body or {}).get("namespace") if body is not None else None
        if req is not None and ns is None:
            ns = req.arg("namespace")
        if ns is None:
            return ""
        if not isinstance(ns, str):
            raise PineconeError(400, "namespace must be a string")
        return ns

    def upsert(self, req: Request, _m: Any, idx: IndexState, body: dict[str, Any]) -> Response:
        vectors = body.get("vectors")
        if not isinstance(vectors, list) or not vectors:
            raise PineconeError(400, "vectors: a non-empty array is required")
        if len(vectors) > MAX_UPSERT_VECTORS:
            raise PineconeError(
                400, f"vectors: {len(vectors)} in one request, the maximum is {MAX_UPSERT_VECTORS}"
            )
        items = []
        for i, v in enumerate(vectors):
            vid = v.get("id") if isinstance(v, dict) else None
            if not isinstance(vid, str) or not vid or len(vid) > 512:
                raise PineconeError(400, f"vectors[{i}].id: a non-empty string of at most 512 characters")
            items.append(
                (
                    vid,
                    self._vector(idx, v.get("values"), f"vectors[{i}] ({vid})"),
                    _metadata(v.get("metadata"), vid),
                )
            )
        ns = self._namespace(body)
        idx.namespaces.setdefault(ns, Namespace(idx.dim)).upsert(items)
        idx.upserted += len(items)
        return Response.json({"upsertedCount": len(items)})

    def _scores(self, idx: IndexState, space: Namespace, rows: list[int], q: np.ndarray) -> np.ndarray:
        mat = space.matrix[rows]
        if idx.metric == "euclidean":
            return ((mat - q) ** 2).sum(axis=1)
        dots = mat @ q
        if idx.metric == "dotproduct":
            return dots
        norms = np.linalg.norm(mat, axis=1) * float(np.linalg.norm(q))
        return dots / np.where(norms == 0, 1.0, norms)

    def query(self, req: Request, _m: Any, idx: IndexState, body: dict[str, Any]) -> Response:
        top_k = body.get("topK")
        if not isinstance(top_k, int) or isinstance(top_k, bool) or not 1 <= top_k <= MAX_TOP_K:
            raise PineconeError(400, f"topK: an integer from 1 to {MAX_TOP_K}, got {top_k!r}")
        flt = body.get("filter")
        if flt is not None:
            check_filter(flt)
        ns = self._namespace(body)
        space = idx.namespaces.get(ns) or Namespace(idx.dim)
        if ("vector" in body) == ("id" in body):
            raise PineconeError(400, "exactly one of vector and id is required")
        if "id" in body:
            row = space.rows.get(body["id"])
            if row is None:
                raise PineconeError(400, f"id {body['id']!r}: no such vector in namespace {ns!r}")
            q = space.matrix[row]
        else:
            q = self._vector(idx, body["vector"], "vector")
        rows = space.matching(flt)
        matches_out: list[dict[str, Any]] = []
        if rows:
            scores = self._scores(idx, space, rows, q)
            order = np.argsort(scores if idx.metric == "euclidean" else -scores, kind="stable")[:top_k]
            for j in order:
                rec = space.record(
                    rows[j], bool(body.get("includeValues")), bool(body.get("includeMetadata"))
                )
                matches_out.append(rec | {"score": float(scores[j])})
        return Response.json(
            {"matches": matches_out, "namespace": ns, "usage": {"readUnits": 1 + len(rows) // 1000}}
        )

    def fetch(self, req: Request, _m: Any, idx: IndexState, _body: dict[str, Any]) -> Response:
        ids = req.query.get("ids") or []
        if not ids:
            raise PineconeError(400, "ids: at least one id is required")
        ns = self._namespace(None, req)
        space = idx.namespaces.get(ns) or Namespace(idx.dim)
        found = {vid: space.record(space.rows[vid]) for vid in ids if vid in space.rows}
        return Response.json({"vectors": found, "namespace": ns, "usage": {"readUnits": 1}})

    def fetch_by_metadata(self, req: Request, _m: Any, idx: IndexState, body: dict[str, Any]) -> Response:
        flt = body.get("filter")
        check_filter(flt)
        limit = body.get("limit", 100)
        if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= 10_000:
            raise PineconeError(400, f"limit: an integer from 1 to 10000, got {limit!r}")
        token = body.get("paginationToken") or "0"
        if not str(token).isdigit():
            raise PineconeError(400, f"paginationToken {token!r} is not one this index issued")
        ns = self._namespace(body)
        space = idx.namespaces.get(ns) or Namespace(idx.dim)
        rows = space.matching(flt)
        start = int(token)
        page = rows[start : start + limit]
        out: dict[str, Any] = {
            "vectors": {space.ids[i]: space.record(i) for i in page},
            "namespace": ns,
            "usage": {"readUnits": 1},
        }
        if start + limit < len(rows):
            out["pagination"] = {"next": str(start + limit)}
        return Response.json(out)

    def delete(self, req: Request, _m: Any, idx: IndexState, body: dict[str, Any]) -> Response:
        ns = self._namespace(body)
        ids, flt, everything = body.get("ids"), body.get("filter"), bool(body.get("deleteAll"))
        if sum(x is not None and x is not False for x in (ids, flt, everything or None)) != 1:
            raise PineconeError(400, "exactly one of ids, filter and deleteAll is required")
        space = idx.namespaces.get(ns)
        if space is None:
            return Response.json({})
        if everything:
            del idx.namespaces[ns]
            return Response.json({})
        if ids is not None:
            if not isinstance(ids, list) or not all(isinstance(x, str) for x in ids) or len(ids) > 1000:
                raise PineconeError(400, "ids: an array of at most 1000 strings")
            space.delete(set(ids))
        else:
            check_filter(flt)
            space.delete({space.ids[i] for i in space.matching(flt)})
        return Response.json({})

    def stats(self, req: Request, _m: Any, idx: IndexState, body: dict[str, Any]) -> Response:
        flt = body.get("filter")
        if flt is not None:
            check_filter(flt)
        counts = {ns: len(s.matching(flt)) for ns, s in idx.namespaces.items() if s.ids}
        return Response.json(
            {
                "namespaces": {ns: {"vectorCount": n} for ns, n in counts.items()},
                "dimension": idx.dim,
                "indexFullness": 0.0,
                "totalVectorCount": sum(counts.values()),
                "metric": idx.metric,
                "vectorType": "dense",
            }
        )

    def list_namespaces(self, req: Request, _m: Any, idx: IndexState, _body: dict[str, Any]) -> Response:
        prefix = req.arg("prefix") or ""
        names = sorted(ns for ns, s in idx.namespaces.items() if s.ids and ns.startswith(prefix))
        return Response.json(
            {
                "namespaces": [
                    {"name": ns, "record_count": str(len(idx.namespaces[ns].ids))} for ns in names
                ],
                "total_count": len(names),
            }
        )

    def delete_namespace(
        self, req: Request, m: re.Match[str], idx: IndexState, _body: dict[str, Any]
    ) -> Response:
        ns = unquote(m["ns"])
        if ns not in idx.namespaces:
            raise PineconeError(404, f"namespace {ns!r} not found")
        del idx.namespaces[ns]
        return Response(202)


def make_api(ctx) -> PineconeApi:  # noqa: ANN001 - SandboxContext, avoids an import cycle at type level
    return PineconeApi(ctx)
