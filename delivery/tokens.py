"""Ad-account token health for the `token` alert rule: when a credential expires and whether it was revoked.

The platforms' OAuth answers say it: a token answer's `expires_in` gives the expiry, `invalid_grant` ("expired
or revoked") says the grant is dead. `record_answer` stores what one answer said (app.credential_status);
`check_refresh` asks a token endpoint with the account's refresh grant and records the answer. The rule fires
for a credential expiring within N days or revoked, and clears once the account is reconnected: a newer token
answer, or a credential saved after the revocation. Nothing here logs or stores a token.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx

from delivery.alerts import Condition
from mrm.i18n import both

_COLS = ["tenant_id", "platform", "account_id", "expires_at", "revoked", "reason", "updated_at"]
DEAD_GRANT = ("invalid_grant", "unauthorized_client")


def record(
    ch: Any,
    tenant_id: str,
    platform: str,
    account_id: str,
    *,
    expires_at: dt.datetime | None = None,
    revoked: bool = False,
    reason: str = "",
    at: dt.datetime | None = None,
) -> None:
    ch.insert(
        "app.credential_status",
        [
            [
                tenant_id,
                platform,
                account_id,
                expires_at,
                int(revoked),
                reason[:300],
                at or dt.datetime.now(dt.UTC),
            ]
        ],
        column_names=_COLS,
    )


def record_answer(
    ch: Any,
    tenant_id: str,
    platform: str,
    account_id: str,
    status: int,
    body: dict[str, Any],
    now: dt.datetime | None = None,
) -> str:
    """Store what one OAuth token answer says: 'ok' (with its expiry), 'revoked', or 'unknown' (kept as it was)."""
    now = now or dt.datetime.now(dt.UTC)
    if status == 200 and body.get("access_token"):
        expires = body.get("expires_in")
        at = now + dt.timedelta(seconds=float(expires)) if expires not in (None, "") else None
        record(ch, tenant_id, platform, account_id, expires_at=at, at=now)
        return "ok"
    if status in (400, 401) and str(body.get("error", "")) in DEAD_GRANT:
        why = str(body.get("error_description") or body.get("error"))
        record(ch, tenant_id, platform, account_id, revoked=True, reason=why, at=now)
        return "revoked"
    return "unknown"


def check_refresh(
    ch: Any,
    tenant_id: str,
    platform: str,
    account_id: str,
    token_url: str,
    form: dict[str, str],
    *,
    expiry: bool = True,
) -> str:
    """POST the account's refresh grant (`form`) to its OAuth token endpoint and record the answer.

    `expiry=False` where the answer's `expires_in` is a short-lived access token's (Google: one hour), not the
    credential's life: only revocation (or its absence) is recorded then."""
    try:
        r = httpx.post(token_url, data=form, timeout=20)
        body = r.json()
    except (httpx.HTTPError, ValueError):
        return "unknown"  # the endpoint is down: says nothing about the credential
    body = body if isinstance(body, dict) else {}
    if not expiry:
        body = {k: v for k, v in body.items() if k != "expires_in"}
    return record_answer(ch, tenant_id, platform, account_id, r.status_code, body)


# Platforms whose accounts hold an installed-app refresh grant (connector settings: client_id, client_secret,
# refresh_token, oauth_url); a revoked or lapsed grant answers `invalid_grant`.
REFRESH_GRANT_PLATFORMS = ("google_ads", "ga4")


def check_accounts(ch: Any, tenant_id: str, settings: dict[str, Any]) -> dict[str, str]:
    """Ask the OAuth endpoint about every active account of the tenant on the platforms in `settings` (platform
    -> the connector's shared settings; each account's own stored credentials win), and record the answers.
    Returns `platform:account` -> ok | revoked | unknown."""
    from workspace import credentials

    rows = ch.query(
        "SELECT platform, account_id FROM app.accounts FINAL WHERE tenant_id = {t:String} AND is_active = 1 "
        "AND platform IN {p:Array(String)} ORDER BY platform, account_id",
        parameters={"t": tenant_id, "p": [p for p in settings if p in REFRESH_GRANT_PLATFORMS]},
    ).result_rows
    out = {}
    for platform, account in rows:
        s = credentials.account_settings(ch, settings[platform], tenant_id, platform, account)
        form = {
            "grant_type": "refresh_token",
            "client_id": s.client_id,
            "client_secret": s.client_secret,
            "refresh_token": s.refresh_token,
        }
        url = f"{s.oauth_url.rstrip('/')}/token"
        out[f"{platform}:{account}"] = check_refresh(
            ch, tenant_id, platform, account, url, form, expiry=False
        )
    return out


def check_all(ch: Any, settings: dict[str, Any]) -> dict[str, str]:
    """`check_accounts` for every tenant with an active client; keys are `tenant:platform:account`."""
    tenants = ch.query(
        "SELECT DISTINCT tenant_id FROM app.clients FINAL WHERE is_active = 1 ORDER BY tenant_id"
    ).result_rows
    return {
        f"{tenant}:{key}": state
        for (tenant,) in tenants
        for key, state in check_accounts(ch, tenant, settings).items()
    }


def status(ch: Any, tenant_id: str, client_id: str) -> list[dict[str, Any]]:
    """The recorded state of each of the client's accounts, with when its credential was last saved."""
    res = ch.query(
        "SELECT s.platform, s.account_id, s.expires_at, s.revoked, s.reason, s.updated_at, c.saved_at "
        "FROM (SELECT * FROM app.credential_status FINAL WHERE tenant_id = {t:String}) AS s "
        "LEFT JOIN (SELECT platform, account_id, max(updated_at) AS saved_at FROM app.account_credentials FINAL "
        "WHERE tenant_id = {t:String} AND is_deleted = 0 GROUP BY platform, account_id) AS c "
        "ON c.platform = s.platform AND c.account_id = s.account_id "
        "WHERE (s.platform, s.account_id) IN (SELECT platform, account_id FROM app.accounts FINAL "
        "WHERE tenant_id = {t:String} AND client_id = {c:String}) ORDER BY s.platform, s.account_id",
        parameters={"t": tenant_id, "c": client_id},
        settings={"join_use_nulls": 1},
    )
    return [
        dict(
            zip(
                ["platform", "account_id", "expires_at", "revoked", "reason", "at", "saved_at"],
                r,
                strict=True,
            )
        )
        for r in res.result_rows
    ]


def _utc(v: dt.datetime | None) -> dt.datetime | None:
    return v.replace(tzinfo=dt.UTC) if v is not None and v.tzinfo is None else v


def conditions(ch: Any, tenant_id: str, client_id: str, now: dt.datetime, days: int) -> list[Condition]:
    """A condition per account whose credential was revoked (and not reconnected) or expires within `days`."""
    out = []
    for s in status(ch, tenant_id, client_id):
        subject = f"{s['platform']}:{s['account_id']}"
        saved, at, expires = _utc(s["saved_at"]), _utc(s["at"]), _utc(s["expires_at"])
        if s["revoked"]:
            if saved is not None and at is not None and saved > at:
                continue  # reconnected: a credential was saved after the revocation
            why = s["reason"][:200]
            out.append(
                Condition(
                    f"token:{subject}",
                    "token",
                    now.date().isoformat(),
                    float(days) + 100.0,  # worse than any expiry, so expiring → revoked re-alerts
                    *both("dlv_cond_token_revoked", subject=subject, why=why),
                )
            )
        elif expires is not None:
            left = (expires - now).total_seconds() / 86400
            if left > days:
                continue
            shown = max(0, int(left))
            out.append(
                Condition(
                    f"token:{subject}",
                    "token",
                    now.date().isoformat(),
                    float(days) - max(left, 0.0) + 1.0,
                    *both("dlv_cond_token_expiring", subject=subject, days=shown, day=f"{expires:%Y-%m-%d}"),
                )
            )
    return out
