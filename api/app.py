"""The REST API (FastAPI): `/v1/...` over the metric layer, the plans and the calculators.

Every request carries `Authorization: Bearer <key>`; the key resolves to its user (role and client scope, read in
one query and kept a few seconds, see api.keys), so the API can see exactly what that user sees in the app. Errors are RFC 9457 problem+json
naming the field at fault; nothing runs for a refused request.
"""

# No `from __future__ import annotations` here: FastAPI reads the routes' annotations at definition time, and
# `Caller` is local to create_app.
import base64
import inspect
import logging
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, Literal

import orjson
from fastapi import Depends, FastAPI, Header, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response
from pydantic import BaseModel, Field, create_model
from starlette.exceptions import HTTPException as StarletteHTTPException

from api import keys, tools
from dashboards.auth import AccessDenied
from metrics.query import MetricError
from metrics.service import ScopeError
from workspace.plans import PlanReviewError

log = logging.getLogger("mrm.api")
PROBLEM = "application/problem+json"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class Problem(Exception):
    def __init__(
        self,
        status: int,
        title: str,
        detail: str,
        field: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status, self.title, self.detail, self.field, self.headers = status, title, detail, field, headers


class RateLimiter:
    """A token bucket per key: `rate` requests a second on average, bursts up to `burst`."""

    def __init__(self, rate: float, burst: int) -> None:
        self.rate, self.burst = rate, burst
        self._state: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, key: str) -> float:
        """0 when the request may go ahead, else the seconds to wait."""
        now = time.monotonic()
        with self._lock:
            tokens, at = self._state.get(key, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - at) * self.rate)
            if tokens >= 1:
                self._state[key] = (tokens - 1, now)
                return 0.0
            self._state[key] = (tokens, now)
            return (1 - tokens) / self.rate


class MetricsBody(BaseModel):
    client_id: str = Field(max_length=128)
    date_from: str
    date_to: str
    metrics: list[str] = Field(min_length=1, max_length=30)
    dimensions: list[str] = Field(default_factory=list, max_length=6)
    filters: dict[str, list[str]] = Field(default_factory=dict)
    granularity: Literal["none", "day", "week", "month"] = "none"
    compare: Literal["previous_period", "last_year"] | None = None
    vat: Literal["net", "gross"] = "net"
    limit: int = Field(default=1000, ge=1, le=10_000)
    cursor: str | None = None


class PeriodQuery(BaseModel):
    """The client and period of a per-client GET (its query string)."""

    client_id: str
    date_from: str
    date_to: str


class CampaignsQuery(PeriodQuery):
    platform: str | None = None
    compare: Literal["previous_period", "last_year"] | None = None
    vat: Literal["net", "gross"] = "net"
    limit: int = Field(100, ge=1, le=1000)
    cursor: str | None = None
    lang: Literal["en", "ru"] = "en"


class PlanFactQuery(PeriodQuery):
    vat: Literal["net", "gross"] = "net"
    lang: Literal["en", "ru"] = "en"


class CurveBody(BaseModel):
    grp: list[float] = Field(min_length=1, max_length=1000)
    model: Literal["negative_exponential", "hyperbolic", "poisson"] = "negative_exponential"
    r_max: float = 0.85
    k: float = 0.01
    a: float = 100.0
    b: float = 100.0
    kplus: int = 1


class CombineBody(BaseModel):
    reaches: list[float] = Field(min_length=1, max_length=50)
    duplications: list[list[float]] | None = None


class InsertionsBody(BaseModel):
    p: float
    k: int
    eps: float
    method: Literal["exact", "normal"] = "exact"


def _cursor(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        return max(0, int(base64.urlsafe_b64decode(cursor.encode()).decode()))
    except (ValueError, UnicodeDecodeError):
        raise Problem(400, "Bad cursor", "the cursor is not one this API returned", "cursor") from None


def _paged(out: dict[str, Any]) -> Response:
    nxt = out.pop("next_offset", None)
    out["next_cursor"] = base64.urlsafe_b64encode(str(nxt).encode()).decode() if nxt is not None else None
    return _json(out)


def _json(out: Any) -> Response:
    """The answer as JSON, written once by orjson: the routes' answers are plain data already, so FastAPI's
    validation and encoding of an untyped (`Any`) answer would only repeat work (a third of a large answer's time)."""
    return Response(
        orjson.dumps(out, option=orjson.OPT_NON_STR_KEYS, default=str), media_type="application/json"
    )


def body_of(name: str, fn: Callable[..., Any], *names: str) -> type[BaseModel]:
    """A request body whose fields are `fn`'s own parameters `names` (types, constraints and defaults declared
    once, in api/tools.py, where the MCP server reads them too)."""
    declared = inspect.signature(fn, eval_str=True).parameters
    fields: dict[str, Any] = {
        n: (
            declared[n].annotation,
            ... if declared[n].default is inspect.Parameter.empty else declared[n].default,
        )
        for n in names
    }
    return create_model(name, **fields)


_ROW_FIELD = re.compile(r"^row (\d+), (\w+):")
_NAMED_FIELD = re.compile(r"^(\w+): ")
_BAD_ID = re.compile(r"^invalid (\w+): ")


@contextmanager
def refusals(fields: tuple[str, ...], default: str, missing: str | None = None) -> Iterator[None]:
    """The workspace's refusals as problem+json naming the field: `row N, col:` is `lines[N-1].col`, a message
    that starts with one of `fields` names it, anything else names `default`. A step the plan's state does not
    allow is 409, something missing 404, bad input 400; permission errors pass on (403)."""
    try:
        yield
    except (MetricError, PermissionError):
        raise
    except LookupError as exc:
        raise Problem(404, "Not found", str(exc), missing or _field(str(exc), fields, default)) from None
    except PlanReviewError as exc:
        field = _field(str(exc), fields, default)
        raise Problem(409 if field == default else 400, "Conflict", str(exc), field) from None
    except ValueError as exc:
        raise Problem(400, "Bad request", str(exc), _field(str(exc), fields, default)) from None


def _field(message: str, fields: tuple[str, ...], default: str) -> str:
    row = _ROW_FIELD.match(message)
    if row:
        return f"lines[{int(row.group(1)) - 1}].{row.group(2)}"
    named = _NAMED_FIELD.match(message)
    if named and named.group(1) in fields:
        return named.group(1)
    bad_id = _BAD_ID.match(message)  # dashboards.auth.check_id: "invalid plan: ..."
    return f"{bad_id.group(1)}_id" if bad_id and f"{bad_id.group(1)}_id" in fields else default


class ReportJobs:
    """Report builds of this server process: one at a time in a worker thread, each job visible to its tenant's
    users who may read its client. Jobs live as long as the process (the files stay in the reports folder)."""

    KEEP = 1000  # finished jobs kept for their status and downloads; older ones are forgotten first

    def __init__(self, connect: Callable[[], Any]) -> None:
        self._connect = connect
        self._jobs: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="mrm-report")

    def start(
        self, kp: keys.KeyPrincipal, client_id: str, period: str, lang: str, include_vat: bool
    ) -> dict[str, Any]:
        job_id = uuid.uuid4().hex
        job = {
            "job_id": job_id,
            "tenant_id": kp.principal.tenant_id,
            "client_id": client_id,
            "period": period,
            "lang": lang,
            "include_vat": include_vat,
            "status": "queued",
            "error": None,
            "files": {},
        }
        with self._lock:
            self._jobs[job_id] = job
            finished = [k for k, j in self._jobs.items() if j["status"] in ("done", "failed")]
            for k in finished[: max(0, len(self._jobs) - self.KEEP)]:  # oldest first (insertion order)
                del self._jobs[k]
        self._pool.submit(self._run, job, kp.principal)
        return self.view(job)

    def _run(self, job: dict[str, Any], principal: Any) -> None:
        job["status"] = "running"
        try:
            ch = self._connect()
            try:
                files = tools.build_report(
                    ch,
                    principal,
                    client_id=job["client_id"],
                    period=job["period"],
                    lang=job["lang"],
                    include_vat=job["include_vat"],
                )
            finally:
                ch.close()
            job["files"] = {"xlsx": files.xlsx, "pdf": files.pdf}
            job["run_id"] = files.run_id
            job["status"] = "done"
        except (ValueError, LookupError, PermissionError) as exc:  # refusals worded for the reader
            job["error"] = str(exc)[:500]
            job["status"] = "failed"
        except Exception:  # anything else may carry server paths: the log has it, the reader a pointer
            log.exception("report job %s failed", job["job_id"])
            job["error"] = f"the report could not be built (server log, job {job['job_id']})"
            job["status"] = "failed"

    def get(self, ch: Any, kp: keys.KeyPrincipal, job_id: str) -> dict[str, Any]:
        """The job if the caller may see it (same tenant, client in scope), else 404 (no hint that it exists)."""
        job = self._jobs.get(job_id)
        if job is None or job["tenant_id"] != kp.principal.tenant_id:
            raise Problem(404, "Not found", f"no report job {job_id!r}", "job_id")
        try:
            from metrics import service

            service.check_scope(ch, kp.principal, job["client_id"])
        except ScopeError:
            raise Problem(404, "Not found", f"no report job {job_id!r}", "job_id") from None
        from assistants.reports.release import job_visible

        if not job_visible(ch, kp.principal, job):  # a client's user: only once an AM has released this build
            raise Problem(404, "Not found", f"no report job {job_id!r}", "job_id")
        return job

    @staticmethod
    def view(job: dict[str, Any]) -> dict[str, Any]:
        out = {k: job[k] for k in ("job_id", "client_id", "period", "lang", "status", "error")}
        base = f"/v1/reports/{job['job_id']}"
        out["links"] = {"status": base} | (
            {"xlsx": f"{base}/xlsx", "pdf": f"{base}/pdf"} if job["status"] == "done" else {}
        )
        return out


PlanVersionBody = body_of(
    "PlanVersionBody", tools.save_plan_version, "client_id", "lines", "name", "based_on", "note"
)
PlanStepBody = body_of("PlanStepBody", tools.plan_step, "client_id", "to", "note")
ReportBody = body_of(
    "ReportBody", tools.check_report, "client_id", "date_from", "date_to", "lang", "include_vat"
)
AskBody = body_of("AskBody", tools.ask, "question", "client_id", "thread_id", "lang")


def create_app(*, connect: Any = None, rate: float = 20.0, burst: int = 40) -> FastAPI:
    """The API; `connect` makes a warehouse client (one per worker thread: a client carries one query at a time)."""
    if connect is None:
        import warehouse

        def connect() -> Any:
            return warehouse.connect(autogenerate_session_id=False)

    local = threading.local()
    limiter = RateLimiter(rate, burst)
    app = FastAPI(
        title="MRM AI Platform API",
        version="1.0.0",
        description="Metrics, plans and media-planning calculators of the MRM AI Platform. "
        "Authenticate with `Authorization: Bearer <API key>` (`mrm apikeys create`).",
    )

    def ch() -> Any:
        c = getattr(local, "client", None)
        if c is None:
            c = local.client = connect()
        return c

    def resolve(token: str | None) -> keys.KeyPrincipal:
        return keys.resolve(ch(), token)

    async def caller(authorization: str | None = Header(default=None)) -> keys.KeyPrincipal:
        token = (
            authorization[7:].strip() if authorization and authorization[:7].lower() == "bearer " else None
        )
        try:
            # A key seen a moment ago is answered here on the event loop; only a look-up goes to a worker thread.
            cached = keys.from_cache(token)
            kp = cached if cached is not None else await run_in_threadpool(resolve, token)
        except keys.KeyError_ as exc:
            raise Problem(401, "Unauthorized", str(exc)) from None
        wait = limiter.take(kp.key_id)
        if wait:
            raise Problem(
                429,
                "Too many requests",
                f"rate limit {rate:g}/s per key; retry later",
                headers={"Retry-After": str(max(1, round(wait + 0.5)))},
            )
        return kp

    Caller = Annotated[keys.KeyPrincipal, Depends(caller)]

    def writer(kp: Caller) -> keys.KeyPrincipal:
        if kp.scope != "write":
            raise Problem(403, "Forbidden", "this key may only read; create a key with --scope write")
        return kp

    Writer = Annotated[keys.KeyPrincipal, Depends(writer)]
    jobs = ReportJobs(connect)

    @app.exception_handler(Problem)
    async def _problem(request: Request, exc: Problem) -> JSONResponse:
        body = {
            "type": "about:blank",
            "title": exc.title,
            "status": exc.status,
            "detail": exc.detail,
            "instance": request.url.path,
        }
        if exc.field:
            body["field"] = exc.field
        return JSONResponse(body, status_code=exc.status, media_type=PROBLEM, headers=exc.headers)

    @app.exception_handler(MetricError)
    async def _metric(request: Request, exc: MetricError) -> JSONResponse:
        return await _problem(request, Problem(400, "Bad request", exc.detail, exc.field))

    @app.exception_handler(ScopeError)
    @app.exception_handler(AccessDenied)
    async def _denied(request: Request, exc: Exception) -> JSONResponse:
        return await _problem(request, Problem(403, "Forbidden", str(exc)))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        # routing's own refusals (no such route, method not allowed) in the same problem+json form
        title = {404: "Not found", 405: "Method not allowed"}.get(exc.status_code, "Error")
        return await _problem(
            request, Problem(exc.status_code, title, str(exc.detail), headers=dict(exc.headers or {}) or None)
        )

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        err = exc.errors()[0] if exc.errors() else {"loc": (), "msg": "invalid request"}
        where = ".".join(str(x) for x in err.get("loc", ()) if x not in ("body", "query"))
        return await _problem(request, Problem(422, "Invalid request", str(err.get("msg")), where or None))

    @app.get("/v1/metrics", summary="The metric catalogue")
    def metrics_catalogue(kp: Caller, lang: Literal["en", "ru"] = "en") -> Any:
        return _json(tools.list_metrics(lang))

    @app.post("/v1/metrics/query", summary="Query metrics by dimensions, filters, period and comparison")
    def metrics_query(kp: Caller, body: MetricsBody, lang: Literal["en", "ru"] = "en") -> Any:
        args = body.model_dump(exclude={"cursor"})
        args["offset"] = _cursor(body.cursor)
        return _paged(tools.query_metrics(ch(), kp.principal, args, lang))

    @app.get("/v1/clients", summary="Clients the key's user may read")
    def clients(kp: Caller) -> Any:
        return _json(tools.list_clients(ch(), kp.principal))

    @app.get("/v1/campaigns", summary="Campaign performance over a period")
    def campaigns(kp: Caller, q: Annotated[CampaignsQuery, Query()]) -> Any:
        args = q.model_dump(exclude={"cursor"}) | {"offset": _cursor(q.cursor)}
        return _paged(tools.campaign_performance(ch(), kp.principal, **args))

    @app.get("/v1/plans", summary="Media plans and versions of a client")
    def plans(kp: Caller, client_id: str) -> Any:
        return _json(tools.list_plans(ch(), kp.principal, client_id))

    @app.get("/v1/plans/{plan_id}/versions/{plan_version}/vs-fact", summary="Plan vs fact per line")
    def plan_fact(kp: Caller, plan_id: str, plan_version: int, q: Annotated[PlanFactQuery, Query()]) -> Any:
        return _paged(
            tools.plan_vs_fact(
                ch(), kp.principal, plan_id=plan_id, plan_version=plan_version, **q.model_dump()
            )
        )

    @app.post(
        "/v1/plans/{plan_id}/versions",
        status_code=201,
        summary="Save a new draft version of a plan (write key; roles that may edit plans)",
    )
    def plan_save(kp: Writer, plan_id: str, body: PlanVersionBody) -> Any:  # type: ignore[valid-type]
        args = body.model_dump()  # type: ignore[attr-defined]
        with refusals(("lines", "name", "note", "client_id", "plan_id"), "lines", missing="client_id"):
            out = tools.save_plan_version(ch(), kp.principal, plan_id=plan_id, **args)
        return Response(orjson.dumps(out), status_code=201, media_type="application/json")

    @app.post(
        "/v1/plans/{plan_id}/versions/{plan_version}/status",
        summary="Submit, approve, reject, activate or complete a plan version (write key; the permission matrix)",
    )
    def plan_status(kp: Writer, plan_id: str, plan_version: int, body: PlanStepBody) -> Any:  # type: ignore[valid-type]
        args = body.model_dump()  # type: ignore[attr-defined]
        with refusals(("note", "to", "client_id", "plan_id"), "to", missing="plan_version"):
            return _json(
                tools.plan_step(ch(), kp.principal, plan_id=plan_id, plan_version=plan_version, **args)
            )

    @app.post(
        "/v1/reports", status_code=202, summary="Build a client report (XLSX and PDF) for a period: a job"
    )
    def report_build(kp: Writer, body: ReportBody) -> Any:  # type: ignore[valid-type]
        args = body.model_dump()  # type: ignore[attr-defined]
        period = tools.check_report(ch(), kp.principal, **args)
        view = jobs.start(kp, args["client_id"], period, args["lang"], args["include_vat"])
        return Response(orjson.dumps(view), status_code=202, media_type="application/json")

    @app.get("/v1/reports/{job_id}", summary="A report job's status and, when done, its download links")
    def report_status(kp: Caller, job_id: str) -> Any:
        return _json(jobs.view(jobs.get(ch(), kp, job_id)))

    @app.get(
        "/v1/reports/{job_id}/{fmt}",
        summary="Download a built report",
        response_class=FileResponse,
        responses={200: {"content": {"application/pdf": {}, XLSX: {}}}},
    )
    def report_file(kp: Caller, job_id: str, fmt: Literal["xlsx", "pdf"]) -> Any:
        job = jobs.get(ch(), kp, job_id)
        if job["status"] != "done":
            raise Problem(409, "Not ready", f"the report job is {job['status']}", "job_id")
        path = Path(job["files"][fmt])
        return FileResponse(path, media_type="application/pdf" if fmt == "pdf" else XLSX, filename=path.name)

    @app.post("/v1/ask", summary="Ask the analyst assistant: answer, numbers with their sources, thread id")
    def ask(kp: Caller, body: AskBody) -> Any:  # type: ignore[valid-type]
        args = body.model_dump()  # type: ignore[attr-defined]
        with refusals(("question", "client_id", "thread_id"), "question", missing="thread_id"):
            return _json(tools.ask(ch(), kp.principal, **args))

    @app.post("/v1/reach/curve", summary="Reach at GRP on a reach curve")
    def reach_curve(kp: Caller, body: CurveBody) -> Any:
        return _json(tools.reach_curve(**body.model_dump()))

    @app.post("/v1/reach/combine", summary="Combined reach of several channels")
    def reach_combine(kp: Caller, body: CombineBody) -> Any:
        return _json(tools.reach_combine(body.reaches, body.duplications))

    @app.post("/v1/reach/min-insertions", summary="Fewest insertions for k+ contacts at a given risk")
    def min_insertions(kp: Caller, body: InsertionsBody) -> Any:
        return _json(tools.min_insertions(body.p, body.k, body.eps, body.method))

    @app.get("/v1/kb/search", summary="Search the tenant's knowledge base (staff)")
    def kb_search(
        kp: Caller, q: str = Query(min_length=1, max_length=500), k: int = Query(5, ge=1, le=20)
    ) -> Any:
        return _json(tools.kb_search(ch(), kp.principal, q, k))

    return app


def app_from_env() -> FastAPI:
    """The app of `mrm api serve` (a uvicorn factory, so `--workers` can start it in each process)."""
    import os

    rate = float(os.environ.get("MRM_API_RATE", "20"))
    return create_app(rate=rate, burst=max(1, int(rate * 2)))
