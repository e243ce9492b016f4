"""Connecting an agency's ad accounts through OAuth (authorization-code flow): start, complete, refresh, revoke.

The flow, for Yandex (Direct and Metrika share one Yandex grant) and VK Ads:

1. `start` stores a one-time `state` (only its SHA-256, in app.oauth_states) bound to the tenant, client, platform,
   user and redirect URI, valid STATE_TTL for 10 minutes, and returns the platform's authorize URL.
2. The platform sends the browser back to the redirect URI with `code` and `state` (or `error`).
3. `complete` checks the state (unknown, another user's, replayed or expired: refused, naming which), marks it
   used, exchanges the code at the token endpoint (an expired or reused code is refused naming the code), and
   stores the tokens encrypted (workspace/credentials.py, pseudo-account '~grant~<grant_id>') with the grant's
   health in app.oauth_grants. workspace/discovery.py then lists and connects the advertiser accounts it sees.
4. `refresh` renews the access token with the refresh token; `revoke` withdraws the grant at the platform and
   forgets its tokens. Every token request is retried the same way on every platform (lost or garbled answers,
   429/5xx with Retry-After; ingestion/common/token_endpoint.py).

Tokens are never logged, returned or put in an error message; errors name the state, code or grant instead.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx

from dashboards.auth import Principal, audit, check_id
from ingestion.common.errors import AuthError, RetryExhausted
from ingestion.common.http import RetryPolicy
from ingestion.common.settings import SANDBOX_TIMING
from ingestion.common.token_endpoint import json_object, post_token_form
from mrm.i18n import carry, refusal
from warehouse.rows import insert_dicts
from workspace import access
from workspace import credentials as cr

STATE_TTL = dt.timedelta(minutes=10)
# Platforms connected through OAuth and the provider whose grant serves them (one Yandex grant: Direct + Metrika).
PROVIDER = {"yandex_direct": "yandex", "yandex_metrika": "yandex", "vk_ads": "vk_ads"}
STATUSES = ("active", "failed", "revoked")
_GRANT_KINDS = ("token", "refresh_token")
_DEVICE_NAME = "MRM AI Platform"


class OAuthError(RuntimeError):
    """A connection step failed; the message names the state, code or grant and never contains a secret."""


@dataclass(frozen=True)
class OAuthApp:
    """One OAuth application of the deployment (client id and secret) and the endpoints of its provider.

    `api_urls` maps each platform to its API base URL (discovery and loads). Build it with `from_env` (production:
    the MRM_DIRECT_CLIENT_ID/SECRET/OAUTH_URL and MRM_VK_ADS_CLIENT_ID/SECRET/BASE_URL variables) or `for_sandbox`.
    """

    provider: str
    client_id: str
    client_secret: str = field(repr=False)
    authorize_url: str
    token_url: str
    revoke_url: str
    api_urls: Mapping[str, str]
    oauth_url: str = ""  # Yandex: the OAuth host (the connectors refresh there)
    userinfo_url: str = ""  # who granted: Yandex ID's user info (VK Ads: the API's user.json)
    sandbox: bool = False
    timeout_s: float = 30.0
    policy: RetryPolicy = field(default_factory=RetryPolicy)
    sleep: Callable[[float], None] = time.sleep

    @classmethod
    def yandex(cls, client_id: str, client_secret: str, **kw: Any) -> OAuthApp:
        oauth = str(kw.pop("oauth_url", "https://oauth.yandex.ru")).rstrip("/")
        urls = {
            "yandex_direct": "https://api.direct.yandex.com",
            "yandex_metrika": "https://api-metrika.yandex.net",
            **kw.pop("api_urls", {}),
        }
        return cls(
            "yandex",
            client_id,
            client_secret,
            f"{oauth}/authorize",
            f"{oauth}/token",
            f"{oauth}/revoke_token",
            urls,
            oauth_url=oauth,
            userinfo_url=kw.pop("userinfo_url", "https://login.yandex.ru/info"),
            **kw,
        )

    @classmethod
    def vk_ads(cls, client_id: str, client_secret: str, **kw: Any) -> OAuthApp:
        base = str(kw.pop("base_url", "https://ads.vk.com")).rstrip("/")
        return cls(
            "vk_ads",
            client_id,
            client_secret,
            f"{base}/oauth2/authorize",
            f"{base}/api/v2/oauth2/token.json",
            f"{base}/api/v2/oauth2/token/delete.json",
            {"vk_ads": base},
            userinfo_url=f"{base}/api/v2/user.json",
            **kw,
        )

    @classmethod
    def from_env(cls, platform: str, env: Mapping[str, str] | None = None) -> OAuthApp:
        """The deployment's OAuth application for `platform`, from its MRM_* variables (named when missing)."""
        env = os.environ if env is None else env
        provider = _provider(platform)
        if provider == "yandex":
            cid, secret = env.get("MRM_DIRECT_CLIENT_ID", ""), env.get("MRM_DIRECT_CLIENT_SECRET", "")
            names = ("MRM_DIRECT_CLIENT_ID", "MRM_DIRECT_CLIENT_SECRET")
        else:
            cid, secret = env.get("MRM_VK_ADS_CLIENT_ID", ""), env.get("MRM_VK_ADS_CLIENT_SECRET", "")
            names = ("MRM_VK_ADS_CLIENT_ID", "MRM_VK_ADS_CLIENT_SECRET")
        if not cid or not secret:
            raise refusal(OAuthError, "oauth_no_app", platform=platform, id_var=names[0], secret_var=names[1])
        if provider == "yandex":
            urls = {
                p: v
                for p, v in (
                    ("yandex_direct", env.get("MRM_DIRECT_BASE_URL", "")),
                    ("yandex_metrika", env.get("MRM_METRIKA_BASE_URL", "")),
                )
                if v
            }
            return cls.yandex(
                cid,
                secret,
                oauth_url=env.get("MRM_DIRECT_OAUTH_URL") or "https://oauth.yandex.ru",
                api_urls=urls,
            )
        return cls.vk_ads(cid, secret, base_url=env.get("MRM_VK_ADS_BASE_URL") or "https://ads.vk.com")

    @classmethod
    def for_sandbox(cls, platform: str, sandbox_url: str) -> OAuthApp:
        """The sandbox's OAuth application for `platform`; `sandbox_url` is the sandbox root (`SandboxServer.base_url`)."""
        from ingestion.sandbox.server import SANDBOX_TOKENS
        from ingestion.sandbox.vk_ads import SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET

        root = sandbox_url.rstrip("/")
        fast = {
            "sandbox": True,
            "timeout_s": SANDBOX_TIMING["timeout_s"],
            "policy": RetryPolicy(
                base_delay=SANDBOX_TIMING["base_delay_s"],
                max_delay=SANDBOX_TIMING["max_delay_s"],
                max_server_delay=2.0,
            ),
        }
        if _provider(platform) == "yandex":
            return cls.yandex(
                SANDBOX_TOKENS["yandex_client_id"],
                SANDBOX_TOKENS["yandex_client_secret"],
                oauth_url=f"{root}/oauth",
                userinfo_url=f"{root}/oauth/info",
                api_urls={"yandex_direct": f"{root}/direct", "yandex_metrika": f"{root}/metrika"},
                **fast,
            )
        return cls.vk_ads(SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET, base_url=f"{root}/vk", **fast)

    def api_url(self, platform: str) -> str:
        try:
            return self.api_urls[platform].rstrip("/")
        except KeyError:
            raise OAuthError(f"platform: the {self.provider} OAuth app does not serve {platform!r}") from None


@dataclass(frozen=True)
class Grant:
    """What an agency granted (never its tokens): health for the Connections page."""

    tenant_id: str
    grant_id: str
    platform: str
    client_id: str
    agency_login: str
    connected_by: str
    status: str  # active | failed | revoked
    token_expires_at: dt.datetime | None
    last_refresh_at: dt.datetime | None
    last_error: str
    created_at: dt.datetime

    @property
    def provider(self) -> str:
        return PROVIDER[self.platform]


_GRANT_COLS = [
    "tenant_id",
    "grant_id",
    "platform",
    "client_id",
    "agency_login",
    "connected_by",
    "status",
    "token_expires_at",
    "last_refresh_at",
    "last_error",
    "created_at",
]


def _provider(platform: str) -> str:
    try:
        return PROVIDER[platform]
    except KeyError:
        raise refusal(
            OAuthError,
            "oauth_no_provider",
            field="platform",
            platform=repr(platform),
            known=", ".join(PROVIDER),
        ) from None


def _now() -> dt.datetime:
    """Now in UTC at the warehouse's precision (milliseconds), so a returned value equals the stored one."""
    now = dt.datetime.now(dt.UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def _from_row(row: tuple[Any, ...]) -> Grant:
    return Grant(*(_utc(v) if isinstance(v, dt.datetime) else v for v in row))


_LANG = re.compile(r"[a-z]{2}")


def state_language(state: str) -> str:
    """The language a state was issued in ('' when it names none). Read before the state is checked: it only
    chooses the language of the answer (a tampered prefix makes the state unknown, refused in that language)."""
    prefix, sep, _ = state.partition(".")
    return prefix if sep and _LANG.fullmatch(prefix) else ""


def _hash(state: str) -> str:
    return hashlib.sha256(state.encode("utf-8")).hexdigest()


def _check_app(app: OAuthApp, platform: str) -> None:
    if app.provider != _provider(platform):
        raise OAuthError(
            f"platform: {platform!r} needs the {_provider(platform)} OAuth app, not {app.provider}"
        )


def _client_in_scope(ch: Any, actor: Principal, client_id: str) -> None:
    from workspace.clients import get_client

    access.require(ch, actor, "manage_connections", target=client_id)
    access.require_client(ch, actor, client_id)
    found = get_client(ch, actor.tenant_id, client_id)
    if found is None or not found.is_active:
        raise refusal(OAuthError, "oauth_no_client", field="client_id", client=repr(client_id))


# ------------------------------------------------------------------------------------------------- start


def start(
    ch: Any,
    actor: Principal,
    *,
    client_id: str,
    platform: str,
    redirect_uri: str,
    app: OAuthApp,
    login_hint: str = "",
    lang: str = "",
    now: dt.datetime | None = None,
) -> str:
    """Begin connecting `platform` for `client_id`: store a one-time state and return the authorize URL to open.

    `redirect_uri` is where the platform sends the browser back (the app's Connections page); it must be an
    http(s) URL and is bound to the state. `login_hint` pre-selects the account to sign in with (Yandex); in the
    sandbox it chooses the granting agency. `lang` (two letters) leads the state, so the page the browser comes
    back to (a new session) speaks the language the connection was started in (`state_language`).
    """
    _client_in_scope(ch, actor, client_id)
    _check_app(app, platform)
    cr.check_key(ch)  # the tokens could not be stored: refuse before the user grants anything
    parts = urlsplit(redirect_uri)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise refusal(OAuthError, "oauth_bad_redirect", field="redirect_uri", uri=repr(redirect_uri))
    if lang and not _LANG.fullmatch(lang):
        raise refusal(OAuthError, "oauth_bad_lang", field="lang", lang=repr(lang))
    nonce = secrets.token_urlsafe(32)
    state = f"{lang}.{nonce}" if lang else nonce
    state_hash = _hash(state)
    created = now or _now()
    insert_dicts(
        ch,
        "app.oauth_states",
        [
            {
                "state_hash": state_hash,
                "tenant_id": actor.tenant_id,
                "client_id": client_id,
                "platform": platform,
                "login": actor.login,
                "redirect_uri": redirect_uri,
                "created_at": created,
                "expires_at": created + STATE_TTL,
                "used_at": None,
                "updated_at": created,
            }
        ],
    )
    params = {
        "response_type": "code",
        "client_id": app.client_id,
        "redirect_uri": redirect_uri,
        "state": state,
    }
    if app.provider == "yandex":
        # A token issued for a device can be revoked through the API (revoke_token); name the device after the grant.
        params.update(device_id=f"mrm-{state_hash[:24]}", device_name=_DEVICE_NAME, force_confirm="yes")
    else:
        params["scope"] = "read_ads,read_clients"
    if login_hint:
        params["login_hint"] = login_hint
    audit(ch, actor.tenant_id, actor.login, "oauth_start", "ok", target=client_id, detail=platform)
    return f"{app.authorize_url}?{urlencode(params)}"


# ------------------------------------------------------------------------------------------------- complete


def complete(
    ch: Any,
    actor: Principal,
    *,
    state: str,
    app: OAuthApp | Callable[[str], OAuthApp],
    code: str = "",
    error: str = "",
    error_description: str = "",
    now: dt.datetime | None = None,
) -> Grant:
    """Finish the flow with the callback's query parameters (`state`, and `code` or `error`); returns the grant.

    `app` is the OAuth app, or a function giving it for the platform the state was issued for (the callback alone
    does not say which platform it comes from). Refused, naming what is wrong: a state that was not issued here or
    to another user, a replayed or expired state, a refusal by the user, a missing, expired, reused or otherwise
    rejected code. A state is spent by its first presentation whatever the outcome, so a callback cannot be
    replayed.
    """
    at = now or _now()
    row = _take_state(ch, actor, state, at)
    platform, client_id = row["platform"], row["client_id"]
    if not isinstance(app, OAuthApp):
        app = app(platform)
    _check_app(app, platform)
    if error:
        audit(ch, actor.tenant_id, actor.login, "oauth_complete", "refused", target=client_id, detail=error)
        why = f" ({error_description})" if error_description else ""
        raise refusal(OAuthError, "oauth_not_granted", platform=platform, error=error, why=why)
    if not code:
        raise refusal(OAuthError, "oauth_no_code", field="code")
    cr.check_key(ch)  # before the one-time code is spent
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "client_id": app.client_id,
        "client_secret": app.client_secret,
        "redirect_uri": row["redirect_uri"],
    }
    try:
        answer = _token_request(app, app.token_url, form, "code exchange")
    except AuthError as exc:
        audit(
            ch,
            actor.tenant_id,
            actor.login,
            "oauth_complete",
            "failed",
            target=client_id,
            detail=exc.code or "",
        )
        raise _code_refusal(platform, exc) from None
    except RetryExhausted as exc:
        raise OAuthError(f"{platform}: the token endpoint did not answer usably: {exc}") from None
    grant_id = row["state_hash"][:24]
    agency = _granting_login(app, answer["access_token"])
    grant = Grant(
        actor.tenant_id,
        grant_id,
        platform,
        client_id,
        agency,
        actor.login,
        "active",
        _expiry(answer, at),
        None,
        "",
        at,
    )
    _store_grant(ch, grant, answer, by=actor.login)
    audit(
        ch,
        actor.tenant_id,
        actor.login,
        "oauth_complete",
        "ok",
        target=client_id,
        detail=f"{platform} {grant_id}",
    )
    return grant


def _take_state(ch: Any, actor: Principal, state: str, at: dt.datetime) -> dict[str, Any]:
    """The state's row, marked used; an unknown, foreign, replayed or expired state raises OAuthError."""
    if not state or len(state) > 200:
        raise refusal(OAuthError, "oauth_state_missing", field="state")
    res = ch.query(
        "SELECT * FROM app.oauth_states FINAL WHERE state_hash = {h:String}", parameters={"h": _hash(state)}
    )
    rows = [dict(zip(res.column_names, r, strict=True)) for r in res.result_rows]
    if not rows or rows[0]["tenant_id"] != actor.tenant_id:
        audit(ch, actor.tenant_id, actor.login, "oauth_complete", "denied", detail="unknown state")
        raise refusal(OAuthError, "oauth_state_unknown", field="state")
    row = rows[0]
    if row["login"] != actor.login:
        audit(ch, actor.tenant_id, actor.login, "oauth_complete", "denied", detail="state of another user")
        raise refusal(OAuthError, "oauth_state_other_user", field="state", login=row["login"])
    if row["used_at"] is not None:
        audit(ch, actor.tenant_id, actor.login, "oauth_complete", "denied", detail="state replayed")
        raise refusal(
            OAuthError, "oauth_state_used", field="state", at=f"{_utc(row['used_at']):%Y-%m-%d %H:%M:%S}"
        )
    if _utc(row["expires_at"]) <= at:
        raise refusal(
            OAuthError,
            "oauth_state_expired",
            field="state",
            at=f"{_utc(row['expires_at']):%Y-%m-%d %H:%M:%S}",
            minutes=int(STATE_TTL.total_seconds() // 60),
        )
    insert_dicts(ch, "app.oauth_states", [{**row, "used_at": at, "updated_at": at}])
    return row


def _utc(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _code_refusal(platform: str, exc: AuthError) -> OAuthError:
    code, text = exc.code or "", (exc.error_text or "").strip()
    lower = text.lower()
    if code == "invalid_client":
        return refusal(OAuthError, "oauth_app_refused", platform=platform, text=text)
    key = "oauth_code_refused"
    if "expired" in lower:
        key = "oauth_code_expired"
    elif "used" in lower:
        key = "oauth_code_used"
    return refusal(OAuthError, key, field="code", code=code, text=text)


def _expiry(answer: Mapping[str, Any], at: dt.datetime) -> dt.datetime | None:
    try:
        seconds = float(answer.get("expires_in") or 0)  # VK sends it as a string in one variant
    except (TypeError, ValueError):
        return None
    return at + dt.timedelta(seconds=seconds) if seconds > 0 else None


def _granting_login(app: OAuthApp, token: str) -> str:
    """Who granted the access, as the platform names them ('' if it does not say): shown on the Connections page,
    and for VK Ads needed to delete the agency's tokens on revoke."""
    if not app.userinfo_url:
        return ""
    scheme = "Bearer" if app.provider == "vk_ads" else "OAuth"
    try:
        with httpx.Client(timeout=app.timeout_s) as http:
            resp = http.get(
                app.userinfo_url, params={"format": "json"}, headers={"Authorization": f"{scheme} {token}"}
            )
    except httpx.HTTPError:
        return ""  # not worth failing the connection over
    body = json_object(resp) if resp.status_code == 200 else None
    return str((body or {}).get("login") or (body or {}).get("username") or "")[:200]


def _token_request(
    app: OAuthApp, url: str, form: Mapping[str, str], what: str, expect: str | None = "access_token"
) -> dict[str, Any]:
    with httpx.Client(timeout=app.timeout_s) as http:
        return post_token_form(
            http,
            url,
            form,
            platform=app.provider,
            what=what,
            policy=app.policy,
            sleep=app.sleep,
            expect=expect,
        )


def _store_grant(ch: Any, grant: Grant, answer: Mapping[str, Any], *, by: str) -> None:
    """The grant's tokens (one sealed insert) then its health row; if the second write fails the first is undone."""
    account = cr.grant_account(grant.grant_id)
    rows = [(grant.platform, account, "token", str(answer["access_token"]))]
    if answer.get("refresh_token"):
        rows.append((grant.platform, account, "refresh_token", str(answer["refresh_token"])))
    cr.seal_rows(ch, grant.tenant_id, rows, by=by)
    try:
        _write_grant(ch, grant)
    except Exception:
        cr.forget_rows(ch, grant.tenant_id, [(p, a, k) for p, a, k, _ in rows], by=by)
        raise


def _write_grant(ch: Any, grant: Grant) -> None:
    row = {c: getattr(grant, c) for c in _GRANT_COLS}
    insert_dicts(ch, "app.oauth_grants", [{**row, "updated_at": _now()}])


# ------------------------------------------------------------------------------------------------- reading


def get_grant(ch: Any, tenant_id: str, grant_id: str) -> Grant | None:
    """One grant of a tenant (no rights check: for connectors and the functions here)."""
    res = ch.query(
        f"SELECT {', '.join(_GRANT_COLS)} FROM app.oauth_grants FINAL "  # noqa: S608 - fixed column list
        "WHERE tenant_id = {t:String} AND grant_id = {g:String}",
        parameters={"t": tenant_id, "g": grant_id},
    )
    return _from_row(res.result_rows[0]) if res.result_rows else None


def grants(ch: Any, actor: Principal, client_id: str) -> list[Grant]:
    """The client's grants, newest first (health only, never tokens)."""
    _client_in_scope(ch, actor, client_id)
    res = ch.query(
        f"SELECT {', '.join(_GRANT_COLS)} FROM app.oauth_grants FINAL "  # noqa: S608 - fixed column list
        "WHERE tenant_id = {t:String} AND client_id = {c:String} ORDER BY created_at DESC",
        parameters={"t": actor.tenant_id, "c": client_id},
    )
    return [_from_row(r) for r in res.result_rows]


def account_health(ch: Any, actor: Principal, client_id: str) -> list[dict[str, Any]]:
    """Per ad account of the client connected through a grant: platform, account_id, grant_id, status, token expiry,
    last refresh and last error of its grant (for the Connections page's health columns and Reconnect button)."""
    _client_in_scope(ch, actor, client_id)
    res = ch.query(
        "SELECT l.platform AS platform, l.account_id AS account_id, l.grant_id AS grant_id, g.status AS status, "
        "g.token_expires_at AS token_expires_at, g.last_refresh_at AS last_refresh_at, g.last_error AS last_error "
        "FROM (SELECT * FROM app.account_grants FINAL WHERE tenant_id = {t:String} AND is_deleted = 0) AS l "
        "INNER JOIN (SELECT * FROM app.accounts FINAL WHERE tenant_id = {t:String} AND client_id = {c:String}) AS a "
        "ON a.platform = l.platform AND a.account_id = l.account_id "
        "LEFT JOIN (SELECT * FROM app.oauth_grants FINAL WHERE tenant_id = {t:String}) AS g "
        "ON g.grant_id = l.grant_id ORDER BY platform, account_id",
        parameters={"t": actor.tenant_id, "c": client_id},
    )
    return [dict(zip(res.column_names, r, strict=True)) for r in res.result_rows]


def _own_grant(ch: Any, actor: Principal, grant_id: str) -> Grant:
    check_id("grant", grant_id)
    grant = get_grant(ch, actor.tenant_id, grant_id)
    if grant is None:
        raise refusal(OAuthError, "oauth_no_grant", field="grant_id", grant=repr(grant_id))
    _client_in_scope(ch, actor, grant.client_id)
    return grant


def grant_tokens(ch: Any, grant: Grant) -> dict[str, str]:
    """The grant's decrypted tokens (kind -> value), for discovery and refresh; never display or log them."""
    return cr.stored_secrets(ch, grant.tenant_id, grant.platform, cr.grant_account(grant.grant_id))


# ------------------------------------------------------------------------------------------------- refresh


def refresh(ch: Any, actor: Principal, grant_id: str, *, app: OAuthApp) -> Grant:
    """Renew the grant's access token with its refresh token; the new expiry and refresh time go to its health.

    A refused refresh token (revoked at the platform, lapsed) marks the grant `failed` and raises OAuthError asking
    to reconnect; an unreachable endpoint records the error and raises, leaving the grant as it was.
    """
    grant = _own_grant(ch, actor, grant_id)
    return refresh_grant(ch, grant, app=app, by=actor.login)


def refresh_grant(ch: Any, grant: Grant, *, app: OAuthApp, by: str) -> Grant:
    """`refresh` without a principal (scheduled renewals); the caller checked the rights."""
    _check_app(app, grant.platform)
    if grant.status == "revoked":
        raise refusal(OAuthError, "oauth_grant_revoked", grant=grant.grant_id)
    tokens = grant_tokens(ch, grant)
    if not tokens.get("refresh_token"):
        raise refusal(OAuthError, "oauth_no_refresh", grant=grant.grant_id)
    form = {
        "grant_type": "refresh_token",
        "refresh_token": tokens["refresh_token"],
        "client_id": app.client_id,
        "client_secret": app.client_secret,
    }
    at = _now()
    try:
        answer = _token_request(app, app.token_url, form, "token refresh")
    except AuthError as exc:
        failed = _health(
            grant, status="failed", last_error=f"refresh refused: {exc.code}: {exc.error_text}"[:500]
        )
        _write_grant(ch, failed)
        audit(
            ch, grant.tenant_id, by, "oauth_refresh", "failed", target=grant.grant_id, detail=exc.code or ""
        )
        raise refusal(
            OAuthError, "oauth_refresh_refused", grant=grant.grant_id, code=exc.code, text=exc.error_text
        ) from None
    except RetryExhausted as exc:
        _write_grant(ch, _health(grant, last_error=f"refresh failed: {exc}"[:500]))
        raise OAuthError(f"grant {grant.grant_id}: the token endpoint did not answer usably: {exc}") from None
    return _keep_renewal(ch, grant, answer, at, by=by)


def _keep_renewal(ch: Any, grant: Grant, answer: Mapping[str, Any], at: dt.datetime, *, by: str) -> Grant:
    """Store a token answer's tokens sealed (a refresh token it lacks stays as stored) and the grant's new health."""
    renewed = _health(
        grant, status="active", token_expires_at=_expiry(answer, at), last_refresh_at=at, last_error=""
    )
    _store_grant(ch, renewed, answer, by=by)
    audit(ch, grant.tenant_id, by, "oauth_refresh", "ok", target=grant.grant_id)
    return renewed


def save_refreshed(ch: Any, tenant_id: str, grant_id: str, answer: Mapping[str, Any], *, by: str) -> Grant:
    """Keep the tokens a connector renewed itself (a 401 mid-load) in the grant, sealed, with the new expiry and
    refresh time in its health; without this the next load would start from the token the platform dropped."""
    grant = get_grant(ch, tenant_id, grant_id)
    if grant is None or grant.status == "revoked":
        raise refusal(OAuthError, "oauth_grant_gone", grant=grant_id)
    return _keep_renewal(ch, grant, answer, _now(), by=by)


def refresh_due(
    ch: Any,
    app_for: Callable[[str], OAuthApp],
    *,
    within: dt.timedelta = dt.timedelta(hours=6),
    tenant_id: str = "",
    now: dt.datetime | None = None,
) -> dict[str, str]:
    """Renew every active grant (of one tenant, or all) whose access token expires within `within`; for a scheduled
    job before the loads (VK Ads agency tokens live a day). Returns grant_id -> '' when renewed, else the error
    (which its health shows too); one grant failing does not stop the others."""
    deadline = (now or _now()) + within
    res = ch.query(
        f"SELECT {', '.join(_GRANT_COLS)} FROM app.oauth_grants FINAL "  # noqa: S608 - fixed column list
        "WHERE status = 'active' AND token_expires_at IS NOT NULL AND token_expires_at <= {d:DateTime64(3, 'UTC')} "
        "AND ({t:String} = '' OR tenant_id = {t:String}) ORDER BY tenant_id, grant_id",
        parameters={"d": deadline, "t": tenant_id},
    )
    out: dict[str, str] = {}
    for row in res.result_rows:
        grant = _from_row(row)
        try:
            refresh_grant(ch, grant, app=app_for(grant.platform), by="scheduler")
            out[grant.grant_id] = ""
        except (OAuthError, cr.SecretsError) as exc:
            out[grant.grant_id] = str(exc)
    return out


RENEW_BEFORE = dt.timedelta(minutes=30)


def renew_if_due(ch: Any, settings: Any, tenant_id: str, platform: str, account_id: str) -> Grant | None:
    """Before a load: renew the account's grant when its access token runs out within RENEW_BEFORE (or has).

    The OAuth application comes from the connector `settings` (client id/secret and OAuth host of the Yandex
    connectors; client id/secret and API host of VK Ads); settings without them leave the grant as it is. A refused
    renewal raises SecretsError naming the grant (reconnect), before the load starts. Returns the renewed grant.
    """
    link = cr.account_rows(ch, "grant_id", "app.account_grants", tenant_id, platform, account_id)
    grant = get_grant(ch, tenant_id, link[0][0]) if link else None
    due = _now() + RENEW_BEFORE
    if (
        grant is None
        or grant.status != "active"
        or grant.token_expires_at is None
        or grant.token_expires_at > due
    ):
        return None
    app = app_of_settings(grant.provider, settings)
    if app is None:
        return None
    try:
        return refresh_grant(ch, grant, app=app, by="loader")
    except OAuthError as exc:
        raise carry(exc, cr.SecretsError(f"{platform}/{account_id}: {exc}")) from None


def app_of_settings(provider: str, settings: Any) -> OAuthApp | None:
    """The provider's OAuth application as a connector's settings describe it, or None when they lack it."""
    secret = getattr(settings, "client_secret", None)
    secret = secret.get_secret_value() if hasattr(secret, "get_secret_value") else secret
    client_id = getattr(settings, "client_id", None)
    if not client_id or not secret:
        return None
    timing = {"timeout_s": float(settings.timeout_s), "policy": settings.retry_policy()}
    if provider == "yandex":
        return OAuthApp.yandex(client_id, secret, oauth_url=settings.oauth_url, **timing)
    return OAuthApp.vk_ads(client_id, secret, base_url=settings.base_url, **timing)


def _health(grant: Grant, **changes: Any) -> Grant:
    from dataclasses import replace

    return replace(grant, **changes)


# ------------------------------------------------------------------------------------------------- revoke


def revoke(ch: Any, actor: Principal, grant_id: str, *, app: OAuthApp) -> Grant:
    """Withdraw the grant at the platform (Yandex revoke_token; VK Ads deletes the agency's tokens), then forget its
    tokens here. Accounts connected with it stop loading with an error naming the grant until reconnected."""
    grant = _own_grant(ch, actor, grant_id)
    _check_app(app, grant.platform)
    tokens = grant_tokens(ch, grant) if grant.status != "revoked" else {}
    note = ""
    if tokens.get("token") and app.provider == "vk_ads" and not grant.agency_login:
        # VK deletes tokens per username; without it the deletion would hit the app's own user. Unused, the
        # agency's token lapses within a day, and its tokens are forgotten here now.
        note = (
            "the agency's VK username is unknown: its token was not deleted at VK and lapses within 24 hours"
        )
    elif tokens.get("token"):
        _revoke_at_platform(app, grant, tokens["token"])
    account = cr.grant_account(grant.grant_id)
    cr.forget_rows(ch, grant.tenant_id, [(grant.platform, account, k) for k in _GRANT_KINDS], by=actor.login)
    revoked = _health(grant, status="revoked", last_error=note)
    _write_grant(ch, revoked)
    audit(ch, actor.tenant_id, actor.login, "oauth_revoke", "ok", target=grant_id, detail=grant.platform)
    return revoked


def _revoke_at_platform(app: OAuthApp, grant: Grant, token: str) -> None:
    """Yandex: revoke_token for the device's token; VK Ads: delete the agency user's tokens. A grant already
    withdrawn at the platform (by the user, in their account) counts as revoked."""
    if app.provider == "yandex":
        form = {"access_token": token, "client_id": app.client_id, "client_secret": app.client_secret}
        expect: str | None = "status"
    else:
        form = {
            "client_id": app.client_id,
            "client_secret": app.client_secret,
            "username": grant.agency_login,
        }
        expect = None
    try:
        _token_request(app, app.revoke_url, form, "token revocation", expect=expect)
    except AuthError as exc:
        if exc.code not in ("invalid_token", "invalid_grant"):
            raise OAuthError(
                f"grant {grant.grant_id}: the platform refused the revocation ({exc.code}: {exc.error_text})"
            ) from None
    except RetryExhausted as exc:
        raise OAuthError(
            f"grant {grant.grant_id}: the revocation endpoint did not answer usably: {exc}"
        ) from None
