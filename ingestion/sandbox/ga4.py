"""Google Analytics 4 Data API emulator (REST, `/ga4/v1beta/properties/{id}:runReport` and `:batchRunReports`).

Properties are the world's `ga4` accounts. Traffic is a pure function of the seed, property and day: paid Google
rows carry `sessionCampaignName` = `gads_<campaign id>` of the client's Google Ads campaigns, beside organic,
direct and referral rows. The EUR property has a long tail of referrers beyond the emulator's cardinality cap
(OTHER_CAP per day), folded into an "(other)" row with `metadata.dataLossFromOtherRow`, as GA4 does for
high-cardinality reports. Requests need a Bearer token from the sandbox's Google OAuth emulator.
Faults: `expired_token` (401), `ga4_quota` (429 RESOURCE_EXHAUSTED), `ga4_sampled` (param `share`: answer carries
samplingMetadatas), `ga4_thresholded` (metadata.subjectToThresholding), plus the server's transport faults.

The wire format is the one the official `google-analytics-data` client speaks over REST (its test runs against this
emulator): camelCase fields, int64 as JSON strings, enums as names or as numbers (`$alt=json;enum-encoding=int`),
errors as google.rpc.Status. Date ranges take ISO dates, `today`, `yesterday` and `NdaysAgo`; `metricAggregations`
answers totals/maximums/minimums; `orderBys` and `dimensionFilter` (string, in-list and empty filters under and/or/not)
are applied. Request features the emulator does not model (metric filters, cohorts, comparisons, several date
ranges) are refused with INVALID_ARGUMENT rather than answered with unfiltered numbers.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import date, timedelta
from typing import Any

from ingestion.sandbox.generator import _h
from ingestion.sandbox.server import EmulatorApi, Request, Response, Route

DIMENSIONS = ("date", "sessionSource", "sessionMedium", "sessionCampaignName")
METRICS = {
    "sessions": "TYPE_INTEGER",
    "totalUsers": "TYPE_INTEGER",
    "keyEvents": "TYPE_FLOAT",
    "conversions": "TYPE_FLOAT",
    "totalRevenue": "TYPE_CURRENCY",
}
# MetricAggregation by name and by enum number → the response field and its rows' dimension value.
AGGREGATIONS: dict[str, tuple[str, str, Callable[[Iterable[float]], float]]] = {
    "TOTAL": ("totals", "RESERVED_TOTAL", sum),
    "MAXIMUM": ("maximums", "RESERVED_MAX", max),
    "MINIMUM": ("minimums", "RESERVED_MIN", min),
}
AGGREGATION_NUMBERS = {1: "TOTAL", 4: "COUNT", 5: "MINIMUM", 6: "MAXIMUM"}
ORDER_TYPES = {1: "ALPHANUMERIC", 2: "CASE_INSENSITIVE_ALPHANUMERIC", 3: "NUMERIC"}
MAX_ROWS = 250_000  # rows per answer, whatever `limit` asks for
MAX_BATCH = 5  # reports per batchRunReports
MATCH_TYPES = {
    1: "EXACT",
    2: "BEGINS_WITH",
    3: "ENDS_WITH",
    4: "CONTAINS",
    5: "FULL_REGEXP",
    6: "PARTIAL_REGEXP",
}
NOT_MODELLED = ("metricFilter", "cohortSpec", "comparisons")
OTHER_CAP = 12  # distinct source rows per day before the rest are folded into "(other)"
LONG_TAIL_PROPERTY = "310000202"


def _status(code: int, status: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "status": status}}


class Ga4Api(EmulatorApi):
    name = "ga4"

    def routes(self) -> list[Route]:
        return [
            Route("POST", r"/v1beta/properties/(\d+):runReport", self.run_report),
            Route("POST", r"/v1beta/properties/(\d+):batchRunReports", self.batch_run_reports),
        ]

    def error_response(
        self, status: int, kind: str, message: str, *, retry_after: float | None = None
    ) -> Response:
        grpc = {429: "RESOURCE_EXHAUSTED", 404: "NOT_FOUND", 503: "UNAVAILABLE"}.get(status, "INTERNAL")
        headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
        return Response.json(_status(status, grpc, message), status, headers)

    def _denied(self, req: Request, property_id: str) -> Response | None:
        if self.ctx.faults.take(self.name, req.path, ("expired_token",)):
            self.ctx.tokens.expire_all(self.name)
        auth = req.header("authorization") or ""
        if not auth.startswith("Bearer ") or not self.ctx.tokens.valid(self.name, auth[7:]):
            return Response.json(
                _status(
                    401,
                    "UNAUTHENTICATED",
                    "Request had invalid authentication credentials. Expected OAuth 2 access token.",
                ),
                401,
            )
        if property_id not in {a.account_id for a in self.ctx.world.accounts_for("ga4")}:
            return Response.json(
                _status(
                    403,
                    "PERMISSION_DENIED",
                    "User does not have sufficient permissions for "
                    f"this property (properties/{property_id}).",
                ),
                403,
            )
        if self.ctx.faults.take(self.name, req.path, ("ga4_quota",)):
            return Response.json(
                _status(429, "RESOURCE_EXHAUSTED", "Exhausted concurrent requests quota."), 429
            )
        return None

    def run_report(self, req: Request, m: re.Match[str]) -> Response:
        denied = self._denied(req, m.group(1))
        if denied is not None:
            return denied
        try:
            return Response.json(self._report(req, m.group(1), req.json() or {}))
        except ValueError as exc:
            return Response.json(_status(400, "INVALID_ARGUMENT", str(exc)), 400)

    def batch_run_reports(self, req: Request, m: re.Match[str]) -> Response:
        denied = self._denied(req, m.group(1))
        if denied is not None:
            return denied
        body = req.json() or {}
        try:
            requests = body.get("requests") or []
            if not 1 <= len(requests) <= MAX_BATCH:
                raise ValueError(f"requests: a batch has 1 to {MAX_BATCH} reports, not {len(requests)}.")
            reports = [self._report(req, m.group(1), r) for r in requests]
        except ValueError as exc:
            return Response.json(_status(400, "INVALID_ARGUMENT", str(exc)), 400)
        return Response.json({"reports": reports, "kind": "analyticsData#batchRunReports"})

    # -- reports --------------------------------------------------------------------------------------
    def _report(self, req: Request, property_id: str, body: dict[str, Any]) -> dict[str, Any]:
        dims = [d.get("name") for d in body.get("dimensions") or []]
        mets = [x.get("name") for x in body.get("metrics") or []]
        bad = [d for d in dims if d not in DIMENSIONS] + [x for x in mets if x not in METRICS]
        if bad or not mets:
            raise ValueError(f"Field {bad[0] if bad else 'metrics'} is not a valid dimension or metric.")
        refused = [f for f in NOT_MODELLED if body.get(f)]
        if refused:
            raise ValueError(
                f"The emulator does not model {refused[0]}; the request would get unfiltered numbers."
            )
        keep = _matcher(body["dimensionFilter"], "dimensionFilter") if body.get("dimensionFilter") else None
        aggregations = [
            _enum(a, AGGREGATION_NUMBERS, AGGREGATIONS, "metricAggregations")
            for a in body.get("metricAggregations") or []
        ]
        offset, limit = int(body.get("offset") or 0), int(body.get("limit") or 10_000)
        if offset < 0 or limit < 0:
            raise ValueError(f"offset ({offset}) and limit ({limit}) must not be negative.")
        ranges = body.get("dateRanges") or []
        if len(ranges) != 1:
            raise ValueError("The emulator answers exactly one dateRange.")
        first = self._date(ranges[0].get("startDate"), "dateRanges[0].startDate")
        last = self._date(ranges[0].get("endDate"), "dateRanges[0].endDate")
        if first > last:
            raise ValueError(f"dateRanges[0]: startDate {first} is after endDate {last}.")
        last = min(last, self.ctx.today - timedelta(days=1))  # the emulator's data ends yesterday
        totals: dict[tuple[str, ...], list[float]] = defaultdict(lambda: [0.0] * len(mets))
        other = False
        day = first
        while day <= last:
            rows, folded = self._day(property_id, day)
            other = other or folded
            for src in rows:
                values = {"date": day.strftime("%Y%m%d"), **{d: src[d] for d in DIMENSIONS[1:]}}
                if keep is not None and not keep(values):
                    continue
                key = tuple(values[d] for d in dims)
                acc = totals[key]
                for i, name in enumerate(mets):
                    acc[i] += src["keyEvents" if name == "conversions" else name]
            day += timedelta(days=1)
        keys = _ordered(totals, dims, mets, body.get("orderBys") or [])
        account = self.ctx.world.account(property_id)
        meta: dict[str, Any] = {"currencyCode": account.currency, "timeZone": account.timezone}
        if other and "sessionSource" in dims:
            meta["dataLossFromOtherRow"] = True
        sampled = self.ctx.faults.take(self.name, req.path, ("ga4_sampled",))
        if sampled is not None:
            space = 1_000_000
            meta["samplingMetadatas"] = [
                {
                    "samplesReadCount": str(int(space * float(sampled.params.get("share", 0.5)))),
                    "samplingSpaceSize": str(space),
                }
            ]
        if self.ctx.faults.take(self.name, req.path, ("ga4_thresholded",)):
            meta["subjectToThresholding"] = True

        def row(values: tuple[str, ...], numbers: list[float]) -> dict[str, Any]:
            return {
                "dimensionValues": [{"value": v} for v in values],
                "metricValues": [{"value": _fmt(v, METRICS[x])} for v, x in zip(numbers, mets, strict=True)],
            }

        answer: dict[str, Any] = {
            "dimensionHeaders": [{"name": d} for d in dims],
            "metricHeaders": [{"name": x, "type": METRICS[x]} for x in mets],
            "rows": [row(k, totals[k]) for k in keys[offset : offset + min(limit, MAX_ROWS)]],
            "rowCount": len(keys),
            "metadata": meta,
            "kind": "analyticsData#runReport",
        }
        for name in dict.fromkeys(aggregations) if keys else ():
            field, reserved, fold = AGGREGATIONS[name]
            numbers = [fold(totals[k][i] for k in keys) for i in range(len(mets))]
            answer[field] = [row((reserved,) * len(dims), numbers)]
        return answer

    def _date(self, value: Any, field: str) -> date:
        """An ISO date or GA4's relative forms (`today`, `yesterday`, `NdaysAgo`) against the sandbox's today."""
        text = str(value or "")
        ago = re.fullmatch(r"(\d+)daysAgo", text)
        if text in ("today", "yesterday") or ago:
            back = int(ago.group(1)) if ago else int(text == "yesterday")
            return self.ctx.today - timedelta(days=back)
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise ValueError(f"{field}: {text!r} is not YYYY-MM-DD, today, yesterday or NdaysAgo.") from None

    def _day(self, property_id: str, day: date) -> tuple[list[dict[str, Any]], bool]:
        """Source rows of one day (before any folding) and whether a tail was folded into "(other)"."""
        world = self.ctx.world
        seed, o = world.seed, day.toordinal()
        account = world.account(property_id)
        ads = world.linked_account(property_id, "google_ads")
        sources: list[tuple[str, str, str]] = [
            ("(direct)", "(none)", "(direct)"),
            ("google", "organic", "(organic)"),
            ("yandex", "organic", "(organic)"),
        ]
        if ads is not None:
            sources += [
                ("google", "cpc", f"gads_{c.campaign_id}")
                for c in world.campaigns(ads.account_id)
                if c.active_on(day)
            ]
        if property_id == LONG_TAIL_PROPERTY:
            sources += [(f"blog{i}.example", "referral", "(referral)") for i in range(20)]
        rows: list[dict[str, Any]] = []
        for src, medium, campaign in sources:
            h = _h(seed, "ga4", property_id, src, campaign, o)
            sessions = 5 + h % 400
            users = max(1, sessions - (h >> 9) % max(1, sessions // 3))
            events = round(sessions * ((h >> 17) % 50) / 1000, 1)
            revenue = round(events * (20 + (h >> 23) % 80), 2) if account.currency else 0.0
            rows.append(
                {
                    "sessionSource": src,
                    "sessionMedium": medium,
                    "sessionCampaignName": campaign,
                    "sessions": sessions,
                    "totalUsers": users,
                    "keyEvents": events,
                    "totalRevenue": revenue,
                }
            )
        if len(rows) <= OTHER_CAP:
            return rows, False
        rows.sort(key=lambda r: -r["sessions"])
        kept, tail = rows[: OTHER_CAP - 1], rows[OTHER_CAP - 1 :]
        folded: dict[str, Any] = {
            "sessionSource": "(other)",
            "sessionMedium": "(other)",
            "sessionCampaignName": "(other)",
        }
        for name in ("sessions", "totalUsers", "keyEvents", "totalRevenue"):
            folded[name] = round(sum(r[name] for r in tail), 2)
        return kept + [folded], True


def _enum(value: Any, numbers: dict[int, str], answered: Iterable[str], field: str) -> str:
    """An enum value sent by name or, as the official client's REST transport does, by number."""
    name = numbers.get(value, "") if isinstance(value, int) else str(value)
    if name not in answered:
        raise ValueError(f"{field}: {value!r} is not one the emulator answers ({', '.join(answered)}).")
    return name


def _matcher(expr: dict[str, Any], path: str) -> Callable[[dict[str, str]], bool]:
    """A dimensionFilter as a test of one source row's dimension values: and/or groups, not, and string, in-list
    and empty filters (string matching is case-insensitive unless `caseSensitive`, as in GA4)."""
    group = next((g for g in ("andGroup", "orGroup") if g in expr), None)
    if group is not None:
        parts = [
            _matcher(e or {}, f"{path}.{group}.expressions[{i}]")
            for i, e in enumerate((expr[group] or {}).get("expressions") or [])
        ]
        combine = all if group == "andGroup" else any
        return lambda row: combine(p(row) for p in parts)
    if "notExpression" in expr:
        inner = _matcher(expr["notExpression"] or {}, f"{path}.notExpression")
        return lambda row: not inner(row)
    f = expr.get("filter")
    if not isinstance(f, dict):
        raise ValueError(f"{path}: needs andGroup, orGroup, notExpression or filter.")
    name = f.get("fieldName")
    if name not in DIMENSIONS:
        raise ValueError(f"{path}.filter.fieldName: {name!r} is not a dimension the emulator has.")
    if "emptyFilter" in f:
        return lambda row: row[name] == ""
    if "inListFilter" in f:
        spec = f["inListFilter"] or {}
        fold = (lambda v: v) if spec.get("caseSensitive") else str.lower
        wanted = {fold(str(v)) for v in spec.get("values") or []}
        return lambda row: fold(row[name]) in wanted
    if "stringFilter" not in f:
        raise ValueError(f"{path}.filter: the emulator models stringFilter, inListFilter and emptyFilter.")
    spec = f["stringFilter"] or {}
    raw = spec.get("matchType") or "EXACT"
    kind = _enum(
        "EXACT" if raw == "MATCH_TYPE_UNSPECIFIED" else raw,
        MATCH_TYPES,
        MATCH_TYPES.values(),
        f"{path}.filter.stringFilter.matchType",
    )
    value = str(spec.get("value") or "")
    text = value if kind.endswith("REGEXP") else re.escape(value)
    text += r"\Z" if kind == "ENDS_WITH" else ""
    try:
        pattern = re.compile(text, 0 if spec.get("caseSensitive") else re.IGNORECASE)
    except re.error as exc:
        raise ValueError(
            f"{path}.filter.stringFilter.value: {value!r} is not a regular expression ({exc})."
        ) from None
    whole = {"EXACT": pattern.fullmatch, "FULL_REGEXP": pattern.fullmatch, "BEGINS_WITH": pattern.match}
    find = whole.get(kind, pattern.search)
    return lambda row: find(row[name]) is not None


def _ordered(
    totals: dict[tuple[str, ...], list[float]],
    dims: list[str],
    mets: list[str],
    order_bys: list[dict[str, Any]],
) -> list[tuple[str, ...]]:
    """Row keys in `orderBys` order (the first ordering decides, later ones break ties; then by dimension values).
    NUMERIC puts non-numeric values, all equal, below every number, as GA4 documents."""
    keys = sorted(totals)
    for i, order in enumerate(reversed(order_bys)):
        field = f"orderBys[{len(order_bys) - 1 - i}]"
        desc = bool(order.get("desc"))
        if "metric" in order:
            name = (order["metric"] or {}).get("metricName")
            if name not in mets:
                raise ValueError(f"{field}: metric {name!r} is not one of the request's metrics.")
            at = mets.index(name)
            keys.sort(key=lambda k: totals[k][at], reverse=desc)
        elif "dimension" in order:
            spec = order["dimension"] or {}
            name = spec.get("dimensionName")
            if name not in dims:
                raise ValueError(f"{field}: dimension {name!r} is not one of the request's dimensions.")
            at = dims.index(name)
            raw = spec.get("orderType") or "ORDER_TYPE_UNSPECIFIED"
            kind = "ALPHANUMERIC" if raw == "ORDER_TYPE_UNSPECIFIED" else raw
            kind = _enum(kind, ORDER_TYPES, ORDER_TYPES.values(), f"{field}.orderType")
            keys.sort(key=lambda k: _sort_value(k[at], kind), reverse=desc)
        else:
            raise ValueError(f"{field}: only metric and dimension orderings are modelled.")
    return keys


def _sort_value(value: str, kind: str) -> tuple[int, float | str]:
    if kind == "NUMERIC":
        try:
            return (1, float(value))
        except ValueError:
            return (0, 0.0)
    return (0, value.lower() if kind == "CASE_INSENSITIVE_ALPHANUMERIC" else value)


def _fmt(value: float, kind: str) -> str:
    if kind == "TYPE_INTEGER":
        return str(int(round(value)))
    return f"{value:.2f}".rstrip("0").rstrip(".")


def make_api(ctx) -> Ga4Api:  # noqa: ANN001 - SandboxContext, avoids an import cycle at type level
    return Ga4Api(ctx)
