"""Google Sheets delivery: a client's report tables written to a spreadsheet the client owns (Sheets API v4).

Auth is a service account: an RS256 JWT (signed here with `cryptography`) is exchanged at the key file's
`token_uri` for an access token; the client shares their spreadsheet with the service account's e-mail. Each
export adds the sheets it needs (`spreadsheets.batchUpdate` addSheet), clears them (`values:batchClear`) and
writes every table in one `values:batchUpdate` with `valueInputOption=RAW`, so numbers stay numbers; headers are
in the report's language. A 429 RESOURCE_EXHAUSTED is retried with growing waits; one that persists, a
spreadsheet that is gone or no longer shared is `ChannelBroken` (the channel is marked broken). Tokens and the
private key never appear in an error text.
"""

from __future__ import annotations

import base64
import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from delivery.telegram import ChannelBroken, DeliveryError
from mrm.i18n import refusal

DEFAULT_BASE = "https://sheets.googleapis.com"
SCOPE = "https://www.googleapis.com/auth/spreadsheets"
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"


class QuotaExceeded(ChannelBroken):
    """The Sheets quota stayed exhausted through every retry."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def signed_jwt(key: dict[str, Any], now: float, scope: str = SCOPE) -> str:
    """The service account's RS256 assertion for its token endpoint (valid one hour)."""
    private = serialization.load_pem_private_key(key["private_key"].encode(), password=None)
    if not isinstance(private, rsa.RSAPrivateKey):
        raise refusal(DeliveryError, "dlv_sheets_key_not_rsa", field="sheets")
    header = {"alg": "RS256", "typ": "JWT", "kid": key["private_key_id"]}
    claims = {
        "iss": key["client_email"],
        "scope": scope,
        "aud": key["token_uri"],
        "iat": int(now),
        "exp": int(now) + 3600,
    }
    head = _b64(json.dumps(header, separators=(",", ":")).encode())
    body = _b64(json.dumps(claims, separators=(",", ":")).encode())
    sig = private.sign(f"{head}.{body}".encode(), padding.PKCS1v15(), hashes.SHA256())
    return f"{head}.{body}.{_b64(sig)}"


@dataclass
class SheetsClient:
    key: dict[str, Any]  # the service-account key file's JSON
    base_url: str = DEFAULT_BASE
    timeout: float = 30.0
    retries: int = 5  # quota (429) and 5xx retries before giving up
    first_wait: float = 1.0  # doubles after each quota answer
    max_wait: float = 64.0
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.time
    _token: str = field(default="", repr=False)
    _token_until: float = 0.0

    @classmethod
    def from_env(cls) -> SheetsClient:
        path = os.environ.get("MRM_SHEETS_SERVICE_ACCOUNT_FILE", "")
        if not path:
            raise refusal(DeliveryError, "dlv_sheets_no_key_file")
        try:
            key = json.loads(Path(path).read_text())
        except (OSError, ValueError) as exc:
            raise refusal(DeliveryError, "dispatch_sheets_key_unreadable", error=type(exc).__name__) from None
        missing = [
            k for k in ("client_email", "private_key", "private_key_id", "token_uri") if not key.get(k)
        ]
        if missing:
            raise refusal(DeliveryError, "dispatch_sheets_key_missing", fields=", ".join(missing))
        return cls(key, os.environ.get("MRM_SHEETS_API_URL", DEFAULT_BASE).rstrip("/"))

    @property
    def email(self) -> str:
        return str(self.key["client_email"])

    def token(self) -> str:
        now = self.clock()
        if self._token and now < self._token_until - 60:
            return self._token
        try:
            r = httpx.post(
                self.key["token_uri"],
                data={"grant_type": JWT_BEARER, "assertion": signed_jwt(self.key, now)},
                timeout=self.timeout,
            )
            body = r.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise refusal(DeliveryError, "dispatch_sheets_token", detail=type(exc).__name__) from None
        if r.status_code != 200 or not body.get("access_token"):
            detail = f"{body.get('error', r.status_code)}: {body.get('error_description', '')}"
            raise refusal(ChannelBroken, "dispatch_sheets_token", detail=detail)
        self._token, self._token_until = body["access_token"], now + float(body.get("expires_in") or 3600)
        return self._token

    def call(self, method: str, path: str, body: Any = None, params: dict[str, str] | None = None) -> Any:
        url = f"{self.base_url}/v4/spreadsheets/{path}"
        what = path.split("/", 1)[-1] if "/" in path else path.partition(":")[2] or "get"
        wait, last, refreshed = self.first_wait, "", False
        for _attempt in range(self.retries + 1):
            try:
                r = httpx.request(
                    method,
                    url,
                    json=body,
                    params=params,
                    headers={"Authorization": f"Bearer {self.token()}"},
                    timeout=self.timeout,
                )
            except httpx.HTTPError as exc:
                last = type(exc).__name__
                self.sleep(min(wait, self.max_wait))
                wait *= 2
                continue
            if r.status_code == 200:
                return r.json()
            try:
                err = r.json().get("error") or {}
            except ValueError:
                err = {}
            status, msg = str(err.get("status", r.status_code)), str(err.get("message", ""))
            last = f"{r.status_code} {status}: {msg}"
            if r.status_code == 401 and not refreshed:  # the token expired early: one new token
                self._token, refreshed = "", True
                continue
            if r.status_code == 429 or r.status_code >= 500:
                self.sleep(min(wait, self.max_wait))
                wait *= 2
                continue
            if r.status_code in (403, 404):
                raise refusal(ChannelBroken, "dispatch_sheets_refused", what=what, detail=last)
            raise refusal(DeliveryError, "dispatch_sheets_refused", what=what, detail=last)
        n = self.retries + 1
        if last.startswith("429"):
            raise refusal(QuotaExceeded, "dispatch_sheets_quota", what=what, n=n, detail=last)
        raise refusal(DeliveryError, "dispatch_sheets_gave_up", what=what, n=n, detail=last)

    def sheet_titles(self, spreadsheet_id: str) -> list[str]:
        meta = self.call("GET", spreadsheet_id, params={"fields": "sheets.properties.title"})
        return [s["properties"]["title"] for s in meta.get("sheets", [])]

    def write_tables(self, spreadsheet_id: str, tables: dict[str, list[list[Any]]]) -> int:
        """Replace the contents of one sheet per table (added when missing); returns the cells written."""
        have = set(self.sheet_titles(spreadsheet_id))
        new = [{"addSheet": {"properties": {"title": t}}} for t in tables if t not in have]
        if new:
            self.call("POST", f"{spreadsheet_id}:batchUpdate", {"requests": new})
        self.call("POST", f"{spreadsheet_id}/values:batchClear", {"ranges": [a1(t) for t in tables]})
        data = [
            {"range": a1(t, "A1"), "majorDimension": "ROWS", "values": rows} for t, rows in tables.items()
        ]
        out = self.call(
            "POST", f"{spreadsheet_id}/values:batchUpdate", {"valueInputOption": "RAW", "data": data}
        )
        return int(out.get("totalUpdatedCells", 0))

    def update(self, spreadsheet_id: str, range_a1: str, rows: list[list[Any]]) -> dict[str, Any]:
        """`spreadsheets.values.update` of one range."""
        body = {"range": range_a1, "majorDimension": "ROWS", "values": rows}
        return dict(
            self.call(
                "PUT",
                f"{spreadsheet_id}/values/{quote(range_a1, safe='')}",
                body,
                params={"valueInputOption": "RAW"},
            )
        )


def a1(title: str, cell: str = "") -> str:
    quoted = "'" + title.replace("'", "''") + "'"
    return f"{quoted}!{cell}" if cell else quoted


# ------------------------------------------------------------------------------------------ report tables

# table label key (report catalogue) -> its columns: (snapshot key, label key)
_TABLES: dict[str, tuple[str, list[tuple[str, str]]]] = {
    "campaigns": (
        "campaigns",
        [("platform", "platform"), ("campaign_id", "campaign_id"), ("campaign_name", "campaign")]
        + [(k, k) for k in ("impressions", "clicks", "spend", "commission", "total_cost", "conversions")]
        + [(k, k) for k in ("ctr", "cpc", "cpa", "cr")],
    ),
    "channels": (
        "channels",
        [("channel", "channel")]
        + [(k, k) for k in ("impressions", "clicks", "spend", "commission", "total_cost", "conversions")]
        + [(k, k) for k in ("ctr", "cpc", "cpa", "cr")],
    ),
    "plan": (
        "plan_vs_fact",
        [(k, k) for k in ("plan_id", "line_id", "line_name", "channel", "budget_net", "planned_to_date")]
        + [(k, k) for k in ("actual_to_date", "pacing_ratio", "forecast_net", "pacing_status", "flight_end")],
    ),
}
_SUMMARY = ("impressions", "clicks", "spend", "commission", "total_cost", "conversions", "conversions_value")


def report_tables(snap: dict[str, Any], lang: str) -> dict[str, list[list[Any]]]:
    """The report's tables as sheet rows: a header row in `lang`, then numbers as numbers and text made safe
    from formula injection (a cell starting with = + - @ gets a leading quote)."""
    from assistants.reports.render import labels, named_rows, safe_cell

    t = labels(lang)
    tot = snap["totals"]
    summary: list[list[Any]] = [
        [t["title"], str(safe_cell(snap["client_name"]))],
        [t["period"], f"{snap['period']['from']} – {snap['period']['to']}"],
        [t["currency"], snap["currency"]],
        [t["metric"], t["value"]],
    ]
    summary += [[t[k], _cell(tot.get(k))] for k in (*_SUMMARY, "ctr", "cpc", "cpa", "cr")]
    out = {t["summary"]: summary}
    for label, (key, cols) in _TABLES.items():
        rows = named_rows(snap.get(key) or [], lang)
        out[t[label]] = [[t[c] for _, c in cols]] + [[_cell(r.get(k)) for k, _ in cols] for r in rows]
    return out


def _cell(v: Any) -> Any:
    from assistants.reports.render import safe_cell

    if v is None:
        return ""
    if isinstance(v, bool):
        return int(v)
    if isinstance(v, int | float):
        return v
    return str(safe_cell(str(v)))
