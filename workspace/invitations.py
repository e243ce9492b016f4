"""Invitations by e-mail: an admin invites a person with a role; a one-time link lets them choose a login and a
password and signs them in.

The link carries a random token (256 bits); the warehouse keeps only its SHA-256, so a copy of app.invitations does
not let anyone accept. A link is valid through its `expires_on` day (the platform's today, mrm/clock, so a pinned
MRM_TODAY decides it the same way everywhere) and works once: the first claim in app.invitation_claims wins. The
e-mail goes through the SMTP settings the reports use (MRM_SMTP_*). Never logged, never shown: the token.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from dashboards.auth import AuthError, Principal, add_user, audit, check_id, check_password
from mrm import clock
from mrm.i18n import bilingual, refusal, t
from workspace.access import require
from workspace.permissions import ROLES, role_name

INVITE_DAYS = 7
_EMAIL_RE = re.compile(r"^[A-Za-z0-9_.+-]{1,64}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{43}$")  # secrets.token_urlsafe(32)

Sender = Callable[[list[str], str, str], None]


class InvitationError(AuthError):
    """The link cannot be used (unknown, expired, used, withdrawn); the message is safe to show."""


@dataclass(frozen=True)
class Invitation:
    tenant_id: str
    email: str
    role: str
    client_id: str  # role 'client' only
    all_clients: bool
    client_ids: tuple[str, ...]
    invited_by: str
    expires_on: dt.date
    state: str  # '' pending | accepted | revoked
    accepted_login: str = ""


def token_sha256(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def app_url() -> str:
    """Where people open the app: MRM_APP_URL (the public address), else the local one on MRM_APP_PORT."""
    url = os.environ.get("MRM_APP_URL", "").strip()
    return url or f"http://127.0.0.1:{os.environ.get('MRM_APP_PORT', '8501')}"


def invite_link(token: str, base_url: str | None = None) -> str:
    return f"{(base_url or app_url()).rstrip('/')}/?invite={token}"


def check_email(email: str) -> str:
    email = (email or "").strip()
    if len(email) > 128 or not _EMAIL_RE.match(email):
        raise refusal(ValueError, "ws_bad_email", field="email", email=repr(email[:60]))
    return email


_COLUMNS = [
    "tenant_id",
    "token_sha256",
    "email",
    "role",
    "client_id",
    "all_clients",
    "client_ids",
    "invited_by",
    "expires_on",
    "state",
    "accepted_login",
    "updated_at",
]


def _write(ch: Any, digest: str, inv: Invitation) -> None:
    ch.insert(
        "app.invitations",
        [
            [
                inv.tenant_id,
                digest,
                inv.email,
                inv.role,
                inv.client_id,
                int(inv.all_clients),
                list(inv.client_ids),
                inv.invited_by,
                inv.expires_on,
                inv.state,
                inv.accepted_login,
                dt.datetime.now(dt.UTC),
            ]
        ],
        column_names=_COLUMNS,
    )


def _known_clients(ch: Any, tenant_id: str, ids: list[str]) -> set[str]:
    return {
        r[0]
        for r in ch.query(
            "SELECT client_id FROM app.clients FINAL WHERE tenant_id = {t:String} AND is_active = 1 "
            "AND client_id IN {ids:Array(String)}",
            parameters={"t": tenant_id, "ids": ids},
        ).result_rows
    }


def _scope_of(ch: Any, tenant_id: str, role: str, client_ids: tuple[str, ...]) -> tuple[str, bool, list[str]]:
    """(client_id, all_clients, client_ids) the invitation stores for `role`; clients checked against the tenant."""
    if role not in ROLES:
        raise refusal(ValueError, "ws_unknown_role", field="role", role=repr(role), roles=", ".join(ROLES))
    ids = sorted({check_id("client", c) for c in client_ids if c})
    missing = [c for c in ids if c not in _known_clients(ch, tenant_id, ids)] if ids else []
    if missing:
        raise refusal(LookupError, "ws_inv_unknown_clients", field="client", clients=", ".join(missing))
    if role == "client":
        if len(ids) != 1:
            raise refusal(ValueError, "ws_inv_client_one", field="client")
        return ids[0], False, []
    if role == "admin" and ids:
        raise refusal(ValueError, "ws_inv_admin_all", field="client")
    return "", not ids, ids


def _message(inv: Invitation, link: str, inviter: str) -> tuple[str, str]:
    """The e-mail in both languages (the invitee's language is not known yet): Russian first, then English."""
    en_role, ru_role = role_name(inv.role, "en"), role_name(inv.role, "ru")
    until = inv.expires_on.isoformat()
    subject = bilingual("ws_inv_subject")
    ru = t("ws_inv_body", "ru", inviter=inviter, role=ru_role, link=link, until=until)
    en = t("ws_inv_body", "en", inviter=inviter, role=en_role, link=link, until=until)
    return subject, f"{ru}\n---\n\n{en}"


def _smtp(to: list[str], subject: str, text: str) -> None:
    from delivery.dispatch import smtp_send

    smtp_send(to, subject, text)


def invite(
    ch: Any,
    actor: Principal,
    email: str,
    role: str,
    *,
    client_ids: tuple[str, ...] = (),
    days: int = INVITE_DAYS,
    send: Sender | None = None,
    base_url: str | None = None,
) -> Invitation:
    """Record an invitation and e-mail its link; earlier pending invitations of the same address are withdrawn.

    Nothing stays valid when the mail is not sent: the new invitation is withdrawn and the error raised (naming the
    server's answer, never the link)."""
    require(ch, actor, "manage_users", target=email)
    email = check_email(email)
    if not 1 <= days <= 90:
        raise refusal(ValueError, "ws_inv_days", field="days", days=days)
    client_id, all_clients, ids = _scope_of(ch, actor.tenant_id, role, client_ids)
    taken = ch.query(
        "SELECT count() FROM app.users FINAL WHERE login = {l:String}", parameters={"l": email}
    ).result_rows[0][0]
    if taken:
        raise refusal(AuthError, "ws_inv_has_account", field="email", email=email)
    _withdraw(ch, actor.tenant_id, email)
    token = secrets.token_urlsafe(32)
    digest = token_sha256(token)
    inv = Invitation(
        actor.tenant_id,
        email,
        role,
        client_id,
        all_clients,
        tuple(ids),
        actor.login,
        clock.today() + dt.timedelta(days=days),
        "",
    )
    _write(ch, digest, inv)
    subject, text = _message(inv, invite_link(token, base_url), actor.display_name or actor.login)
    try:
        (send or _smtp)([email], subject, text)
    except Exception as exc:
        _write(ch, digest, _replace(inv, state="revoked"))
        reason = f"{type(exc).__name__}: {exc}"[:300]
        audit(ch, actor.tenant_id, actor.login, "invitation_sent", "failed", target=email, detail=reason)
        raise refusal(RuntimeError, "ws_inv_not_sent", email=email, reason=reason) from None
    audit(ch, actor.tenant_id, actor.login, "invitation_sent", "ok", target=email, detail=role)
    return inv


def _replace(inv: Invitation, **changes: Any) -> Invitation:
    from dataclasses import replace

    return replace(inv, **changes)


_SELECT = (
    "SELECT token_sha256, tenant_id, email, role, client_id, all_clients, client_ids, invited_by, expires_on, "
    "state, accepted_login FROM app.invitations FINAL "
)


def _row(r: tuple[Any, ...]) -> tuple[str, Invitation]:
    digest, tenant, email, role, client_id, all_clients, ids, by, until, state, login = r
    return digest, Invitation(
        tenant, email, role, client_id, bool(all_clients), tuple(ids), by, until, state, login
    )


def _pending(ch: Any, tenant_id: str, email: str) -> list[tuple[str, Invitation]]:
    rows = ch.query(
        _SELECT + "WHERE tenant_id = {t:String} AND email = {e:String} AND state = ''",
        parameters={"t": tenant_id, "e": email},
    ).result_rows
    return [_row(r) for r in rows]


def _withdraw(ch: Any, tenant_id: str, email: str) -> int:
    pending = _pending(ch, tenant_id, email)
    for digest, inv in pending:
        _write(ch, digest, _replace(inv, state="revoked"))
    return len(pending)


def revoke(ch: Any, actor: Principal, email: str) -> int:
    """Withdraw the pending invitations of `email` in the actor's tenant (their links stop working)."""
    require(ch, actor, "manage_users", target=email)
    n = _withdraw(ch, actor.tenant_id, check_email(email))
    if n:
        audit(ch, actor.tenant_id, actor.login, "invitation_revoked", "ok", target=email)
    return n


def lookup(ch: Any, token: str) -> Invitation:
    """The pending invitation behind a link; an unknown, expired, used or withdrawn link gets its own message."""
    rows = (
        ch.query(
            _SELECT + "WHERE token_sha256 = {h:String}", parameters={"h": token_sha256(token)}
        ).result_rows
        if isinstance(token, str) and _TOKEN_RE.match(token)
        else []
    )
    if not rows:
        raise refusal(InvitationError, "ws_inv_invalid")
    inv = _row(rows[0])[1]
    if inv.state == "accepted":
        raise refusal(InvitationError, "ws_inv_used")
    if inv.state == "revoked":
        raise refusal(InvitationError, "ws_inv_withdrawn")
    if clock.today() > inv.expires_on:
        raise refusal(InvitationError, "ws_inv_expired", date=inv.expires_on.isoformat())
    return inv


def _claim(ch: Any, digest: str) -> tuple[int, str]:
    """Claim the token (see migration 0230); returns (generation, claim id) when this claim is the one kept."""
    mine = uuid.uuid4().hex
    gen = int(
        ch.query(
            "SELECT count() FROM app.invitation_claims WHERE token_sha256 = {h:String} AND released = 1",
            parameters={"h": digest},
        ).result_rows[0][0]
    )
    ch.insert(
        "app.invitation_claims",
        [[digest, gen, mine]],
        column_names=["token_sha256", "generation", "claim_id"],
        settings={"insert_deduplicate": 1, "insert_deduplication_token": f"{digest}/{gen}"},
    )
    kept = ch.query(
        "SELECT claim_id FROM app.invitation_claims WHERE token_sha256 = {h:String} AND generation = {g:UInt32} "
        "AND released = 0",
        parameters={"h": digest, "g": gen},
    ).result_rows
    if [r[0] for r in kept] != [mine]:
        raise refusal(InvitationError, "ws_inv_used")
    return gen, mine


def _release(ch: Any, digest: str, claim: tuple[int, str]) -> None:
    ch.insert(
        "app.invitation_claims",
        [[digest, claim[0], claim[1], 1]],
        column_names=["token_sha256", "generation", "claim_id", "released"],
    )


def accept(
    ch: Any, token: str, *, login: str, password: str, display_name: str = "", language: str = ""
) -> Principal:
    """Create the invited account with the login and password the person chose; returns it signed in.

    Everything the person typed is checked before the token is claimed, so a refused form leaves the link usable;
    a failure after the claim releases it again."""
    inv = lookup(ch, token)
    login = check_id("login", (login or "").strip())
    check_password(password)
    if len(display_name) > 200:
        raise refusal(ValueError, "ws_name_max_200", field="display_name")
    taken = ch.query(
        "SELECT count() FROM app.users FINAL WHERE login = {l:String}", parameters={"l": login}
    ).result_rows[0][0]
    if taken:
        raise refusal(AuthError, "ws_login_taken", field="login", login=repr(login))
    if inv.role == "client" and not _known_clients(ch, inv.tenant_id, [inv.client_id]):
        raise refusal(InvitationError, "ws_inv_client_archived")
    digest = token_sha256(token)
    claim = _claim(ch, digest)
    try:
        p = add_user(
            ch,
            tenant_id=inv.tenant_id,
            login=login,
            role=inv.role,
            password=password,
            client_id=inv.client_id,
            display_name=display_name.strip() or inv.email,
        )
        if inv.role not in ("admin", "client"):
            ch.insert(
                "app.user_client_scope",
                [
                    [
                        inv.tenant_id,
                        login,
                        int(inv.all_clients),
                        list(inv.client_ids),
                        f"invitation:{inv.invited_by}",
                    ]
                ],
                column_names=["tenant_id", "login", "all_clients", "client_ids", "updated_by"],
            )
        _write(ch, digest, _replace(inv, state="accepted", accepted_login=login))
    except Exception:
        _release(ch, digest, claim)
        raise
    if language:
        from workspace.users import set_language

        set_language(ch, p, language)
    audit(ch, inv.tenant_id, login, "invitation_accepted", "ok", target=inv.email, detail=inv.role)
    audit(ch, inv.tenant_id, login, "login", "ok", detail="invitation")
    return p


def list_invitations(ch: Any, actor: Principal) -> list[dict[str, Any]]:
    """The tenant's invitations, newest first; `state` as people read it: pending, expired, accepted, revoked."""
    require(ch, actor, "manage_users")
    sql = (
        "SELECT email, role, if(role = 'client', client_id, arrayStringConcat(client_ids, ', ')) AS clients, "
        "invited_by, created_at, expires_on, if(state != '', state, if(expires_on < {today:Date}, 'expired', "
        "'pending')) AS state, accepted_login FROM app.invitations FINAL WHERE tenant_id = {t:String} "
        "ORDER BY created_at DESC LIMIT 200"
    )
    df = ch.query_df(sql, parameters={"t": actor.tenant_id, "today": clock.today()})
    return list(df.to_dict("records"))
