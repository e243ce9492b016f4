"""Google Ads end to end: OAuth refresh token, developer token and login-customer-id against the emulator, GAQL over
searchStream into raw_google_ads; discovery, idempotent loads, quota waits, token expiry and a stream that fails
part-way."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from ingestion.common import ApiError, AuthError, ConfigError
from ingestion.google_ads import Settings, load
from ingestion.google_ads.client import make_client
from ingestion.google_ads.fetch import discover_accounts
from ingestion.google_ads.schema import TABLES
from ingestion.sandbox.google_ads import RUB_PER_UNIT
from ingestion.sandbox.testing import SANDBOX_TODAY, clean_faults, sandbox  # noqa: F401
from tests.integration.ingestion import loadkit
from warehouse.loads import current_rows_sql

FROM, TO = date(2026, 1, 6), date(2026, 1, 19)
STATS = "raw_google_ads.ad_stats_daily"


@pytest.fixture()
def gads(clean_faults):  # noqa: F811
    account = next(a for a in clean_faults.world.accounts_for("google_ads") if a.currency == "USD")
    return clean_faults, Settings.for_sandbox(clean_faults.url("google_ads")), account


def run(ch, settings: Settings, account) -> dict[str, int]:
    return loadkit.run_window(load, ch, settings, account, (FROM, TO))


def fingerprint(ch, account) -> tuple:
    sums = "sum(impressions), sum(clicks), sum(cost), sum(conversions)"
    return loadkit.fingerprint(ch, STATS, TABLES[STATS], sums, account)


def expected_totals(world, account) -> tuple[int, int, Decimal]:
    imps = clicks = 0
    cost = Decimal(0)
    day = FROM
    while day <= TO:
        s = world.daily_stats(account.account_id, day)
        imps += int(s.impressions.sum())
        clicks += int(s.clicks.sum())
        cost += sum(
            (Decimal(int(c) // RUB_PER_UNIT[account.currency]) for c in s.cost_net_micros), Decimal(0)
        )
        day += timedelta(days=1)
    return imps, clicks, cost / 1_000_000


def test_load_equals_the_emulators_numbers_in_the_account_currency_and_is_idempotent(ch, gads) -> None:
    server, settings, account = gads
    out = run(ch, settings, account)
    assert out["raw_google_ads.ad_stats_daily"] > 0 and out["raw_google_ads.campaigns"] > 0
    first = fingerprint(ch, account)
    imps, clicks, cost = expected_totals(server.world, account)
    assert (first[1], first[2], first[3]) == (imps, clicks, cost)
    assert ch.query(
        f"SELECT DISTINCT currency, cost_includes_vat FROM ({current_rows_sql(STATS)}) "  # noqa: S608
        "WHERE account_id = {a:String}",
        parameters={"a": account.account_id},
    ).result_rows == [("USD", 0)]
    run(ch, settings, account)
    assert fingerprint(ch, account) == first


def test_discovery_walks_the_managers_clients_page_by_page(gads) -> None:
    server, settings, _account = gads
    with make_client(settings) as api:
        found = discover_accounts(api, settings)
    assert {a["customer_id"]: a["currency"] for a in found} == {
        a.account_id: a.currency for a in server.world.accounts_for("google_ads")
    }


def test_quota_waits_the_retry_delay_and_an_expired_token_is_refreshed(ch, gads) -> None:
    server, settings, account = gads
    run(ch, settings, account)
    clean = fingerprint(ch, account)
    server.faults.add("google_ads", "google_ads_quota", count=2, retry_delay=0.1, path="searchStream")
    server.faults.add("google_ads", "expired_token", count=1, path="searchStream")
    server.faults.add("google_ads", "http_5xx", count=1)
    run(ch, settings, account)
    assert server.faults.list() == [], "every fault fired"
    assert fingerprint(ch, account) == clean


def test_a_cut_answer_to_the_first_query_is_asked_again(ch, gads) -> None:
    server, settings, account = gads
    run(ch, settings, account)
    clean = fingerprint(ch, account)
    server.faults.add("google_ads", "truncate", count=1, path="searchStream", fraction=0.5)
    server.faults.add("google_ads", "garble", count=1, path="searchStream")
    run(ch, settings, account)
    assert server.faults.list() == [] and fingerprint(ch, account) == clean


def test_a_stream_failing_part_way_is_fetched_again_never_loaded_half(ch, gads) -> None:
    server, settings, account = gads
    run(ch, settings, account)
    clean = fingerprint(ch, account)
    server.faults.add("google_ads", "google_ads_stream_error", count=1, path="searchStream", after_rows=3)
    run(ch, settings, account)
    assert fingerprint(ch, account) == clean
    server.faults.add(
        "google_ads",
        "google_ads_stream_error",
        count=None,
        path="searchStream",
        after_rows=3,
        status="PERMISSION_DENIED",
    )
    with pytest.raises(ApiError, match="failed part-way: PERMISSION_DENIED"):
        run(ch, settings, account)
    assert fingerprint(ch, account) == clean


def test_bad_credentials_fail_loudly_without_echoing_secrets(ch, gads) -> None:
    _server, settings, account = gads
    bad_dev = Settings.for_sandbox(settings.base_url, developer_token="wrong-dev-token-123")
    with pytest.raises(ApiError, match="DEVELOPER_TOKEN_INVALID") as err:
        run(ch, bad_dev, account)
    assert "wrong-dev-token-123" not in str(err.value) and "wrong-dev-token-123" not in repr(bad_dev)
    with pytest.raises(AuthError, match="invalid_grant"):
        run(ch, Settings.for_sandbox(settings.base_url, refresh_token="revoked-refresh-456"), account)
    no_manager = Settings.for_sandbox(settings.base_url, login_customer_id=None)
    with pytest.raises(ApiError, match="USER_PERMISSION_DENIED"):
        run(ch, no_manager, account)
    with pytest.raises(ConfigError, match="not digits"):
        loadkit.run_window(load, ch, settings, account, (FROM, TO), account_id="12-ab")
