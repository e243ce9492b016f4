"""Per-ad-account credentials, AES-GCM encrypted at rest (app.account_credentials) with a key from MRM_SECRET_KEY.

A saved secret is never returned to a user (only whether it exists, its kind and when it changed), never logged and
never put in an error message. Connectors call `token_for`; the deployment-wide MRM_*_TOKEN variable stays the
fallback for single-account set-ups.
"""

from __future__ import annotations

import base64
import datetime as dt
import os
import secrets
from collections.abc import Mapping
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from dashboards.auth import Principal, audit, check_id
from ingestion.platforms import PLATFORM_NAMES
from mrm.i18n import carry, refusal
from workspace.access import require

KEY_ENV = "MRM_SECRET_KEY"
NEW_KEY_ENV = "MRM_SECRET_KEY_NEW"
MIN_KEY_CHARS = 32
PLATFORMS = PLATFORM_NAMES  # the platform registry's list
KINDS = ("token", "refresh_token", "client_id", "client_secret", "service_account_key")
# The single-account fallback per (platform, kind): the variables the connectors have always read.
FALLBACK_ENV: dict[tuple[str, str], str] = {
    ("yandex_direct", "token"): "MRM_DIRECT_TOKEN",
    ("yandex_metrika", "token"): "MRM_METRIKA_TOKEN",
    ("vk_ads", "client_id"): "MRM_VK_ADS_CLIENT_ID",
    ("vk_ads", "client_secret"): "MRM_VK_ADS_CLIENT_SECRET",
    ("garpun", "service_account_key"): "MRM_GARPUN_SERVICE_ACCOUNT_KEY_JSON",
}
_COLUMNS = [
    "tenant_id",
    "platform",
    "account_id",
    "kind",
    "ciphertext",
    "key_id",
    "is_deleted",
    "updated_by",
    "updated_at",
]
_VERSION = "v1"
_MAX_SECRET_BYTES = 64 * 1024  # a service-account key file is a few KiB


class SecretsError(RuntimeError):
    """A credential cannot be saved or read; the message never contains the secret or the key."""


class _Key:
    """An AES-256 key derived from the configured passphrase, plus a public id that names it in the table."""

    def __init__(self, material: str, source: str) -> None:
        if len(material) < MIN_KEY_CHARS:
            raise refusal(SecretsError, "ws_cred_key_short", source=source, n=MIN_KEY_CHARS)
        raw = material.encode("utf-8")
        self.aead = AESGCM(_hkdf(raw, b"mrm-credentials-aes-256-gcm"))
        self.key_id = _hkdf(raw, b"mrm-credentials-key-id")[:6].hex()


def _hkdf(raw: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(raw)


def _key_from_env(var: str = KEY_ENV, env: Mapping[str, str] | None = None) -> _Key | None:
    material = (os.environ if env is None else env).get(var, "")
    return _Key(material, var) if material else None


def _aad(tenant_id: str, platform: str, account_id: str, kind: str) -> bytes:
    # Binds a ciphertext to its row: copied onto another account or tenant it no longer decrypts.
    return "\x1f".join((tenant_id, platform, account_id, kind)).encode("utf-8")


def _seal(key: _Key, plaintext: str, aad: bytes) -> str:
    nonce = secrets.token_bytes(12)
    blob = nonce + key.aead.encrypt(nonce, plaintext.encode("utf-8"), aad)
    return f"{_VERSION}:{base64.b64encode(blob).decode('ascii')}"


def _open(key: _Key, sealed: str, aad: bytes, where: str) -> str:
    version, _, body = sealed.partition(":")
    if version != _VERSION:
        raise refusal(SecretsError, "ws_cred_format", where=where)
    blob = base64.b64decode(body)
    try:
        return key.aead.decrypt(blob[:12], blob[12:], aad).decode("utf-8")
    except InvalidTag:
        raise refusal(SecretsError, "ws_cred_no_decrypt", where=where) from None


def _check_target(platform: str, account_id: str, kind: str) -> None:
    if platform not in PLATFORMS:
        raise refusal(
            SecretsError,
            "ws_not_one_of",
            field="platform",
            value=repr(platform),
            allowed=", ".join(PLATFORMS),
        )
    try:
        check_id("account", account_id)
    except ValueError as exc:
        raise carry(exc, SecretsError(f"account_id: {exc}")) from None
    if kind not in KINDS:
        raise refusal(SecretsError, "ws_not_one_of", field="kind", value=repr(kind), allowed=", ".join(KINDS))


def _any_secrets(ch: Any) -> bool:
    return bool(
        ch.query("SELECT count() FROM app.account_credentials FINAL WHERE is_deleted = 0").result_rows[0][0]
    )


def _require_key(ch: Any) -> _Key:
    key = _key_from_env()
    if key is None:
        unset = "ws_cred_key_unset_stored" if _any_secrets(ch) else "ws_cred_key_unset"
        raise refusal(SecretsError, unset, var=KEY_ENV)
    return key


def _write_key(ch: Any) -> _Key:
    """The key new ciphertexts are sealed with: MRM_SECRET_KEY, and the one every stored credential uses."""
    key = _require_key(ch)
    others = ch.query(
        "SELECT DISTINCT key_id FROM app.account_credentials FINAL WHERE is_deleted = 0 "
        "AND key_id != {k:String} LIMIT 1",
        parameters={"k": key.key_id},
    ).result_rows
    if others:
        # One key per deployment: a second one would leave credentials that no single setting can read.
        raise refusal(
            SecretsError, "ws_cred_key_mismatch", stored=others[0][0], var=KEY_ENV, current=key.key_id
        )
    return key


def check_key(ch: Any) -> None:
    """Raise SecretsError (naming MRM_SECRET_KEY) unless new credentials could be sealed now: before a step that
    obtains a secret which cannot be asked for twice (an OAuth code is one-time)."""
    _write_key(ch)


def save_secret(ch: Any, actor: Principal, *, platform: str, account_id: str, kind: str, secret: str) -> None:
    """Encrypt and store one credential of an ad account of the actor's tenant (replacing an older one)."""
    require(ch, actor, "manage_connections", target=f"{platform}/{account_id}")
    _check_target(platform, account_id, kind)
    if not isinstance(secret, str) or not secret.strip():
        raise refusal(SecretsError, "ws_empty", field="secret")
    if len(secret.encode("utf-8")) > _MAX_SECRET_BYTES:
        raise refusal(SecretsError, "ws_cred_too_long", field="secret", n=_MAX_SECRET_BYTES)
    known = ch.query(
        "SELECT count() FROM app.accounts FINAL WHERE tenant_id = {t:String} AND platform = {p:String} "
        "AND account_id = {a:String}",
        parameters={"t": actor.tenant_id, "p": platform, "a": account_id},
    ).result_rows[0][0]
    if not known:
        raise refusal(
            SecretsError,
            "ws_cred_no_account",
            account=f"{platform}/{account_id}",
            tenant=repr(actor.tenant_id),
        )
    key = _write_key(ch)
    sealed = _seal(key, secret.strip(), _aad(actor.tenant_id, platform, account_id, kind))
    ch.insert(
        "app.account_credentials",
        [
            [
                actor.tenant_id,
                platform,
                account_id,
                kind,
                sealed,
                key.key_id,
                0,
                actor.login,
                dt.datetime.now(dt.UTC),
            ]
        ],
        column_names=_COLUMNS,
    )
    audit(
        ch,
        actor.tenant_id,
        actor.login,
        "credential_save",
        "ok",
        target=f"{platform}/{account_id}",
        detail=kind,
    )


def delete_secret(ch: Any, actor: Principal, *, platform: str, account_id: str, kind: str) -> bool:
    """Forget a credential (a tombstone row without ciphertext); False if there was none."""
    require(ch, actor, "manage_connections", target=f"{platform}/{account_id}")
    _check_target(platform, account_id, kind)
    params = {"t": actor.tenant_id, "p": platform, "a": account_id, "k": kind}
    existed = ch.query(
        "SELECT count() FROM app.account_credentials FINAL WHERE tenant_id = {t:String} "
        "AND platform = {p:String} AND account_id = {a:String} AND kind = {k:String} AND is_deleted = 0",
        parameters=params,
    ).result_rows[0][0]
    if existed:
        ch.insert(
            "app.account_credentials",
            [[actor.tenant_id, platform, account_id, kind, "", "", 1, actor.login, dt.datetime.now(dt.UTC)]],
            column_names=_COLUMNS,
        )
        audit(
            ch,
            actor.tenant_id,
            actor.login,
            "credential_delete",
            "ok",
            target=f"{platform}/{account_id}",
            detail=kind,
        )
    return bool(existed)


def list_secrets(ch: Any, actor: Principal) -> list[dict[str, Any]]:
    """What is stored for the tenant's accounts — never the values: platform, account, kind, who and when."""
    require(ch, actor, "manage_connections")
    res = ch.query(
        "SELECT platform, account_id, kind, key_id, updated_by, updated_at FROM app.account_credentials "
        "FINAL WHERE tenant_id = {t:String} AND is_deleted = 0 AND NOT startsWith(account_id, '~') "
        "ORDER BY platform, account_id, kind",
        parameters={"t": actor.tenant_id},
    )
    return [dict(zip(res.column_names, r, strict=True)) for r in res.result_rows]


def _stored(
    ch: Any, tenant_id: str, platform: str, account_id: str, env: Mapping[str, str] | None
) -> dict[str, str]:
    """Every stored credential of one account, decrypted (kind -> value); {} when it has none.

    An account linked to an OAuth grant (app.account_grants) gets the grant's tokens under its own ones; a link to
    a grant without tokens (revoked, disconnected) is an error naming the grant, never a silent fallback.
    """
    out = _opened(ch, tenant_id, platform, account_id, env)
    if account_id.startswith(GRANT_PREFIX):
        return out
    link = account_rows(ch, "grant_id, grant_platform", "app.account_grants", tenant_id, platform, account_id)
    if not link:
        return out
    grant_id, grant_platform = link[0]
    via = _opened(ch, tenant_id, grant_platform, GRANT_PREFIX + grant_id, env)
    if not via:
        raise refusal(SecretsError, "ws_cred_grant_empty", account=f"{platform}/{account_id}", grant=grant_id)
    return {**via, **out}


def account_rows(
    ch: Any, columns: str, table: str, tenant_id: str, platform: str, account_id: str
) -> list[tuple[Any, ...]]:
    """`columns` of one account's live rows in `table` (fixed names from this module, values bound)."""
    return ch.query(  # type: ignore[no-any-return]
        f"SELECT {columns} FROM {table} FINAL WHERE tenant_id = {{t:String}} "  # noqa: S608 - fixed names
        "AND platform = {p:String} AND account_id = {a:String} AND is_deleted = 0",
        parameters={"t": tenant_id, "p": platform, "a": account_id},
    ).result_rows


def _opened(
    ch: Any, tenant_id: str, platform: str, account_id: str, env: Mapping[str, str] | None
) -> dict[str, str]:
    rows = account_rows(
        ch, "kind, ciphertext, key_id", "app.account_credentials", tenant_id, platform, account_id
    )
    if not rows:
        return {}
    key = _key_from_env(env=env)
    out = {}
    for kind, sealed, key_id in rows:
        where = f"{platform}/{account_id} ({kind})"
        if key is None:
            raise refusal(SecretsError, "ws_cred_stored_no_key", where=where, var=KEY_ENV)
        if key_id != key.key_id:
            raise refusal(
                SecretsError, "ws_cred_other_key", where=where, stored=key_id, var=KEY_ENV, current=key.key_id
            )
        out[kind] = _open(key, sealed, _aad(tenant_id, platform, account_id, kind), where)
    return out


def token_for(
    ch: Any,
    tenant_id: str,
    platform: str,
    account_id: str,
    kind: str = "token",
    env: Mapping[str, str] | None = None,
) -> str | None:
    """The account's own credential, else the deployment-wide variable (FALLBACK_ENV), else None.

    For connectors (no user involved). Raises SecretsError when the account has a stored credential that cannot be
    read (no MRM_SECRET_KEY, another key, tampered), rather than silently using the shared fallback.
    """
    _check_target(platform, account_id, kind)
    own = _stored(ch, tenant_id, platform, account_id, env)
    if kind in own:
        return own[kind]
    var = FALLBACK_ENV.get((platform, kind))
    return ((os.environ if env is None else env).get(var, "") or None) if var else None


# Stored kind -> the connector settings field it fills.
_SETTINGS_FIELD = {
    "token": "token",
    "refresh_token": "refresh_token",
    "client_id": "client_id",
    "client_secret": "client_secret",
    "service_account_key": "service_account_key_json",
}


# Where a platform's connector keeps a kind under another name: VK Ads' "token" is an agency's own token, with
# which the connector asks for each client cabinet's token.
_PLATFORM_FIELD = {("vk_ads", "token"): "agency_token"}


def account_settings(
    ch: Any,
    settings: Any,
    tenant_id: str,
    platform: str,
    account_id: str,
    env: Mapping[str, str] | None = None,
) -> Any:
    """Connector settings for one account: its stored credentials over the deployment-wide ones (unchanged if none).

    `settings` is a connector's pydantic Settings (built from MRM_* variables or for the sandbox). An account that
    loads with an OAuth grant whose access token is about to run out gets it renewed first (workspace/oauth.py,
    with the OAuth application the settings carry), so a day-long VK Ads agency token does not fail the load.
    """
    from workspace import oauth  # imports this module

    oauth.renew_if_due(ch, settings, tenant_id, platform, check_id("account", account_id))
    own = _stored(ch, tenant_id, platform, account_id, env)
    fields = type(settings).model_fields
    names = {k: _PLATFORM_FIELD.get((platform, k), _SETTINGS_FIELD.get(k)) for k in own}
    update = {names[k]: v for k, v in own.items() if names[k] in fields}
    if not update:
        return settings
    try:
        out = type(settings).model_validate({**dict(settings), **update})
    except ValueError:
        # pydantic would quote the offending value, i.e. the secret: name only the fields.
        raise refusal(
            SecretsError,
            "ws_cred_unfit",
            account=f"{platform}/{account_id}",
            fields=", ".join(sorted(update)),
        ) from None
    return _saving_grant_refreshes(ch, out, tenant_id, platform, account_id, env)


def _saving_grant_refreshes(
    ch: Any, settings: Any, tenant_id: str, platform: str, account_id: str, env: Mapping[str, str] | None
) -> Any:
    """Settings whose connector renews its token itself (Yandex, on a 401) hand the renewed tokens back to the
    account's OAuth grant, unless the account holds a token of its own (then the grant's is not the one used)."""
    if not hasattr(settings, "saving_refreshes"):
        return settings
    link = account_rows(ch, "grant_id", "app.account_grants", tenant_id, platform, account_id)
    if not link or "token" in _opened(ch, tenant_id, platform, account_id, env):
        return settings
    from workspace import oauth

    grant_id = link[0][0]

    def save(answer: Mapping[str, Any]) -> None:
        oauth.save_refreshed(ch, tenant_id, grant_id, answer, by="loader")

    return settings.saving_refreshes(save)


# -- OAuth grants (workspace/oauth.py) ------------------------------------------------------------------------
# A grant's tokens are credentials of the pseudo-account '~grant~<grant_id>' ('~' is never in an account id), so
# they are sealed, key-checked and rotated with every other credential. An account linked to a grant
# (app.account_grants) loads with the grant's tokens unless it has its own.
GRANT_PREFIX = "~grant~"


def grant_account(grant_id: str) -> str:
    """The account id a grant's tokens are stored under."""
    return GRANT_PREFIX + check_id("grant", grant_id)


def seal_rows(ch: Any, tenant_id: str, rows: list[tuple[str, str, str, str]], *, by: str) -> None:
    """Encrypt and store several credentials, (platform, account_id, kind, secret) each, in one insert.

    For callers that checked the actor's rights themselves (workspace/oauth.py): nothing is audited here and the
    secrets are never logged. One insert, so either every row is stored or none is.
    """
    if not rows:
        return
    key = _write_key(ch)
    now = dt.datetime.now(dt.UTC)
    out = []
    for platform, account_id, kind, secret in rows:
        if kind not in KINDS or not secret:
            raise refusal(
                SecretsError, "ws_cred_bad_row", account=f"{platform}/{account_id}", kind=repr(kind)
            )
        sealed = _seal(key, secret, _aad(tenant_id, platform, account_id, kind))
        out.append([tenant_id, platform, account_id, kind, sealed, key.key_id, 0, by, now])
    ch.insert("app.account_credentials", out, column_names=_COLUMNS)


def forget_rows(ch: Any, tenant_id: str, rows: list[tuple[str, str, str]], *, by: str) -> None:
    """Tombstone several credentials, (platform, account_id, kind) each, in one insert (no ciphertext kept)."""
    if rows:
        now = dt.datetime.now(dt.UTC)
        data = [[tenant_id, p, a, k, "", "", 1, by, now] for p, a, k in rows]
        ch.insert("app.account_credentials", data, column_names=_COLUMNS)


def stored_secrets(
    ch: Any, tenant_id: str, platform: str, account_id: str, env: Mapping[str, str] | None = None
) -> dict[str, str]:
    """Every credential an account (or a grant's pseudo-account) loads with, decrypted: kind -> value."""
    return _stored(ch, tenant_id, platform, account_id, env)


def rotate_key(ch: Any, *, env: Mapping[str, str] | None = None) -> int:
    """Re-encrypt every stored credential from MRM_SECRET_KEY to MRM_SECRET_KEY_NEW; all or nothing.

    Every row is decrypted before anything is written, so a row that does not open under the old key stops the
    rotation with the table unchanged. Returns the number of credentials re-encrypted.
    """
    old = _key_from_env(KEY_ENV, env)
    new = _key_from_env(NEW_KEY_ENV, env)
    if old is None or new is None:
        raise refusal(SecretsError, "ws_cred_set_both", var=KEY_ENV, new_var=NEW_KEY_ENV)
    if old.key_id == new.key_id:
        raise refusal(SecretsError, "ws_cred_same_key", var=KEY_ENV, new_var=NEW_KEY_ENV)
    rows = ch.query(
        "SELECT tenant_id, platform, account_id, kind, ciphertext, key_id, updated_by "
        "FROM app.account_credentials FINAL WHERE is_deleted = 0"
    ).result_rows
    now = dt.datetime.now(dt.UTC)
    out = []
    for tenant_id, platform, account_id, kind, sealed, key_id, by in rows:
        aad = _aad(tenant_id, platform, account_id, kind)
        where = f"{tenant_id}: {platform}/{account_id} ({kind})"
        if key_id == new.key_id:
            continue  # already rotated by an earlier, interrupted run
        if key_id != old.key_id:
            raise refusal(
                SecretsError,
                "ws_cred_neither_key",
                where=where,
                stored=key_id,
                var=KEY_ENV,
                new_var=NEW_KEY_ENV,
            )
        plain = _open(old, sealed, aad, where)
        out.append([tenant_id, platform, account_id, kind, _seal(new, plain, aad), new.key_id, 0, by, now])
    if out:
        # One insert: the table switches to the new key in one block.
        ch.insert("app.account_credentials", out, column_names=_COLUMNS)
    audit(ch, "", "cli", "secrets_rotate_key", "ok", detail=f"rows={len(out)} key={new.key_id}")
    return len(out)
