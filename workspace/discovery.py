"""Which advertiser accounts an agency's OAuth grant can see, and connecting the chosen ones to a client.

- Yandex Direct: `AgencyClients.get` (JSON API v5, paged by `LimitedBy`); each login then loads with the agency
  token and `Client-Login: <login>`.
- Yandex Metrika: Management API `GET /management/v1/counters` (`per_page`, 1-based `offset`).
- VK Ads: `GET /api/v2/agency/clients.json` (`limit` ≤ 50, `offset`); each cabinet then gets its own token asked
  for with the agency's (agency_client_credentials + access_token).

`connect` registers the chosen accounts for the grant's client (app.accounts) and links them to the grant
(app.account_grants), so the connectors load them with the grant's token (workspace/credentials.py). Every check
runs before anything is written; an account already registered in the tenant is refused by name. Garpun has no
OAuth: `connect_garpun` takes an uploaded service-account key file, checked by `validate_garpun_key`.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from dashboards.auth import Principal, audit, check_id
from ingestion.common import ApiClient, ApiError, ConfigError, IngestionError
from ingestion.common.http import default_classifier
from ingestion.common.settings import SANDBOX_TIMING
from mrm.i18n import carry, refusal
from warehouse.rows import insert_dicts
from workspace import credentials as cr
from workspace import oauth

DIRECT_PAGE = 10_000
METRIKA_PAGE = 1000
VK_PAGE = 50
# Whether the platform reports spend with VAT (app.accounts.spend_includes_vat), as the connectors assume.
SPEND_INCLUDES_VAT = {"yandex_direct": 1, "yandex_metrika": 0, "vk_ads": 0, "garpun": 1}
MAX_KEY_BYTES = 64 * 1024
KEY_FIELD = "key file"  # the field a key file's refusal names (the connections page labels it)


class DiscoveryError(RuntimeError):
    """Listing or connecting failed; the message names the grant or account and never a secret."""


class KeyFileError(ValueError):
    """An uploaded service-account key file is unusable; the message names what is wrong, never the key."""


@dataclass(frozen=True)
class Advertiser:
    """An account the grant can see; `connected_to` is the client it is already registered for here ('' if none)."""

    platform: str
    account_id: str
    name: str
    currency: str
    connected_to: str = ""


# ------------------------------------------------------------------------------------------------- discover


def discover(
    ch: Any, actor: Principal, grant_id: str, *, app: oauth.OAuthApp, platform: str = ""
) -> list[Advertiser]:
    """The advertiser accounts the grant sees on `platform` (default: the grant's own; a Yandex grant serves both
    yandex_direct and yandex_metrika), each with the client it is already connected to in this tenant."""
    grant = oauth._own_grant(ch, actor, grant_id)
    platform = _platform(grant, platform)
    found = _list(ch, grant, platform, app)
    taken = _registered(ch, actor.tenant_id, platform, [a.account_id for a in found])
    return [
        Advertiser(a.platform, a.account_id, a.name, a.currency, taken.get(a.account_id, "")) for a in found
    ]


def _platform(grant: oauth.Grant, platform: str) -> str:
    platform = platform or grant.platform
    if oauth.PROVIDER.get(platform) != grant.provider:
        raise refusal(
            DiscoveryError,
            "ws_disc_wrong_grant",
            field="platform",
            grant=grant.grant_id,
            provider=grant.provider,
            platform=repr(platform),
        )
    if grant.status == "revoked":
        raise refusal(DiscoveryError, "oauth_grant_revoked", grant=grant.grant_id)
    return platform


def _list(ch: Any, grant: oauth.Grant, platform: str, app: oauth.OAuthApp) -> list[Advertiser]:
    tokens = oauth.grant_tokens(ch, grant)
    if not tokens.get("token"):
        raise refusal(DiscoveryError, "ws_disc_no_token", grant=grant.grant_id)
    lister = {"yandex_direct": _direct, "yandex_metrika": _metrika, "vk_ads": _vk}[platform]
    try:
        return list(lister(app, tokens))
    except ApiError as exc:
        raise DiscoveryError(
            f"{platform}: listing the accounts of grant {grant.grant_id} failed: {exc.code}: {exc.error_text}"
        ) from None
    except IngestionError as exc:
        raise DiscoveryError(
            f"{platform}: listing the accounts of grant {grant.grant_id} failed: {exc}"
        ) from None


def _yandex_settings(module: Any, app: oauth.OAuthApp, platform: str, tokens: dict[str, str]) -> Any:
    values = {
        "base_url": app.api_url(platform),
        "token": tokens["token"],
        "refresh_token": tokens.get("refresh_token"),
        "client_id": app.client_id,
        "client_secret": app.client_secret,
        "oauth_url": app.oauth_url,
        "timeout_s": app.timeout_s,
    }
    return module.Settings(**({**SANDBOX_TIMING, **values} if app.sandbox else values))


def _direct(app: oauth.OAuthApp, tokens: dict[str, str]) -> Iterator[Advertiser]:
    from ingestion import yandex_direct
    from ingestion.yandex_direct.client import make_client

    settings = _yandex_settings(yandex_direct, app, "yandex_direct", tokens)
    offset = 0
    with make_client(settings) as http:
        while True:
            body = {
                "method": "get",
                "params": {
                    "SelectionCriteria": {"Archived": "NO"},
                    "FieldNames": ["Login", "ClientInfo", "Currency"],
                    "Page": {"Limit": DIRECT_PAGE, "Offset": offset},
                },
            }
            result = http.request("POST", "/json/v5/agencyclients", json=body).json().get("result") or {}
            for c in result.get("Clients") or []:
                yield Advertiser(
                    "yandex_direct",
                    str(c["Login"]),
                    str(c.get("ClientInfo") or ""),
                    str(c.get("Currency") or ""),
                )
            if not result.get("LimitedBy"):
                return
            offset = int(result["LimitedBy"])


def _metrika(app: oauth.OAuthApp, tokens: dict[str, str]) -> Iterator[Advertiser]:
    from ingestion import yandex_metrika
    from ingestion.yandex_metrika.client import make_client

    settings = _yandex_settings(yandex_metrika, app, "yandex_metrika", tokens)
    with make_client(settings) as http:

        def page(offset: int) -> tuple[list[Any], int]:
            got = http.request(
                "GET", "/management/v1/counters", params={"per_page": METRIKA_PAGE, "offset": offset}
            )
            body = got.json()
            return body.get("counters") or [], int(body.get("rows") or 0)

        for c in _offset_pages(page, first=1):  # Metrika's offset is 1-based
            yield Advertiser("yandex_metrika", str(c["id"]), str(c.get("name") or ""), "")


def _vk(app: oauth.OAuthApp, tokens: dict[str, str]) -> Iterator[Advertiser]:
    headers = {"Authorization": f"Bearer {tokens['token']}"}
    base = app.api_url("vk_ads")
    with ApiClient(
        "vk_ads", base, classify=default_classifier, policy=app.policy, timeout=app.timeout_s, headers=headers
    ) as http:

        def page(offset: int) -> tuple[list[Any], int]:
            got = http.request(
                "GET", "/api/v2/agency/clients.json", params={"limit": VK_PAGE, "offset": offset}
            )
            body = got.json()
            return body.get("items") or [], int(body.get("count") or 0)

        for item in _offset_pages(page, first=0):
            user = item.get("user") or {}
            info = user.get("additional_info") or {}
            name = str(info.get("client_name") or info.get("name") or user.get("username") or "")
            yield Advertiser("vk_ads", str(user.get("username") or user["id"]), name, "")


def _offset_pages(page: Callable[[int], tuple[list[Any], int]], *, first: int) -> Iterator[Any]:
    """Every item of a listing paged by offset: `page(offset)` answers (items, total); `first` is the first offset."""
    offset = first
    while True:
        items, total = page(offset)
        yield from items
        offset += len(items)
        if not items or offset - first >= total:
            return


def _registered(ch: Any, tenant_id: str, platform: str, account_ids: Sequence[str]) -> dict[str, str]:
    """account_id -> client_id of the given accounts already registered in the tenant."""
    rows = ch.query(
        "SELECT account_id, client_id FROM app.accounts FINAL WHERE tenant_id = {t:String} "
        "AND platform = {p:String} AND has({ids:Array(String)}, account_id)",
        parameters={"t": tenant_id, "p": platform, "ids": list(account_ids)},
    ).result_rows
    return {str(a): str(c) for a, c in rows}


# ------------------------------------------------------------------------------------------------- connect


def connect(
    ch: Any,
    actor: Principal,
    grant_id: str,
    account_ids: Sequence[str],
    *,
    app: oauth.OAuthApp,
    platform: str = "",
) -> list[Advertiser]:
    """Register the chosen accounts of the grant for the grant's client; they then load with the grant's token.

    All or nothing: an account the grant does not see, one listed twice, or one already registered in the tenant
    (named, with its client) refuses the whole request before anything is written.
    """
    if not account_ids:
        raise refusal(DiscoveryError, "ws_pick_accounts", field="account_ids")
    grant = oauth._own_grant(ch, actor, grant_id)
    platform = _platform(grant, platform)
    wanted: list[str] = []
    for a in account_ids:
        try:
            check_id("account", a)
        except ValueError as exc:
            raise carry(exc, DiscoveryError(f"account_ids: {exc}")) from None
        if a in wanted:
            raise refusal(
                DiscoveryError, "ws_disc_listed_twice", field="account_ids", account=f"{platform}/{a}"
            )
        wanted.append(a)
    visible = {a.account_id: a for a in _list(ch, grant, platform, app)}
    unseen = [a for a in wanted if a not in visible]
    if unseen:
        raise refusal(
            DiscoveryError,
            "ws_disc_not_visible",
            field="account_ids",
            accounts=", ".join(f"{platform}/{a}" for a in unseen),
            grant=grant_id,
        )
    taken = _registered(ch, actor.tenant_id, platform, wanted)
    if taken:
        a = next(iter(taken))
        raise refusal(
            DiscoveryError,
            "ws_disc_taken",
            field="account_ids",
            account=f"{platform}/{a}",
            client=repr(taken[a]),
        )
    chosen = [visible[a] for a in wanted]
    _register(ch, actor, grant.client_id, chosen, grant_id=grant.grant_id, grant_platform=grant.platform)
    audit(
        ch,
        actor.tenant_id,
        actor.login,
        "accounts_connect",
        "ok",
        target=grant.client_id,
        detail=f"{platform} {grant_id}: {', '.join(wanted)}"[:2000],
    )
    return [Advertiser(a.platform, a.account_id, a.name, a.currency, grant.client_id) for a in chosen]


def _register(
    ch: Any,
    actor: Principal,
    client_id: str,
    chosen: list[Advertiser],
    *,
    grant_id: str = "",
    grant_platform: str = "",
) -> None:
    """The grant links (one insert), then the accounts (one insert); a failed second write withdraws the links."""
    from workspace.clients import get_client

    client = get_client(ch, actor.tenant_id, client_id)
    if client is None or not client.is_active:
        raise refusal(DiscoveryError, "ws_no_active_client", field="client_id", client=repr(client_id))
    links = [_link(actor, a.platform, a.account_id, grant_id, grant_platform) for a in chosen]
    if grant_id:
        insert_dicts(ch, "app.account_grants", links)
    try:
        insert_dicts(
            ch,
            "app.accounts",
            [
                {
                    "tenant_id": actor.tenant_id,
                    "client_id": client_id,
                    "platform": a.platform,
                    "account_id": a.account_id,
                    "account_name": a.name[:200],
                    "timezone": client.timezone,
                    "currency": a.currency or client.currency,
                    "spend_includes_vat": SPEND_INCLUDES_VAT.get(a.platform, 1),
                    "is_active": 1,
                }
                for a in chosen
            ],
        )
    except Exception:
        if grant_id:
            insert_dicts(ch, "app.account_grants", [{**link, "is_deleted": 1} for link in links])
        raise


def _link(
    actor: Principal, platform: str, account_id: str, grant_id: str, grant_platform: str
) -> dict[str, Any]:
    """A row of app.account_grants: the account loads with this grant's token from now on."""
    return {
        "tenant_id": actor.tenant_id,
        "platform": platform,
        "account_id": account_id,
        "grant_id": grant_id,
        "grant_platform": grant_platform,
        "is_deleted": 0,
        "updated_by": actor.login,
    }


def relink(
    ch: Any,
    actor: Principal,
    grant: oauth.Grant,
    apps: Callable[[str], oauth.OAuthApp],
    platforms: Sequence[str],
) -> list[tuple[str, str]]:
    """After a Reconnect: the client's accounts on `platforms` whose grant was revoked, refused or expired, and which
    the new `grant` sees, load with the new grant from now on (`apps`: the OAuth application of a platform).
    Returns the (platform, account id) pairs moved over; the move is audited."""
    now = dt.datetime.now(dt.UTC)
    moved: list[tuple[str, str]] = []
    for platform in platforms:
        if oauth.PROVIDER[platform] != grant.provider:
            continue
        dead = [
            h["account_id"]
            for h in oauth.account_health(ch, actor, grant.client_id)
            if h["platform"] == platform
            and h["grant_id"] != grant.grant_id
            and (
                h["status"] in ("failed", "revoked")
                or (h["token_expires_at"] is not None and _utc(h["token_expires_at"]) <= now)
            )
        ]
        if not dead:
            continue
        seen = {
            a.account_id
            for a in discover(ch, actor, grant.grant_id, app=apps(platform), platform=platform)
            if a.connected_to == grant.client_id
        }
        rows = [
            {**_link(actor, platform, a, grant.grant_id, grant.platform), "updated_at": now}
            for a in dead
            if a in seen
        ]
        insert_dicts(ch, "app.account_grants", rows)
        moved += [(platform, r["account_id"]) for r in rows]
    if moved:
        audit(
            ch,
            actor.tenant_id,
            actor.login,
            "accounts_reconnect",
            "ok",
            target=grant.client_id,
            detail=", ".join(a for _, a in moved),
        )
    return moved


def _utc(v: dt.datetime) -> dt.datetime:
    return v if v.tzinfo else v.replace(tzinfo=dt.UTC)


# ------------------------------------------------------------------------------------------------- Garpun


def validate_garpun_key(key: str | bytes) -> dict[str, str]:
    """Check an uploaded Garpun service-account key file; returns its public fields (client_email, private_key_id,
    token_uri). Raises KeyFileError naming what is wrong (not JSON, missing fields, a private key that cannot sign,
    a token_uri that is not http(s)) — never quoting the key."""
    from ingestion.garpun.auth import ServiceAccountKey, make_assertion

    raw = key.encode("utf-8") if isinstance(key, str) else bytes(key)
    if not raw.strip():
        raise refusal(KeyFileError, "ws_key_empty", field=KEY_FIELD)
    if len(raw) > MAX_KEY_BYTES:
        raise refusal(KeyFileError, "ws_key_too_big", field=KEY_FIELD, kib=MAX_KEY_BYTES // 1024)
    try:
        text = raw.decode("utf-8")
        data = json.loads(text)
    except UnicodeDecodeError:
        raise refusal(KeyFileError, "ws_key_not_utf8", field=KEY_FIELD) from None
    except ValueError as exc:
        raise refusal(
            KeyFileError,
            "ws_key_not_json",
            field=KEY_FIELD,
            line=exc.lineno,  # type: ignore[attr-defined]
            column=exc.colno,  # type: ignore[attr-defined]
        ) from None
    if not isinstance(data, dict):
        raise refusal(KeyFileError, "ws_key_not_object", field=KEY_FIELD)
    if data.get("type") not in (None, "service_account"):
        raise refusal(KeyFileError, "ws_key_wrong_type", field=KEY_FIELD, type=repr(data.get("type")))
    try:
        parsed = ServiceAccountKey.from_mapping(data, "key file")
        if not parsed.token_uri.startswith(("https://", "http://")):
            raise refusal(KeyFileError, "ws_key_bad_token_uri", field=KEY_FIELD)
        make_assertion(parsed, "garpun.api")  # signs: a private key that is not an RSA PEM fails here
    except ConfigError as exc:
        # ConfigError's text names fields only ("lacks private_key", "cannot sign with ... private_key: <reason>").
        raise refusal(KeyFileError, "ws_key_unfit", detail=str(exc)) from None
    return {
        "client_email": parsed.client_email,
        "private_key_id": parsed.private_key_id,
        "token_uri": parsed.token_uri,
    }


def connect_garpun(
    ch: Any,
    actor: Principal,
    client_id: str,
    *,
    account_id: str,
    key_file: str | bytes,
    account_name: str = "",
) -> dict[str, str]:
    """Register a Garpun account for the client with its uploaded service-account key (stored encrypted).

    The key is checked first, then the account id (refused by name if already registered in the tenant); the
    account row and the sealed key are written only when every check passed. Returns the key's public fields.
    """
    oauth._client_in_scope(ch, actor, client_id)
    try:
        check_id("account", account_id)
    except ValueError as exc:
        raise carry(exc, DiscoveryError(f"account_id: {exc}")) from None
    public = validate_garpun_key(key_file)
    taken = _registered(ch, actor.tenant_id, "garpun", [account_id])
    if taken:
        raise refusal(
            DiscoveryError,
            "ws_account_taken",
            field="account_id",
            account=f"garpun/{account_id}",
            client=repr(taken[account_id]),
        )
    text = key_file.decode("utf-8") if isinstance(key_file, bytes) else key_file
    # The sealed key first (it alone is harmless), then the account: a failed second write withdraws the key.
    cr.seal_rows(
        ch, actor.tenant_id, [("garpun", account_id, "service_account_key", text.strip())], by=actor.login
    )
    try:
        _register(
            ch,
            actor,
            client_id,
            [Advertiser("garpun", account_id, account_name or public["client_email"], "")],
        )
    except Exception:
        cr.forget_rows(ch, actor.tenant_id, [("garpun", account_id, "service_account_key")], by=actor.login)
        raise
    audit(
        ch, actor.tenant_id, actor.login, "account_add", "ok", target=f"garpun/{account_id}", detail=client_id
    )
    return public
