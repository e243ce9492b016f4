"""Google Sheets API v4 emulator (prefix ``/sheets``), for report export (delivery/sheets.py).

- ``GET /_sandbox/service_account.json``: the sandbox service account's key file (what the Cloud console
  issues): an RSA key the emulator made at start, ``client_email``, ``private_key_id`` and ``token_uri`` (this
  emulator's ``/token``). ``POST /token`` (``grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer``) verifies
  the RS256 assertion with the registered public key (``iss``, ``aud`` = token_uri, ``exp``, the spreadsheets
  scope) and answers an access token.
- ``GET /v4/spreadsheets/{id}``, ``POST /v4/spreadsheets/{id}:batchUpdate`` (``addSheet``),
  ``PUT /v4/spreadsheets/{id}/values/{range}?valueInputOption=RAW|USER_ENTERED`` with a ValueRange body
  ``{"range", "majorDimension", "values"}``, ``POST /v4/spreadsheets/{id}/values:batchUpdate``
  (``{"valueInputOption", "data": [ValueRange]}``) and ``POST /v4/spreadsheets/{id}/values:batchClear``.
  Values keep their JSON types (a number stays a number). Errors are google.rpc Status bodies
  ``{"error": {"code", "message", "status", "details"}}``: 401 UNAUTHENTICATED, 403 PERMISSION_DENIED (the
  spreadsheet is not shared with the service account), 404 NOT_FOUND, 400 INVALID_ARGUMENT, and the sandbox's
  ``http_429`` fault as 429 RESOURCE_EXHAUSTED (per-minute write quota).

Test-only paths (no real counterpart): ``POST /_sandbox/spreadsheets {"title", "share_with": [emails]}`` makes a
spreadsheet a client owns (shared with the given accounts), ``GET /_sandbox/spreadsheets/{id}`` shows its cells,
``DELETE /_sandbox/spreadsheets/{id}`` deletes it.
"""

from __future__ import annotations

import base64
import functools
import json
import re
import secrets
import threading
import time
from typing import Any
from urllib.parse import unquote

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from ingestion.sandbox.server import EmulatorApi, Request, Response, Route

JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
SCOPE = "https://www.googleapis.com/auth/spreadsheets"
SERVICE_EMAIL = "mrm-reports@sandbox-project.iam.gserviceaccount.com"
TOKEN_TTL_S = 3600
_STATUS = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
}
_CELL = re.compile(r"^([A-Z]+)(\d+)$")


def _b64url_json(part: str) -> dict[str, Any]:
    return dict(json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))))


def col_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def col_letters(i: int) -> str:
    out = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        out = chr(65 + r) + out
    return out


@functools.cache
def _service_key() -> tuple[rsa.RSAPrivateKey, str]:
    """The sandbox service account's key pair, made once per process (RSA generation takes a moment)."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048), secrets.token_hex(20)


class SheetsApi(EmulatorApi):
    name = "sheets"

    def __init__(self, ctx: Any) -> None:
        super().__init__(ctx)
        self.lock = threading.Lock()
        self.private, self.key_id = _service_key()
        self.public_keys = {self.key_id: (SERVICE_EMAIL, self.private.public_key())}
        self.tokens: dict[str, float] = {}
        self.stats = {"tokens": 0, "rejected_assertions": 0, "writes": 0}

    @property
    def books(self) -> dict[str, dict[str, Any]]:
        with self.ctx.lock:
            return self.ctx.state.setdefault("sheets", {})  # type: ignore[no-any-return]

    def routes(self) -> list[Route]:
        sid = r"/v4/spreadsheets/(?P<sid>[A-Za-z0-9_-]+)"
        return [
            Route("GET", r"/_sandbox/service_account\.json", self.key_file),
            Route("POST", r"/_sandbox/spreadsheets", self.create),
            Route("GET", r"/_sandbox/spreadsheets/(?P<sid>[A-Za-z0-9_-]+)", self.show),
            Route("DELETE", r"/_sandbox/spreadsheets/(?P<sid>[A-Za-z0-9_-]+)", self.delete),
            Route("POST", r"/token", self.token),
            Route("GET", sid, self.get),
            Route("POST", sid + r":batchUpdate", self.batch_update),
            Route("PUT", sid + r"/values/(?P<range>[^/:]+)", self.values_update),
            Route("POST", sid + r"/values:batchUpdate", self.values_batch_update),
            Route("POST", sid + r"/values:batchClear", self.values_batch_clear),
        ]

    def error_response(
        self, status: int, kind: str, message: str, *, retry_after: float | None = None
    ) -> Response:
        code = _STATUS.get(status, "UNKNOWN")
        details: list[dict[str, Any]] = []
        if status == 429:
            message = (
                "Quota exceeded for quota metric 'Write requests' and limit 'Write requests per minute per "
                "user' of service 'sheets.googleapis.com'."
            )
            details = [
                {
                    "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                    "reason": "RATE_LIMIT_EXCEEDED",
                    "domain": "googleapis.com",
                    "metadata": {
                        "quota_metric": "sheets.googleapis.com/write_requests",
                        "quota_limit": "WriteRequestsPerMinutePerUser",
                        "service": "sheets.googleapis.com",
                    },
                }
            ]
        body: dict[str, Any] = {"code": status, "message": message, "status": code}
        if details:
            body["details"] = details
        return Response.json({"error": body}, status)

    def _err(self, status: int, message: str) -> Response:
        return self.error_response(status, _STATUS.get(status, "UNKNOWN"), message)

    # -- the service account and its token ----------------------------------------------------------------
    def key_file(self, req: Request, _m: re.Match[str]) -> Response:
        pem = self.private.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode()
        return Response.json(
            {
                "type": "service_account",
                "project_id": "sandbox-project",
                "private_key_id": self.key_id,
                "private_key": pem,
                "client_email": SERVICE_EMAIL,
                "client_id": "100000000000000000001",
                "token_uri": f"{self.ctx.base_url}/sheets/token",
            }
        )

    def _reject(self, message: str) -> Response:
        with self.lock:
            self.stats["rejected_assertions"] += 1
        return Response.json({"error": "invalid_grant", "error_description": message}, 400)

    def token(self, req: Request, _m: re.Match[str]) -> Response:
        form = req.form()
        if form.get("grant_type") != JWT_BEARER:
            return Response.json(
                {"error": "unsupported_grant_type", "error_description": "Invalid grant_type"}, 400
            )
        parts = form.get("assertion", "").split(".")
        if len(parts) != 3:
            return self._reject(
                "Invalid JWT: Token must be a short-lived token and in a reasonable timeframe"
            )
        try:
            header, claims = _b64url_json(parts[0]), _b64url_json(parts[1])
            signature = base64.urlsafe_b64decode(parts[2] + "=" * (-len(parts[2]) % 4))
        except ValueError:
            return self._reject("Invalid JWT: malformed")
        known = self.public_keys.get(str(header.get("kid")))
        if header.get("alg") != "RS256" or known is None:
            return self._reject("Invalid JWT Signature.")
        email, public = known
        try:
            public.verify(signature, f"{parts[0]}.{parts[1]}".encode(), padding.PKCS1v15(), hashes.SHA256())
        except InvalidSignature:
            return self._reject("Invalid JWT Signature.")
        now = time.time()
        if claims.get("iss") != email or claims.get("aud") != f"{self.ctx.base_url}/sheets/token":
            return self._reject("Invalid JWT: iss or aud does not match")
        if not (float(claims.get("iat", 0)) - 300 <= now < float(claims.get("exp", 0))) or (
            float(claims["exp"]) - float(claims["iat"]) > 3600
        ):
            return self._reject(
                "Invalid JWT: Token must be a short-lived token and in a reasonable timeframe"
            )
        if SCOPE not in str(claims.get("scope", "")).split():
            return self._reject("Invalid OAuth scope or ID token audience provided.")
        access = f"ya29.sbx-{secrets.token_hex(16)}"
        with self.lock:
            self.tokens[access] = now + TOKEN_TTL_S
            self.stats["tokens"] += 1
        return Response.json({"access_token": access, "token_type": "Bearer", "expires_in": TOKEN_TTL_S})

    def _book(self, req: Request, sid: str) -> tuple[dict[str, Any] | None, Response | None]:
        auth = req.header("authorization") or ""
        access = auth[7:].strip() if auth.lower().startswith("bearer ") else ""
        with self.lock:
            expiry = self.tokens.get(access)
        if expiry is None or expiry <= time.time():
            return None, self._err(
                401,
                "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or "
                "other valid authentication credential.",
            )
        book = self.books.get(sid)
        if book is None:
            return None, self._err(404, "Requested entity was not found.")
        if SERVICE_EMAIL not in book["shared_with"]:
            return None, self._err(403, "The caller does not have permission")
        return book, None

    # -- spreadsheets -----------------------------------------------------------------------------------
    def _meta(self, sid: str, book: dict[str, Any]) -> dict[str, Any]:
        return {
            "spreadsheetId": sid,
            "properties": {"title": book["title"], "locale": "ru_RU", "timeZone": "Europe/Moscow"},
            "sheets": [{"properties": dict(s["properties"])} for s in book["sheets"].values()],
            "spreadsheetUrl": f"{self.ctx.base_url}/sheets/d/{sid}/edit",
        }

    def get(self, req: Request, m: re.Match[str]) -> Response:
        book, bad = self._book(req, m["sid"])
        return bad or Response.json(self._meta(m["sid"], book or {}))

    def batch_update(self, req: Request, m: re.Match[str]) -> Response:
        book, bad = self._book(req, m["sid"])
        if bad or book is None:
            return bad or self._err(404, "Requested entity was not found.")
        body = req.json() or {}
        replies: list[dict[str, Any]] = []
        with self.lock:
            sheets = book["sheets"]
            for i, r in enumerate(body.get("requests") or []):
                if "addSheet" not in r:
                    kind = next(iter(r), "?")
                    return self._err(
                        400, f"Invalid requests[{i}]: the sandbox knows addSheet only, not {kind}"
                    )
                props = dict((r["addSheet"] or {}).get("properties") or {})
                title = str(props.get("title") or f"Sheet{len(sheets) + 1}")
                if title in sheets:
                    return self._err(
                        400,
                        f'Invalid requests[{i}].addSheet: A sheet with the name "{title}" already exists. '
                        "Please enter another name.",
                    )
                props.update(
                    title=title,
                    sheetId=props.get("sheetId", secrets.randbelow(2**31)),
                    index=len(sheets),
                    sheetType="GRID",
                    gridProperties={"rowCount": 1000, "columnCount": 26},
                )
                sheets[title] = {"properties": props, "cells": {}}
                replies.append({"addSheet": {"properties": props}})
        return Response.json({"spreadsheetId": m["sid"], "replies": replies})

    def _range(self, book: dict[str, Any], a1: str) -> tuple[dict[str, Any], int, int] | str:
        """(sheet, first row, first column) of an A1 range, or the error message."""
        name, _, cells = a1.rpartition("!")
        if not name:
            name, cells = cells, ""
        if name.startswith("'") and name.endswith("'"):
            name = name[1:-1].replace("''", "'")
        sheet = book["sheets"].get(name)
        start = cells.split(":")[0] if cells else "A1"
        hit = _CELL.match(start)
        if sheet is None or hit is None:
            return f"Unable to parse range: {a1}"
        return sheet, int(hit[2]) - 1, col_index(hit[1])

    def _write(self, book: dict[str, Any], vr: dict[str, Any], url_range: str | None) -> dict[str, Any] | str:
        a1 = str(vr.get("range") or url_range or "")
        if url_range is not None and vr.get("range") and vr["range"] != url_range:
            return f"Requested writing within range [{url_range}], but tried writing to [{vr['range']}]"
        where = self._range(book, a1)
        if isinstance(where, str):
            return where
        sheet, r0, c0 = where
        rows = vr.get("values") or []
        if vr.get("majorDimension", "ROWS") == "COLUMNS":
            width = max((len(c) for c in rows), default=0)
            rows = [[c[i] if i < len(c) else None for c in rows] for i in range(width)]
        elif vr.get("majorDimension", "ROWS") != "ROWS":
            return f"Invalid value at 'data.major_dimension' ({vr.get('majorDimension')})"
        cells = 0
        for i, row in enumerate(rows):
            if not isinstance(row, list):
                return f"Invalid values[{i}]: a row must be a list"
            for j, v in enumerate(row):
                if v is not None and not isinstance(v, str | int | float | bool):
                    return f"Invalid values[{i}][{j}]: a cell is a string, number or bool"
                if v is not None:
                    sheet["cells"][(r0 + i, c0 + j)] = v
                    cells += 1
        cols = max((len(r) for r in rows), default=0)
        last = f"{col_letters(c0 + max(cols, 1) - 1)}{r0 + max(len(rows), 1)}"
        return {
            "updatedRange": f"{sheet['properties']['title']}!{col_letters(c0)}{r0 + 1}:{last}",
            "updatedRows": len(rows),
            "updatedColumns": cols,
            "updatedCells": cells,
        }

    def _input_option(self, value: Any) -> Response | None:
        if not value:
            return self._err(400, "'valueInputOption' is required but not specified")
        if value not in ("RAW", "USER_ENTERED"):
            return self._err(400, f"Invalid value at 'value_input_option' ({value})")
        return None

    def values_update(self, req: Request, m: re.Match[str]) -> Response:
        book, bad = self._book(req, m["sid"])
        if bad or book is None:
            return bad or self._err(404, "Requested entity was not found.")
        bad = self._input_option(req.arg("valueInputOption"))
        if bad:
            return bad
        with self.lock:
            res = self._write(book, req.json() or {}, unquote(m["range"]))
            self.stats["writes"] += 1
        if isinstance(res, str):
            return self._err(400, res)
        return Response.json({"spreadsheetId": m["sid"], **res})

    def values_batch_update(self, req: Request, m: re.Match[str]) -> Response:
        book, bad = self._book(req, m["sid"])
        if bad or book is None:
            return bad or self._err(404, "Requested entity was not found.")
        body = req.json() or {}
        bad = self._input_option(body.get("valueInputOption"))
        if bad:
            return bad
        out = []
        with self.lock:
            for vr in body.get("data") or []:
                res = self._write(book, vr, None)
                if isinstance(res, str):
                    return self._err(400, res)
                out.append({"spreadsheetId": m["sid"], **res})
            self.stats["writes"] += 1
        return Response.json(
            {
                "spreadsheetId": m["sid"],
                "totalUpdatedRows": sum(r["updatedRows"] for r in out),
                "totalUpdatedColumns": max((r["updatedColumns"] for r in out), default=0),
                "totalUpdatedCells": sum(r["updatedCells"] for r in out),
                "totalUpdatedSheets": len(out),
                "responses": out,
            }
        )

    def values_batch_clear(self, req: Request, m: re.Match[str]) -> Response:
        book, bad = self._book(req, m["sid"])
        if bad or book is None:
            return bad or self._err(404, "Requested entity was not found.")
        cleared = []
        with self.lock:
            for a1 in (req.json() or {}).get("ranges") or []:
                where = self._range(book, str(a1))
                if isinstance(where, str):
                    return self._err(400, where)
                sheet, r0, c0 = where
                sheet["cells"] = {k: v for k, v in sheet["cells"].items() if k[0] < r0 or k[1] < c0}
                cleared.append(str(a1))
        return Response.json({"spreadsheetId": m["sid"], "clearedRanges": cleared})

    # -- test-only: the client's side ---------------------------------------------------------------------
    def create(self, req: Request, _m: re.Match[str]) -> Response:
        body = req.json() or {}
        sid = str(body.get("spreadsheetId") or "1" + secrets.token_urlsafe(30).replace("-", "x"))
        with self.lock:
            self.books[sid] = {
                "title": str(body.get("title") or "Report"),
                "shared_with": set(body.get("share_with") or [SERVICE_EMAIL]),
                "sheets": {
                    "Sheet1": {
                        "properties": {"sheetId": 0, "title": "Sheet1", "index": 0, "sheetType": "GRID"},
                        "cells": {},
                    }
                },
            }
        return Response.json({"spreadsheetId": sid})

    def show(self, req: Request, m: re.Match[str]) -> Response:
        book = self.books.get(m["sid"])
        if book is None:
            return self._err(404, "Requested entity was not found.")
        out = {}
        with self.lock:
            for title, sheet in book["sheets"].items():
                cells = sheet["cells"]
                h = max((r for r, _ in cells), default=-1) + 1
                w = max((c for _, c in cells), default=-1) + 1
                out[title] = [[cells.get((r, c)) for c in range(w)] for r in range(h)]
        return Response.json({"title": book["title"], "sheets": out})

    def delete(self, req: Request, m: re.Match[str]) -> Response:
        with self.lock:
            gone = self.books.pop(m["sid"], None)
        return Response.json({"deleted": gone is not None})


def make_api(ctx: Any) -> SheetsApi:
    return SheetsApi(ctx)
