"""A connector loads an account with the account's own stored token when the deployment-wide one is wrong."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from ingestion import yandex_direct
from ingestion.common import IngestionError
from ingestion.sandbox.server import SANDBOX_TOKENS
from ingestion.sandbox.testing import SANDBOX_TODAY, sandbox  # noqa: F401
from tests.integration.workspace.conftest import KEY
from workspace import credentials as cr

LOGIN = "shoes-direct"


def test_direct_load_uses_the_accounts_stored_token_over_a_wrong_shared_one(ws, admin, sandbox, monkeypatch):  # noqa: F811
    monkeypatch.setenv(cr.KEY_ENV, KEY)
    tenant = f"ws-conn-{uuid.uuid4().hex[:6]}"
    me = admin.__class__(tenant, admin.login, "admin")
    ws.insert(
        "app.accounts",
        [[tenant, "cl", "yandex_direct", LOGIN]],
        column_names=["tenant_id", "client_id", "platform", "account_id"],
    )
    shared = yandex_direct.Settings.for_sandbox(
        sandbox.url("direct"), token="wrong-shared-token", max_attempts=1
    )
    day = date(2026, 1, 10)
    # Without its own credential the account uses the shared token, which the API refuses.
    unchanged = cr.account_settings(ws, shared, tenant, "yandex_direct", LOGIN)
    assert unchanged is shared
    with pytest.raises(IngestionError):
        yandex_direct.load(
            ws, unchanged, tenant_id=tenant, account_id=LOGIN, date_from=day, date_to=day, today=SANDBOX_TODAY
        )
    cr.save_secret(
        ws, me, platform="yandex_direct", account_id=LOGIN, kind="token", secret=SANDBOX_TOKENS["direct"]
    )
    own = cr.account_settings(ws, shared, tenant, "yandex_direct", LOGIN)
    assert own.token == SANDBOX_TOKENS["direct"] and shared.token == "wrong-shared-token"
    loaded = yandex_direct.load(
        ws, own, tenant_id=tenant, account_id=LOGIN, date_from=day, date_to=day, today=SANDBOX_TODAY
    )
    assert sum(loaded.values()) > 0
    # The token never reached the warehouse in plaintext (load log, audit, credentials).
    for table in ("app.load_log", "app.audit_log", "app.account_credentials"):
        text = str(
            ws.query(
                f"SELECT * FROM {table} WHERE tenant_id = {{t:String}}",  # noqa: S608
                parameters={"t": tenant},
            ).result_rows
        )
        assert SANDBOX_TOKENS["direct"] not in text, table
