"""Yandex Metrika emulator: Reporting API `/stat/v1/data`, the Logs API state machine, Management API counters.

Shapes per docs/api_formats.md (Yandex Metrika): `Authorization: OAuth`, errors as
`{"errors": [{"error_type", "message"}], "code", "message"}`, 1-based offset paging with `total_rows`,
sampling flags, log requests created → processed (→ processing_failed) → cleaned_by_user, parts as TSV.
"""

from __future__ import annotations

import itertools
import re
import threading
from datetime import date, datetime, timedelta, timezone
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ingestion.sandbox.generator import World
from ingestion.sandbox.server import EmulatorApi, Request, Response, Route

_ATTR = r"(?:first|last|lastsign|lastSignificant|last_yandex_direct_click)?"
DIMENSIONS = {
    "ym:s:date": "date",
    "ym:s:deviceCategory": "device_category",
}
_DIM_PATTERNS = [
    (re.compile(rf"ym:s:{_ATTR}TrafficSource\Z"), "traffic_source"),
    (re.compile(rf"ym:s:{_ATTR}UTMSource\Z"), "utm_source"),
    (re.compile(rf"ym:s:{_ATTR}UTMMedium\Z"), "utm_medium"),
    (re.compile(rf"ym:s:{_ATTR}UTMCampaign\Z"), "utm_campaign"),
    (re.compile(rf"ym:s:{_ATTR}DirectClickOrder\Z"), "direct_click_order"),
]
SOURCE_NAMES = {
    "ad": "Переходы по рекламе",
    "organic": "Переходы из поисковых систем",
    "direct": "Прямые заходы",
    "referral": "Переходы по ссылкам на сайтах",
    "social": "Переходы из социальных сетей",
    "internal": "Внутренние переходы",
}
LOG_FIELDS = {
    "ym:s:visitID",
    "ym:s:counterID",
    "ym:s:date",
    "ym:s:dateTime",
    "ym:s:clientID",
    "ym:s:isNewUser",
    "ym:s:startURL",
    "ym:s:pageViews",
    "ym:s:visitDuration",
    "ym:s:bounce",
    "ym:s:deviceCategory",
    "ym:s:regionCity",
    "ym:s:goalsID",
    "ym:s:purchaseRevenue",
}
_MSK = timezone(timedelta(hours=3))


def dim_column(name: str) -> str | None:
    if name in DIMENSIONS:
        return DIMENSIONS[name]
    for pattern, col in _DIM_PATTERNS:
        if pattern.match(name):
            return col
    return None


class MetrikaError(Exception):
    def __init__(self, status: int, error_type: str, message: str) -> None:
        self.status, self.error_type, self.message = status, error_type, message
        super().__init__(message)


class MetrikaApi(EmulatorApi):
    name = "metrika"
    part_rows = 20_000  # rows per Logs API part (real parts are size-based; small here so tests see several)

    def __init__(self, ctx: Any) -> None:
        super().__init__(ctx)
        self._ids = itertools.count(700)
        self.requests: dict[int, dict[str, Any]] = {}
        # The agency the current request's token was granted by ('' = the static token, every counter);
        # one request per server thread at a time, so a thread-local carries it from `_auth` to `_counter`.
        self._agency = threading.local()

    def routes(self) -> list[Route]:
        base = r"/management/v1/counter/(?P<counter>\d+)"
        return [
            Route("GET", r"/stat/v1/data", self.stat_data),
            Route("GET", r"/management/v1/counters", self.counters),
            Route("GET", base + r"/logrequests/evaluate", self.evaluate),
            Route("POST", base + r"/logrequests", self.create),
            Route("GET", base + r"/logrequests", self.list_requests),
            Route("GET", base + r"/logrequest/(?P<rid>\d+)", self.status),
            Route("GET", base + r"/logrequest/(?P<rid>\d+)/part/(?P<part>\d+)/download", self.download),
            Route("POST", base + r"/logrequest/(?P<rid>\d+)/clean", self.clean),
            Route("POST", base + r"/logrequest/(?P<rid>\d+)/cancel", self.cancel),
        ]

    def error_response(
        self, status: int, kind: str, message: str, *, retry_after: float | None = None
    ) -> Response:
        etype = {
            429: "quota_requests_by_uid",
            420: "quota_requests_by_uid",
            503: "backend_error",
            504: "timeout",
            404: "not_found",
        }.get(status, "backend_error" if status >= 500 else kind)
        headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
        return _err(status, etype, message, headers)

    def _guard(self, handler):  # noqa: ANN001, ANN202 - wraps a handler with auth + error mapping
        def run(req: Request, m: re.Match[str]) -> Response:
            try:
                self._auth(req)
                resp = handler(req, m)
            except MetrikaError as exc:
                resp = _err(exc.status, exc.error_type, exc.message)
            resp.headers.setdefault("X-Request-Id", self.request_id())
            return resp

        return run

    def _auth(self, req: Request) -> None:
        if self.ctx.faults.take(self.name, req.path, ("expired_token",)):
            self.ctx.tokens.expire_all(self.name)
        auth = req.header("authorization") or ""
        if not auth:
            raise MetrikaError(401, "unauthorized", "Authorization header is required")
        token = auth[6:].strip() if auth.startswith("OAuth ") else ""
        if not self.ctx.tokens.valid(self.name, token):
            raise MetrikaError(403, "invalid_token", "Invalid oauth_token")
        self._agency.value = self.ctx.tokens.owner(token)

    def _counter(self, counter: str) -> str:
        try:
            acc = self.ctx.world.account(counter)
        except KeyError:
            raise MetrikaError(403, "access_denied", f"Access is denied to counter {counter}") from None
        if acc.platform != "yandex_metrika":
            raise MetrikaError(404, "not_found", f"counter {counter} not found")
        agency = getattr(self._agency, "value", "")
        if agency and acc.tenant_id != agency:
            raise MetrikaError(403, "access_denied", f"Access is denied to counter {counter}")
        return counter

    # -- Management API: counters -------------------------------------------------------------------
    def counters(self, req: Request, m: re.Match[str]) -> Response:
        return self._guard(self._counters)(req, m)

    def _counters(self, req: Request, _m: re.Match[str]) -> Response:
        """`GET /management/v1/counters`: the counters the token's user may see, `{"rows", "counters"}`, paged by
        `per_page` (1..1000, default 1000) and a 1-based `offset`; `search_string` matches id, name or site,
        `permission` (own, view, edit) and `status` (Active, Deleted) filter."""
        per_page = _int_arg(req, "per_page", 1000)
        offset = _int_arg(req, "offset", 1)
        if not 1 <= per_page <= 1000:
            raise MetrikaError(400, "invalid_parameter", "per_page must be between 1 and 1000")
        if offset < 1:
            raise MetrikaError(400, "invalid_parameter", "offset must be 1 or more")
        agency = getattr(self._agency, "value", "")
        rows = [
            _counter_json(a, "edit" if agency else "own")
            for a in self.ctx.agency_accounts(agency, "yandex_metrika")
        ]
        search = (req.arg("search_string") or "").lower()
        if search:
            rows = [r for r in rows if search in f"{r['id']} {r['name']} {r['site']}".lower()]
        permission = req.arg("permission")
        if permission:
            rows = [r for r in rows if r["permission"] in permission.split(",")]
        status = req.arg("status")
        if status:
            rows = [r for r in rows if r["status"] == status]
        return Response.json({"rows": len(rows), "counters": rows[offset - 1 : offset - 1 + per_page]})

    # -- Reporting API ------------------------------------------------------------------------------
    def stat_data(self, req: Request, m: re.Match[str]) -> Response:
        return self._guard(self._stat_data)(req, m)

    def _stat_data(self, req: Request, _m: re.Match[str]) -> Response:
        ids = req.arg("ids") or req.arg("id")
        if not ids:
            raise MetrikaError(400, "missing_parameter", "ids is required")
        counter = self._counter(ids.split(",")[0])
        metrics = [x for x in (req.arg("metrics") or "").split(",") if x]
        if not metrics:
            raise MetrikaError(400, "missing_parameter", "metrics is required")
        if len(metrics) > 20:
            raise MetrikaError(400, "invalid_parameter", "at most 20 metrics")
        dims = [x for x in (req.arg("dimensions") or "").split(",") if x]
        if len(dims) > 10:
            raise MetrikaError(400, "invalid_parameter", "at most 10 dimensions")
        try:
            limit = int(req.arg("limit", "100") or 100)
            offset = int(req.arg("offset", "1") or 1)
        except ValueError:
            raise MetrikaError(400, "invalid_parameter", "limit/offset must be integers") from None
        if not 1 <= limit <= 100_000 or offset < 1:
            raise MetrikaError(400, "invalid_parameter", "limit must be 1..100000 and offset >= 1")
        today = self.ctx.today
        d1 = _parse_date(req.arg("date1", "6daysAgo") or "6daysAgo", today, "date1")
        d2 = _parse_date(req.arg("date2", "today") or "today", today, "date2")
        if d1 > d2:
            raise MetrikaError(400, "invalid_parameter", "date1 is after date2")
        dim_cols = []
        for d in dims:
            col = dim_column(d)
            if col is None:
                raise MetrikaError(400, "invalid_parameter", f"Unknown dimension: {d}")
            dim_cols.append(col)
        table = _visits_table(self.ctx.world, counter, d1, d2)
        aggs, finishers = _metric_plan(metrics)
        if dim_cols:
            grouped = table.group_by(dim_cols).aggregate(aggs) if table.num_rows else None
        else:
            grouped = pa.table({f"{c}_{f}": [_scalar(table, c, f)] for c, f in aggs})
        rows: list[dict[str, Any]] = []
        totals = [
            fin(pa.table({f"{c}_{f}": [_scalar(table, c, f)] for c, f in aggs}))[0] for fin in finishers
        ]
        if grouped is not None and grouped.num_rows:
            values = [fin(grouped) for fin in finishers]
            keys = [grouped[c].to_pylist() for c in dim_cols]
            n = grouped.num_rows
            visits_idx = next((i for i, mt in enumerate(metrics) if mt == "ym:s:visits"), 0)
            order = sorted(range(n), key=lambda i: (-(values[visits_idx][i] or 0), [str(k[i]) for k in keys]))
            fault = self.ctx.faults.take(self.name, req.path, ("metrika_sampled",))
            share = float(fault.params.get("share", 0.5)) if fault else 1.0
            for i in order:
                dims_json = [
                    _dim_json(self.ctx.world, counter, c, k[i]) for c, k in zip(dim_cols, keys, strict=True)
                ]
                mvals = [_sampled(v[i], share) for v in values]
                rows.append({"dimensions": dims_json, "metrics": mvals})
        else:
            share = 1.0
        page = rows[offset - 1 : offset - 1 + limit]
        return Response.json(
            {
                "query": {
                    "ids": [int(counter)],
                    "dimensions": dims,
                    "metrics": metrics,
                    "date1": d1.isoformat(),
                    "date2": d2.isoformat(),
                    "limit": limit,
                    "offset": offset,
                    "accuracy": req.arg("accuracy"),
                    "attribution": "Lastsign",
                    "currency": "RUB",
                },
                "data": page,
                "total_rows": len(rows),
                "total_rows_rounded": False,
                "sampled": share < 1.0,
                "sample_share": share,
                "sample_size": table.num_rows,
                "sample_space": table.num_rows,
                "contains_sensitive_data": False,
                "data_lag": 47,
                "totals": totals,
                "min": totals,
                "max": totals,
            }
        )

    # -- Logs API -----------------------------------------------------------------------------------
    def evaluate(self, req: Request, m: re.Match[str]) -> Response:
        return self._guard(self._evaluate)(req, m)

    def _evaluate(self, req: Request, m: re.Match[str]) -> Response:
        self._counter(m["counter"])
        d1, d2, _fields = self._log_params(req)
        too_big = d2 > d1 and self.ctx.faults.take(self.name, req.path, ("metrika_too_big",)) is not None
        days = (d2 - d1).days + 1
        return Response.json(
            {
                "log_request_evaluation": {
                    "possible": not too_big,
                    "max_possible_day_quantity": 1 if too_big else max(days, 365),
                }
            }
        )

    def _log_params(self, req: Request) -> tuple[date, date, list[str]]:
        try:
            d1 = date.fromisoformat(req.arg("date1") or "")
            d2 = date.fromisoformat(req.arg("date2") or "")
        except ValueError:
            raise MetrikaError(400, "invalid_parameter", "date1 and date2 must be YYYY-MM-DD") from None
        if d1 > d2:
            raise MetrikaError(400, "invalid_parameter", "date1 is after date2")
        if d2 >= self.ctx.today:
            raise MetrikaError(400, "invalid_parameter", "date2 must be earlier than today")
        if (d2 - d1).days >= 366:
            raise MetrikaError(400, "invalid_parameter", "the period must not exceed one year")
        if (req.arg("source") or "") != "visits":
            raise MetrikaError(400, "invalid_parameter", "the sandbox serves source=visits only")
        fields = [f for f in (req.arg("fields") or "").split(",") if f]
        if not fields:
            raise MetrikaError(400, "missing_parameter", "fields is required")
        if len(req.arg("fields") or "") > 3000:
            raise MetrikaError(400, "invalid_parameter", "fields must not exceed 3000 characters")
        unknown = [
            f
            for f in fields
            if f not in LOG_FIELDS
            and dim_column(f)
            not in ("traffic_source", "utm_source", "utm_medium", "utm_campaign", "direct_click_order")
        ]
        if unknown:
            raise MetrikaError(400, "invalid_parameter", f"Unknown fields: {','.join(unknown)}")
        return d1, d2, fields

    def create(self, req: Request, m: re.Match[str]) -> Response:
        return self._guard(self._create)(req, m)

    def _create(self, req: Request, m: re.Match[str]) -> Response:
        counter = self._counter(m["counter"])
        d1, d2, fields = self._log_params(req)
        with self.ctx.lock:
            rid = next(self._ids)
            stuck = self.ctx.faults.take(self.name, req.path, ("metrika_log_stuck",)) is not None
            failed = self.ctx.faults.take(self.name, req.path, ("metrika_log_failed",)) is not None
            self.requests[rid] = {
                "request_id": rid,
                "counter_id": int(counter),
                "source": "visits",
                "date1": d1.isoformat(),
                "date2": d2.isoformat(),
                "fields": fields,
                "status": "created",
                "stuck": stuck,
                "failed": failed,
                "polls": 1,
                "parts_data": [],
            }
        return Response.json({"log_request": _public(self.requests[rid])})

    def list_requests(self, req: Request, m: re.Match[str]) -> Response:
        return self._guard(
            lambda r, mm: Response.json(
                {
                    "requests": [
                        _public(x) for x in self.requests.values() if str(x["counter_id"]) == mm["counter"]
                    ]
                }
            )
        )(req, m)

    def _get(self, m: re.Match[str]) -> dict[str, Any]:
        entry = self.requests.get(int(m["rid"]))
        if entry is None or str(entry["counter_id"]) != m["counter"]:
            raise MetrikaError(404, "not_found", f"log request {m['rid']} not found")
        return entry

    def status(self, req: Request, m: re.Match[str]) -> Response:
        return self._guard(self._status)(req, m)

    def _status(self, req: Request, m: re.Match[str]) -> Response:
        with self.ctx.lock:
            entry = self._get(m)
            if entry["status"] == "created" and not entry["stuck"]:
                if entry["polls"] > 0:
                    entry["polls"] -= 1
                elif entry["failed"]:
                    entry["status"] = "processing_failed"
                else:
                    self._process(entry)
        return Response.json({"log_request": _public(entry)})

    def _process(self, entry: dict[str, Any]) -> None:
        d1, d2 = date.fromisoformat(entry["date1"]), date.fromisoformat(entry["date2"])
        table = _visits_table(self.ctx.world, str(entry["counter_id"]), d1, d2, full=True)
        parts = []
        for start in range(0, max(table.num_rows, 1), self.part_rows):
            chunk = table.slice(start, self.part_rows)
            parts.append(_render_log(chunk, entry["fields"], self.ctx.world, str(entry["counter_id"])))
        entry["parts_data"] = parts
        entry["status"] = "processed"

    def download(self, req: Request, m: re.Match[str]) -> Response:
        return self._guard(self._download)(req, m)

    def _download(self, req: Request, m: re.Match[str]) -> Response:
        entry = self._get(m)
        if entry["status"] != "processed":
            raise MetrikaError(400, "invalid_parameter", f"log request is {entry['status']}, not processed")
        part = int(m["part"])
        if part >= len(entry["parts_data"]):
            raise MetrikaError(404, "not_found", f"part {part} does not exist")
        return Response(
            200, entry["parts_data"][part], {"Content-Type": "text/tab-separated-values; charset=utf-8"}
        )

    def clean(self, req: Request, m: re.Match[str]) -> Response:
        return self._guard(self._clean)(req, m)

    def _clean(self, req: Request, m: re.Match[str]) -> Response:
        entry = self._get(m)
        if entry["status"] != "processed":
            raise MetrikaError(
                400, "invalid_parameter", f"only processed requests can be cleaned ({entry['status']})"
            )
        entry["status"] = "cleaned_by_user"
        entry["parts_data"] = []
        return Response.json({"log_request": _public(entry)})

    def cancel(self, req: Request, m: re.Match[str]) -> Response:
        return self._guard(self._cancel)(req, m)

    def _cancel(self, req: Request, m: re.Match[str]) -> Response:
        entry = self._get(m)
        if entry["status"] not in ("created", "processing_failed"):
            raise MetrikaError(
                400, "invalid_parameter", f"only unprocessed requests can be canceled ({entry['status']})"
            )
        entry["status"] = "canceled"
        return Response.json({"log_request": _public(entry)})


def _err(status: int, etype: str, message: str, headers: dict[str, str] | None = None) -> Response:
    return Response.json(
        {"errors": [{"error_type": etype, "message": message}], "code": status, "message": message},
        status,
        headers,
    )


def _int_arg(req: Request, name: str, default: int) -> int:
    raw = req.arg(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise MetrikaError(400, "invalid_parameter", f"{name} must be an integer, not {raw!r}") from None


def _counter_json(acc: Any, permission: str) -> dict[str, Any]:
    """A counter as the Management API lists it (the fields a plain `GET /counters` returns)."""
    site = f"{acc.client_id}.example.ru"
    return {
        "id": int(acc.account_id),
        "status": "Active",
        "owner_login": f"{acc.client_id}-metrika",
        "code_status": "CS_OK",
        "name": acc.name,
        "type": "simple",
        "favorite": 0,
        "hide_address": 0,
        "permission": permission,
        "site": site,
        "site2": {"site": site, "domain": site},
        "create_time": "2024-03-01T10:00:00+03:00",
        "time_zone_name": acc.timezone,
        "gdpr_agreement_accepted": 0,
        "source": "sites",
    }


def _public(entry: dict[str, Any]) -> dict[str, Any]:
    out = {k: entry[k] for k in ("request_id", "counter_id", "source", "date1", "date2", "fields", "status")}
    out["attribution"] = "LASTSIGN"
    if entry["status"] == "processed":
        out["parts"] = [{"part_number": i, "size": len(p)} for i, p in enumerate(entry["parts_data"])]
        out["size"] = sum(len(p) for p in entry["parts_data"])
    return out


def _parse_date(text: str, today: date, name: str) -> date:
    if text == "today":
        return today
    if text == "yesterday":
        return today - timedelta(days=1)
    m = re.fullmatch(r"(\d+)daysAgo", text)
    if m:
        return today - timedelta(days=int(m.group(1)))
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise MetrikaError(
            400, "invalid_parameter", f"{name} must be YYYY-MM-DD, today, yesterday or NdaysAgo"
        ) from None


def _visits_table(world: World, counter: str, d1: date, d2: date, *, full: bool = False) -> pa.Table:
    parts = []
    day = d1
    while day <= d2:
        v = world.visits(counter, day)
        n = len(v["visit_id"])
        if n:
            cols = {
                "date": pa.array([day] * n, pa.date32()),
                "traffic_source": pa.array(v["traffic_source"].tolist(), pa.string()),
                "utm_source": pa.array(v["utm_source"].tolist(), pa.string()),
                "utm_medium": pa.array(v["utm_medium"].tolist(), pa.string()),
                "utm_campaign": pa.array(v["utm_campaign"].tolist(), pa.string()),
                "direct_click_order": pa.array(v["direct_click_order"], pa.uint64()),
                "device_category": pa.array(v["device_category"].tolist(), pa.string()),
                "client_id": pa.array(v["client_id"].astype(np.uint64)),
                "page_views": pa.array(v["page_views"].astype(np.int64)),
                "bounce": pa.array(v["bounce"].astype(np.int64)),
                "goal_count": pa.array(np.array([len(g) for g in v["goals"]], dtype=np.int64)),
                "revenue_micros": pa.array(v["purchase_revenue_micros"].astype(np.int64)),
            }
            if full:
                cols.update(
                    {
                        "visit_id": pa.array(v["visit_id"].astype(np.uint64)),
                        "ts_utc": pa.array(v["ts_utc"].astype(np.int64)),
                        "is_new_user": pa.array(v["is_new_user"].astype(np.int64)),
                        "visit_duration": pa.array(v["visit_duration"].astype(np.int64)),
                        "region_city": pa.array(v["region_city"].tolist(), pa.string()),
                        "start_url": pa.array(v["start_url"].tolist(), pa.string()),
                        "goals": pa.array([list(map(int, g)) for g in v["goals"]], pa.list_(pa.int64())),
                    }
                )
            goals = v["goals"]
            for g in world.account(counter).goals:
                cols[f"goal_{g}"] = pa.array(np.array([g in x for x in goals], dtype=np.int64))
            parts.append(pa.table(cols))
        day += timedelta(days=1)
    if not parts:
        return pa.table(
            {
                "date": pa.array([], pa.date32()),
                "client_id": pa.array([], pa.uint64()),
                "page_views": pa.array([], pa.int64()),
                "bounce": pa.array([], pa.int64()),
                "goal_count": pa.array([], pa.int64()),
                "revenue_micros": pa.array([], pa.int64()),
            }
        )
    return pa.concat_tables(parts)


def _metric_plan(metrics: list[str]):  # noqa: ANN202
    """Aggregations needed and a finisher per metric computing its values from the grouped table."""
    aggs: list[tuple[str, str]] = [
        ("client_id", "count"),
        ("client_id", "count_distinct"),
        ("page_views", "sum"),
        ("bounce", "sum"),
        ("goal_count", "sum"),
        ("revenue_micros", "sum"),
    ]
    fins = []
    for mt in metrics:
        if mt == "ym:s:visits":
            fins.append(lambda t: t["client_id_count"].to_pylist())
        elif mt == "ym:s:users":
            fins.append(lambda t: t["client_id_count_distinct"].to_pylist())
        elif mt == "ym:s:pageviews":
            fins.append(lambda t: t["page_views_sum"].to_pylist())
        elif mt == "ym:s:bounceRate":
            fins.append(
                lambda t: [
                    round(b / v * 100, 8) if v else 0.0
                    for b, v in zip(
                        t["bounce_sum"].to_pylist(), t["client_id_count"].to_pylist(), strict=True
                    )
                ]
            )
        elif mt == "ym:s:sumGoalReachesAny":
            fins.append(lambda t: t["goal_count_sum"].to_pylist())
        elif mt == "ym:s:ecommerceRevenue":
            fins.append(lambda t: [(x or 0) / 1_000_000 for x in t["revenue_micros_sum"].to_pylist()])
        else:
            m = re.fullmatch(r"ym:s:goal(\d+)reaches", mt)
            if not m:
                raise MetrikaError(400, "invalid_parameter", f"Unknown metric: {mt}")
            col = f"goal_{m.group(1)}"
            aggs.append((col, "sum"))

            def fin(t: Any, c: str = col) -> list[Any]:
                return t[f"{c}_sum"].to_pylist() if f"{c}_sum" in t.column_names else [0] * t.num_rows

            fins.append(fin)
    return aggs, fins


def _scalar(table: pa.Table, col: str, func: str) -> Any:
    if col not in table.column_names:
        return 0
    if func == "count":
        return table.num_rows
    if func == "count_distinct":
        return pc.count_distinct(table[col]).as_py()
    return pc.sum(table[col]).as_py() or 0


def _sampled(value: Any, share: float) -> Any:
    if share >= 1.0 or value is None:
        return value
    est = round(value * share) / share  # what a sampled estimate looks like: a multiple of 1/share
    return float(est) if isinstance(value, float) else int(est)


def _dim_json(world: World, counter: str, col: str, value: Any) -> dict[str, Any]:
    if col == "date":
        return {"name": value.isoformat()}
    if col == "traffic_source":
        return {
            "name": SOURCE_NAMES.get(value, value),
            "id": value,
            "icon_id": value,
            "icon_type": "traffic-source",
        }
    if col == "direct_click_order":
        if not value:
            return {"name": None, "id": None}
        direct = world.linked_account(counter, "yandex_direct")
        names = {c.campaign_id: c.name for c in world.campaigns(direct.account_id)} if direct else {}
        return {"name": names.get(int(value), str(value)), "id": str(value), "direct_id": f"N-{value}"}
    return {"name": value or None}


def _render_log(table: pa.Table, fields: list[str], world: World, counter: str) -> bytes:
    """Visits → Logs API TSV (header of full field names, then rows)."""
    n = table.num_rows
    out_cols = []
    for f in fields:
        col = dim_column(f)
        if f == "ym:s:visitID":
            vals = [str(x) for x in table["visit_id"].to_pylist()]
        elif f == "ym:s:counterID":
            vals = [counter] * n
        elif f == "ym:s:date":
            vals = [d.isoformat() for d in table["date"].to_pylist()]
        elif f == "ym:s:dateTime":
            vals = [
                datetime.fromtimestamp(t, _MSK).strftime("%Y-%m-%d %H:%M:%S")
                for t in table["ts_utc"].to_pylist()
            ]
        elif f == "ym:s:clientID":
            vals = [str(x) for x in table["client_id"].to_pylist()]
        elif f in ("ym:s:isNewUser", "ym:s:pageViews", "ym:s:visitDuration", "ym:s:bounce"):
            src = {
                "ym:s:isNewUser": "is_new_user",
                "ym:s:pageViews": "page_views",
                "ym:s:visitDuration": "visit_duration",
                "ym:s:bounce": "bounce",
            }[f]
            vals = [str(x) for x in table[src].to_pylist()]
        elif f in ("ym:s:startURL", "ym:s:regionCity", "ym:s:deviceCategory"):
            src = {
                "ym:s:startURL": "start_url",
                "ym:s:regionCity": "region_city",
                "ym:s:deviceCategory": "device_category",
            }[f]
            vals = table[src].to_pylist()
        elif f == "ym:s:goalsID":
            vals = ["[" + ",".join(map(str, g)) + "]" for g in table["goals"].to_pylist()]
        elif f == "ym:s:purchaseRevenue":
            vals = [f"[{r / 1_000_000:.2f}]" if r else "[]" for r in table["revenue_micros"].to_pylist()]
        elif col == "direct_click_order":
            vals = [str(x) if x else "" for x in table["direct_click_order"].to_pylist()]
        elif col is not None:
            vals = table[col].to_pylist()
        else:  # validated at create time
            vals = [""] * n
        out_cols.append(vals)
    lines = ["\t".join(fields)]
    lines.extend("\t".join(row) for row in zip(*out_cols, strict=True))
    return ("\n".join(lines) + "\n").encode("utf-8")


def make_api(ctx) -> MetrikaApi:  # noqa: ANN001
    return MetrikaApi(ctx)
