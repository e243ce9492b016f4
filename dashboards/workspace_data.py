"""Checked entry points for the workspace and delivery pages (clients, users, connections, schedules, alerts).

Every function takes the signed-in principal first and checks the action (workspace.permissions) and the client
scope here, before it reads or writes: the pages only hide what a role may not use, the refusal is made here.
The back ends (workspace/*, delivery/*) keep their own rules; values are always bound as query parameters.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import replace
from typing import Any

import pandas as pd

from dashboards import auth, data
from dashboards.auth import Principal, audit, check_id
from delivery import alerts as al
from delivery import schedules as sc
from delivery import telegram as tg
from mrm import clock
from mrm.i18n import refusal, refused_field
from warehouse.rows import insert_dicts
from workspace import access, credentials
from workspace import clients as wc
from workspace import users as wu

AUDIT_LIMIT = 1000


def _ch() -> Any:
    return data.client()


def _clients_changed() -> None:
    # The sidebar's client list is cached per user for minutes; an added or archived client must show at once.
    data._clients.clear()


def _scope(ch: Any, p: Principal, client_id: str) -> None:
    """The principal may serve this client, and it is a client of the principal's tenant (an admin's scope is
    'every client', which must not stretch to an id that exists only in another tenant)."""
    access.require_client(ch, p, client_id)
    if wc.get_client(ch, p.tenant_id, client_id) is None:
        raise refusal(LookupError, "ws_client_not_found", client=repr(client_id))


# ---------------------------------------------------------------- clients (admin)


def client_list(p: Principal) -> list[wc.Client]:
    access.require(_ch(), p, "manage_clients")
    return wc.list_clients(_ch(), p, include_archived=True)


def add_client(p: Principal, c: wc.Client) -> wc.Client:
    out = wc.add_client(_ch(), p, c)
    _clients_changed()
    return out


def edit_client(p: Principal, client_id: str, **changes: Any) -> wc.Client:
    out = wc.edit_client(_ch(), p, client_id, **changes)
    _clients_changed()
    return out


def archive_client(p: Principal, client_id: str) -> int:
    n = wc.archive_client(_ch(), p, client_id)
    _clients_changed()
    return n


# ---------------------------------------------------------------- users and the audit log (admin)


def users(p: Principal) -> pd.DataFrame:
    """The tenant's users with their client assignment ('*' = every client)."""
    ch = _ch()
    access.require(ch, p, "manage_users")
    rows = auth.list_users(ch, p.tenant_id)
    scope = {
        r[0]: ("*" if r[1] else ", ".join(r[2]))
        for r in ch.query(
            "SELECT login, all_clients, client_ids FROM app.user_client_scope FINAL WHERE tenant_id = {t:String}",
            parameters={"t": p.tenant_id},
        ).result_rows
    }
    cols = ["login", "display_name", "role", "client_id", "auth_source", "is_active", "clients"]
    out = [
        {**{k: r[k] for k in cols[:-1]}, "is_active": bool(r["is_active"]), "clients": _scope_text(r, scope)}
        for r in rows
    ]
    return pd.DataFrame(out, columns=cols)


def _scope_text(user: dict[str, Any], scope: dict[str, str]) -> str:
    if user["role"] == "client":
        return str(user["client_id"])
    if user["role"] == "admin":
        return "*"
    return scope.get(user["login"], "*")


def add_user(
    p: Principal, *, login: str, role: str, password: str, display_name: str = "", client_id: str = ""
) -> Principal:
    """Create a local user in the admin's tenant; an existing login (active or suspended) is refused, not replaced."""
    ch = _ch()
    access.require(ch, p, "manage_users", target=login)
    check_id("login", login)
    if role == "client" and not client_id:
        raise refusal(auth.AuthError, "dash_client_user_needs_client", field="client")
    exists = ch.query(
        "SELECT count() FROM app.users FINAL WHERE tenant_id = {t:String} AND login = {l:String}",
        parameters={"t": p.tenant_id, "l": login},
    ).result_rows[0][0]
    if exists:
        raise refusal(auth.AuthError, "dash_login_exists", login=repr(login))
    user = auth.add_user(
        ch,
        tenant_id=p.tenant_id,
        login=login,
        role=role,
        password=password,
        client_id=client_id if role == "client" else "",
        display_name=display_name.strip(),
    )
    audit(ch, p.tenant_id, p.login, "user_add", "ok", target=login, detail=role)
    return user


def set_active(p: Principal, login: str, active: bool) -> bool:
    return wu.set_active(_ch(), p, login, active)


def reset_password(p: Principal, login: str, new_password: str) -> None:
    wu.reset_password(_ch(), p, login, new_password)


def assign_clients(p: Principal, login: str, *, all_clients: bool, client_ids: tuple[str, ...]) -> None:
    access.set_client_scope(_ch(), p, login, all_clients=all_clients, client_ids=client_ids)


def audit_log(
    p: Principal,
    *,
    login: str = "",
    action: str = "",
    outcome: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> pd.DataFrame:
    """The tenant's audit log, newest first (at most AUDIT_LIMIT rows); filters match login/action/outcome."""
    ch = _ch()
    access.require(ch, p, "view_audit")
    # data._df reads Arrow, which keeps the columns of an empty result (the row API does not).
    return data._df(
        "SELECT at, login, action, target, outcome, detail FROM app.audit_log WHERE tenant_id = {t:String} "
        "AND ({l:String} = '' OR positionCaseInsensitiveUTF8(login, {l:String}) > 0) "
        "AND ({a:String} = '' OR action = {a:String}) AND ({o:String} = '' OR outcome = {o:String}) "
        "AND toDate(at) BETWEEN {f:Date} AND {u:Date} ORDER BY at DESC LIMIT {n:UInt32}",
        {
            "t": p.tenant_id,
            "l": login.strip(),
            "a": action,
            "o": outcome,
            "f": date_from or dt.date(1970, 1, 1),
            "u": date_to or dt.date(2199, 12, 31),
            "n": AUDIT_LIMIT,
        },
    )


def audit_choices(p: Principal) -> tuple[list[str], list[str]]:
    """The actions and outcomes the tenant's audit log holds (for the filters)."""
    ch = _ch()
    access.require(ch, p, "view_audit")
    rows = ch.query(
        "SELECT groupUniqArray(action), groupUniqArray(outcome) FROM app.audit_log WHERE tenant_id = {t:String}",
        parameters={"t": p.tenant_id},
    ).result_rows
    return sorted(rows[0][0]), sorted(rows[0][1])


# ---------------------------------------------------------------- connections (admin)


def accounts(p: Principal, client_id: str) -> pd.DataFrame:
    """The client's ad accounts: stored credential kinds (never values) and load health from app.load_log."""
    ch = _ch()
    access.require(ch, p, "manage_connections", target=client_id)
    _scope(ch, p, client_id)
    df = data._df(
        "SELECT a.platform AS platform, a.account_id AS account_id, a.account_name AS account_name, "
        "a.is_active AS is_active, h.last_ok AS last_ok, h.last_rows AS last_rows, h.last_failed AS last_failed, "
        "h.last_error AS last_error "
        "FROM (SELECT * FROM app.accounts FINAL WHERE tenant_id = {t:String} AND client_id = {c:String}) AS a "
        "LEFT JOIN (SELECT platform, account_id, maxIf(finished_at, status = 'ok') AS last_ok, "
        "  argMaxIf(rows, finished_at, status = 'ok') AS last_rows, "
        "  maxIf(finished_at, status = 'failed') AS last_failed, "
        "  argMaxIf(error, finished_at, status = 'failed') AS last_error "
        "  FROM app.load_log WHERE tenant_id = {t:String} GROUP BY platform, account_id) AS h "
        "ON h.platform = a.platform AND h.account_id = a.account_id "
        "ORDER BY platform, account_id SETTINGS join_use_nulls = 1",
        {"t": p.tenant_id, "c": client_id},
    )
    kinds: dict[tuple[str, str], list[str]] = {}
    for s in credentials.list_secrets(ch, p):
        kinds.setdefault((s["platform"], s["account_id"]), []).append(s["kind"])
    df["credentials"] = [
        ", ".join(kinds.get((a, b), [])) for a, b in zip(df["platform"], df["account_id"], strict=True)
    ]
    df["is_active"] = df["is_active"].astype(bool)
    # A failure after the last success is the account's state now; an older one is history.
    df["error_now"] = [
        bool(f is not None and not pd.isna(f) and (o is None or pd.isna(o) or f > o))
        for f, o in zip(df["last_failed"], df["last_ok"], strict=True)
    ]
    return _with_grants_and_runs(ch, p, client_id, df)


def _with_grants_and_runs(ch: Any, p: Principal, client_id: str, df: pd.DataFrame) -> pd.DataFrame:
    """Each account's OAuth grant health (status, token expiry, last refresh, its error) and newest sync run."""
    from workspace import oauth, sync

    health = {(h["platform"], h["account_id"]): h for h in oauth.account_health(ch, p, client_id)}
    runs = {(r["platform"], r["account_id"]): r for r in sync.latest_runs(ch, p, client_id)}
    keys = list(zip(df["platform"], df["account_id"], strict=True))
    for col, src in (("grant_id", "grant_id"), ("grant_status", "status"), ("grant_error", "last_error")):
        df[col] = [str(health.get(k, {}).get(src) or "") for k in keys]
    for col in ("token_expires_at", "last_refresh_at"):
        df[col] = [health.get(k, {}).get(col) for k in keys]
    for col, src in (
        ("run_id", "run_id"),
        ("run_status", "status"),
        ("run_url", "run_url"),
        ("run_error", "error"),
    ):
        df[col] = [str(runs.get(k, {}).get(src) or "") for k in keys]
    now = dt.datetime.now(dt.UTC)
    df["needs_reconnect"] = [
        bool(h.get("grant_id"))
        and (
            h.get("status") in ("failed", "revoked")
            or (h.get("token_expires_at") is not None and _utc(h["token_expires_at"]) <= now)
        )
        for h in (health.get(k, {}) for k in keys)
    ]
    return df


def _utc(v: dt.datetime) -> dt.datetime:
    return v if v.tzinfo else v.replace(tzinfo=dt.UTC)


def add_account(
    p: Principal,
    client_id: str,
    *,
    platform: str,
    account_id: str,
    account_name: str,
    spend_includes_vat: bool,
) -> None:
    """Register an ad account of a client; an account id already registered in the tenant is refused."""
    ch = _ch()
    access.require(ch, p, "manage_connections", target=f"{platform}/{account_id}")
    _scope(ch, p, client_id)
    credentials._check_target(platform, account_id, "token")  # the same platform and id rules as credentials
    c = wc.get_client(ch, p.tenant_id, client_id)
    if c is None or not c.is_active:
        raise refusal(ValueError, "ws_no_active_client", field="client_id", client=repr(client_id))
    taken = ch.query(
        "SELECT client_id FROM app.accounts FINAL WHERE tenant_id = {t:String} AND platform = {p:String} "
        "AND account_id = {a:String}",
        parameters={"t": p.tenant_id, "p": platform, "a": account_id},
    ).result_rows
    if taken:
        raise refusal(
            ValueError,
            "dash_account_taken",
            field="account_id",
            account=f"{platform}/{account_id}",
            client=repr(taken[0][0]),
        )
    account = {
        "tenant_id": p.tenant_id,
        "client_id": client_id,
        "platform": platform,
        "account_id": account_id,
        "account_name": account_name.strip()[:200],
        "timezone": c.timezone,
        "currency": c.currency,
        "spend_includes_vat": int(spend_includes_vat),
        "is_active": 1,
    }
    insert_dicts(ch, "app.accounts", [account])
    audit(ch, p.tenant_id, p.login, "account_add", "ok", target=f"{platform}/{account_id}", detail=client_id)


def _own_account(ch: Any, p: Principal, client_id: str, platform: str, account_id: str) -> None:
    _scope(ch, p, client_id)
    found = ch.query(
        "SELECT count() FROM app.accounts FINAL WHERE tenant_id = {t:String} AND client_id = {c:String} "
        "AND platform = {p:String} AND account_id = {a:String}",
        parameters={"t": p.tenant_id, "c": client_id, "p": platform, "a": account_id},
    ).result_rows[0][0]
    if not found:
        raise refusal(
            LookupError,
            "ws_sync_not_account",
            account=f"{platform}/{account_id}",
            client=repr(client_id),
        )


def save_credential(
    p: Principal, client_id: str, platform: str, account_id: str, kind: str, secret: str
) -> None:
    ch = _ch()
    access.require(ch, p, "manage_connections", target=f"{platform}/{account_id}")
    _own_account(ch, p, client_id, platform, account_id)
    credentials.save_secret(ch, p, platform=platform, account_id=account_id, kind=kind, secret=secret)


def delete_credential(p: Principal, client_id: str, platform: str, account_id: str, kind: str) -> bool:
    ch = _ch()
    access.require(ch, p, "manage_connections", target=f"{platform}/{account_id}")
    _own_account(ch, p, client_id, platform, account_id)
    return credentials.delete_secret(ch, p, platform=platform, account_id=account_id, kind=kind)


# ---------------------------------------------------------------- connections: OAuth, discovery, Garpun key, sync
# The library functions (workspace.oauth, workspace.discovery, workspace.sync) check the action and the client scope
# themselves; the client's tenant is checked here as for every page function.

OAUTH_PLATFORMS = ("yandex_direct", "yandex_metrika", "vk_ads")
_OAUTH_APP_ENV = {"yandex": "MRM_DIRECT_CLIENT_ID", "vk_ads": "MRM_VK_ADS_CLIENT_ID"}


def oauth_app(platform: str) -> Any:
    """The deployment's OAuth application for `platform`: from its MRM_* variables in production; without them the
    running sandbox's (the demo); with neither, the production error naming the variables."""
    from ingestion.sandbox import state
    from workspace import oauth

    provider = oauth.PROVIDER.get(platform, "")
    if not os.environ.get(_OAUTH_APP_ENV.get(provider, ""), ""):
        running = state.running()
        if running and provider:
            return oauth.OAuthApp.for_sandbox(platform, str(running["base_url"]))
    return oauth.OAuthApp.from_env(platform)


def connections_url() -> str:
    """Where the platforms send the browser back after consent: this app's Connections page (MRM_APP_URL when the
    app is published under another address than the one the browser used)."""
    from urllib.parse import urlsplit

    import streamlit as st

    base = os.environ.get("MRM_APP_URL", "").strip()
    if not base:
        parts = urlsplit(str(st.context.url or ""))
        base = f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""
    if not base:
        from workspace.invitations import app_url

        base = app_url()
    return f"{base.rstrip('/')}/connections"


def connect_start(
    p: Principal, client_id: str, platform: str, *, login_hint: str = "", lang: str = ""
) -> str:
    """The authorize URL that connects an agency's `platform` access to the client (a one-time state is stored,
    led by the page's language `lang`)."""
    from workspace import oauth

    ch = _ch()
    access.require(ch, p, "manage_connections", target=client_id)
    _scope(ch, p, client_id)
    return str(
        oauth.start(
            ch,
            p,
            client_id=client_id,
            platform=platform,
            redirect_uri=connections_url(),
            app=oauth_app(platform),
            login_hint=login_hint.strip(),
            lang=lang,
        )
    )


def connect_complete(
    p: Principal, *, state: str, code: str = "", error: str = "", error_description: str = ""
) -> Any:
    """Finish a connection with the callback's query parameters; returns the grant (never its tokens). The OAuth
    app is the one of the platform the state was issued for (the callback does not name it)."""
    from workspace import oauth

    ch = _ch()
    access.require(ch, p, "manage_connections")
    return oauth.complete(
        ch, p, state=state, app=oauth_app, code=code, error=error, error_description=error_description
    )


def relink_reconnected(p: Principal, grant: Any) -> list[str]:
    """After a Reconnect: the client's accounts whose grant died and which the new grant sees load with it from now
    on (workspace.discovery.relink), and their token alert clears at its next evaluation (the credential is no
    longer revoked). Returns the account ids moved over."""
    from delivery import tokens
    from workspace import discovery

    ch = _ch()
    access.require(ch, p, "manage_connections", target=grant.client_id)
    _scope(ch, p, grant.client_id)
    moved = discovery.relink(ch, p, grant, oauth_app, OAUTH_PLATFORMS)
    for platform, account_id in moved:
        tokens.record(
            ch, p.tenant_id, platform, account_id, reason=f"reconnected with grant {grant.grant_id}"
        )
    return [account_id for _, account_id in moved]


def grants(p: Principal, client_id: str) -> list[Any]:
    from workspace import oauth

    ch = _ch()
    _scope(ch, p, client_id)
    return list(oauth.grants(ch, p, client_id))


def discover(p: Principal, client_id: str, grant_id: str, platform: str) -> list[Any]:
    """The advertiser accounts an agency grant of the client sees on `platform`."""
    from workspace import discovery

    ch = _ch()
    _scope(ch, p, client_id)
    return list(discovery.discover(ch, p, grant_id, app=oauth_app(platform), platform=platform))


def connect_accounts(
    p: Principal, client_id: str, grant_id: str, platform: str, account_ids: list[str]
) -> list[Any]:
    from workspace import discovery

    ch = _ch()
    _scope(ch, p, client_id)
    return list(discovery.connect(ch, p, grant_id, account_ids, app=oauth_app(platform), platform=platform))


def connect_garpun(p: Principal, client_id: str, account_id: str, key_file: bytes, account_name: str) -> Any:
    from workspace import discovery

    ch = _ch()
    _scope(ch, p, client_id)
    return discovery.connect_garpun(
        ch, p, client_id, account_id=account_id.strip(), key_file=key_file, account_name=account_name.strip()
    )


def sync_start(
    p: Principal,
    client_id: str,
    platform: str,
    account_ids: list[str],
    kind: str,
    date_from: dt.date | None = None,
) -> Any:
    """Start "load now" or "backfill from date_from" for accounts of one platform of the client (a Dagster run)."""
    from workspace import sync

    ch = _ch()
    _scope(ch, p, client_id)
    return sync.start(ch, p, client_id, platform, account_ids, kind, date_from=date_from)


def sync_state(p: Principal, client_id: str, run_id: str) -> Any:
    """The run's state from Dagster (recorded in app.sync_runs when it changed)."""
    from workspace import sync

    ch = _ch()
    _scope(ch, p, client_id)
    return sync.refresh(ch, p, client_id, run_id)


# ---------------------------------------------------------------- delivery: schedules and Telegram


def _delivery(p: Principal, client_id: str, action: str = "manage_delivery") -> Any:
    ch = _ch()
    access.require(ch, p, action, target=client_id)
    _scope(ch, p, client_id)
    return ch


def schedules(p: Principal, client_id: str) -> list[sc.Schedule]:
    return sc.load(_delivery(p, client_id), p.tenant_id, client_id)


def add_schedule(p: Principal, s: sc.Schedule) -> sc.Schedule:
    """Save a schedule for a client the principal may serve; tenant and author come from the sign-in."""
    ch = _delivery(p, s.client_id)
    s = replace(s, tenant_id=p.tenant_id, schedule_id=s.schedule_id or sc.new_id())
    sc.save(ch, s, by=p.login)
    audit(ch, p.tenant_id, p.login, "schedule_add", "ok", target=s.schedule_id, detail=s.client_id)
    return s


def remove_schedule(p: Principal, client_id: str, schedule_id: str) -> None:
    ch = _delivery(p, client_id)
    if schedule_id not in {s.schedule_id for s in sc.load(ch, p.tenant_id, client_id)}:
        raise refusal(
            sc.ScheduleError, "dash_no_schedule_of_client", field="schedule_id", schedule=repr(schedule_id)
        )
    sc.remove(ch, p.tenant_id, schedule_id, by=p.login)
    audit(ch, p.tenant_id, p.login, "schedule_remove", "ok", target=schedule_id, detail=client_id)


def telegram_links(p: Principal, client_id: str) -> pd.DataFrame:
    """The client's chat links without their codes (a pending code is shown once, to whoever made it)."""
    rows = tg.links(_delivery(p, client_id), p.tenant_id, "client", client_id)
    cols = ["status", "chat_id", "code_expires_at", "broken_reason"]
    return pd.DataFrame([{c: r[c] for c in cols} for r in rows], columns=cols)


def telegram_code(p: Principal, client_id: str) -> str:
    """A one-time code for `/start <code>`: the chat that sends it to the bot receives the client's reports."""
    ch = _delivery(p, client_id)
    code = tg.start_link(ch, p.tenant_id, "client", client_id)
    audit(ch, p.tenant_id, p.login, "telegram_link_code", "ok", target=client_id)  # never the code itself
    return code


def my_alert_chat_code(p: Principal) -> str:
    """A one-time code linking the principal's own Telegram chat: alert notices go to the staff's linked chats."""
    ch = _ch()
    access.require(ch, p, "manage_alerts", target=p.login)
    code = tg.start_link(ch, p.tenant_id, "user", p.login)
    audit(ch, p.tenant_id, p.login, "telegram_link_code", "ok", target=f"user:{p.login}")
    return code


def my_alert_chat(p: Principal) -> str:
    """The status of the principal's own alert chat ('' when none)."""
    ch = _ch()
    access.require(ch, p, "manage_alerts", target=p.login)
    rows = tg.links(ch, p.tenant_id, "user", p.login)
    return str(rows[0]["status"]) if rows else ""


# ---------------------------------------------------------------- alerts


def alerts(p: Principal, client_id: str, *, include_resolved: bool = False) -> pd.DataFrame:
    ch = _delivery(p, client_id, "manage_alerts")
    rows = al.open_alerts(ch, p.tenant_id, client_id, include_resolved=include_resolved)
    cols = [
        "alert_key",
        "rule",
        "state",
        "message_ru",
        "message_en",
        "severity",
        "opened_at",
        "acked_by",
        "acked_at",
    ]
    return pd.DataFrame([{c: r[c] for c in cols} for r in rows], columns=cols)


def acknowledge(p: Principal, client_id: str, alert_key: str) -> None:
    ch = _delivery(p, client_id, "manage_alerts")
    al.acknowledge(ch, p.tenant_id, client_id, alert_key, by=p.login)
    audit(ch, p.tenant_id, p.login, "alert_ack", "ok", target=alert_key[:200], detail=client_id)


def run_alerts(p: Principal, client_id: str, lang: str = "en") -> tuple[list[al.Notice], list[str]]:
    """Evaluate the client's rules on yesterday's data now, store what changed and deliver it.

    Returns the notices and the deliveries that failed, in `lang` (the alerts are stored either way; a later run
    resends only what was not delivered)."""
    from delivery import dispatch

    ch = _delivery(p, client_id, "manage_alerts")
    now = dt.datetime.now(dt.UTC)
    notices = al.reconcile(
        ch,
        p.tenant_id,
        client_id,
        al.evaluate(ch, p.tenant_id, client_id, clock.yesterday(), now, marts_db=data.marts_db()),
    )
    audit(ch, p.tenant_id, p.login, "alerts_run", "ok", target=client_id, detail=f"notices={len(notices)}")
    if not notices:
        return [], []
    try:
        bot: tg.TelegramBot | None = tg.TelegramBot.from_env()
    except tg.DeliveryError:
        bot = None  # no bot configured: e-mail only
    out = dispatch.deliver_notices(ch, p.tenant_id, notices, bot=bot)
    return notices, out.problems(lang)


# ---------------------------------------------------------------- page helpers


def signed_in() -> Principal:
    """The signed-in principal for pages that need no selected client (an empty tenant's admin has none yet)."""
    import streamlit as st

    p: Principal | None = st.session_state.get("principal_active")
    if p is None:
        st.stop()
        raise RuntimeError("unreachable")  # st.stop() raises; this line keeps type checkers honest
    return p


def show_table(df: pd.DataFrame, names: dict[str, str], key: str) -> None:
    """A table with its columns named from the catalogue (column -> text key); cells are shown as plain text."""
    import streamlit as st

    from dashboards.i18n import t

    st.dataframe(df.rename(columns={c: t(k) for c, k in names.items()}), hide_index=True, key=key)


def form_error(exc: Exception, labels: dict[str, str]) -> None:
    """Show a refused form next to it: the field's label (when the message names a field) and the exact reason."""
    import streamlit as st

    from dashboards import safe
    from dashboards.i18n import explain, reason, t

    named = refused_field(exc)
    if named in labels:
        st.error(t("field_error", field=labels[named], msg=safe.md(reason(exc))))
        return
    msg = explain(exc)
    field, sep, rest = msg.partition(":")
    if sep and field.strip() in labels:
        st.error(t("field_error", field=labels[field.strip()], msg=safe.md(rest.strip())))
    elif isinstance(exc, PermissionError):
        st.error(t("denied", msg=safe.md(msg)))
    else:
        st.error(t("error", msg=safe.md(msg)))
