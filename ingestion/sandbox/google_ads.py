"""Google Ads API emulator (REST, `/google_ads/v22/...`): listAccessibleCustomers, googleAds:search (paged) and
googleAds:searchStream over a small GAQL subset, with the API's error shape.

Accounts are the world's `google_ads` customers under one manager (SANDBOX_GOOGLE["manager_customer_id"]). Every
request needs a Bearer token from the sandbox's Google OAuth emulator and the sandbox developer token; a client
customer is reachable only with `login-customer-id` = the manager. Numbers are the world's ad × day statistics with
money turned into the account currency at a fixed divisor (RUB_PER_UNIT) and conversions summed over goals.
Faults: `expired_token` (401 UNAUTHENTICATED), `google_ads_quota` (429 RESOURCE_EXHAUSTED with quotaErrorDetails
.retryDelay, param `retry_delay` seconds), `google_ads_stream_error` (searchStream sends part of the answer, then an
error element; param `status` = INTERNAL by default), plus the server's transport faults.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

from ingestion.sandbox.google_oauth import SANDBOX_GOOGLE
from ingestion.sandbox.server import EmulatorApi, Request, Response, Route

API_VERSION = "v22"
# Roubles per unit of the account currency: the world's numbers are in roubles.
RUB_PER_UNIT = {"USD": 80, "EUR": 92, "RUB": 1}
# The real API pages search results by 10 000; the emulator pages by 2 so paging is exercised on small data.
SEARCH_PAGE_SIZE = 2
STREAM_BATCH = 10_000
NETWORKS = ("SEARCH", "CONTENT")
_FROM = re.compile(r"\bFROM\s+(\w+)", re.IGNORECASE)
_BETWEEN = re.compile(
    r"segments\.date\s+BETWEEN\s+'(\d{4}-\d\d-\d\d)'\s+AND\s+'(\d{4}-\d\d-\d\d)'", re.IGNORECASE
)
_FAILURE_TYPE = f"type.googleapis.com/google.ads.googleads.{API_VERSION}.errors.GoogleAdsFailure"


def google_error(
    status: int,
    grpc_status: str,
    message: str,
    error_code: dict[str, str],
    *,
    request_id: str,
    details: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The REST error body: google.rpc.Status with a GoogleAdsFailure detail."""
    err: dict[str, Any] = {"errorCode": error_code, "message": message}
    if details:
        err["details"] = details
    return {
        "error": {
            "code": status,
            "message": message,
            "status": grpc_status,
            "details": [{"@type": _FAILURE_TYPE, "errors": [err], "requestId": request_id}],
        }
    }


class GoogleAdsApi(EmulatorApi):
    name = "google_ads"

    def routes(self) -> list[Route]:
        v = rf"/{API_VERSION}"
        return [
            Route("GET", v + r"/customers:listAccessibleCustomers", self.list_accessible),
            Route("POST", v + r"/customers/(\d+)/googleAds:search", self.search),
            Route("POST", v + r"/customers/(\d+)/googleAds:searchStream", self.search_stream),
        ]

    def error_response(
        self, status: int, kind: str, message: str, *, retry_after: float | None = None
    ) -> Response:
        grpc = {429: "RESOURCE_EXHAUSTED", 404: "NOT_FOUND", 503: "UNAVAILABLE"}.get(status, "INTERNAL")
        code = {"quotaError": "RESOURCE_EXHAUSTED"} if status == 429 else {"internalError": "INTERNAL_ERROR"}
        rid = self.request_id()
        headers = {
            "request-id": rid,
            **({"Retry-After": str(retry_after)} if retry_after is not None else {}),
        }
        return Response.json(google_error(status, grpc, message, code, request_id=rid), status, headers)

    # -- checks ---------------------------------------------------------------------------------------
    def _denied(self, req: Request, customer_id: str | None) -> Response | None:
        rid = self.request_id()
        if self.ctx.faults.take(self.name, req.path, ("expired_token",)):
            self.ctx.tokens.expire_all(self.name)
        auth = req.header("authorization") or ""
        if not auth.startswith("Bearer ") or not self.ctx.tokens.valid(self.name, auth[7:]):
            return Response.json(
                google_error(
                    401,
                    "UNAUTHENTICATED",
                    "Request had invalid authentication credentials. Expected OAuth 2 access token.",
                    {"authenticationError": "OAUTH_TOKEN_EXPIRED"},
                    request_id=rid,
                ),
                401,
                {"request-id": rid},
            )
        if req.header("developer-token") != SANDBOX_GOOGLE["developer_token"]:
            return Response.json(
                google_error(
                    401,
                    "UNAUTHENTICATED",
                    "The developer token is not valid.",
                    {"authenticationError": "DEVELOPER_TOKEN_INVALID"},
                    request_id=rid,
                ),
                401,
                {"request-id": rid},
            )
        manager = SANDBOX_GOOGLE["manager_customer_id"]
        if customer_id is not None and customer_id != manager:
            known = {a.account_id for a in self.ctx.world.accounts_for("google_ads")}
            if customer_id not in known or req.header("login-customer-id") != manager:
                return Response.json(
                    google_error(
                        403,
                        "PERMISSION_DENIED",
                        "The caller does not have permission",
                        {"authorizationError": "USER_PERMISSION_DENIED"},
                        request_id=rid,
                    ),
                    403,
                    {"request-id": rid},
                )
        quota = self.ctx.faults.take(self.name, req.path, ("google_ads_quota",))
        if quota is not None:
            delay = quota.params.get("retry_delay", 1)
            return Response.json(
                google_error(
                    429,
                    "RESOURCE_EXHAUSTED",
                    "Resource has been exhausted (e.g. check quota).",
                    {"quotaError": "RESOURCE_EXHAUSTED"},
                    request_id=rid,
                    details={
                        "quotaErrorDetails": {
                            "rateScope": "DEVELOPER",
                            "rateName": "Number of operations for basic access",
                            "retryDelay": f"{delay}s",
                        }
                    },
                ),
                429,
                {"request-id": rid},
            )
        return None

    # -- endpoints ------------------------------------------------------------------------------------
    def list_accessible(self, req: Request, _m: re.Match[str]) -> Response:
        denied = self._denied(req, None)
        if denied is not None:
            return denied
        return Response.json(
            {"resourceNames": [f"customers/{SANDBOX_GOOGLE['manager_customer_id']}"]},
            headers={"request-id": self.request_id()},
        )

    def search(self, req: Request, m: re.Match[str]) -> Response:
        cid = m.group(1)
        denied = self._denied(req, cid)
        if denied is not None:
            return denied
        body = req.json() or {}
        rows = list(self._rows(cid, str(body.get("query", ""))))
        start = int(body.get("pageToken") or 0)
        page = rows[start : start + SEARCH_PAGE_SIZE]
        out: dict[str, Any] = {"results": page, "fieldMask": ""}
        if start + SEARCH_PAGE_SIZE < len(rows):
            out["nextPageToken"] = str(start + SEARCH_PAGE_SIZE)
        return Response.json(out, headers={"request-id": self.request_id()})

    def search_stream(self, req: Request, m: re.Match[str]) -> Response:
        cid = m.group(1)
        denied = self._denied(req, cid)
        if denied is not None:
            return denied
        query = str((req.json() or {}).get("query", ""))
        rid = self.request_id()
        broken = self.ctx.faults.take(self.name, req.path, ("google_ads_stream_error",))

        def chunks() -> Iterator[bytes]:
            yield b"["
            batch: list[dict[str, Any]] = []
            first = True
            # A broken stream sends this many rows, then the error element.
            cut = int(broken.params.get("after_rows", 5)) if broken is not None else -1
            for n, row in enumerate(self._rows(cid, query)):
                if n == cut:
                    break
                batch.append(row)
                if len(batch) == STREAM_BATCH:
                    yield (b"" if first else b",") + json.dumps({"results": batch, "requestId": rid}).encode()
                    first, batch = False, []
            if batch:
                yield (b"" if first else b",") + json.dumps({"results": batch, "requestId": rid}).encode()
                first = False
            if broken is not None:
                status = str(broken.params.get("status", "INTERNAL"))
                err = google_error(
                    500,
                    status,
                    "Internal error encountered.",
                    {"internalError": "INTERNAL_ERROR"},
                    request_id=rid,
                )
                yield (b"" if first else b",") + json.dumps(err).encode()
            yield b"]"

        return Response(200, chunks(), {"Content-Type": "application/json; charset=UTF-8", "request-id": rid})

    # -- GAQL subset --------------------------------------------------------------------------------------
    def _rows(self, cid: str, query: str) -> Iterator[dict[str, Any]]:
        found = _FROM.search(query)
        resource = found.group(1).lower() if found else ""
        world = self.ctx.world
        manager = SANDBOX_GOOGLE["manager_customer_id"]
        if resource == "customer_client":
            if cid != manager:
                return
            yield {
                "customerClient": {
                    "resourceName": f"customers/{manager}/customerClients/{manager}",
                    "clientCustomer": f"customers/{manager}",
                    "id": manager,
                    "level": "0",
                    "manager": True,
                    "descriptiveName": "Sandbox MCC",
                    "currencyCode": "USD",
                    "status": "ENABLED",
                }
            }
            for a in world.accounts_for("google_ads"):
                yield {
                    "customerClient": {
                        "resourceName": f"customers/{manager}/customerClients/{a.account_id}",
                        "clientCustomer": f"customers/{a.account_id}",
                        "id": a.account_id,
                        "level": "1",
                        "manager": False,
                        "descriptiveName": a.name,
                        "currencyCode": a.currency,
                        "timeZone": a.timezone,
                        "status": "ENABLED",
                    }
                }
            return
        if cid == manager:
            return
        account = world.account(cid)
        if resource == "customer":
            yield {
                "customer": {
                    "resourceName": f"customers/{cid}",
                    "id": cid,
                    "descriptiveName": account.name,
                    "currencyCode": account.currency,
                    "timeZone": account.timezone,
                }
            }
        elif resource == "campaign":
            for c in world.campaigns(cid):
                row = {
                    "resourceName": f"customers/{cid}/campaigns/{c.campaign_id}",
                    "id": str(c.campaign_id),
                    "name": c.name,
                    "status": "ENABLED" if c.state(world.today) == "ON" else "PAUSED",
                    "advertisingChannelType": "SEARCH" if c.network == "SEARCH" else "DISPLAY",
                    "startDate": c.start.isoformat(),
                }
                if c.end is not None:
                    row["endDate"] = c.end.isoformat()
                yield {"campaign": row}
        elif resource == "ad_group_ad":
            window = _BETWEEN.search(query)
            if window is None:
                return
            yield from self._ad_rows(
                cid, date.fromisoformat(window.group(1)), date.fromisoformat(window.group(2))
            )

    def _ad_rows(self, cid: str, first: date, last: date) -> Iterator[dict[str, Any]]:
        world = self.ctx.world
        account = world.account(cid)
        divisor = RUB_PER_UNIT[account.currency]
        camps = {c.campaign_id: c.name for c in world.campaigns(cid)}
        groups = {g.ad_group_id: g.name for g in world.ad_groups(cid)}
        day = first
        while day <= last:
            s = world.daily_stats(cid, day)
            conv = sum((v for v in s.goal_conversions.values()), start=0 * s.clicks.astype(float))
            revenue = sum((v for v in s.goal_revenue_micros.values()), start=0 * s.clicks)
            for i in range(len(s)):
                metrics: dict[str, Any] = {
                    "impressions": str(int(s.impressions[i])),
                    "clicks": str(int(s.clicks[i])),
                    "costMicros": str(int(s.cost_net_micros[i]) // divisor),
                }
                # proto3 JSON leaves zero values out, as the real API does
                metrics = {k: v for k, v in metrics.items() if v != "0"}
                if conv[i]:
                    metrics["conversions"] = float(conv[i])
                    metrics["conversionsValue"] = round(int(revenue[i]) / 1e6 / divisor, 2)
                cid_i, gid = int(s.campaign_id[i]), int(s.ad_group_id[i])
                yield {
                    "campaign": {
                        "resourceName": f"customers/{cid}/campaigns/{cid_i}",
                        "id": str(cid_i),
                        "name": camps.get(cid_i, ""),
                    },
                    "adGroup": {
                        "resourceName": f"customers/{cid}/adGroups/{gid}",
                        "id": str(gid),
                        "name": groups.get(gid, ""),
                    },
                    "adGroupAd": {
                        "resourceName": f"customers/{cid}/adGroupAds/{gid}~{int(s.ad_id[i])}",
                        "ad": {"id": str(int(s.ad_id[i]))},
                    },
                    "segments": {"date": day.isoformat(), "adNetworkType": NETWORKS[int(s.network[i])]},
                    "metrics": metrics,
                }
            day += timedelta(days=1)


def make_api(ctx) -> GoogleAdsApi:  # noqa: ANN001 - SandboxContext, avoids an import cycle at type level
    return GoogleAdsApi(ctx)
