"""Garpun DataHub emulator (prefix ``/garpun``): service-account token endpoint and streaming METAQL.

- ``POST /v1/sandbox/service-accounts`` issues a service-account JSON key (what the Garpun console does):
  a fresh RSA key pair; the emulator keeps the public key and returns the private one with client_email,
  private_key_id and token_uri (= this emulator's ``/oauth2/token``).
- ``POST /oauth2/token`` (``grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer``): verifies the RS256
  assertion's signature with the registered public key, ``aud`` = token_uri, ``iss`` = client_email, expiry.
- ``POST /v1/metaql/query`` ``{"query", "shardKey"}`` → NDJSON stream, ``X-Meta-Column-Types`` header.
  METAQL subset: ``SELECT col [AS alias], … | * FROM table [WHERE cond AND …] [LIMIT n]`` with conditions
  ``=``, ``!=``, ``<``, ``<=``, ``>``, ``>=``, ``BETWEEN … AND …``, ``IN (…)`` on literals.

Tables: ``adplatform.ad_stats_daily`` (ad × day statistics of the world's garpun accounts; needs an
``account_id`` filter and a date range), ``adplatform.campaign``, ``adplatform.client``,
``meta.dynamic_date_range``. DATE and DATETIME go on the wire as epoch milliseconds (the official client
reads with ``date_unit="ms"``); set ``emulator.date_format = "iso"`` for the ISO variant.
Extra fault kind: ``garpun_bad_type`` (the next stream carries a non-numeric value in a LONG column).
"""

from __future__ import annotations

import json
import operator
import re
import secrets
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import jwt
import numpy as np
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from ingestion.sandbox.generator import World, gross_micros
from ingestion.sandbox.server import EmulatorApi, Request, Response, Route, SandboxContext

JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
TOKEN_TTL_S = 3600
MAX_DAYS = 400
STATUS_OF_STATE = {"ON": "ACTIVE", "OFF": "DRAFT", "SUSPENDED": "PAUSED", "ENDED": "ARCHIVED"}

# table → ordered (column, Garpun type)
TABLES: dict[str, list[tuple[str, str]]] = {
    "adplatform.ad_stats_daily": [
        ("date", "DATE"),
        ("account_id", "TEXT"),
        ("platform", "TEXT"),
        ("campaign_id", "LONG"),
        ("campaign_name", "TEXT"),
        ("ad_group_id", "LONG"),
        ("ad_id", "LONG"),
        ("impressions", "LONG"),
        ("clicks", "LONG"),
        ("cost", "DECIMAL"),
        ("vat_included", "BOOLEAN"),
        ("currency", "TEXT"),
        ("conversions", "DECIMAL"),
        ("ctr", "PERCENT"),
        ("network", "UNKNOWN"),
        ("updated_at", "DATETIME"),
    ],
    "adplatform.campaign": [
        ("account_id", "TEXT"),
        ("platform", "TEXT"),
        ("campaign_id", "LONG"),
        ("campaign_name", "TEXT"),
        ("status", "TEXT"),
        ("start_date", "DATE"),
        ("daily_budget", "DECIMAL"),
        ("created_at", "DATETIME"),
    ],
    "adplatform.client": [("id", "INT"), ("name", "TEXT"), ("account_id", "TEXT")],
    "meta.dynamic_date_range": [("id", "TEXT"), ("name", "TEXT"), ("refresh_time", "TIME")],
}


class MetaqlError(ValueError):
    pass


@dataclass(frozen=True)
class Query:
    table: str
    columns: list[tuple[str, str]]  # (source column, output name)
    conditions: list[tuple[str, str, Any]]  # (column, op, value or tuple)
    limit: int | None


_LITERAL = r"'(?:[^'\\]|\\.)*'|-?\d+(?:\.\d+)?"
_COND = re.compile(
    rf"\s*(\w+)\s*(?:(=|!=|<>|<=|>=|<|>)\s*({_LITERAL})|BETWEEN\s+({_LITERAL})\s+AND\s+({_LITERAL})"
    rf"|IN\s*\(((?:\s*(?:{_LITERAL})\s*,?)+)\))\s*",
    re.IGNORECASE,
)
_SELECT = re.compile(
    r"^\s*SELECT\s+(.+?)\s+FROM\s+([\w.]+)(?:\s+WHERE\s+(.+?))?(?:\s+LIMIT\s+(\d+))?\s*;?\s*$",
    re.IGNORECASE | re.DOTALL,
)


def _literal(text: str) -> Any:
    if text.startswith("'"):
        return re.sub(r"\\(.)", r"\1", text[1:-1])
    return Decimal(text) if "." in text else int(text)


def parse_metaql(text: str) -> Query:
    """Parse the METAQL subset the emulator serves; anything else is a MetaqlError with the reason."""
    m = _SELECT.match(text)
    if not m:
        raise MetaqlError("expected SELECT <columns> FROM <table> [WHERE ...] [LIMIT n]")
    cols_text, table, where, limit = m.groups()
    table = table.lower()
    if table not in TABLES:
        raise MetaqlError(f"unknown table {table}")
    known = [c for c, _ in TABLES[table]]
    columns: list[tuple[str, str]] = []
    if cols_text.strip() == "*":
        columns = [(c, c) for c in known]
    else:
        for part in cols_text.split(","):
            cm = re.fullmatch(r"\s*(\w+)(?:\s+AS\s+(\w+))?\s*", part, re.IGNORECASE)
            if not cm:
                raise MetaqlError(f"cannot parse column {part.strip()!r}")
            if cm.group(1) not in known:
                raise MetaqlError(f"unknown column {cm.group(1)} in {table}")
            columns.append((cm.group(1), cm.group(2) or cm.group(1)))
    conditions: list[tuple[str, str, Any]] = []
    if where:
        for part in re.split(r"\s+AND\s+(?=\w+\s*(?:=|!=|<>|<|>|BETWEEN|IN))", where, flags=re.IGNORECASE):
            cm = _COND.fullmatch(part)
            if not cm:
                raise MetaqlError(f"cannot parse condition {part.strip()!r}")
            col, op, val, lo, hi, in_list = cm.groups()
            if col not in known:
                raise MetaqlError(f"unknown column {col} in {table}")
            if op:
                conditions.append((col, "!=" if op == "<>" else op, _literal(val)))
            elif lo is not None:
                conditions.append((col, ">=", _literal(lo)))
                conditions.append((col, "<=", _literal(hi)))
            else:
                conditions.append(
                    (col, "in", tuple(_literal(v.strip()) for v in re.findall(_LITERAL, in_list)))
                )
    return Query(table, columns, conditions, int(limit) if limit else None)


_OPS: dict[str, Any] = {
    "=": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "in": lambda have, want: have in want,
}


def _matches(row: dict[str, Any], conditions: list[tuple[str, str, Any]]) -> bool:
    for col, op, want in conditions:
        have = row[col]
        if isinstance(have, date):
            want = (
                tuple(date.fromisoformat(str(w)) for w in want)
                if op == "in"
                else date.fromisoformat(str(want))
            )
        elif isinstance(have, int) and not isinstance(have, bool):
            want = tuple(int(w) for w in want) if op == "in" else int(want)
        else:
            have = str(have)
            want = tuple(str(w) for w in want) if op == "in" else str(want)
        if not _OPS[op](have, want):
            return False
    return True


def issue_sandbox_key(base_url: str, *, timeout: float = 10.0) -> dict[str, str]:
    """Ask a running emulator to issue a service-account JSON key (used by ``Settings.for_sandbox``)."""
    response = httpx.post(f"{base_url.rstrip('/')}/v1/sandbox/service-accounts", timeout=timeout)
    response.raise_for_status()
    return dict(response.json())


class GarpunEmulator(EmulatorApi):
    name = "garpun"

    def __init__(self, ctx: SandboxContext) -> None:
        super().__init__(ctx)
        self.public_keys: dict[str, tuple[str, Any]] = {}  # private_key_id → (client_email, public key)
        self.tokens: dict[str, float] = {}  # access token → expiry
        self.lock = threading.Lock()
        self.date_format = "ms"
        self.stats = {"tokens": 0, "queries": 0, "rejected_assertions": 0}

    @property
    def world(self) -> World:
        return self.ctx.world

    def routes(self) -> list[Route]:
        return [
            Route("POST", r"/v1/sandbox/service-accounts", self.service_account),
            Route("POST", r"/oauth2/token", self.token),
            Route("POST", r"/v1/metaql/query", self.metaql),
        ]

    def error_response(
        self, status: int, kind: str, message: str, *, retry_after: float | None = None
    ) -> Response:
        headers = {"Retry-After": f"{retry_after:g}"} if retry_after is not None else {}
        code = "UNAVAILABLE" if status >= 500 else ("RESOURCE_EXHAUSTED" if status in (420, 429) else kind)
        return Response.json({"error": {"code": code, "message": message}}, status, headers)

    @staticmethod
    def _err(status: int, code: str, message: str) -> Response:
        return Response.json({"error": {"code": code, "message": message}}, status)

    # -- auth -------------------------------------------------------------------------------------------
    def service_account(self, req: Request, _m: re.Match[str]) -> Response:
        private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = private.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode()
        key_id = secrets.token_hex(20)
        email = f"sandbox-{key_id[:8]}@sandbox-project.iam.garpun.com"
        with self.lock:
            self.public_keys[key_id] = (email, private.public_key())
        return Response.json(
            {
                "type": "service_account",
                "project_id": "sandbox-project",
                "private_key_id": key_id,
                "private_key": pem,
                "client_email": email,
                "client_id": key_id[:12],
                "token_uri": f"{self.ctx.base_url}/garpun/oauth2/token",
            }
        )

    def token(self, req: Request, _m: re.Match[str]) -> Response:
        form = req.form()
        if form.get("grant_type") != JWT_BEARER:
            return Response.json(
                {"error": "unsupported_grant_type", "error_description": "use jwt-bearer"}, 400
            )
        assertion = form.get("assertion", "")
        try:
            header = jwt.get_unverified_header(assertion)
        except jwt.PyJWTError as exc:
            return self._reject(f"malformed assertion: {exc}")
        with self.lock:
            known = self.public_keys.get(str(header.get("kid")))
        if known is None:
            return self._reject(f"unknown private_key_id {header.get('kid')!r}")
        email, public = known
        try:
            claims = jwt.decode(
                assertion,
                public,
                algorithms=["RS256"],
                audience=f"{self.ctx.base_url}/garpun/oauth2/token",
                issuer=email,
                options={"require": ["exp", "iat", "iss", "aud"]},
            )
        except jwt.PyJWTError as exc:
            return self._reject(f"invalid assertion: {type(exc).__name__}: {exc}")
        if "datahub" not in str(claims.get("scope", "")).split():
            return self._reject(f"scope {claims.get('scope')!r} does not grant datahub")
        access = f"gp-{secrets.token_hex(16)}"
        with self.lock:
            self.tokens[access] = time.time() + TOKEN_TTL_S
            self.stats["tokens"] += 1
        return Response.json({"access_token": access, "token_type": "Bearer", "expires_in": TOKEN_TTL_S})

    def _reject(self, message: str) -> Response:
        self.stats["rejected_assertions"] += 1
        return Response.json({"error": "invalid_grant", "error_description": message}, 400)

    def _authorized(self, req: Request) -> Response | None:
        auth = req.header("authorization") or ""
        access = auth[7:].strip() if auth.lower().startswith("bearer ") else ""
        with self.lock:
            expiry = self.tokens.get(access)
            if expiry is not None and self.ctx.faults.take("garpun", req.path, ("expired_token",)):
                self.tokens[access] = expiry = 0.0
        if expiry is None:
            return self._err(401, "UNAUTHENTICATED", "Request had invalid authentication credentials")
        if expiry <= time.time():
            return self._err(401, "UNAUTHENTICATED", "Access token expired")
        return None

    # -- METAQL -----------------------------------------------------------------------------------------
    def metaql(self, req: Request, _m: re.Match[str]) -> Response:
        denied = self._authorized(req)
        if denied is not None:
            return denied
        try:
            body = req.json() or {}
            query = parse_metaql(str(body["query"]))
        except (ValueError, KeyError, TypeError) as exc:
            return self._err(400, "INVALID_QUERY", f"METAQL: {exc}")
        try:
            rows = self._rows(query)
        except MetaqlError as exc:
            return self._err(400, "INVALID_QUERY", f"METAQL: {exc}")
        self.stats["queries"] += 1
        types = dict(TABLES[query.table])
        header: dict[str, list[str]] = {}
        for source, out in query.columns:
            header.setdefault(types[source], []).append(out)
        bad_type = self.ctx.faults.take("garpun", req.path, ("garpun_bad_type",)) is not None
        return Response(
            200,
            self._stream(rows, query, types, bad_type),
            {
                "Content-Type": "application/x-ndjson; charset=utf-8",
                "X-Meta-Column-Types": json.dumps(header),
                "X-Request-Id": self.request_id(),
            },
        )

    def _stream(
        self, rows: Iterator[dict[str, Any]], query: Query, types: dict[str, str], bad_type: bool
    ) -> Iterator[bytes]:
        emitted = 0
        for row in rows:
            if not _matches(row, query.conditions):
                continue
            if query.limit is not None and emitted >= query.limit:
                return
            out = {name: self._wire(row[source], types[source]) for source, name in query.columns}
            if bad_type:
                for source, name in query.columns:
                    if types[source] == "LONG":
                        out[name] = "n/a"
                        break
                bad_type = False
            emitted += 1
            yield _json_line(out)

    def _wire(self, value: Any, type_name: str) -> Any:
        if value is None:
            return None
        if type_name in ("DECIMAL", "PERCENT"):
            return float(value) if type_name == "PERCENT" else Decimal(value)
        if type_name == "DATE":
            if self.date_format == "iso":
                return value.isoformat()
            return int(datetime(value.year, value.month, value.day, tzinfo=UTC).timestamp() * 1000)
        if type_name == "DATETIME":
            return value.isoformat() if self.date_format == "iso" else int(value.timestamp() * 1000)
        return value

    def _rows(self, query: Query) -> Iterator[dict[str, Any]]:
        conds = {(c, op): v for c, op, v in query.conditions}
        accounts = self.world.accounts_for("garpun")
        acc_filter = conds.get(("account_id", "="))
        if query.table == "adplatform.ad_stats_daily":
            if acc_filter is None:
                raise MetaqlError("adplatform.ad_stats_daily needs an account_id = '...' filter")
            lo, hi = conds.get(("date", ">=")), conds.get(("date", "<="))
            if lo is None or hi is None:
                raise MetaqlError(
                    "adplatform.ad_stats_daily needs a date range (date >= ... AND date <= ...)"
                )
            try:
                start, end = date.fromisoformat(str(lo)), date.fromisoformat(str(hi))
            except ValueError as exc:
                raise MetaqlError(f"bad date literal: {exc}") from None
            if (end - start).days + 1 > MAX_DAYS:
                raise MetaqlError(f"date range longer than {MAX_DAYS} days")
            if str(acc_filter) not in {a.account_id for a in accounts}:
                return iter(())
            return self._stats_rows(str(acc_filter), start, end)
        if query.table == "adplatform.campaign":
            return iter([row for a in accounts for row in self._campaign_rows(a.account_id)])
        if query.table == "adplatform.client":
            return iter(
                [{"id": i + 1, "name": a.name, "account_id": a.account_id} for i, a in enumerate(accounts)]
            )
        return iter(
            [
                {"id": k, "name": n, "refresh_time": "06:00:00"}
                for k, n in (
                    ("yesterday", "Вчера"),
                    ("last_7_days", "Последние 7 дней"),
                    ("last_30_days", "30 дней"),
                )
            ]
        )

    def _campaign_rows(self, account_id: str) -> list[dict[str, Any]]:
        return [
            {
                "account_id": account_id,
                "platform": c.source_platform,
                "campaign_id": c.campaign_id,
                "campaign_name": c.name,
                "status": STATUS_OF_STATE[c.state(self.ctx.today)],
                "start_date": c.start,
                "daily_budget": Decimal(c.daily_budget_micros) / 1_000_000 if c.daily_budget_micros else None,
                "created_at": datetime(c.start.year, c.start.month, c.start.day, 7, 30, tzinfo=UTC),
            }
            for c in self.world.campaigns(account_id)
        ]

    def _stats_rows(self, account_id: str, start: date, end: date) -> Iterator[dict[str, Any]]:
        account = self.world.account(account_id)
        camps = {c.campaign_id: c for c in self.world.campaigns(account_id)}
        ads = {a.ad_id: a for a in self.world.ads(account_id)}
        day = start
        while day <= end:
            s = self.world.daily_stats(account_id, day)
            conv = sum((c for c in s.goal_conversions.values()), np.zeros(len(s), dtype=np.int64))
            # Garpun mirrors the account's own VAT convention and says so per row.
            cost = gross_micros(s.cost_net_micros, day) if account.spend_includes_vat else s.cost_net_micros
            updated = datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(days=1, hours=4)
            for i in range(len(s)):
                c = camps[int(s.campaign_id[i])]
                imps, clicks = int(s.impressions[i]), int(s.clicks[i])
                yield {
                    "date": day,
                    "account_id": account_id,
                    "platform": c.source_platform,
                    "campaign_id": c.campaign_id,
                    "campaign_name": c.name,
                    "ad_group_id": int(s.ad_group_id[i]),
                    "ad_id": ads[int(s.ad_id[i])].ad_id,
                    "impressions": imps,
                    "clicks": clicks,
                    "cost": Decimal(int(cost[i])) / 1_000_000,
                    "vat_included": account.spend_includes_vat,
                    "currency": account.currency,
                    "conversions": Decimal(int(conv[i])),
                    "ctr": round(clicks / imps * 100, 4) if imps else 0.0,
                    "network": {"type": ("SEARCH", "AD_NETWORK")[int(s.network[i])]},
                    "updated_at": updated,
                }
            day += timedelta(days=1)


def _json_value(value: Any) -> str:
    # Decimals go out as bare JSON numbers with their exact digits (json.dumps would need a float).
    if isinstance(value, Decimal):
        return format(value, "f")
    return json.dumps(value, ensure_ascii=False, default=str)


def _json_line(row: dict[str, Any]) -> bytes:
    body = ",".join(f"{json.dumps(k, ensure_ascii=False)}:{_json_value(v)}" for k, v in row.items())
    return ("{" + body + "}\n").encode("utf-8")


def make_api(ctx: SandboxContext) -> GarpunEmulator:
    return GarpunEmulator(ctx)
