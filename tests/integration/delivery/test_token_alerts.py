"""The token rule and per-client thresholds on the embedded warehouse: a revoked grant (Yandex OAuth emulator's
`invalid_grant`) opens one alert, deduplicated, resolved when the account is reconnected; an expiring token is
announced within the client's `token_days` and re-announced as it nears; the stale rule reads `stale_hours`;
thresholds are validated with the field named, and set and listed from `mrm alerts rules`."""

from __future__ import annotations

import datetime as dt

import pytest
from click.testing import CliRunner

from delivery import alerts, thresholds, tokens
from delivery.cli import alerts as alerts_cli

T = "tok_t"
NOW = dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC)
ONLY = alerts.AlertRules(enabled=("stale", "token"))  # the rules that need no marts
VK = "token:vk_ads:acme-vk"


@pytest.fixture(scope="module")
def acme(ch):
    from warehouse.migrate import migrate

    migrate(ch)
    for client in ("acme", "calm"):
        row = {"tenant_id": T, "client_id": client, "name": client.title()}
        ch.insert("app.clients", [list(row.values())], column_names=list(row))
    ch.insert(
        "app.accounts",
        [
            [T, "acme", "yandex_direct", "acme-d1"],
            [T, "acme", "vk_ads", "acme-vk"],
            [T, "calm", "vk_ads", "calm-vk"],
        ],
        column_names=["tenant_id", "client_id", "platform", "account_id"],
    )
    return "acme"


def _conditions(ch, client="acme", now=NOW):
    return alerts.evaluate(ch, T, client, now.date(), now, thresholds.rules_for(ch, T, client, ONLY))


def test_a_revoked_grant_alerts_once_and_resolves_when_reconnected(ch, acme):
    from ingestion.sandbox.server import SANDBOX_TOKENS, SandboxServer

    form = {
        "grant_type": "refresh_token",
        "client_id": SANDBOX_TOKENS["yandex_client_id"],
        "client_secret": SANDBOX_TOKENS["yandex_client_secret"],
    }
    with SandboxServer(apis=["oauth"]) as sbx:
        dead = tokens.check_refresh(
            ch,
            T,
            "yandex_direct",
            "acme-d1",
            f"{sbx.url('oauth')}/token",
            form | {"refresh_token": "revoked-one"},
        )
    assert dead == "revoked"
    [c] = [c for c in _conditions(ch) if c.rule == "token"]
    assert c.key == "token:yandex_direct:acme-d1" and "revoked" in c.message_en
    assert [n.kind for n in alerts.reconcile(ch, T, "acme", _conditions(ch))] == ["open"]
    assert alerts.reconcile(ch, T, "acme", _conditions(ch)) == []  # one alert per condition
    assert not [c for c in _conditions(ch, "calm") if c.rule == "token"]  # another client's accounts
    # reconnected: a credential saved after the revocation (written as the store writes it; withdrawn after, so
    # the session's other suites still see one encryption key)
    cols = ["tenant_id", "platform", "account_id", "kind", "ciphertext", "key_id", "is_deleted", "updated_at"]
    row = [T, "yandex_direct", "acme-d1", "refresh_token", "v1:AAAA", "tok000", 0, dt.datetime.now(dt.UTC)]
    ch.insert("app.account_credentials", [row], column_names=cols)
    try:
        assert [(n.kind, n.condition.key) for n in alerts.reconcile(ch, T, "acme", _conditions(ch))] == [
            ("resolved", "token:yandex_direct:acme-d1")
        ]
    finally:
        gone = [*row[:4], "", "", 1, dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)]
        ch.insert("app.account_credentials", [gone], column_names=cols)


def test_expiry_is_judged_by_the_clients_token_days(ch, acme):
    tokens.record(ch, T, "vk_ads", "acme-vk", expires_at=NOW + dt.timedelta(days=5), at=NOW)
    thresholds.save(ch, T, "acme", thresholds.Thresholds(token_days=3), by="test")
    assert not [c for c in _conditions(ch) if c.key == VK]
    thresholds.save(
        ch, T, "acme", thresholds.parse({"token_days": "7"}, thresholds.get(ch, T, "acme")), by="test"
    )
    [c] = [c for c in _conditions(ch) if c.key == VK]
    assert "expires in 5 day(s)" in c.message_en
    assert [n.kind for n in alerts.reconcile(ch, T, "acme", _conditions(ch)) if n.condition.key == VK] == [
        "open"
    ]
    later = NOW + dt.timedelta(days=4)  # one day left: worse
    assert [
        n.kind for n in alerts.reconcile(ch, T, "acme", _conditions(ch, now=later)) if n.condition.key == VK
    ] == ["worse"]
    answer = {"access_token": "x", "expires_in": 86400 * 365}
    assert tokens.record_answer(ch, T, "vk_ads", "acme-vk", 200, answer, now=later) == "ok"
    assert [
        n.kind for n in alerts.reconcile(ch, T, "acme", _conditions(ch, now=later)) if n.condition.key == VK
    ] == ["resolved"]


def test_stale_hours_come_from_the_clients_thresholds(ch, acme):
    ok = NOW - dt.timedelta(hours=20)
    ch.insert(
        "app.load_log",
        [["tok-run-1", T, "vk_ads", "ad_stats", "calm-vk", "ok", ok, ok]],
        column_names=[
            "run_id",
            "tenant_id",
            "platform",
            "report",
            "account_id",
            "status",
            "started_at",
            "finished_at",
        ],
    )
    assert not [c for c in _conditions(ch, "calm") if c.rule == "stale"]  # default 36 h
    thresholds.save(ch, T, "calm", thresholds.Thresholds(stale_hours=12), by="test")
    [c] = [c for c in _conditions(ch, "calm") if c.rule == "stale"]
    assert c.key == "stale:vk_ads:calm-vk" and "20 h" in c.message_en


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"pacing_off_pct": "abc"}, "pacing_off_pct"),
        ({"pacing_from_day": "0"}, "pacing_from_day"),
        ({"stale_hours": "1000"}, "stale_hours"),
        ({"token_days": "2.5"}, "token_days"),
        ({"speed": "1"}, "speed"),
    ],
)
def test_bad_thresholds_name_the_field(values, field):
    with pytest.raises(thresholds.ThresholdError, match=rf"^{field}: "):
        thresholds.parse(values)


def test_cli_sets_and_lists_thresholds(ch, acme):
    run = CliRunner().invoke
    res = run(
        alerts_cli,
        ["rules", "set", "--tenant", T, "--client", "calm", "--pacing-off-pct", "25", "--token-days", "10"],
    )
    assert res.exit_code == 0, res.output
    got = thresholds.get(ch, T, "calm")
    assert (got.pacing_off_pct, got.token_days) == (25.0, 10)
    assert thresholds.rules_for(ch, T, "calm").pacing_off == 0.25
    bad = run(alerts_cli, ["rules", "set", "--tenant", T, "--client", "calm", "--stale-hours", "zero"])
    assert bad.exit_code != 0 and "stale_hours" in bad.output
    gone = run(alerts_cli, ["rules", "set", "--tenant", T, "--client", "nobody", "--stale-hours", "5"])
    assert gone.exit_code != 0 and "client_id" in gone.output
    listed = run(alerts_cli, ["rules", "list", "--tenant", T])
    lines = {ln.split()[0]: ln.split()[1:] for ln in listed.output.splitlines()[1:]}
    assert lines["calm"][0] == "25" and lines["calm"][3] == "10"
    assert lines["acme"][0] == "15"  # acme never set pacing: the default
    assert "--token-days" in run(alerts_cli, ["rules", "set", "--help"]).output


def test_google_grants_are_checked_and_a_revoked_one_alerts_until_it_works_again(ch, acme):
    from ingestion.google_ads.settings import Settings
    from ingestion.sandbox.server import SandboxServer

    ch.insert(
        "app.accounts",
        [[T, "calm", "google_ads", "1234567890"]],
        column_names=["tenant_id", "client_id", "platform", "account_id"],
    )
    with SandboxServer(apis=["google_oauth"]) as sbx:
        url = sbx.url("google_ads")
        dead = Settings.for_sandbox(url, refresh_token="revoked-by-the-user")
        assert tokens.check_accounts(ch, T, {"google_ads": dead}) == {"google_ads:1234567890": "revoked"}
        [c] = [c for c in _conditions(ch, "calm") if c.rule == "token"]
        assert "invalid_grant" in c.message_en or "revoked" in c.message_en
        assert [
            n.kind
            for n in alerts.reconcile(ch, T, "calm", _conditions(ch, "calm"))
            if n.condition.rule == "token"
        ] == ["open"]
        res = CliRunner().invoke(alerts_cli, ["tokens", "--tenant", T, "--sandbox-url", sbx.base_url])
    assert res.exit_code == 0, res.output
    assert "google_ads:1234567890: ok" in res.output and "sandbox-google" not in res.output
    # the access token's hour is not the grant's expiry: nothing is announced as expiring
    assert not [c for c in _conditions(ch, "calm") if c.rule == "token"]
    assert [
        n.kind
        for n in alerts.reconcile(ch, T, "calm", _conditions(ch, "calm"))
        if n.condition.rule == "token"
    ] == ["resolved"]
