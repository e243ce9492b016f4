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
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
import polars as pl
import pyarrow as pa

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
        # A broken stream sends this many rows, then the error element.
        cut = int(broken.params.get("after_rows", 5)) if broken is not None else -1

        def chunks() -> Iterator[bytes]:
            yield b"["
            first = True
            tail = b'],"requestId":"%s"}' % rid.encode()
            for parts in _batches(self._row_blocks(cid, query), STREAM_BATCH, cut):
                yield b"".join([b'{"results":[' if first else b',{"results":[', *parts, tail])
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

    def _row_blocks(self, cid: str, query: str) -> Iterator[RowBlock]:
        """The query's rows as JSON text, a block at a time (ad rows: a day per block, rendered column-wise)."""
        found = _FROM.search(query)
        if found is not None and found.group(1).lower() == "ad_group_ad":
            yield from self._ad_blocks(cid, query)
        else:
            yield RowBlock.of([json.dumps(row, ensure_ascii=False) for row in self._rows(cid, query)])

    def _ad_blocks(self, cid: str, query: str) -> Iterator[RowBlock]:
        window = _BETWEEN.search(query)
        if window is None or cid == SANDBOX_GOOGLE["manager_customer_id"]:
            return
        day, last = date.fromisoformat(window.group(1)), date.fromisoformat(window.group(2))
        ready = self.ctx.state.get(f"google_ads_days:{cid}") or {}
        while day <= last:
            block = ready.get((day, self.ctx.world.today))
            yield block if block is not None else self._ad_block(cid, day)
            day += timedelta(days=1)

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
            for block in self._ad_blocks(cid, query):
                yield from (json.loads(text) for text in block.texts())

    def warm(self, cid: str, first: date | None = None, last: date | None = None) -> None:
        """Render the customer's per-ad JSON heads now and, given days, its ad rows of those days: they are then
        served from memory (until `reset`), as a remote API serves an answer it has computed. A benchmark keeps the
        emulator's rendering — CPU the real API spends on its own machines — out of its timing this way."""
        self._heads(cid)
        day = first
        while day is not None and last is not None and day <= last:
            block = self._ad_block(cid, day)
            with self.ctx.lock:
                self.ctx.state.setdefault(f"google_ads_days:{cid}", {})[(day, self.ctx.world.today)] = block
            day += timedelta(days=1)

    def _heads(self, cid: str) -> _AdHeads:
        with self.ctx.lock:
            key = f"google_ads_heads:{cid}"
            heads = self.ctx.state.get(key)
            if heads is None:
                heads = self.ctx.state[key] = _AdHeads.of(self.ctx.world, cid)
            return heads

    def _ad_block(self, cid: str, day: date) -> RowBlock:
        """The ad_group_ad rows of one day, rendered column-wise: per-ad JSON heads (campaign, ad group, ad) made
        once per customer, then the day's segments and metrics. proto3 JSON leaves zero values out, as the real
        API does; money is the world's roubles in the account currency."""
        world = self.ctx.world
        divisor = RUB_PER_UNIT[world.account(cid).currency]
        s = world.daily_stats(cid, day)
        conv = sum((v for v in s.goal_conversions.values()), start=0 * s.clicks.astype(float))
        revenue = sum((v for v in s.goal_revenue_micros.values()), start=0 * s.clicks)
        converted = np.flatnonzero(conv)
        value = np.zeros(len(s))
        value[converted] = [round(int(r) / 1e6 / divisor, 2) for r in revenue[converted]]
        frame = pl.DataFrame(
            {
                "head": self._heads(cid).of_ads(s.ad_id),
                "network": pl.Series(NETWORKS).gather(s.network.astype(np.int64)),
                "impressions": s.impressions,
                "clicks": s.clicks,
                "costMicros": s.cost_net_micros // divisor,
                "conversions": conv,
                "conversionsValue": value,
            }
        )

        def text(key: str) -> pl.Expr:  # int64 metrics are JSON strings in the REST mapping
            return (
                pl.when(pl.col(key) != 0)
                .then(pl.format(f',"{key}":"{{}}"', pl.col(key)))
                .otherwise(pl.lit(""))
            )

        metrics = pl.concat_str(
            [
                text("impressions"),
                text("clicks"),
                text("costMicros"),
                pl.when(pl.col("conversions") != 0)
                .then(pl.format(',"conversions":{},"conversionsValue":{}', "conversions", "conversionsValue"))
                .otherwise(pl.lit("")),
            ]
        ).str.strip_prefix(",")
        rows = frame.select(
            pl.concat_str(
                [
                    pl.col("head"),
                    pl.lit(f',"segments":{{"date":"{day.isoformat()}","adNetworkType":"'),
                    pl.col("network"),
                    pl.lit('"},"metrics":{'),
                    metrics,
                    pl.lit("}},"),
                ]
            )
        ).to_series()
        return RowBlock.of_arrow(rows.to_arrow(compat_level=pl.CompatLevel.oldest()))


@dataclass(frozen=True)
class RowBlock:
    """Rows as UTF-8 JSON text, each followed by a comma: row i is data[ends[i] : ends[i + 1] - 1]."""

    data: memoryview
    ends: np.ndarray

    @classmethod
    def of(cls, texts: list[str]) -> RowBlock:
        encoded = [(t + ",").encode() for t in texts]
        ends = np.zeros(len(encoded) + 1, dtype=np.int64)
        np.cumsum([len(e) for e in encoded], out=ends[1:])
        return cls(memoryview(b"".join(encoded)), ends)

    @classmethod
    def of_arrow(cls, texts: pa.Array) -> RowBlock:
        """A large_string array's own buffers: no copy."""
        _validity, offsets, data = texts.buffers()
        ends = np.frombuffer(offsets, dtype=np.int64)[texts.offset : texts.offset + len(texts) + 1]
        return cls(memoryview(data) if data is not None else memoryview(b""), ends)

    def __len__(self) -> int:
        return len(self.ends) - 1

    def texts(self) -> Iterator[str]:
        for i in range(len(self)):
            yield bytes(self.data[self.ends[i] : self.ends[i + 1] - 1]).decode()


def _batches(blocks: Iterable[RowBlock], size: int, limit: int) -> Iterator[list[memoryview]]:
    """The rows of `blocks` in batches of `size` (at most `limit` rows in all when limit >= 0), each batch as the
    byte ranges of its rows, the last range without its trailing comma."""
    parts: list[memoryview] = []
    count = sent = 0
    for block in blocks:
        i, n = 0, len(block)
        while i < n and sent != limit:
            take = min(n - i, size - count, limit - sent if limit >= 0 else n)
            parts.append(block.data[block.ends[i] : block.ends[i + take]])
            i, count, sent = i + take, count + take, sent + take
            if count == size:
                parts[-1] = parts[-1][:-1]
                yield parts
                parts, count = [], 0
        if sent == limit:
            break
    if parts:
        parts[-1] = parts[-1][:-1]
        yield parts


@dataclass(frozen=True)
class _AdHeads:
    """Each ad's row JSON up to its segments (`{"campaign":{…},"adGroup":{…},"adGroupAd":{…}`), by ad id."""

    sorted_ids: np.ndarray
    order: np.ndarray
    heads: pl.Series

    @classmethod
    def of(cls, world: Any, cid: str) -> _AdHeads:
        camps = {c.campaign_id: c.name for c in world.campaigns(cid)}
        groups = {g.ad_group_id: g.name for g in world.ad_groups(cid)}
        ads = world.ads(cid)
        heads = [
            json.dumps(
                {
                    "campaign": {
                        "resourceName": f"customers/{cid}/campaigns/{a.campaign_id}",
                        "id": str(a.campaign_id),
                        "name": camps.get(a.campaign_id, ""),
                    },
                    "adGroup": {
                        "resourceName": f"customers/{cid}/adGroups/{a.ad_group_id}",
                        "id": str(a.ad_group_id),
                        "name": groups.get(a.ad_group_id, ""),
                    },
                    "adGroupAd": {
                        "resourceName": f"customers/{cid}/adGroupAds/{a.ad_group_id}~{a.ad_id}",
                        "ad": {"id": str(a.ad_id)},
                    },
                },
                ensure_ascii=False,
                separators=(",", ":"),
            )[:-1]
            for a in ads
        ]
        ids = np.array([a.ad_id for a in ads], dtype=np.uint64)
        order = np.argsort(ids, kind="stable")
        return cls(ids[order], order, pl.Series(heads, dtype=pl.String))

    def of_ads(self, ad_ids: np.ndarray) -> pl.Series:
        return self.heads.gather(self.order[np.searchsorted(self.sorted_ids, ad_ids)])


def make_api(ctx) -> GoogleAdsApi:  # noqa: ANN001 - SandboxContext, avoids an import cycle at type level
    return GoogleAdsApi(ctx)
