"""Yandex OAuth emulator (prefix `/oauth`), shared by Direct and Metrika: the authorization-code flow, refresh, revoke.

Wire shapes as Yandex ID documents them (oauth.yandex.ru):

- `GET /authorize?response_type=code&client_id=…[&redirect_uri=…][&state=…][&login_hint=…][&device_id=…]` answers
  302 to the redirect URI with `code` and `state` (or `error=access_denied`/`unsupported_response_type`). The
  sandbox consents at once: the granting user is `login_hint` (or the `X-Sandbox-User` header), one of the
  sandbox agencies (the world's tenants, `SandboxContext.agencies`), `demo-agency` by default; `consent=deny`
  (or `X-Sandbox-Consent: deny`) makes the user refuse.
- `POST /token` (form, client credentials in the form or HTTP Basic): `grant_type=authorization_code` — the code
  is one-time and lives CODE_TTL_S on the sandbox clock, `redirect_uri` (when sent) must equal the authorize
  one — and `grant_type=refresh_token`. Answers `{token_type, access_token, expires_in, refresh_token, scope}`.
- `POST /revoke_token` (form `access_token` + client credentials): `{"status": "ok"}`; as at Yandex only a token
  issued for a device (`device_id` at authorize) can be revoked (`unsupported_token_type` otherwise).
- `GET /info` (Yandex ID's `login.yandex.ru/info`): the granting user's `login` for a token.

Errors are Yandex's `{"error": …, "error_description": …}` (`invalid_client`, `invalid_grant`,
`bad_verification_code`, `invalid_request`, `unsupported_grant_type`, …). An issued token works on Direct and
Metrika for the granting agency's advertisers only and expires on the sandbox clock.
"""

from __future__ import annotations

import base64
import re
import secrets
import threading
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from ingestion.sandbox.server import SANDBOX_TOKENS, EmulatorApi, Request, Response, Route, SandboxContext

CODE_TTL_S = 600  # Yandex: a confirmation code lives 10 minutes
TOKEN_TTL_S = 365 * 86_400  # Yandex tokens live about a year
DEFAULT_USER = "demo-agency"


@dataclass
class _Code:
    client_id: str
    redirect_uri: str
    user: str
    device_id: str
    scope: str
    expires_at: float
    used: bool = False


@dataclass
class _Grant:
    client_id: str
    user: str
    device_id: str
    scope: str
    access: set[str] = field(default_factory=set)
    revoked: bool = False


def _error(status: int, error: str, description: str) -> Response:
    return Response.json({"error": error, "error_description": description}, status)


def with_query(url: str, params: dict[str, str]) -> str:
    """`url` with `params` added to its query string (the redirect back to the application)."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True) + list(params.items())
    return urlunsplit(parts._replace(query=urlencode(query)))


class YandexOAuthApi(EmulatorApi):
    name = "oauth"

    def __init__(self, ctx: SandboxContext) -> None:
        super().__init__(ctx)
        self.clients = {SANDBOX_TOKENS["yandex_client_id"]: SANDBOX_TOKENS["yandex_client_secret"]}
        self.codes: dict[str, _Code] = {}
        self.grants: dict[str, _Grant] = {}  # refresh token → grant
        self.lock = threading.Lock()

    def routes(self) -> list[Route]:
        return [
            Route("GET", r"/authorize", self.authorize),
            Route("POST", r"/token", self.token),
            Route("POST", r"/revoke_token", self.revoke),
            Route("GET", r"/info", self.info),
        ]

    def error_response(
        self, status: int, kind: str, message: str, *, retry_after: float | None = None
    ) -> Response:
        resp = _error(status, kind, message)
        if retry_after is not None:
            resp.headers["Retry-After"] = f"{retry_after:g}"
        return resp

    # -- authorize ----------------------------------------------------------------------------------------
    def authorize(self, req: Request, _m: re.Match[str]) -> Response:
        client_id = req.arg("client_id") or ""
        if client_id not in self.clients:
            # Yandex shows an error page rather than redirecting to an unverified application.
            return _error(400, "invalid_client", f"Client not found: {client_id!r}")
        redirect_uri = req.arg("redirect_uri") or ""
        if urlsplit(redirect_uri).scheme not in ("http", "https"):
            return _error(
                400, "invalid_request", "redirect_uri must be an http(s) URL registered for the app"
            )
        state = req.arg("state")
        back = {"state": state} if state is not None else {}
        if req.arg("response_type") != "code":
            return self._redirect(redirect_uri, {"error": "unsupported_response_type", **back})
        user = req.arg("login_hint") or req.header("x-sandbox-user") or DEFAULT_USER
        consent = (req.arg("consent") or req.header("x-sandbox-consent") or "allow").lower()
        if consent == "deny" or user not in self.ctx.agencies():
            why = "user denied access" if consent == "deny" else f"no sandbox user {user!r}"
            return self._redirect(redirect_uri, {"error": "access_denied", "error_description": why, **back})
        code = str(secrets.randbelow(9 * 10**15) + 10**15)
        with self.lock:
            self.codes[code] = _Code(
                client_id,
                redirect_uri,
                user,
                req.arg("device_id") or "",
                req.arg("scope") or "direct:api metrika:read",
                self.ctx.now() + CODE_TTL_S,
            )
        return self._redirect(redirect_uri, {"code": code, **back})

    @staticmethod
    def _redirect(url: str, params: dict[str, str]) -> Response:
        return Response(302, b"", {"Location": with_query(url, params)})

    # -- token --------------------------------------------------------------------------------------------
    def _client(self, req: Request, form: dict[str, str]) -> tuple[str, Response | None]:
        client_id, secret = form.get("client_id", ""), form.get("client_secret", "")
        auth = req.header("authorization") or ""
        if auth.lower().startswith("basic "):
            try:
                client_id, _, secret = base64.b64decode(auth[6:]).decode().partition(":")
            except (ValueError, UnicodeDecodeError):
                return "", _error(400, "invalid_request", "Malformed Authorization header")
        if client_id not in self.clients:
            return client_id, _error(401, "invalid_client", "Client not found")
        if secret != self.clients[client_id]:
            return client_id, _error(401, "invalid_client", "Wrong client secret")
        return client_id, None

    def token(self, req: Request, _m: re.Match[str]) -> Response:
        form = req.form()
        client_id, refused = self._client(req, form)
        if refused is not None:
            return refused
        grant_type = form.get("grant_type")
        if grant_type == "authorization_code":
            return self._exchange(client_id, form)
        if grant_type == "refresh_token":
            return self._refresh(client_id, form)
        return _error(400, "unsupported_grant_type", f"grant_type {grant_type!r} is not supported")

    def _exchange(self, client_id: str, form: dict[str, str]) -> Response:
        code = form.get("code", "")
        if not code:
            return _error(400, "invalid_request", "code is required")
        with self.lock:
            entry = self.codes.get(code)
            if entry is None or entry.client_id != client_id:
                return _error(400, "bad_verification_code", "Invalid code")
            if entry.used:
                return _error(400, "invalid_grant", "Code has already been used")
            if entry.expires_at <= self.ctx.now():
                return _error(400, "invalid_grant", "Code has expired")
            sent_uri = form.get("redirect_uri")
            if sent_uri is not None and sent_uri != entry.redirect_uri:
                return _error(400, "invalid_grant", "redirect_uri does not match the authorization request")
            entry.used = True
            refresh = f"1:sbx:{secrets.token_urlsafe(24)}"
            grant = _Grant(client_id, entry.user, entry.device_id, entry.scope)
            self.grants[refresh] = grant
        return self._issue(grant, refresh)

    def _refresh(self, client_id: str, form: dict[str, str]) -> Response:
        refresh = form.get("refresh_token", "")
        if refresh == SANDBOX_TOKENS["yandex_refresh"]:
            # The static sandbox grant the connectors' `for_sandbox` settings carry: every account, no expiry.
            token = self.ctx.tokens.issue("yandex")
            for api in ("direct", "metrika"):
                self.ctx.tokens.add(api, token)
            return Response.json(
                {
                    "access_token": token,
                    "expires_in": TOKEN_TTL_S,
                    "token_type": "bearer",
                    "refresh_token": refresh,
                }
            )
        with self.lock:
            grant = self.grants.get(refresh)
        if grant is None or grant.revoked or grant.client_id != client_id:
            return _error(400, "invalid_grant", "Refresh token expired or revoked")
        return self._issue(grant, refresh)

    def _issue(self, grant: _Grant, refresh: str) -> Response:
        token = f"y0_sbx{secrets.token_urlsafe(24)}"
        expires_at = self.ctx.now() + TOKEN_TTL_S
        for api in ("direct", "metrika"):
            self.ctx.tokens.add(api, token, owner=grant.user, expires_at=expires_at)
        with self.lock:
            grant.access.add(token)
        return Response.json(
            {
                "token_type": "bearer",
                "access_token": token,
                "expires_in": TOKEN_TTL_S,
                "refresh_token": refresh,
                "scope": grant.scope,
            }
        )

    # -- who granted (Yandex ID's login.yandex.ru/info, served here beside the OAuth endpoints) -----------------
    def info(self, req: Request, _m: re.Match[str]) -> Response:
        """`GET /info?format=json` with `Authorization: OAuth <token>`: the granting user's `login` and `id`."""
        auth = req.header("authorization") or ""
        token = auth.split(" ", 1)[1].strip() if auth.lower().startswith(("oauth ", "bearer ")) else ""
        if not self.ctx.tokens.valid("direct", token):
            return Response(401, b"", {"WWW-Authenticate": 'OAuth realm="yandex"'})
        login = self.ctx.tokens.owner(token) or "sandbox-user"
        with self.lock:
            client_id = next((g.client_id for g in self.grants.values() if token in g.access), "")
        uid = (
            str(10**9 + self.ctx.agencies().index(login)) if login in self.ctx.agencies() else str(10**9 - 1)
        )
        return Response.json({"id": uid, "login": login, "client_id": client_id, "psuid": f"sbx.{uid}"})

    # -- revoke -------------------------------------------------------------------------------------------
    def revoke(self, req: Request, _m: re.Match[str]) -> Response:
        form = req.form()
        client_id, refused = self._client(req, form)
        if refused is not None:
            return refused
        token = form.get("access_token", "")
        if not token:
            return _error(400, "invalid_request", "access_token is required")
        with self.lock:
            found = next(
                (g for g in self.grants.values() if token in g.access and g.client_id == client_id), None
            )
            if found is None or found.revoked:
                return _error(400, "invalid_token", "Token not found or already revoked")
            if not found.device_id:
                return _error(
                    400,
                    "unsupported_token_type",
                    "Only a token issued for a device (device_id) can be revoked",
                )
            # The device's grant goes as a whole: its access tokens and its refresh token.
            found.revoked = True
            tokens = list(found.access)
        for access in tokens:
            self.ctx.tokens.revoke(access)
        return Response.json({"status": "ok"})


def make_api(ctx: SandboxContext) -> YandexOAuthApi:
    return YandexOAuthApi(ctx)
