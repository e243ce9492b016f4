"""Persistent sign-in cookie: signed, expiring, ended by sign-out and by suspension (real warehouse)."""

from __future__ import annotations

import time

import pytest

KEY_ENV = {"MRM_SECRET_KEY": "k" * 40}
T0 = 1_900_000_000.0  # a fixed instant: nothing here reads the wall clock for its verdicts


@pytest.fixture
def users(ch):
    from dashboards import auth
    from warehouse.migrate import migrate

    migrate(ch)
    admin = auth.add_user(
        ch, tenant_id="ck_t1", login="ck-admin@t1", role="admin", password="correct-horse-9"
    )
    pm = auth.add_user(
        ch, tenant_id="ck_t1", login=f"ck-pm-{time.monotonic_ns()}@t1", role="pm", password="correct-horse-9"
    )
    return admin, pm


def test_cookie_round_trip_and_tampering():
    from dashboards import session_cookie as sc
    from dashboards.auth import Principal

    key = sc.signing_key(KEY_ENV)
    assert key and key != KEY_ENV["MRM_SECRET_KEY"].encode()  # derived, not the credential key itself
    p = Principal("ck_t1", "someone@t1", "pm")
    token = sc.issue(p, key, hours=12, now=T0)
    assert set(token) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.")
    assert sc.read(token, key, now=T0 + 60) == ("ck_t1", "someone@t1", int(T0 * 1000))
    assert sc.read(token, key, now=T0 + 12 * 3600 + 1) is None  # expired
    assert sc.read(token, sc.signing_key({"MRM_SECRET_KEY": "x" * 40}), now=T0) is None  # other secret
    body, _, sig = token.partition(".")
    forged = sc.issue(Principal("ck_t1", "admin@t1", "admin"), key, hours=12, now=T0).split(".")[0]
    assert sc.read(f"{forged}.{sig}", key, now=T0) is None  # another user's body under this signature
    assert sc.read(body, key, now=T0) is None and sc.read("", key, now=T0) is None
    assert sc.signing_key({}) is None  # no secret: sign-in lasts for the browser session only
    with pytest.raises(ValueError, match="MRM_SECRET_KEY"):
        sc.signing_key({"MRM_SECRET_KEY": "short"})


def test_sign_out_and_suspension_end_the_cookie(ch, users):
    from dashboards import session_cookie as sc
    from workspace.users import set_active

    admin, pm = users
    key = sc.signing_key(KEY_ENV)
    now = time.time()  # sign-out is stamped by the warehouse clock, so the cookie is issued on the same clock
    token = sc.issue(pm, key, hours=12, now=now)
    restored = sc.restore(ch, token, key)
    assert restored is not None and restored[0].login == pm.login and restored[0].role == "pm"
    sc.sign_out(ch, pm)
    assert sc.restore(ch, token, key) is None  # the browser may still send it: refused
    fresh = sc.issue(pm, key, hours=12, now=time.time() + 1)  # a new sign-in after the sign-out works
    assert sc.restore(ch, fresh, key) is not None
    assert set_active(ch, admin, pm.login, False)
    assert sc.restore(ch, fresh, key) is None  # suspended: the cookie stops working
    assert set_active(ch, admin, pm.login, True)
    assert sc.restore(ch, fresh, key) is not None
