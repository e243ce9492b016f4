"""VK Ads emulator (prefix ``/vk``): OAuth2 token endpoint, list resources, statistics/banners/day.json.

Wire protocol per docs/api_formats.md (VK Ads): form-encoded token endpoint (client_credentials, agency_client_credentials,
refresh_token; refresh replaces the access token in place; five live tokens per client and user → 403),
401 JSON + ``WWW-Authenticate`` for bad/expired tokens, ``{"count","offset","items"}`` listings with
limit/offset paging and ``_field``/``_field__in`` filters, ``day.json`` with base/uniques groups, money as
decimal strings, ``ERR_*`` errors, and ``X-RateLimit-*`` headers on every API answer (429 past the limit).
``day.json`` is written as JSON text directly, byte for byte what ``json.dumps`` of the answer object would give
(integer kopeck arithmetic for the money, half up as before); faults still apply per request.

Data comes from the shared generator: ad plans = campaigns, ad groups = ad groups, banners = ads of the
world's ``vk_ads`` accounts. ``spent`` is rendered net of VAT (VK's cabinet convention). With agency
credentials an account is chosen by ``agency_client_name`` = account id; plain client credentials act as
the first VK account's own cabinet.

Authorization code (``GET /oauth2/authorize`` → 302 with ``code``/``state``; ``grant_type=authorization_code``, a
one-time code living CODE_TTL_S on the sandbox clock): the agency's own token reads ``/api/v2/agency/clients.json``
and ``/api/v2/user.json`` only, and asks for a client cabinet's token with ``agency_client_credentials`` plus
``access_token`` (that agency's clients only). The granting agency is ``login_hint`` or ``X-Sandbox-User``.

Extra fault kinds: ``vk_token_cap`` (token endpoint answers 403 as if five tokens were live) and
``vk_error`` (params ``code``, ``status``: the next API answer is that ERR_* error).
"""

from __future__ import annotations

import math
import re
import secrets
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import Any, TypeVar

import numpy as np

from ingestion.sandbox.generator import Ad, AdGroup, Campaign, World
from ingestion.sandbox.server import EmulatorApi, Request, Response, Route, SandboxContext

_Child = TypeVar("_Child", AdGroup, Ad)

SANDBOX_CLIENT_ID = "sandbox-vk-agency"
SANDBOX_CLIENT_SECRET = "sandbox-vk-secret"
TOKEN_CAP = 5
TOKEN_TTL_S = 86_400
CODE_TTL_S = 600  # an authorization code's life on the sandbox clock
MAX_LIMIT = 250
MAX_IDS = 200
MAX_DAYS = 366
STATUS_OF_STATE = {"ON": "active", "OFF": "active", "SUSPENDED": "blocked", "ENDED": "deleted"}
# Share of a day's reached users who are new to the banner (drives uniques.increment / total).
NEW_USER_SHARE = 0.45


@dataclass
class _Token:
    access: str
    refresh: str
    client_id: str
    user: str  # account id the token acts for (an agency login for an agency's own token)
    expires_at: float
    agency: bool = False  # the agency's own token (authorization code): agency resources only


@dataclass
class _Code:
    client_id: str
    redirect_uri: str
    agency: str
    expires_at: float
    used: bool = False


def _money(micros: int | np.integer) -> str:
    return str((Decimal(int(micros)) / Decimal(1_000_000)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def _msk(day: date, hour: int = 10) -> str:
    return datetime(day.year, day.month, day.day, hour).strftime("%Y-%m-%d %H:%M:%S")


class VkAdsEmulator(EmulatorApi):
    name = "vk"

    def __init__(self, ctx: SandboxContext) -> None:
        super().__init__(ctx)
        self.credentials = {SANDBOX_CLIENT_ID: SANDBOX_CLIENT_SECRET}
        self.tokens: dict[str, _Token] = {}
        self.lock = threading.Lock()
        # Per-user request quotas; tests lower them to exercise pacing. Keys as in the X-RateLimit-* headers.
        self.limits = {"RPS": 50, "Hourly": 100_000, "Daily": 1_000_000}
        self._counters: dict[tuple[str, str, int], int] = {}
        self.stats = {"token_issued": 0, "token_refreshed": 0, "rate_limited": 0, "requests": 0}
        self._uniques_cache: dict[tuple[str, date, date], dict[int, int]] = {}
        self.codes: dict[str, _Code] = {}

    @property
    def world(self) -> World:
        return self.ctx.world

    def routes(self) -> list[Route]:
        return [
            Route("GET", r"/oauth2/authorize", self.authorize),
            Route("POST", r"/api/v2/oauth2/token\.json", self.token),
            Route("GET", r"/api/v2/agency/clients\.json", self.api(self.agency_clients, agency=True)),
            Route("GET", r"/api/v2/user\.json", self.api(self.user, agency=None)),
            Route("POST", r"/api/v2/oauth2/token/delete\.json", self.delete_tokens),
            Route("GET", r"/api/v2/ad_plans\.json", self.api(self.ad_plans)),
            Route("GET", r"/api/v2/ad_groups\.json", self.api(self.ad_groups)),
            Route("GET", r"/api/v2/banners\.json", self.api(self.banners)),
            Route("GET", r"/api/v2/statistics/banners/day\.json", self.api(self.banner_day)),
            Route("GET", r"/api/v2/throttling\.json", self.api(self.throttling)),
        ]

    def error_response(
        self, status: int, kind: str, message: str, *, retry_after: float | None = None
    ) -> Response:
        code = "ERR_INTERNAL" if status >= 500 else ("ERR_WRONG_RESOURCE" if status == 404 else kind)
        headers = {"Retry-After": f"{retry_after:g}"} if retry_after is not None else {}
        return Response.json({"error": {"code": code, "message": message}}, status, headers)

    @staticmethod
    def _err(status: int, code: str, message: str) -> Response:
        return Response.json({"error": {"code": code, "message": message}}, status)

    # -- OAuth2 -------------------------------------------------------------------------------------------
    def token(self, req: Request, _m: re.Match[str]) -> Response:
        form = req.form()
        client_id, secret = form.get("client_id", ""), form.get("client_secret", "")
        if self.credentials.get(client_id) != secret or not client_id:
            return Response.json(
                {"code": "invalid_client", "message": "Invalid client id or secret provided"}, 401
            )
        grant = form.get("grant_type", "")
        with self.lock:
            if grant == "refresh_token":
                for tok in self.tokens.values():
                    if tok.refresh == form.get("refresh_token") and tok.client_id == client_id:
                        # Refresh changes the access token in place: the old value stops working at once.
                        del self.tokens[tok.access]
                        tok.access = f"vk-{secrets.token_hex(12)}"
                        tok.expires_at = self.ctx.now() + TOKEN_TTL_S
                        self.tokens[tok.access] = tok
                        self.stats["token_refreshed"] += 1
                        return Response.json(
                            {
                                "access_token": tok.access,
                                "token_type": "Bearer",
                                "scope": ["read_ads"],
                                "expires_in": TOKEN_TTL_S,
                                "refresh_token": tok.refresh,
                            }
                        )
                return Response.json({"code": "invalid_grant", "message": "Unknown refresh token"}, 400)
            agency = False
            if grant == "client_credentials":
                user = self.world.accounts_for("vk_ads")[0].account_id
            elif grant == "authorization_code":
                code = self.codes.get(form.get("code", ""))
                if code is None or code.client_id != client_id:
                    return Response.json({"code": "invalid_grant", "message": "Unknown code"}, 400)
                if code.used:
                    return Response.json(
                        {"code": "invalid_grant", "message": "Code has already been used"}, 400
                    )
                if code.expires_at <= self.ctx.now():
                    return Response.json({"code": "invalid_grant", "message": "Code has expired"}, 400)
                sent_uri = form.get("redirect_uri")
                if sent_uri is not None and sent_uri != code.redirect_uri:
                    return Response.json(
                        {
                            "code": "invalid_grant",
                            "message": "redirect_uri does not match the authorization request",
                        },
                        400,
                    )
                code.used = True
                user, agency = code.agency, True
            elif grant == "agency_client_credentials":
                user = form.get("agency_client_name", "")
                # With an agency's own token (authorization-code grant) only that agency's clients; without one,
                # the sandbox app's own agency credentials reach every VK cabinet.
                on_behalf = (
                    self.tokens.get(form.get("access_token", "")) if form.get("access_token") else None
                )
                if form.get("access_token") and (
                    on_behalf is None or not on_behalf.agency or on_behalf.expires_at <= self.ctx.now()
                ):
                    return Response.json(
                        {
                            "code": "invalid_token",
                            "message": "access_token is unknown, expired or not an agency's",
                        },
                        401,
                    )
                owner = on_behalf.user if on_behalf is not None else ""
                if user not in {a.account_id for a in self.ctx.agency_accounts(owner, "vk_ads")}:
                    return Response.json(
                        {"code": "invalid_user", "message": f"Unknown agency client {user!r}"}, 400
                    )
            else:
                return Response.json(
                    {"code": "unsupported_grant_type", "message": f"grant_type {grant!r}"}, 400
                )
            live = [t for t in self.tokens.values() if t.client_id == client_id and t.user == user]
            if len(live) >= TOKEN_CAP or self.ctx.faults.take("vk", req.path, ("vk_token_cap",)):
                return Response.json(
                    {
                        "code": "token_limit_exceeded",
                        "message": f"Too many active tokens for this user (max {TOKEN_CAP})",
                    },
                    403,
                )
            tok = _Token(
                f"vk-{secrets.token_hex(12)}",
                f"vkr-{secrets.token_hex(12)}",
                client_id,
                user,
                self.ctx.now() + TOKEN_TTL_S,
                agency,
            )
            self.tokens[tok.access] = tok
            self.stats["token_issued"] += 1
        # The client-credentials example has expires_in and scope as strings: keep that variant on the wire.
        return Response.json(
            {
                "access_token": tok.access,
                "token_type": "bearer",
                "scope": "read_ads",
                "expires_in": str(TOKEN_TTL_S),
                "refresh_token": tok.refresh,
            }
        )

    def authorize(self, req: Request, _m: re.Match[str]) -> Response:
        """`GET /oauth2/authorize?response_type=code&client_id=…&state=…[&redirect_uri=…]`: 302 back with `code` and
        `state`. Consent is automatic; the granting agency is `login_hint` or the `X-Sandbox-User` header
        (default `demo-agency`), `consent=deny` refuses."""
        from ingestion.sandbox.yandex_oauth import DEFAULT_USER, with_query

        client_id = req.arg("client_id") or ""
        redirect_uri = req.arg("redirect_uri") or ""
        if client_id not in self.credentials or not redirect_uri.startswith(("http://", "https://")):
            return Response.json(
                {"code": "invalid_client", "message": "unknown client_id or redirect_uri"}, 400
            )
        back = {"state": req.arg("state") or ""}
        agency = req.arg("login_hint") or req.header("x-sandbox-user") or DEFAULT_USER
        consent = (req.arg("consent") or req.header("x-sandbox-consent") or "allow").lower()
        if req.arg("response_type") != "code":
            params = {"error": "unsupported_response_type", **back}
        elif consent == "deny" or agency not in self.ctx.agencies():
            params = {"error": "access_denied", **back}
        else:
            code = secrets.token_hex(16)
            with self.lock:
                self.codes[code] = _Code(client_id, redirect_uri, agency, self.ctx.now() + CODE_TTL_S)
            params = {"code": code, **back}
        return Response(302, b"", {"Location": with_query(redirect_uri, params)})

    def user(self, req: Request, user: str) -> Response:
        """`GET /api/v2/user.json`: who the token acts for (`id`, `username`, `types`)."""
        agency = user in self.ctx.agencies()
        uid = int(user) if user.isdigit() else 9_000_000 + self.ctx.agencies().index(user)
        return Response.json(
            {
                "id": uid,
                "username": user,
                "types": ["agency"] if agency else ["advertiser"],
                "status": "active",
            }
        )

    def agency_clients(self, req: Request, agency: str) -> Response:
        """`GET /api/v2/agency/clients.json`: the agency's clients, `{"count", "items", "limit", "offset"}`
        (limit 1..50, default 20)."""
        try:
            limit = int(req.arg("limit") or 20)
            offset = int(req.arg("offset") or 0)
        except ValueError:
            return self._validation("limit", "invalid_value", "limit and offset must be integers")
        if not 1 <= limit <= 50 or offset < 0:
            return self._validation("limit", "invalid_value", "limit must be 1..50 and offset >= 0")
        items = [
            {
                "access_type": "full_access",
                "status": "active",
                "user": {
                    "id": int(a.account_id),
                    "username": a.account_id,
                    "status": "active",
                    "account": {"id": int(a.account_id), "balance": "0.00", "currency_balance_hold": "0.00"},
                    "additional_info": {"client_name": a.name, "name": a.name, "client_info": a.client_id},
                },
            }
            for a in self.ctx.agency_accounts(agency, "vk_ads")
        ]
        return Response.json(
            {"count": len(items), "items": items[offset : offset + limit], "limit": limit, "offset": offset}
        )

    def delete_tokens(self, req: Request, _m: re.Match[str]) -> Response:
        form = req.form()
        client_id = form.get("client_id", "")
        if self.credentials.get(client_id) != form.get("client_secret") or not client_id:
            return Response.json(
                {"code": "invalid_client", "message": "Invalid client id or secret provided"}, 401
            )
        user = form.get("username") or self.world.accounts_for("vk_ads")[0].account_id
        with self.lock:
            for access in [a for a, t in self.tokens.items() if t.client_id == client_id and t.user == user]:
                del self.tokens[access]
        return Response(204)

    def live_tokens(self, user: str) -> int:
        with self.lock:
            return sum(1 for t in self.tokens.values() if t.user == user)

    # -- authenticated API calls --------------------------------------------------------------------------
    def api(self, handler: Any, *, agency: bool | None = False) -> Any:
        """Wrap a resource: token check, rate limits and faults. `agency` resources answer only an agency's own
        token, the others only a cabinet's token (as at VK, an agency token does not read a client's campaigns);
        None = either."""

        def wrapped(req: Request, match: re.Match[str]) -> Response:
            auth = req.header("authorization") or ""
            access = auth[7:].strip() if auth.lower().startswith("bearer ") else ""
            with self.lock:
                tok = self.tokens.get(access)
                if tok is not None and self.ctx.faults.take("vk", req.path, ("expired_token",)):
                    tok.expires_at = 0.0
            if tok is None:
                return self._unauthorized("invalid_token", "Unknown access token")
            if tok.expires_at <= self.ctx.now():
                return self._unauthorized("expired_token", "Access token is expired")
            if agency is not None and tok.agency != agency:
                whose = "an agency's own token" if agency else "a token of the cabinet itself"
                return self._err(403, "ERR_ACCESS_DENIED", f"this resource needs {whose}")
            self.stats["requests"] += 1
            headers, over = self._count(tok.user)
            if over:
                self.stats["rate_limited"] += 1
                resp = self._err(429, "too_many_requests", f"{over} request limit exceeded")
            else:
                fault = self.ctx.faults.take("vk", req.path, ("vk_error",))
                if fault is not None:
                    resp = self._err(
                        int(fault.params.get("status", 400)),
                        str(fault.params.get("code", "ERR_WRONG_PARAMETER")),
                        str(fault.params.get("message", "sandbox fault")),
                    )
                else:
                    resp = handler(req, tok.user)
            resp.headers.update(headers)
            resp.headers["X-Request-Id"] = self.request_id()
            return resp

        return wrapped

    @staticmethod
    def _unauthorized(code: str, message: str) -> Response:
        return Response.json(
            {"code": code, "message": message},
            401,
            {"WWW-Authenticate": f'Bearer realm="api", error="{code}", error_description="{message}"'},
        )

    def _count(self, user: str) -> tuple[dict[str, str], str]:
        """Count the request in the user's calendar second/hour/day windows; name the first exceeded one."""
        now = time.time()
        windows = {"RPS": int(now), "Hourly": int(now // 3600), "Daily": int((now + 3 * 3600) // 86400)}
        headers: dict[str, str] = {}
        over = ""
        with self.lock:
            for name, slot in windows.items():
                key = (user, name, slot)
                used = self._counters.get(key, 0) + 1
                self._counters[key] = used
                limit = self.limits[name]
                if used > limit and not over:
                    over = name
                headers[f"X-RateLimit-{name}-Limit"] = str(limit)
                headers[f"X-RateLimit-{name}-Remaining"] = str(max(0, limit - used))
            if len(self._counters) > 10_000:
                self._counters = {k: v for k, v in self._counters.items() if k[2] == windows[k[1]]}
        return headers, over

    def throttling(self, req: Request, user: str) -> Response:
        return Response.json(
            {
                "all": {
                    "v2": {
                        "READ": {
                            "limits": {
                                "1": self.limits["RPS"],
                                "3600": self.limits["Hourly"],
                                "86400": self.limits["Daily"],
                            }
                        }
                    }
                }
            }
        )

    # -- listings -----------------------------------------------------------------------------------------
    def _listing(
        self,
        req: Request,
        objects: list[dict[str, Any]],
        default_fields: list[str],
        filterable: set[str],
    ) -> Response:
        """A page of `objects`; a client may ask for any field the objects carry (``fields``)."""
        allowed = set(objects[0]) if objects else {"id"}
        fields = [f for f in (req.arg("fields") or ",".join(default_fields)).split(",") if f]
        bad = [f for f in fields if f not in allowed]
        if bad:
            return self._validation("fields", "bad_value", f"unknown fields: {', '.join(bad)}")
        try:
            limit = int(req.arg("limit", "20") or 20)
            offset = int(req.arg("offset", "0") or 0)
        except ValueError:
            return self._validation("limit", "bad_value", "limit and offset must be integers")
        if not 1 <= limit <= MAX_LIMIT:
            return self._validation("limit", "max_value", f"limit must be between 1 and {MAX_LIMIT}")
        if offset < 0:
            return self._validation("offset", "min_value", "offset must be >= 0")
        rows = objects
        has_status_filter = False
        for key, values in req.query.items():
            if not key.startswith("_"):
                continue
            name, _, lookup = key[1:].partition("__")
            if name not in filterable:
                return self._validation(key, "unallowed_field", f"filter {key} is not supported")
            wanted = set(values[0].split(","))
            if name == "status":
                has_status_filter = True
            if lookup in ("", "in"):
                rows = [r for r in rows if str(r[name]) in wanted]
            elif lookup == "ne":
                rows = [r for r in rows if str(r[name]) not in wanted]
            else:
                return self._validation(key, "bad_value", f"lookup {lookup!r} is not supported here")
        if not has_status_filter:
            # Like the real API, deleted objects are only listed when asked for by a status filter.
            rows = [r for r in rows if r["status"] != "deleted"]
        sorting = req.arg("sorting") or "id"
        reverse = sorting.startswith("-")
        rows = sorted(
            rows,
            key=lambda r: r[sorting.lstrip("-")] if sorting.lstrip("-") in r else r["id"],
            reverse=reverse,
        )
        page = [{k: r[k] for k in ["id", *fields] if k in r} for r in rows[offset : offset + limit]]
        return Response.json({"count": len(rows), "offset": offset, "limit": limit, "items": page})

    def _validation(self, field: str, code: str, message: str) -> Response:
        return Response.json(
            {
                "error": {
                    "fields": {field: {"message": message, "code": code}},
                    "message": "Validation failed",
                    "code": "validation_failed",
                }
            },
            400,
        )

    def _with_plans(self, user: str, items: Iterable[_Child]) -> Iterator[tuple[_Child, Campaign]]:
        """Each ad group or ad of `user` with the campaign (ad plan) it belongs to: the plan sets its status."""
        plans = {c.campaign_id: c for c in self.world.campaigns(user)}
        for item in items:
            yield item, plans[item.campaign_id]

    def _plan_status(self, c: Campaign) -> str:
        return STATUS_OF_STATE[c.state(self.ctx.today)]

    def ad_plans(self, req: Request, user: str) -> Response:
        objects = []
        for c in self.world.campaigns(user):
            objects.append(
                {
                    "id": c.campaign_id,
                    "name": c.name,
                    "status": self._plan_status(c),
                    "objective": c.type,
                    "budget_limit": "",
                    "budget_limit_day": _money(c.daily_budget_micros) if c.daily_budget_micros else "",
                    "date_start": c.start.isoformat(),
                    "date_end": c.end.isoformat() if c.end else "",
                    "created": _msk(c.start, 9),
                    "updated": _msk(c.paused_from or c.end or c.start, 12),
                    "max_price": "0",
                    "autobidding_mode": "max_goals",
                    "vkads_status": {"major_status": "ACTIVE"},
                }
            )
        return self._listing(req, objects, ["id", "name"], {"id", "status"})

    def ad_groups(self, req: Request, user: str) -> Response:
        objects = [
            {
                "id": g.ad_group_id,
                "ad_plan_id": g.campaign_id,
                "name": g.name,
                "status": self._plan_status(c),
                "package_id": 960 if c.network == "AD_NETWORK" else 83,
                "budget_limit_day": "",
                "updated": _msk(c.start, 11),
                "last_updated": _msk(c.start, 11),
            }
            for g, c in self._with_plans(user, self.world.ad_groups(user))
        ]
        return self._listing(
            req, objects, ["id", "name", "package_id", "last_updated"], {"id", "status", "ad_plan_id"}
        )

    def banners(self, req: Request, user: str) -> Response:
        objects = [
            {
                "id": ad.ad_id,
                "ad_group_id": ad.ad_group_id,
                "name": ad.name,
                "status": self._plan_status(c),
                "moderation_status": "allowed",
                "urls": {"primary": {"id": ad.ad_id % 100_000, "url": ad.url}},
                "textblocks": {"title_25": {"text": ad.name}},
                "updated": _msk(c.start, 12),
            }
            for ad, c in self._with_plans(user, self.world.ads(user))
        ]
        return self._listing(req, objects, ["id", "ad_group_id"], {"id", "status", "ad_group_id"})

    # -- statistics -----------------------------------------------------------------------------------------
    def warm(self, date_from: date) -> None:
        """Build what answers from `date_from` on reuse (entity lists, per-ad models, uniques before the window)
        for every VK account, so whichever client asks first does not pay for it (benchmarks compare clients)."""
        for account in self.world.accounts_for("vk_ads"):
            self.world.daily_stats(account.account_id, date_from)
            self._uniques_before(account.account_id, date_from)

    def banner_day(self, req: Request, user: str) -> Response:
        raw_ids = ",".join(req.query.get("id", []))
        if not raw_ids:
            return self._err(400, "ERR_WRONG_PARAMETER", "Parameter id is required")
        try:
            ids = [int(x) for x in raw_ids.split(",") if x]
        except ValueError:
            return self._err(400, "ERR_WRONG_BANNERS", f"Bad banner ids: {raw_ids[:100]}")
        if len(ids) > MAX_IDS:
            return self._err(400, "ERR_LIMIT_EXCEEDED", f"Too many ids: {len(ids)} > {MAX_IDS}")
        try:
            date_from = date.fromisoformat(req.arg("date_from") or "")
            date_to = date.fromisoformat(req.arg("date_to") or self.ctx.today.isoformat())
        except ValueError:
            return self._err(400, "ERR_WRONG_DATE", "date_from/date_to must be YYYY-MM-DD")
        if date_to < date_from:
            return self._err(400, "ERR_WRONG_DATE", "date_to is before date_from")
        if (date_to - date_from).days + 1 > MAX_DAYS:
            return self._err(400, "ERR_LIMIT_EXCEEDED", f"Date range is longer than {MAX_DAYS} days")
        if date_from < self.ctx.today - timedelta(days=MAX_DAYS):
            return self._err(
                400, "ERR_WRONG_DATE", f"Day statistics are available for the last {MAX_DAYS} days only"
            )
        metrics = [m for m in (req.arg("metrics") or "base").split(",") if m]
        unknown = [m for m in metrics if m not in ("base", "uniques")]
        if unknown:
            return self._err(400, "ERR_WRONG_PARAMETER", f"Unsupported metrics: {', '.join(unknown)}")
        own = {ad.ad_id: ad for ad in self.world.ads(user)}
        foreign = [i for i in ids if i not in own]
        if foreign:
            return self._err(404, "ERR_WRONG_IDS", f"Banners not found: {', '.join(map(str, foreign[:10]))}")
        return Response(
            200,
            self._render(user, ids, date_from, date_to, metrics),
            {"Content-Type": "application/json; charset=utf-8"},
        )

    def _render(self, user: str, ids: list[int], date_from: date, date_to: date, metrics: list[str]) -> bytes:
        """The ``day.json`` body, byte for byte what ``json.dumps(..., ensure_ascii=False)`` of the answer
        object would give, written as text directly: building ~50 k row dicts and dumping them cost ~1 s per
        200-banner year, and every client of the emulator (ours and the benchmark's dlt) waited for it."""
        days = [date_from + timedelta(days=i) for i in range((date_to - date_from).days + 1)]
        values = self._day_matrix(user, ids, days)
        initial = self._uniques_before(user, date_from)
        # New users per banner-day, and the banner's cumulative users before/after each day (uniques.total).
        increments = np.ceil(values[4] * NEW_USER_SHARE).astype(np.int64)
        after = (
            np.cumsum(increments, axis=1)
            + np.array([initial.get(b, 0) for b in ids], dtype=np.int64)[:, None]
        )
        sums = (
            values[:4].sum(axis=2).T.tolist()
        )  # [banner] → (shows, clicks, goals, spent micros) over the window
        shows, clicks, goals, spent, reach = (m.tolist() for m in values)
        base = (
            (lambda s, c, g, m: ', "base": ' + _base_json(s, c, g, m))
            if "base" in metrics
            else (lambda *_: "")
        )
        uniques = _uniques_json if "uniques" in metrics else (lambda *_: "")
        day_texts = [f'{{"date": "{d.isoformat()}"' for d in days]
        items: list[str] = []
        for k, banner in enumerate(ids):
            rows = [
                d + base(s, c, g, m) + uniques(t, i, f"{round(s / r, 4) if r else 0}") + "}"
                for d, s, c, g, m, r, t, i in zip(
                    day_texts,
                    shows[k],
                    clicks[k],
                    goals[k],
                    spent[k],
                    reach[k],
                    after[k].tolist(),
                    increments[k].tolist(),
                    strict=True,
                )
            ]
            end = int(after[k, -1])
            start = end - int(increments[k].sum())
            total = [t[2:] for t in (base(*sums[k]), uniques(end, end - start, "0")) if t]
            items.append(f'{{"id": {banner}, "rows": [{", ".join(rows)}], "total": {{{", ".join(total)}}}}}')
        grand = base(*(int(v) for v in values[:4].sum(axis=(1, 2))))[2:]
        return f'{{"items": [{", ".join(items)}], "total": {{{grand}}}}}'.encode()

    def _day_matrix(self, user: str, ids: list[int], days: list[date]) -> np.ndarray:
        """(shows, clicks, goals, spent micros, reached users) × banner × day for the requested banners."""
        order = np.argsort(np.asarray(ids, dtype=np.uint64), kind="stable")
        sorted_ids = np.asarray(ids, dtype=np.uint64)[order]
        out = np.zeros((5, len(ids), len(days)), dtype=np.int64)
        for j, day in enumerate(days):
            ad_id, values = self._day_arrays(user, day)
            pos = np.searchsorted(sorted_ids, ad_id)
            pos[pos >= len(ids)] = 0
            hit = sorted_ids[pos] == ad_id if len(ids) else np.zeros(len(ad_id), dtype=bool)
            out[:, order[pos[hit]], j] = values[:, hit]
        return out

    def _day_arrays(self, user: str, day: date) -> tuple[np.ndarray, np.ndarray]:
        """Banner ids of a day and their (shows, clicks, goals, spent micros, reached users) rows, as reported today."""
        s = self.world.daily_stats(user, day)
        goals = sum((c for c in s.goal_conversions.values()), np.zeros(len(s), dtype=np.int64))
        freq = np.where(s.network == 1, 1.9, 1.15)
        reach = np.ceil(s.impressions / freq).astype(np.int64)
        return s.ad_id, np.vstack([s.impressions, s.clicks, goals, s.cost_net_micros, reach]).astype(np.int64)

    def _day_values(self, user: str, day: date) -> dict[int, tuple[int, int, int, int, int]]:
        """banner id → (shows, clicks, goals, spent micros, reached users) on a day, as reported today."""
        s = self.world.daily_stats(user, day)
        goals = sum((c for c in s.goal_conversions.values()), np.zeros(len(s), dtype=np.int64))
        freq = np.where(s.network == 1, 1.9, 1.15)
        reach = np.ceil(s.impressions / freq).astype(np.int64)
        return {
            int(a): (int(i), int(c), int(g), int(m), int(r))
            for a, i, c, g, m, r in zip(
                s.ad_id, s.impressions, s.clicks, goals, s.cost_net_micros, reach, strict=True
            )
        }

    def _uniques_before(self, user: str, day: date) -> dict[int, int]:
        """Cumulative new users per banner over the history before `day` (uniques.initial_total)."""
        key = (user, day, self.ctx.today)
        cached = self._uniques_cache.get(key)
        if cached is not None:
            return cached
        out: dict[int, int] = {}
        d = self.world.anchor - timedelta(days=self.world.history_days)
        while d < day:
            ad_id, values = self._day_arrays(user, d)
            for banner, reach in zip(ad_id.tolist(), values[4].tolist(), strict=True):
                out[banner] = out.get(banner, 0) + math.ceil(reach * NEW_USER_SHARE)
            d += timedelta(days=1)
        with self.lock:
            if len(self._uniques_cache) > 256:
                self._uniques_cache.clear()
            self._uniques_cache[key] = out
        return out


def _kopecks_ratio(kopecks: int, den: int) -> str:
    """``_ratio`` in whole integers: kopecks / den rounded half up to kopecks, as ``"R.KK"`` (``"0"`` for den 0).
    Equal to the Decimal form: a quotient with den < 10**25 never comes within 10**-28 of a half."""
    if not den:
        return "0"
    q = (2 * kopecks + den) // (2 * den)
    return f"{q // 100}.{q % 100:02d}"


@lru_cache(maxsize=1 << 16)
def _base_json(shows: int, clicks: int, goals: int, spent_micros: int) -> str:
    """The JSON text of a ``base`` group (spent rounded half up to kopecks; cpm/cpc/cpa as decimal strings)."""
    kopecks = (spent_micros + 5_000) // 10_000
    spent = f"{kopecks // 100}.{kopecks % 100:02d}"
    cpa = _kopecks_ratio(kopecks, goals)
    cr = round(goals / clicks * 100, 4) if clicks else 0
    ctr = round(clicks / shows * 100, 4) if shows else 0
    return (
        f'{{"shows": {shows}, "clicks": {clicks}, "goals": {goals}, "spent": "{spent}", '
        f'"cpm": "{_kopecks_ratio(kopecks * 1000, shows)}", "cpc": "{_kopecks_ratio(kopecks, clicks)}", '
        f'"cpa": "{cpa}", "ctr": {ctr}, "cr": {cr}, "vk": {{"goals": {goals}, "cpa": {float(cpa)!r}, "cr": {cr}}}}}'
    )


def _uniques_json(total: int, increment: int, frequency: str) -> str:
    """The ``uniques`` group after a day (or window) that brought ``increment`` new users, ``total`` in all."""
    return (
        f', "uniques": {{"reach": 0, "total": {total}, "increment": {increment}, "initial_total": '
        f'{total - increment}, "frequency": {frequency}, "frequency_total": 0}}'
    )


def make_api(ctx: SandboxContext) -> VkAdsEmulator:
    return VkAdsEmulator(ctx)
