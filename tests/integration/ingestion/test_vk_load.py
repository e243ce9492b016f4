"""VK Ads end to end: the real connector over loopback HTTP against the emulator into the embedded warehouse."""

from __future__ import annotations

import re
import threading
from datetime import date
from decimal import Decimal

import httpx
import pytest
from pydantic import SecretStr

from ingestion.common import ApiError, AuthError, PayloadError, RetryExhausted
from ingestion.sandbox.testing import SANDBOX_TODAY, clean_faults, sandbox  # noqa: F401
from ingestion.vk_ads import Settings, load
from ingestion.vk_ads.auth import TokenManager
from ingestion.vk_ads.client import VkAdsClient
from ingestion.vk_ads.fetch import BANNERS_PATH
from ingestion.vk_ads.schema import BANNER_STATS_DAILY
from tests.integration.ingestion import loadkit
from warehouse.loads import current_rows_sql

FROM, TO = date(2026, 1, 6), date(2026, 1, 19)
STATS = "raw_vk_ads.banner_stats_daily"
STATS_PATH = r"statistics/banners/day\.json"


@pytest.fixture()
def vk(clean_faults):  # noqa: F811
    """(sandbox, settings, account) for the first VK account of the sandbox."""
    account = clean_faults.world.accounts_for("vk_ads")[0]
    return clean_faults, Settings.for_sandbox(clean_faults.url("vk")), account


@pytest.fixture(scope="module")
def clean_fingerprint(ch, sandbox) -> tuple:  # noqa: F811
    """Fingerprint of one clean load of the window (the sandbox is deterministic), computed once."""
    sandbox.faults.clear()
    account = sandbox.world.accounts_for("vk_ads")[0]
    run(ch, Settings.for_sandbox(sandbox.url("vk")), account)
    return fingerprint(ch, account)


def run(ch, settings: Settings, account, **kw) -> dict[str, int]:
    return loadkit.run_window(load, ch, settings, account, (FROM, TO), **kw)


def fingerprint(ch, account) -> tuple:
    """Row count, sums and an order-independent hash of the visible stats rows (load metadata excluded)."""
    return loadkit.fingerprint(
        ch, STATS, BANNER_STATS_DAILY, "sum(shows), sum(clicks), sum(goals), sum(spent)", account
    )


def last_log(ch, account, report: str) -> tuple:
    return ch.query(
        "SELECT status, rows, error, length(request_ids) FROM app.load_log WHERE tenant_id = {t:String} "
        "AND account_id = {a:String} AND report = {r:String} AND status != 'running' "
        "ORDER BY finished_at DESC LIMIT 1",
        parameters={"t": account.tenant_id, "a": account.account_id, "r": report},
    ).result_rows[0]


def test_load_reconciles_with_ground_truth_at_every_grain(ch, vk) -> None:
    server, settings, account = vk
    result = run(ch, settings, account)
    assert result[STATS] > 100 and result["raw_vk_ads.banners"] == len(server.world.ads(account.account_id))
    truth = server.world.truth.ads_totals(account.account_id, FROM, TO)
    count, shows, clicks, goals, spent, _ = fingerprint(ch, account)
    assert (shows, clicks, goals, Decimal(spent)) == (
        truth["impressions"],
        truth["clicks"],
        truth["conversions"],
        truth["cost"],
    )
    # account = Σ ad plans = Σ banners, each plan equal to the generator's campaign totals
    per_plan = dict(
        ch.query(
            "SELECT g.ad_plan_id, sum(s.spent) FROM (" + current_rows_sql(STATS) + ") AS s "  # noqa: S608 - ours
            "JOIN raw_vk_ads.banners AS b ON b.tenant_id = s.tenant_id AND b.account_id = s.account_id "
            "AND b.banner_id = s.banner_id JOIN raw_vk_ads.ad_groups AS g ON g.tenant_id = b.tenant_id "
            "AND g.account_id = b.account_id AND g.ad_group_id = b.ad_group_id "
            "WHERE s.tenant_id = {t:String} AND s.account_id = {a:String} GROUP BY g.ad_plan_id",
            parameters={"t": account.tenant_id, "a": account.account_id},
        ).result_rows
    )
    by_campaign = server.world.truth.ads_totals(account.account_id, FROM, TO, by="campaign")
    assert {k: Decimal(v) for k, v in per_plan.items()} == {k: v["cost"] for k, v in by_campaign.items()}
    assert sum(Decimal(v) for v in per_plan.values()) == Decimal(spent)
    provisional = ch.query(
        f"SELECT DISTINCT date_day FROM {STATS} WHERE account_id = {{a:String}} "  # noqa: S608
        "AND is_provisional = 1 ORDER BY date_day",
        parameters={"a": account.account_id},
    )
    # re-pulled 13..19 (7-day lookback); the 13th is stored final on this last re-pull (ingestion.common.windows)
    assert [r[0] for r in provisional.result_rows] == [date(2026, 1, d) for d in range(14, 20)]
    status, rows, error, rids = last_log(ch, account, "banner_stats_daily")
    assert (status, rows, error) == ("ok", count, "") and rids >= 1


def test_reload_is_idempotent(ch, vk, clean_fingerprint) -> None:
    _, settings, account = vk
    run(ch, settings, account)
    run(ch, settings, account)
    assert fingerprint(ch, account) == clean_fingerprint


@pytest.mark.parametrize(
    ("kind", "params", "path"),
    [
        ("http_429", {"retry_after": 0.2}, None),
        ("http_429", {}, None),
        ("http_5xx", {"status": 503}, STATS_PATH),
        ("timeout", {"seconds": 1.5}, STATS_PATH),
        ("reset", {}, None),
        ("truncate", {"fraction": 0.6}, STATS_PATH),
        ("garble", {}, STATS_PATH),
        ("expired_token", {}, STATS_PATH),
    ],
)
def test_transient_faults_are_survived_with_identical_data(
    ch, vk, clean_fingerprint, kind: str, params: dict, path: str | None
) -> None:
    server, settings, account = vk
    quick = settings.model_copy(update={"timeout_s": 1.0})
    loadkit.survives_fault(server, "vk", kind, params, path, lambda: run(ch, quick, account))
    assert fingerprint(ch, account) == clean_fingerprint


def test_platform_error_fails_loudly_and_keeps_the_previous_window(ch, vk, clean_fingerprint) -> None:
    server, settings, account = vk
    before = fingerprint(ch, account)
    assert before == clean_fingerprint
    server.faults.add(
        "vk",
        "vk_error",
        count=None,
        path=STATS_PATH,
        code="ERR_WRONG_PARAMETER",
        message="Parameter metrics is invalid",
    )
    with pytest.raises(ApiError, match="ERR_WRONG_PARAMETER: Parameter metrics is invalid") as exc:
        run(ch, settings, account)
    assert exc.value.status == 400 and exc.value.request_id
    assert fingerprint(ch, account) == before
    status, _, error, _ = last_log(ch, account, "banner_stats_daily")
    assert status == "failed" and "ERR_WRONG_PARAMETER" in error


def test_persistently_garbled_bodies_fail_after_retries_with_nothing_half_written(
    ch, vk, clean_fingerprint
) -> None:
    server, settings, account = vk
    before = fingerprint(ch, account)
    assert before == clean_fingerprint
    server.faults.add("vk", "garble", count=None, path=STATS_PATH)
    with pytest.raises(PayloadError, match="not valid JSON"):
        run(ch, settings, account)
    assert fingerprint(ch, account) == before


def test_rate_limit_headers_pace_requests_so_the_quota_is_never_hit(ch, vk) -> None:
    server, settings, _ = vk
    account = server.world.accounts_for("vk_ads")[2]  # a user no other test has spent this second's quota on
    emulator = server.apis["vk"]
    emulator.limits["RPS"] = 3
    limited = emulator.stats["rate_limited"]
    try:
        with VkAdsClient(settings, account_id=account.account_id) as client:
            for _ in range(6):
                client.get_json(BANNERS_PATH, {"limit": 1})
            assert client.limiter.pauses >= 1
    finally:
        emulator.limits["RPS"] = 50
    assert emulator.stats["rate_limited"] == limited


def test_concurrent_401s_trigger_exactly_one_refresh(vk) -> None:
    server, settings, account = vk
    emulator = server.apis["vk"]
    with VkAdsClient(settings, account_id=account.account_id) as client:
        client.get_json(BANNERS_PATH, {"limit": 1})
        refreshed = emulator.stats["token_refreshed"]
        issued = client.tokens.issued
        server.faults.add("vk", "expired_token", count=1)
        barrier = threading.Barrier(4)
        errors: list[BaseException] = []

        def call() -> None:
            barrier.wait()
            try:
                client.get_json(BANNERS_PATH, {"limit": 1})
            except BaseException as exc:  # collected for the assertion below
                errors.append(exc)

        threads = [threading.Thread(target=call) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert errors == []
    assert emulator.stats["token_refreshed"] - refreshed == 1
    assert client.tokens.issued == issued  # refreshed in place, no new token counted against the cap


def test_five_token_cap_fails_loudly_or_revokes_when_configured(vk) -> None:
    server, settings, account = vk
    user = server.world.accounts_for("vk_ads")[1].account_id
    emulator = server.apis["vk"]
    strict = settings.model_copy(update={"revoke_tokens_on_cap": False})
    managers = [
        TokenManager(
            base_url=strict.base_url,
            client_id=strict.client_id,
            client_secret=strict.client_secret.get_secret_value(),
            agency_client_name=user,
            revoke_on_cap=True,
        )
    ]
    managers[0].auth_headers()  # start from a known state: this may revoke leftovers of earlier tests
    for _ in range(TOKENS_TO_CAP := 5 - emulator.live_tokens(user)):
        m = TokenManager(
            base_url=strict.base_url,
            client_id=strict.client_id,
            client_secret=strict.client_secret.get_secret_value(),
            agency_client_name=user,
        )
        m.auth_headers()
        managers.append(m)
    assert TOKENS_TO_CAP >= 0 and emulator.live_tokens(user) == 5
    sixth = TokenManager(
        base_url=strict.base_url,
        client_id=strict.client_id,
        client_secret=strict.client_secret.get_secret_value(),
        agency_client_name=user,
    )
    with pytest.raises(AuthError, match="five-token cap reached") as exc:
        sixth.auth_headers()
    assert exc.value.status == 403
    revoking = TokenManager(
        base_url=strict.base_url,
        client_id=strict.client_id,
        client_secret=strict.client_secret.get_secret_value(),
        agency_client_name=user,
        revoke_on_cap=True,
    )
    assert revoking.auth_headers()["Authorization"].startswith("Bearer vk-")
    assert emulator.live_tokens(user) == 1
    for m in [*managers, sixth, revoking]:
        m.close()


def test_token_endpoint_cap_fault_and_bad_secret_are_auth_errors(vk) -> None:
    server, settings, account = vk
    server.faults.add("vk", "vk_token_cap", count=1)
    strict = settings.model_copy(update={"revoke_tokens_on_cap": False})
    with VkAdsClient(strict, account_id=account.account_id) as client, pytest.raises(AuthError, match="cap"):
        client.get_json(BANNERS_PATH, {"limit": 1})
    bad = settings.model_copy(update={"client_secret": SecretStr("wrong")})
    with (
        VkAdsClient(bad, account_id=account.account_id) as client,
        pytest.raises(AuthError, match="invalid_client: Invalid client id or secret"),
    ):
        client.get_json(BANNERS_PATH, {"limit": 1})


# -- token endpoint answers that arrive unreadable (truncated/garbled/cut off) ----------------------------------
TOKEN_PATH = r"oauth2/token\.json"
ACCESS_TOKEN = r"vk-[0-9a-f]{24}"


def forget_tokens(server, settings: Settings, user: str) -> None:
    """Delete the user's live tokens through the real endpoint, so a test counts only its own."""
    response = httpx.post(
        f"{server.url('vk')}/api/v2/oauth2/token/delete.json",
        data={
            "client_id": settings.client_id,
            "client_secret": settings.client_secret.get_secret_value(),
            "username": user,
        },
    )
    assert response.status_code == 204


@pytest.mark.parametrize("kind, params", [("truncate", {"fraction": 0.5}), ("garble", {}), ("reset", {})])
def test_unreadable_token_answer_is_retried_and_counted_against_the_cap(vk, kind: str, params: dict) -> None:
    server, settings, account = vk
    emulator = server.apis["vk"]
    forget_tokens(server, settings, account.account_id)
    server.faults.add("vk", kind, count=1, path=TOKEN_PATH, **params)
    with VkAdsClient(settings, account_id=account.account_id) as client:
        client.get_json(BANNERS_PATH, {"limit": 1})
        assert client.tokens.issued == 1
        # The answer was lost after VK minted the token: it is live server-side and counted, not forgotten.
        assert client.tokens.unconfirmed == 1
    assert not server.faults.list(), "the fault never fired"
    assert emulator.live_tokens(account.account_id) == 2


@pytest.mark.parametrize("kind", ["truncate", "garble"])
def test_unreadable_refresh_answer_is_retried_in_place_without_a_new_token(vk, kind: str) -> None:
    server, settings, account = vk
    emulator = server.apis["vk"]
    with VkAdsClient(settings, account_id=account.account_id) as client:
        client.get_json(BANNERS_PATH, {"limit": 1})
        live, refreshed = emulator.live_tokens(account.account_id), emulator.stats["token_refreshed"]
        server.faults.add("vk", "expired_token", count=1, path=r"banners\.json")
        server.faults.add("vk", kind, count=1, path=TOKEN_PATH)
        client.get_json(BANNERS_PATH, {"limit": 1})
        assert (client.tokens.issued, client.tokens.refreshes, client.tokens.unconfirmed) == (1, 1, 0)
    assert not server.faults.list(), "a fault never fired"
    # VK refreshed twice (the first answer was lost) but in place: no token was added towards the cap.
    assert emulator.stats["token_refreshed"] - refreshed == 2
    assert emulator.live_tokens(account.account_id) == live


def test_persistently_unreadable_token_answers_fail_loudly_before_the_cap(vk) -> None:
    server, settings, account = vk
    emulator = server.apis["vk"]
    strict = settings.model_copy(update={"revoke_tokens_on_cap": False})
    forget_tokens(server, settings, account.account_id)
    server.faults.add("vk", "garble", count=None, path=TOKEN_PATH)
    with (
        VkAdsClient(strict, account_id=account.account_id) as client,
        pytest.raises(RetryExhausted, match=r"POST /api/v2/oauth2/token\.json") as exc,
    ):
        client.get_json(BANNERS_PATH, {"limit": 1})
    assert not isinstance(exc.value, AuthError)  # a transport problem, not bad credentials
    assert not re.search(ACCESS_TOKEN, str(exc.value)), (
        "a token from the unreadable answer leaked into the error"
    )
    assert (
        emulator.live_tokens(account.account_id) == strict.max_unconfirmed_tokens < 5
    )  # no usable token was ever obtained


@pytest.mark.parametrize("kind", ["truncate", "garble"])
def test_expired_token_answer_arriving_garbled_still_refreshes(vk, kind: str) -> None:
    server, settings, account = vk
    with VkAdsClient(settings, account_id=account.account_id) as client:
        client.get_json(BANNERS_PATH, {"limit": 1})
        # Both fire on the same request: the 401 expired_token answer arrives with its body mangled.
        server.faults.add("vk", "expired_token", count=1, path=r"banners\.json")
        server.faults.add("vk", kind, count=1, path=r"banners\.json")
        client.get_json(BANNERS_PATH, {"limit": 1})
        assert client.tokens.refreshes == 1
    assert not server.faults.list(), "a fault never fired"


def test_load_survives_an_unreadable_token_answer(ch, vk, clean_fingerprint) -> None:
    server, settings, account = vk
    server.faults.add("vk", "truncate", count=1, path=TOKEN_PATH, fraction=0.5)
    run(ch, settings, account)
    assert not server.faults.list(), "the fault never fired"
    assert fingerprint(ch, account) == clean_fingerprint


def test_persistently_unreadable_token_answers_fail_the_load_with_nothing_written(
    ch, vk, clean_fingerprint
) -> None:
    server, settings, account = vk
    before = fingerprint(ch, account)
    server.faults.add("vk", "garble", count=None, path=TOKEN_PATH)
    with pytest.raises(RetryExhausted, match=r"oauth2/token\.json"):
        run(ch, settings, account)
    assert fingerprint(ch, account) == before
    status, _, error, _ = last_log(ch, account, "banner_stats_daily")
    assert status == "failed" and "token" in error


def test_the_account_registration_decides_whether_spent_includes_vat(ch, vk) -> None:
    """One truth: the raw rows carry app.accounts.spend_includes_vat, whatever the connector's default says."""
    import datetime as dt

    _, settings, account = vk
    assert settings.spent_includes_vat is False  # the connector's default for unregistered accounts

    def register(flag: int, at: dt.datetime) -> None:
        ch.insert(
            "app.accounts",
            [[account.tenant_id, account.client_id, "vk_ads", account.account_id, flag, at]],
            column_names=[
                "tenant_id",
                "client_id",
                "platform",
                "account_id",
                "spend_includes_vat",
                "updated_at",
            ],
        )

    def flags() -> list[int]:
        return [
            r[0]
            for r in ch.query(
                f"SELECT DISTINCT spent_includes_vat FROM ({current_rows_sql(STATS)}) "  # noqa: S608 - our identifiers
                "WHERE tenant_id = {t:String} AND account_id = {a:String}",
                parameters={"t": account.tenant_id, "a": account.account_id},
            ).result_rows
        ]

    base = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)  # newer than any registration the suite made before
    register(1, base)
    run(ch, settings, account)
    assert flags() == [1]
    register(0, base + dt.timedelta(seconds=1))  # back to the sandbox's convention (net of VAT)
    run(ch, settings, account)
    assert flags() == [0]
