"""Encrypted per-account credentials: never stored, listed, logged or raised in plaintext; key rotation all-or-nothing."""

from __future__ import annotations

import logging
import uuid

import pytest

from dashboards.auth import AccessDenied, Principal
from tests.integration.workspace.conftest import KEY, TENANT
from workspace import credentials as cr

KEY2 = "k2-" + "y" * 40


@pytest.fixture
def key(monkeypatch):
    monkeypatch.setenv(cr.KEY_ENV, KEY)
    monkeypatch.delenv(cr.NEW_KEY_ENV, raising=False)
    for var in cr.FALLBACK_ENV.values():
        monkeypatch.delenv(var, raising=False)


@pytest.fixture
def account(ws):
    acc = f"acc-{uuid.uuid4().hex[:8]}"
    ws.insert(
        "app.accounts",
        [[TENANT, "cl", "yandex_direct", acc]],
        column_names=["tenant_id", "client_id", "platform", "account_id"],
    )
    return acc


def _all_strings(ch) -> str:
    """Every String value of the credential and audit tables, as one text to search."""
    rows = ch.query("SELECT * FROM app.account_credentials").result_rows
    rows += ch.query("SELECT * FROM app.audit_log").result_rows
    return "\n".join(str(v) for r in rows for v in r)


def test_saved_token_is_encrypted_at_rest_unlisted_unlogged_and_read_back_by_the_connector(
    ws, admin, key, account, caplog
):
    secret = f"y0_SECRET-{uuid.uuid4().hex}"
    caplog.set_level(logging.DEBUG)
    cr.save_secret(ws, admin, platform="yandex_direct", account_id=account, kind="token", secret=secret)
    assert cr.token_for(ws, TENANT, "yandex_direct", account) == secret
    assert secret not in _all_strings(ws) and secret[5:25] not in _all_strings(ws)
    assert secret not in caplog.text
    listed = [r for r in cr.list_secrets(ws, admin) if r["account_id"] == account]
    assert (
        listed
        and secret not in str(listed)
        and set(listed[0]) == {"platform", "account_id", "kind", "key_id", "updated_by", "updated_at"}
    )
    # Another tenant's view of the same account id: nothing, and the fallback is not configured.
    assert cr.token_for(ws, "other_tenant", "yandex_direct", account) is None


def test_fallback_to_the_deployment_variable_only_when_the_account_has_no_credential(
    ws, admin, key, account, monkeypatch
):
    monkeypatch.setenv("MRM_DIRECT_TOKEN", "deployment-wide")
    assert cr.token_for(ws, TENANT, "yandex_direct", account) == "deployment-wide"
    cr.save_secret(
        ws, admin, platform="yandex_direct", account_id=account, kind="token", secret="own-token-1"
    )
    assert cr.token_for(ws, TENANT, "yandex_direct", account) == "own-token-1"
    assert cr.delete_secret(ws, admin, platform="yandex_direct", account_id=account, kind="token")
    assert cr.token_for(ws, TENANT, "yandex_direct", account) == "deployment-wide"
    assert not cr.delete_secret(ws, admin, platform="yandex_direct", account_id=account, kind="token")


def test_missing_wrong_or_short_key_and_moved_ciphertext_fail_clearly_without_the_secret(
    ws, admin, key, account, monkeypatch
):
    secret = f"tok-{uuid.uuid4().hex}"
    cr.save_secret(ws, admin, platform="yandex_direct", account_id=account, kind="token", secret=secret)
    monkeypatch.delenv(cr.KEY_ENV)
    with pytest.raises(cr.SecretsError, match="MRM_SECRET_KEY is not set") as e1:
        cr.token_for(ws, TENANT, "yandex_direct", account)
    with pytest.raises(cr.SecretsError, match="while encrypted credentials exist") as e2:
        cr.save_secret(ws, admin, platform="yandex_direct", account_id=account, kind="token", secret=secret)
    monkeypatch.setenv(cr.KEY_ENV, KEY2)
    with pytest.raises(cr.SecretsError, match="rotate-key") as e3:
        cr.token_for(ws, TENANT, "yandex_direct", account)
    with pytest.raises(cr.SecretsError, match="stored credentials use key"):
        cr.save_secret(ws, admin, platform="yandex_direct", account_id=account, kind="token", secret=secret)
    monkeypatch.setenv(cr.KEY_ENV, "short")
    with pytest.raises(cr.SecretsError, match="at least 32"):
        cr.token_for(ws, TENANT, "yandex_direct", account)
    monkeypatch.setenv(cr.KEY_ENV, KEY)
    # The same ciphertext copied onto another account does not open (associated data binds it to its row).
    other = f"acc-{uuid.uuid4().hex[:8]}"
    sealed, key_id = ws.query(
        "SELECT ciphertext, key_id FROM app.account_credentials FINAL WHERE account_id = {a:String}",
        parameters={"a": account},
    ).result_rows[0]
    ws.insert(
        "app.account_credentials",
        [[TENANT, "yandex_direct", other, "token", sealed, key_id]],
        column_names=["tenant_id", "platform", "account_id", "kind", "ciphertext", "key_id"],
    )
    with pytest.raises(cr.SecretsError, match="does not decrypt") as e4:
        cr.token_for(ws, TENANT, "yandex_direct", other)
    ws.insert(
        "app.account_credentials",
        [[TENANT, "yandex_direct", other, "token", "", "", 1]],
        column_names=["tenant_id", "platform", "account_id", "kind", "ciphertext", "key_id", "is_deleted"],
    )
    for e in (e1, e2, e3, e4):
        assert secret not in str(e.value) and KEY not in str(e.value) and KEY2 not in str(e.value)


def test_bad_input_is_refused_before_anything_is_saved(ws, admin, key, account):
    before = ws.query("SELECT count() FROM app.account_credentials").result_rows[0][0]
    cases = [
        ({"platform": "tiktok_ads"}, "platform"),
        ({"account_id": "a b"}, "account_id"),
        ({"kind": "password"}, "kind"),
        ({"secret": "  "}, "empty"),
        ({"secret": "x" * 70_000}, "longer"),
        ({"account_id": "never-registered"}, "not registered"),
    ]
    for change, message in cases:
        args = {
            "platform": "yandex_direct",
            "account_id": account,
            "kind": "token",
            "secret": "s3cr3t",
            **change,
        }
        with pytest.raises(cr.SecretsError, match=message):
            cr.save_secret(ws, admin, **args)
    assert ws.query("SELECT count() FROM app.account_credentials").result_rows[0][0] == before


@pytest.mark.parametrize(
    "role", ["pm", "account_manager", "specialist", "strategist", "analyst", "creative", "client"]
)
def test_only_admins_save_list_or_delete_credentials(ws, key, account, role):
    p = Principal(TENANT, f"{role}@it", role, "cl" if role == "client" else "")
    with pytest.raises(AccessDenied):
        cr.save_secret(ws, p, platform="yandex_direct", account_id=account, kind="token", secret="s")
    with pytest.raises(AccessDenied):
        cr.list_secrets(ws, p)
    with pytest.raises(AccessDenied):
        cr.delete_secret(ws, p, platform="yandex_direct", account_id=account, kind="token")


def test_rotate_key_re_encrypts_everything_or_nothing(ws, admin, key, account, monkeypatch):
    cr.save_secret(ws, admin, platform="yandex_direct", account_id=account, kind="token", secret="rotate-me")
    env = {cr.KEY_ENV: KEY, cr.NEW_KEY_ENV: KEY2}
    # A row under an unknown key stops the rotation before anything is written.
    stray = f"acc-{uuid.uuid4().hex[:8]}"
    ws.insert(
        "app.account_credentials",
        [[TENANT, "yandex_direct", stray, "token", "v1:AAAA", "ffffffffffff"]],
        column_names=["tenant_id", "platform", "account_id", "kind", "ciphertext", "key_id"],
    )
    snapshot = ws.query("SELECT * FROM app.account_credentials FINAL ORDER BY ALL").result_rows
    with pytest.raises(cr.SecretsError, match=f"{stray}.*neither"):
        cr.rotate_key(ws, env=env)
    assert ws.query("SELECT * FROM app.account_credentials FINAL ORDER BY ALL").result_rows == snapshot
    ws.insert(
        "app.account_credentials",
        [[TENANT, "yandex_direct", stray, "token", "", "", 1]],
        column_names=["tenant_id", "platform", "account_id", "kind", "ciphertext", "key_id", "is_deleted"],
    )
    n = cr.rotate_key(ws, env=env)
    assert n >= 1
    assert cr.token_for(ws, TENANT, "yandex_direct", account, env={cr.KEY_ENV: KEY2}) == "rotate-me"
    with pytest.raises(cr.SecretsError, match="rotate-key"):
        cr.token_for(ws, TENANT, "yandex_direct", account, env={cr.KEY_ENV: KEY})
    assert cr.rotate_key(ws, env=env) == 0  # already rotated: a re-run is harmless
    # Back to KEY, so the other tests of the session keep one key.
    assert cr.rotate_key(ws, env={cr.KEY_ENV: KEY2, cr.NEW_KEY_ENV: KEY}) == n
    with pytest.raises(cr.SecretsError, match="set MRM_SECRET_KEY"):
        cr.rotate_key(ws, env={cr.KEY_ENV: KEY})
