"""Yandex Direct API v5 emulator: Reports (TSV, online/offline 201/202/200), Campaigns.get, Ads.get and
AgencyClients.get.

A token granted through the OAuth emulator acts for one sandbox agency: AgencyClients.get lists that agency's
advertiser logins and any other service refuses a Client-Login outside them (error 54); the static sandbox token
acts for every agency at once. The sandbox also answers these paths at its root (`/json/v5/...`).

Wire format per docs/api_formats.md (Yandex Direct): `Authorization: Bearer`, `Client-Login`, `processingMode`,
`returnMoneyInMicros`, `skipReport*` headers; `RequestId`/`retryIn`/`reportsInQueue`/`Units` response
headers; `--` for undefined values; `Total rows: N` footer; request-level errors as
`{"error": {request_id, error_code, error_string, error_detail}}`.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import re
import tempfile
import threading
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from ingestion.sandbox.generator import ATTRIBUTION_FACTORS, DayStats, World, gross_micros
from ingestion.sandbox.server import EmulatorApi, Request, Response, Route

ERRORS = {
    52: "Authorization server temporarily unavailable",
    53: "Authorization error",
    54: "No rights",
    56: "Exceeded method request limit",
    58: "Incomplete registration",
    152: "Not enough units",
    506: "Exceeded limit on number of connections",
    513: "Your username is not enabled in Yandex Direct",
    1000: "Server temporarily unavailable",
    1001: "Service initialization error",
    1002: "Operation error",
    3000: "No API access",
    3001: "No access to the method",
    4000: "Invalid request parameters",
    8000: "Invalid request",
    8800: "Object not found",
    9000: "The maximum number of reports in the queue has been exceeded",
}
DIMENSIONS = (
    "Date",
    "CampaignId",
    "CampaignName",
    "CampaignType",
    "AdGroupId",
    "AdGroupName",
    "AdId",
    "AdNetworkType",
)
METRICS = (
    "Impressions",
    "Clicks",
    "Cost",
    "Ctr",
    "AvgCpc",
    "AvgCpm",
    "Conversions",
    "Revenue",
    "CostPerConversion",
    "ConversionRate",
)
GOAL_METRICS = ("Conversions", "Revenue", "CostPerConversion", "ConversionRate")
REACH_FIELDS = (
    "CampaignId",
    "CampaignName",
    "CampaignType",
    "Impressions",
    "ImpressionReach",
    "AvgImpressionFrequency",
    "Cost",
)
IMPLICIT_GROUP = {
    "CAMPAIGN_PERFORMANCE_REPORT": "CampaignId",
    "ADGROUP_PERFORMANCE_REPORT": "AdGroupId",
    "AD_PERFORMANCE_REPORT": "AdId",
}
REPORT_TYPES = (
    "CUSTOM_REPORT",
    "ACCOUNT_PERFORMANCE_REPORT",
    "CAMPAIGN_PERFORMANCE_REPORT",
    "ADGROUP_PERFORMANCE_REPORT",
    "AD_PERFORMANCE_REPORT",
    "REACH_AND_FREQUENCY_PERFORMANCE_REPORT",
)
MAX_QUEUE = 5
CAMPAIGN_FIELDS = (
    "Id",
    "Name",
    "Type",
    "State",
    "Status",
    "StatusPayment",
    "Currency",
    "StartDate",
    "EndDate",
    "DailyBudget",
    "TimeZone",
    "ClientInfo",
)
AD_FIELDS = ("Id", "AdGroupId", "CampaignId", "Type", "Subtype", "State", "Status", "StatusClarification")
TEXT_AD_FIELDS = ("Title", "Title2", "Text", "Href", "DisplayDomain", "Mobile")
# Ads.get SelectionCriteria: at least one id list, each at most this long (API v5 Ads.get reference).
AD_SELECTION_LIMITS = {"Ids": 10000, "AdGroupIds": 1000, "CampaignIds": 10}
AGENCY_CLIENT_FIELDS = (
    "AccountQuality",
    "Archived",
    "ClientId",
    "ClientInfo",
    "CountryId",
    "CreatedAt",
    "Currency",
    "Grants",
    "Login",
    "Notification",
    "OverdraftSumAvailable",
    "Phone",
    "Representatives",
    "Restrictions",
    "Settings",
    "Type",
    "VatRate",
)
_WRITE = pacsv.WriteOptions(include_header=False, delimiter="\t", quoting_style="none", batch_size=65536)


class DirectError(Exception):
    def __init__(self, code: int, detail: str = "", status: int = 400) -> None:
        self.code, self.detail, self.status = code, detail, status
        super().__init__(f"{code} {detail}")


class DirectApi(EmulatorApi):
    name = "direct"

    def routes(self) -> list[Route]:
        return [
            Route("POST", r"/json/v50?1?/reports", self.reports),
            Route("POST", r"/json/v50?1?/campaigns", self.campaigns),
            Route("POST", r"/json/v50?1?/ads", self.ads),
            Route("POST", r"/json/v50?1?/agencyclients", self.agency_clients),
        ]

    # -- shared -------------------------------------------------------------------------------------
    def error_response(
        self, status: int, kind: str, message: str, *, retry_after: float | None = None
    ) -> Response:
        code = 56 if status in (420, 429) else 1000
        resp = self._error(code, message, status)
        if retry_after is not None:
            resp.headers["Retry-After"] = (
                str(int(retry_after)) if float(retry_after).is_integer() else str(retry_after)
            )
        return resp

    def _error(self, code: int, detail: str = "", status: int = 400, rid: str | None = None) -> Response:
        rid = rid or self.request_id()
        return Response.json(
            {
                "error": {
                    "request_id": rid,
                    "error_code": code,
                    "error_string": ERRORS.get(code, "Error"),
                    "error_detail": detail,
                }
            },
            status,
            {"RequestId": rid},
        )

    def _token(self, req: Request) -> str:
        """Auth + injected in-200/in-4xx errors; returns the agency the token was granted by ('' = any)."""
        faults = self.ctx.faults
        if faults.take(self.name, req.path, ("expired_token",)):
            self.ctx.tokens.expire_all(self.name)
        auth = req.header("authorization") or ""
        token = auth[7:].strip() if auth.startswith("Bearer ") else ""
        if not self.ctx.tokens.valid(self.name, token):
            raise DirectError(53, "OAuth token is missing or invalid")
        fault = faults.take(self.name, req.path, ("direct_error_200",))
        if fault:
            raise DirectError(int(fault.params.get("code", 152)), "sandbox fault", 200)
        fault = faults.take(self.name, req.path, ("direct_error",))
        if fault:
            raise DirectError(
                int(fault.params.get("code", 1000)), "sandbox fault", int(fault.params.get("status", 500))
            )
        return self.ctx.tokens.owner(token)

    def _check(self, req: Request) -> str:
        """Auth + Client-Login (an advertiser of the token's agency); returns the advertiser login."""
        agency = self._token(req)
        login = req.header("client-login")
        if not login:
            raise DirectError(8000, "Client-Login header is required for agency requests")
        try:
            acc = self.ctx.world.account(login)
        except KeyError:
            raise DirectError(54, f"Client-Login {login!r} is not a client of this agency") from None
        if acc.platform != "yandex_direct":
            raise DirectError(54, f"Client-Login {login!r} is not a Direct account")
        if agency and acc.tenant_id != agency:
            raise DirectError(54, f"Client-Login {login!r} is not a client of agency {agency!r}")
        return login

    # -- AgencyClients.get --------------------------------------------------------------------------
    def agency_clients(self, req: Request, _m: re.Match[str]) -> Response:
        """The agency's advertisers (`SelectionCriteria.Logins`/`Archived`, `FieldNames`, `Page`), `LimitedBy`
        when more remain. The static sandbox token acts for every agency at once."""
        rid = self.request_id()
        try:
            agency = self._token(req)
            body = _json_body(req)
            if body.get("method") != "get":
                raise DirectError(8000, f"unsupported method {body.get('method')!r}")
            params = body.get("params") or {}
            criteria, fields = params.get("SelectionCriteria"), params.get("FieldNames")
            if not isinstance(criteria, dict) or not isinstance(fields, list) or not fields:
                raise DirectError(8000, "params.SelectionCriteria and params.FieldNames are required")
            unknown = [f for f in fields if f not in AGENCY_CLIENT_FIELDS]
            if unknown:
                raise DirectError(4000, f"unknown FieldNames {unknown}")
            archived = criteria.get("Archived")
            if archived not in (None, "YES", "NO"):
                raise DirectError(4000, "SelectionCriteria.Archived must be YES or NO")
            logins = criteria.get("Logins")
            if logins is not None and (not isinstance(logins, list) or len(logins) > 10000):
                raise DirectError(4000, "SelectionCriteria.Logins must be an array of at most 10000 logins")
            page = params.get("Page") or {}
            limit, offset = int(page.get("Limit", 10000)), int(page.get("Offset", 0))
            if not 1 <= limit <= 10000 or offset < 0:
                raise DirectError(4000, "Page.Limit must be 1..10000 and Page.Offset >= 0")
            clients = [
                a
                for a in self.ctx.agency_accounts(agency, "yandex_direct")
                if (not logins or a.account_id in logins) and archived != "YES"  # none is archived
            ]
            shown = clients[offset : offset + limit]
            items = [{k: v for k, v in _agency_client_json(a).items() if k in fields} for a in shown]
            result: dict[str, Any] = {"Clients": items}
            if offset + limit < len(clients):
                result["LimitedBy"] = offset + len(shown)
        except DirectError as exc:
            return self._error(exc.code, exc.detail, exc.status if exc.status != 400 else 200, rid)
        return Response.json(
            {"result": result}, 200, {"RequestId": rid, "Units": f"{10 + len(items)}/20818/64000"}
        )

    # -- Campaigns.get ------------------------------------------------------------------------------
    def campaigns(self, req: Request, _m: re.Match[str]) -> Response:
        rid = self.request_id()
        try:
            login = self._check(req)
            params, fields, (limit, offset) = _get_params(req, {"FieldNames": CAMPAIGN_FIELDS})
            ids = {int(i) for i in (params["SelectionCriteria"].get("Ids") or [])}
            camps = [c for c in self.ctx.world.campaigns(login) if not ids or c.campaign_id in ids]
            acc = self.ctx.world.account(login)
            page, result = _page(camps, "Campaigns", limit, offset)
            result["Campaigns"] = [
                _campaign_json(c, fields["FieldNames"], acc.currency, self.ctx.today) for c in page
            ]
        except DirectError as exc:
            # JSON services report request errors inside HTTP 200 unless the fault says otherwise.
            return self._error(exc.code, exc.detail, exc.status if exc.status != 400 else 200, rid)
        return _get_response(result, len(page), rid, login)

    # -- Ads.get ------------------------------------------------------------------------------------
    def ads(self, req: Request, _m: re.Match[str]) -> Response:
        """The advertiser's ads selected by `Ids`/`AdGroupIds`/`CampaignIds` (at least one; ids of another
        advertiser simply match nothing), `FieldNames` + `TextAdFieldNames`, `Page`, `LimitedBy`. They are the
        ads the reports count, with generated titles for text ads (display banners have none)."""
        rid = self.request_id()
        try:
            login = self._check(req)
            params, fields, (limit, offset) = _get_params(
                req, {"FieldNames": AD_FIELDS, "TextAdFieldNames": TEXT_AD_FIELDS}
            )
            criteria = params["SelectionCriteria"]
            wanted: dict[str, set[int]] = {}
            for key, most in AD_SELECTION_LIMITS.items():
                ids = criteria.get(key)
                if ids is None:
                    continue
                if not isinstance(ids, list) or not 1 <= len(ids) <= most:
                    raise DirectError(4000, f"SelectionCriteria.{key} must be an array of 1..{most} ids")
                wanted[key] = {int(i) for i in ids}
            if not wanted:
                raise DirectError(4000, f"SelectionCriteria needs one of {sorted(AD_SELECTION_LIMITS)}")
            world = self.ctx.world
            camps = {c.campaign_id: c for c in world.campaigns(login)}
            chosen = [
                a
                for a in world.ads(login)
                if a.ad_id in wanted.get("Ids", {a.ad_id})
                and a.ad_group_id in wanted.get("AdGroupIds", {a.ad_group_id})
                and a.campaign_id in wanted.get("CampaignIds", {a.campaign_id})
            ]
            page, result = _page(chosen, "Ads", limit, offset)
            result["Ads"] = [_ad_json(a, camps[a.campaign_id], fields, self.ctx.today) for a in page]
        except DirectError as exc:
            return self._error(exc.code, exc.detail, exc.status if exc.status != 400 else 200, rid)
        return _get_response(result, len(page), rid, login)

    # -- Reports ------------------------------------------------------------------------------------
    def reports(self, req: Request, _m: re.Match[str]) -> Response:
        rid = self.request_id()
        try:
            login = self._check(req)
            spec = _validate_report(_json_body(req), self.ctx.today)
            mode = (req.header("processingmode") or "auto").lower()
            if mode not in ("online", "offline", "auto"):
                raise DirectError(8000, f"processingMode {mode!r} is not online|offline|auto")
            micros = (req.header("returnmoneyinmicros") or "true").lower() != "false"
            world = self.ctx.world

            def build() -> Iterator[bytes]:
                return _render_report(
                    world,
                    login,
                    spec,
                    micros=micros,
                    title=(req.header("skipreportheader") or "").lower() != "true",
                    columns=(req.header("skipcolumnheader") or "").lower() != "true",
                    summary=(req.header("skipreportsummary") or "").lower() != "true",
                )

            queued = self._queue(req, login, spec, mode, build)
            if isinstance(queued, Response):
                queued.headers["RequestId"] = rid
                return queued
        except DirectError as exc:
            return self._error(exc.code, exc.detail, exc.status, rid)
        # Offline reports were built while the client polled; online ones are rendered while streaming.
        body = queued if queued is not None else build()
        return Response(
            200, body, {"Content-Type": "text/tab-separated-values; charset=utf-8", "RequestId": rid}
        )

    def _queue(
        self, req: Request, login: str, spec: dict[str, Any], mode: str, build: Any
    ) -> Response | Iterator[bytes] | None:
        """Offline flow: first request → 201 and a background build; repeats → 202 until the build is done
        (and at least `polls` polls passed), then the built file (caller answers 200). None = online."""
        key = json.dumps(
            [
                spec["raw"],
                req.header("returnmoneyinmicros"),
                req.header("skipreportheader"),
                req.header("skipcolumnheader"),
                req.header("skipreportsummary"),
            ],
            sort_keys=True,
        )
        with self.ctx.lock:
            queue: dict[str, dict[str, Any]] = self.ctx.state.setdefault("direct_queue", {}).setdefault(
                login, {}
            )
            entry = queue.get(spec["name"])
            if entry is not None:
                if entry["key"] != key:
                    raise DirectError(
                        4000,
                        f"a report named {spec['name']!r} with other parameters is already in "
                        "the queue; ReportName must be unique",
                    )
                if entry["polls"] > 0 or not entry["built"].is_set():
                    entry["polls"] -= 1
                    return Response(202, b"", _queue_headers(entry["retry_in"], len(queue)))
                del queue[spec["name"]]
                if entry["error"] is not None:
                    raise DirectError(1002, f"report build failed: {entry['error']}", 500)
                return _stream_file(entry["path"])
            fault = self.ctx.faults.take(self.name, req.path, ("direct_queue_full",))
            if fault or (len(queue) >= MAX_QUEUE):
                raise DirectError(9000, f"{len(queue)} reports already queued for {login} (max {MAX_QUEUE})")
            fault = self.ctx.faults.take(self.name, req.path, ("direct_offline",))
            if fault is None and mode != "offline":
                return None
            params = fault.params if fault else {}
            entry = {
                "key": key,
                "polls": int(params.get("polls", 0 if fault is None else 2)),
                "retry_in": params.get("retry_in", 1),
                "built": threading.Event(),
                "path": None,
                "error": None,
            }
            queue[spec["name"]] = entry
        threading.Thread(target=_build_to_file, args=(entry, build), daemon=True).start()
        return Response(201, b"", _queue_headers(entry["retry_in"], len(queue)))


def _build_to_file(entry: dict[str, Any], build: Any) -> None:
    """Render an offline report to a temporary file (what Direct does between 201 and 200)."""
    try:
        with tempfile.NamedTemporaryFile(
            "wb", prefix="mrm-direct-report-", suffix=".tsv", delete=False
        ) as fh:
            entry["path"] = fh.name
            for chunk in build():
                fh.write(chunk)
    except Exception as exc:  # surfaced to the client as a 500 on its next poll
        entry["error"] = f"{type(exc).__name__}: {exc}"
    finally:
        entry["built"].set()


def _stream_file(path: str, chunk: int = 1 << 20) -> Iterator[bytes]:
    try:
        with open(path, "rb") as fh:
            while data := fh.read(chunk):
                yield data
    finally:
        with contextlib.suppress(OSError):
            os.unlink(path)


def _queue_headers(retry_in: Any, in_queue: int) -> dict[str, str]:
    return {"retryIn": str(retry_in), "reportsInQueue": str(in_queue)}


def _agency_client_json(acc: Any) -> dict[str, Any]:
    """One advertiser of AgencyClients.get, every field (the caller keeps the requested ones)."""
    client_id = int(hashlib.blake2b(acc.account_id.encode(), digest_size=4).hexdigest(), 16) % 90_000_000
    return {
        "AccountQuality": None,
        "Archived": "NO",
        "ClientId": 10_000_000 + client_id,
        "ClientInfo": acc.name,
        "CountryId": 225,
        "CreatedAt": "2024-03-01",
        "Currency": acc.currency,
        "Grants": [
            {"Privilege": "EDIT_CAMPAIGNS", "Value": "YES", "Agency": acc.tenant_id},
            {"Privilege": "IMPORT_XLS", "Value": "YES", "Agency": acc.tenant_id},
            {"Privilege": "TRANSFER_MONEY", "Value": "YES", "Agency": acc.tenant_id},
        ],
        "Login": acc.account_id,
        "Notification": {"Lang": "RU", "Email": f"{acc.account_id}@example.ru", "EmailSubscriptions": []},
        "OverdraftSumAvailable": 0,
        "Phone": "+7 495 000-00-00",
        "Representatives": [
            {"Login": acc.account_id, "Email": f"{acc.account_id}@example.ru", "Role": "CHIEF"}
        ],
        "Restrictions": [],
        "Settings": [{"Option": "SHARED_ACCOUNT_ENABLED", "Value": "NO"}],
        "Type": "CLIENT",
        "VatRate": 22.0 if acc.currency == "RUB" else None,
    }


def _json_body(req: Request) -> dict[str, Any]:
    try:
        body = req.json()
    except (ValueError, UnicodeDecodeError) as exc:
        raise DirectError(8000, f"request body is not valid JSON: {exc}") from None
    if not isinstance(body, dict):
        raise DirectError(8000, "request body must be a JSON object")
    return body


def _get_params(
    req: Request, field_lists: dict[str, tuple[str, ...]]
) -> tuple[dict[str, Any], dict[str, list[str]], tuple[int, int]]:
    """A `get` request's params, its requested field lists (each checked against `field_lists`; the first is
    required) and its Page (limit, offset)."""
    body = _json_body(req)
    if body.get("method") != "get":
        raise DirectError(8000, f"unsupported method {body.get('method')!r}")
    params = body.get("params") or {}
    required = next(iter(field_lists))
    if not isinstance(params.get("SelectionCriteria"), dict) or required not in params:
        raise DirectError(8000, f"params.SelectionCriteria and params.{required} are required")
    fields: dict[str, list[str]] = {}
    for key, known in field_lists.items():
        asked = params.get(key) or []
        if not isinstance(asked, list):
            raise DirectError(8000, f"params.{key} must be an array")
        unknown = [f for f in asked if f not in known]
        if unknown:
            raise DirectError(4000, f"unknown {key} {unknown}")
        fields[key] = asked
    page = params.get("Page") or {}
    limit, offset = int(page.get("Limit", 10000)), int(page.get("Offset", 0))
    if not 1 <= limit <= 10000 or offset < 0:
        raise DirectError(4000, "Page.Limit must be 1..10000 and Page.Offset >= 0")
    return params, fields, (limit, offset)


def _page(items: list[Any], key: str, limit: int, offset: int) -> tuple[list[Any], dict[str, Any]]:
    """One page of `items` and the result object, with `LimitedBy` (the last offset shown) when more remain."""
    shown = items[offset : offset + limit]
    result: dict[str, Any] = {key: []}
    if offset + limit < len(items):
        result["LimitedBy"] = offset + len(shown)
    return shown, result


def _get_response(result: dict[str, Any], n: int, rid: str, login: str) -> Response:
    return Response.json(
        {"result": result},
        200,
        {"RequestId": rid, "Units": f"{10 + n}/20828/64000", "Units-Used-Login": login},
    )


def ad_title(campaign_name: str, ad_id: int) -> tuple[str, str]:
    """The generated Title (≤ 56 characters) and Title2 (≤ 30) of a sandbox text ad: stable per ad."""
    return f"{campaign_name} — объявление {ad_id % 100}"[:56], f"Группа {ad_id // 100 % 100}"


def _ad_json(ad: Any, camp: Any, fields: dict[str, list[str]], today: date) -> dict[str, Any]:
    state = {"ON": "ON", "SUSPENDED": "SUSPENDED"}.get(camp.state(today), "OFF")
    text = camp.type != "CPM_BANNER_CAMPAIGN"
    full: dict[str, Any] = {
        "Id": ad.ad_id,
        "AdGroupId": ad.ad_group_id,
        "CampaignId": ad.campaign_id,
        "Type": "TEXT_AD" if text else "CPM_BANNER_AD",
        "Subtype": "NONE",
        "State": state,
        "Status": "ACCEPTED",
        "StatusClarification": "",
    }
    out = {f: full[f] for f in fields["FieldNames"]}
    if text and fields["TextAdFieldNames"]:
        title, title2 = ad_title(camp.name, ad.ad_id)
        text_ad = {
            "Title": title,
            "Title2": title2,
            "Text": f"{camp.name}: условия и цены на сайте",
            "Href": ad.url,
            "DisplayDomain": "example.ru",
            "Mobile": "NO",
        }
        out["TextAd"] = {f: text_ad[f] for f in fields["TextAdFieldNames"]}
    return out


def _campaign_json(c: Any, fields: list[str], currency: str, today: date) -> dict[str, Any]:
    full = {
        "Id": c.campaign_id,
        "Name": c.name,
        "Type": c.type,
        "State": c.state(today),
        "Status": "ACCEPTED",
        "StatusPayment": "ALLOWED",
        "Currency": currency,
        "StartDate": c.start.isoformat(),
        "EndDate": c.end.isoformat() if c.end else None,
        "DailyBudget": {"Amount": c.daily_budget_micros, "Mode": "STANDARD"}
        if c.daily_budget_micros
        else None,
        "TimeZone": "Europe/Moscow",
        "ClientInfo": "sandbox",
    }
    return {f: full[f] for f in fields}


def _validate_report(body: dict[str, Any], today: date) -> dict[str, Any]:
    params = body.get("params")
    if not isinstance(params, dict):
        raise DirectError(8000, "params is required")
    for key in (
        "SelectionCriteria",
        "FieldNames",
        "ReportName",
        "ReportType",
        "DateRangeType",
        "Format",
        "IncludeVAT",
    ):
        if key not in params:
            raise DirectError(8000, f"params.{key} is required")
    if params["Format"] != "TSV":
        raise DirectError(4000, "Format must be TSV")
    rtype = params["ReportType"]
    if rtype not in REPORT_TYPES:
        raise DirectError(4000, f"unknown ReportType {rtype!r}")
    if params["IncludeVAT"] not in ("YES", "NO"):
        raise DirectError(4000, "IncludeVAT must be YES or NO")
    crit = params["SelectionCriteria"]
    drt = params["DateRangeType"]
    if drt == "CUSTOM_DATE":
        try:
            d1, d2 = date.fromisoformat(crit["DateFrom"]), date.fromisoformat(crit["DateTo"])
        except (KeyError, ValueError):
            raise DirectError(
                4000, "CUSTOM_DATE needs SelectionCriteria.DateFrom/DateTo as YYYY-MM-DD"
            ) from None
    elif drt in ("YESTERDAY", "LAST_3_DAYS", "LAST_7_DAYS", "LAST_30_DAYS"):
        n = {"YESTERDAY": 1, "LAST_3_DAYS": 3, "LAST_7_DAYS": 7, "LAST_30_DAYS": 30}[drt]
        d1, d2 = today - timedelta(days=n), today - timedelta(days=1)
    else:
        raise DirectError(4000, f"DateRangeType {drt!r} is not supported by the sandbox")
    if d1 > d2:
        raise DirectError(4000, "DateFrom is after DateTo")
    fields = list(params["FieldNames"])
    goals = [str(g) for g in params.get("Goals") or []]
    models = list(params.get("AttributionModels") or ["LC"])
    if len(goals) > 10:
        raise DirectError(4000, "at most 10 Goals")
    bad_models = [m for m in models if m not in ATTRIBUTION_FACTORS]
    if bad_models:
        raise DirectError(4000, f"unknown AttributionModels {bad_models}")
    allowed = REACH_FIELDS if rtype == "REACH_AND_FREQUENCY_PERFORMANCE_REPORT" else DIMENSIONS + METRICS
    unknown = [f for f in fields if f not in allowed]
    if unknown:
        raise DirectError(4000, f"FieldNames {unknown} are not allowed for {rtype}")
    campaign_filter: set[int] | None = None
    for flt in crit.get("Filter") or []:
        if flt.get("Field") != "CampaignId" or flt.get("Operator") not in ("IN", "EQUALS"):
            raise DirectError(4000, f"sandbox supports only CampaignId IN/EQUALS filters, got {flt}")
        campaign_filter = {int(v) for v in flt.get("Values", [])}
    return {
        "raw": params,
        "name": str(params["ReportName"]),
        "type": rtype,
        "from": d1,
        "to": d2,
        "fields": fields,
        "goals": goals,
        "models": models,
        "vat": params["IncludeVAT"] == "YES",
        "campaigns": campaign_filter,
    }


def _render_report(
    world: World, login: str, spec: dict[str, Any], *, micros: bool, title: bool, columns: bool, summary: bool
) -> Iterator[bytes]:
    """Stream the TSV: title, header, one block per day, footer. Never holds the whole report."""
    fields = spec["fields"]
    if spec["type"] == "REACH_AND_FREQUENCY_PERFORMANCE_REPORT":
        header = fields
    else:
        header = [h for f in fields for h in _expand(f, spec["goals"], spec["models"])]
    if title:
        yield f'"{spec["name"]} ({spec["from"]} - {spec["to"]})"\n'.encode()
    if columns:
        yield ("\t".join(header) + "\n").encode()
    total = 0
    if spec["type"] == "REACH_AND_FREQUENCY_PERFORMANCE_REPORT":
        table = _reach_table(world, login, spec, micros)
        total = table.num_rows
        yield _tsv(table)
    else:
        day = spec["from"]
        while day <= spec["to"]:
            table = _day_table(world, login, day, spec, micros)
            if table is not None and table.num_rows:
                total += table.num_rows
                yield _tsv(table)
            day += timedelta(days=1)
    if summary:
        yield f"Total rows: {total}\n".encode()


def _tsv(table: pa.Table) -> bytes:
    buf = io.BytesIO()
    pacsv.write_csv(table, buf, _WRITE)
    return buf.getvalue()


def _expand(field: str, goals: list[str], models: list[str]) -> list[str]:
    if goals and field in GOAL_METRICS:
        return [f"{field}_{g}_{m}" for g in goals for m in models]
    return [field]


def _lookup(world: World, login: str) -> dict[str, Any]:
    camps = world.campaigns(login)
    groups = world.ad_groups(login)
    return {
        "cid": pa.array([c.campaign_id for c in camps], pa.uint64()),
        "cname": pa.array([c.name for c in camps]),
        "ctype": pa.array([c.type for c in camps]),
        "gid": pa.array([g.ad_group_id for g in groups], pa.uint64()),
        "gname": pa.array([g.name for g in groups]),
    }


_LOOKUPS: dict[tuple[int, str], dict[str, Any]] = {}


def _day_table(world: World, login: str, day: date, spec: dict[str, Any], micros: bool) -> pa.Table | None:
    s: DayStats = world.daily_stats(login, day)
    if not len(s):
        return None
    cost = gross_micros(s.cost_net_micros, day) if spec["vat"] else s.cost_net_micros
    cols: dict[str, Any] = {
        "CampaignId": s.campaign_id,
        "AdGroupId": s.ad_group_id,
        "AdId": s.ad_id,
        "AdNetworkType": s.network,
        "Impressions": s.impressions,
        "Clicks": s.clicks,
        "Cost": cost,
    }
    account = world.account(login)
    goals = spec["goals"] or [str(g) for g in account.goals]
    values = dict(zip((str(g) for g in account.goals), account.goal_values_rub, strict=True))
    for g in goals:
        base = s.goal_conversions.get(int(g))
        base = base if base is not None else np.zeros(len(s), dtype=np.int64)
        for m in spec["models"] if spec["goals"] else ["LC"]:
            conv = np.floor(base * ATTRIBUTION_FACTORS[m]).astype(np.int64)
            cols[f"conv_{g}_{m}"] = conv
            cols[f"rev_{g}_{m}"] = conv * values.get(g, 0) * 1_000_000
    table = pa.table(cols)
    if spec["campaigns"] is not None:
        table = table.filter(pc.is_in(table["CampaignId"], pa.array(sorted(spec["campaigns"]), pa.uint64())))
    dims = [f for f in spec["fields"] if f in DIMENSIONS and f != "Date"]
    implicit = IMPLICIT_GROUP.get(spec["type"])
    keys = [
        k
        for k in ("CampaignId", "AdGroupId", "AdId", "AdNetworkType")
        if k in dims
        or k == implicit
        or (k == "CampaignId" and {"CampaignName", "CampaignType"} & set(dims))
        or (k == "AdGroupId" and "AdGroupName" in dims)
    ]
    if "AdId" not in keys:  # coarser grain than the generator's: aggregate
        metrics = [
            c for c in table.column_names if c not in ("CampaignId", "AdGroupId", "AdId", "AdNetworkType")
        ]
        if keys:
            table = table.group_by(keys).aggregate([(m, "sum") for m in metrics])
            table = table.rename_columns([c.removesuffix("_sum") for c in table.column_names])
        else:
            table = pa.table({m: [pc.sum(table[m]).as_py() or 0] for m in metrics})
    lk = _LOOKUPS.get((id(world), login))
    if lk is None:
        lk = _LOOKUPS[(id(world), login)] = _lookup(world, login)
    n = table.num_rows
    imps = table["Impressions"].combine_chunks().cast(pa.int64())
    clicks = table["Clicks"].combine_chunks().cast(pa.int64())
    costc = table["Cost"].combine_chunks().cast(pa.int64())
    out: dict[str, pa.Array] = {}
    for h in spec["fields"]:
        if h == "Date":
            out[h] = pa.array([day.isoformat()] * n)
        elif h in ("CampaignId", "AdGroupId", "AdId", "Impressions", "Clicks"):
            out[h] = pc.cast(table[h], pa.string())
        elif h == "AdNetworkType":
            out[h] = pc.take(pa.array(list(DayStats.NETWORKS)), table[h].cast(pa.int64()))
        elif h == "CampaignName":
            out[h] = pc.take(lk["cname"], pc.index_in(table["CampaignId"], lk["cid"]))
        elif h == "CampaignType":
            out[h] = pc.take(lk["ctype"], pc.index_in(table["CampaignId"], lk["cid"]))
        elif h == "AdGroupName":
            out[h] = pc.take(lk["gname"], pc.index_in(table["AdGroupId"], lk["gid"]))
        elif h == "Cost":
            out[h] = _money(costc, micros)
        elif h == "Ctr":
            out[h] = _ratio(clicks, imps, 100.0)
        elif h == "AvgCpc":
            out[h] = _money_ratio(costc, clicks, 1, micros)
        elif h == "AvgCpm":
            out[h] = _money_ratio(costc, imps, 1000, micros)
        else:  # goal metrics (aggregated over account goals when Goals is absent)
            pairs = [(g, m) for g in goals for m in (spec["models"] if spec["goals"] else ["LC"])]
            targets = [f"{h}_{g}_{m}" for g, m in pairs] if spec["goals"] else [h]
            for name, group in zip(targets, [[p] for p in pairs] if spec["goals"] else [pairs], strict=True):
                conv = _sum_cols(table, [f"conv_{g}_{m}" for g, m in group])
                rev = _sum_cols(table, [f"rev_{g}_{m}" for g, m in group])
                no_data = pc.equal(clicks, 0)
                if h == "Conversions":
                    val = pc.cast(conv, pa.string())
                elif h == "Revenue":
                    val = _money(rev, micros)
                elif h == "CostPerConversion":
                    val = _money_ratio(costc, conv, 1, micros)
                else:
                    val = _ratio(conv, clicks, 100.0)
                out[name] = pc.if_else(no_data, pa.scalar("--"), val.cast(pa.string()))
    return pa.table(out)


def _sum_cols(table: pa.Table, names: list[str]) -> pa.Array:
    acc = table[names[0]].combine_chunks().cast(pa.int64())
    for nm in names[1:]:
        acc = pc.add(acc, table[nm].combine_chunks().cast(pa.int64()))
    return acc


def _money(micros_arr: pa.Array, micros: bool) -> pa.Array:
    if micros:
        return pc.cast(micros_arr, pa.string())
    # Currency units with two decimals: round micros to kopecks first.
    kop = pc.divide(pc.add(micros_arr, 5000), 10000)
    rub = pc.cast(pc.divide(kop, 100), pa.string())
    cents = pc.utf8_lpad(
        pc.cast(pc.subtract(kop, pc.multiply(pc.divide(kop, 100), 100)), pa.string()), 2, "0"
    )
    return pc.binary_join_element_wise(rub, cents, ".")


def _money_ratio(num: pa.Array, den: pa.Array, mult: int, micros: bool) -> pa.Array:
    zero = pc.equal(den, 0)
    safe = pc.if_else(zero, 1, den)
    val = pc.divide(pc.multiply(num, mult), safe)  # integer micros
    return pc.if_else(zero, pa.scalar("--"), _money(val, micros))


def _ratio(num: pa.Array, den: pa.Array, mult: float) -> pa.Array:
    zero = pc.equal(den, 0)
    safe = pc.if_else(zero, 1, den)
    val = pc.round(pc.multiply(pc.divide(pc.cast(num, pa.float64()), pc.cast(safe, pa.float64())), mult), 2)
    return pc.if_else(zero, pa.scalar("--"), pc.cast(val, pa.string()))


def _reach_table(world: World, login: str, spec: dict[str, Any], micros: bool) -> pa.Table:
    """Reach and frequency over the whole period, for display (CPM) campaigns only."""
    rows: dict[str, list[Any]] = {f: [] for f in spec["fields"]}
    days = [spec["from"] + timedelta(days=i) for i in range((spec["to"] - spec["from"]).days + 1)]
    stats = [world.daily_stats(login, d) for d in days]
    for c in world.campaigns(login):
        if c.type != "CPM_BANNER_CAMPAIGN" or (
            spec["campaigns"] is not None and c.campaign_id not in spec["campaigns"]
        ):
            continue
        imps = cost = 0
        users = []
        for d, s in zip(days, stats, strict=True):
            m = s.campaign_id == np.uint64(c.campaign_id)
            if not m.any():
                continue
            imps += int(s.impressions[m].sum())
            cost += int(
                (gross_micros(s.cost_net_micros[m], d) if spec["vat"] else s.cost_net_micros[m]).sum()
            )
            users.append(world.users_reached(login, c.campaign_id, d))
        if imps == 0:
            continue
        reach = int(len(np.unique(np.concatenate(users))))
        full = {
            "CampaignId": str(c.campaign_id),
            "CampaignName": c.name,
            "CampaignType": c.type,
            "Impressions": str(imps),
            "ImpressionReach": str(reach),
            "AvgImpressionFrequency": f"{imps / reach:.2f}" if reach else "--",
            "Cost": _money(pa.array([cost], pa.int64()), micros)[0].as_py(),
        }
        for f in spec["fields"]:
            rows[f].append(full[f])
    return pa.table({f: pa.array(v, pa.string()) for f, v in rows.items()})


def make_api(ctx) -> DirectApi:  # noqa: ANN001
    return DirectApi(ctx)
