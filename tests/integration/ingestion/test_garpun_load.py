"""Garpun DataHub end to end: service-account JWT + streaming METAQL against the emulator into the warehouse."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from pydantic import SecretStr

from ingestion.common import AuthError, PayloadError
from ingestion.garpun import Settings, load
from ingestion.garpun.schema import AD_STATS_DAILY
from ingestion.sandbox.testing import SANDBOX_TODAY, clean_faults, sandbox  # noqa: F401
from tests.integration.ingestion import loadkit
from warehouse.loads import current_rows_sql

FROM, TO = date(2026, 1, 6), date(2026, 1, 19)
STATS = "raw_garpun.ad_stats_daily"
METAQL = r"/v1/metaql/query"


def run(ch, settings: Settings, account, **kw) -> dict[str, int]:
    return loadkit.run_window(load, ch, settings, account, (FROM, TO), **kw)


def fingerprint(ch, account) -> tuple:
    sums = "sum(impressions), sum(clicks), sum(cost), sum(conversions)"
    return loadkit.fingerprint(ch, STATS, AD_STATS_DAILY, sums, account)


@pytest.fixture(scope="module")
def gp_settings(sandbox) -> Settings:  # noqa: F811
    return Settings.for_sandbox(sandbox.url("garpun"))


@pytest.fixture()
def gp(clean_faults, gp_settings):  # noqa: F811
    account = clean_faults.world.accounts_for("garpun")[0]
    return clean_faults, gp_settings, account


@pytest.fixture(scope="module")
def clean_fingerprint(ch, sandbox, gp_settings) -> tuple:  # noqa: F811
    sandbox.faults.clear()
    account = sandbox.world.accounts_for("garpun")[0]
    run(ch, gp_settings, account)
    return fingerprint(ch, account)


def test_load_reconciles_with_ground_truth(ch, gp, clean_fingerprint) -> None:
    server, settings, account = gp
    result = run(ch, settings, account)
    count, imps, clicks, cost, conversions, _ = fingerprint(ch, account)
    assert result[STATS] == count > 100
    assert result["raw_garpun.campaigns"] == len(server.world.campaigns(account.account_id))
    truth = server.world.truth.ads_totals(
        account.account_id, FROM, TO, include_vat=account.spend_includes_vat
    )
    assert (imps, clicks, Decimal(cost), Decimal(conversions)) == (
        truth["impressions"],
        truth["clicks"],
        truth["cost"],
        truth["conversions"],
    )
    by_campaign = server.world.truth.ads_totals(
        account.account_id, FROM, TO, by="campaign", include_vat=account.spend_includes_vat
    )
    loaded = dict(
        ch.query(
            f"SELECT campaign_id, sum(cost) FROM ({current_rows_sql(STATS)}) "  # noqa: S608
            "WHERE account_id = {a:String} GROUP BY campaign_id",
            parameters={"a": account.account_id},
        ).result_rows
    )
    assert {int(k): Decimal(v) for k, v in loaded.items()} == {k: v["cost"] for k, v in by_campaign.items()}
    platforms = ch.query(
        f"SELECT DISTINCT source_platform FROM {STATS} WHERE account_id = {{a:String}} "  # noqa: S608
        "ORDER BY 1",
        parameters={"a": account.account_id},
    ).result_rows
    assert [p[0] for p in platforms] == ["vk_ads", "yandex_direct"]
    assert (count, imps, clicks, cost, conversions) == clean_fingerprint[:5]


def test_reload_and_iso_date_variant_give_identical_rows(ch, gp, clean_fingerprint) -> None:
    server, settings, account = gp
    run(ch, settings, account)
    emulator = server.apis["garpun"]
    emulator.date_format = "iso"
    try:
        run(ch, settings, account)
    finally:
        emulator.date_format = "ms"
    assert fingerprint(ch, account) == clean_fingerprint


@pytest.mark.parametrize(
    ("kind", "params", "path"),
    [
        ("http_429", {"retry_after": 0.2}, METAQL),
        ("http_429", {}, METAQL),
        ("http_5xx", {"status": 502}, None),
        ("timeout", {"seconds": 1.5}, METAQL),
        ("reset", {}, METAQL),
        ("truncate", {"fraction": 0.5}, METAQL),
        ("garble", {}, METAQL),
        ("expired_token", {}, METAQL),
        ("garpun_bad_type", {}, METAQL),
    ],
)
def test_transient_faults_are_survived_with_identical_data(
    ch, gp, clean_fingerprint, kind: str, params: dict, path: str | None
) -> None:
    server, settings, account = gp
    quick = settings.model_copy(update={"timeout_s": 1.0})
    loadkit.survives_fault(server, "garpun", kind, params, path, lambda: run(ch, quick, account))
    assert fingerprint(ch, account) == clean_fingerprint


def test_persistent_bad_stream_fails_loudly_with_nothing_half_written(ch, gp, clean_fingerprint) -> None:
    server, settings, account = gp
    server.faults.add("garpun", "garpun_bad_type", count=None, path=METAQL)
    with pytest.raises(PayloadError, match=r"line 1, column 'campaign_id' \(LONG\): expected INT/LONG"):
        run(ch, settings, account)
    assert fingerprint(ch, account) == clean_fingerprint
    status, error = ch.query(
        "SELECT status, error FROM app.load_log WHERE account_id = {a:String} AND platform = 'garpun' "
        "AND status != 'running' ORDER BY finished_at DESC LIMIT 1",
        parameters={"a": account.account_id},
    ).result_rows[0]
    assert status == "failed" and "expected INT/LONG" in error


def test_a_query_the_platform_rejects_fails_loudly(ch, gp) -> None:
    server, settings, account = gp
    bad = settings.model_copy(
        update={
            "stats_query": "SELECT date, spend FROM adplatform.ad_stats_daily WHERE account_id = {account_id}"
        }
    )
    with pytest.raises(Exception, match="INVALID_QUERY: METAQL: unknown column spend") as exc:
        run(ch, bad, account)
    assert getattr(exc.value, "status", None) == 400


def test_an_assertion_signed_with_another_key_is_refused(gp) -> None:
    server, settings, account = gp
    key = json.loads(settings.service_account_key_json.get_secret_value())
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    key["private_key"] = other.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    forged = settings.model_copy(update={"service_account_key_json": SecretStr(json.dumps(key))})
    emulator = server.apis["garpun"]
    rejected = emulator.stats["rejected_assertions"]
    from ingestion.garpun.client import GarpunClient

    with (
        GarpunClient(forged) as client,
        pytest.raises(AuthError, match="invalid_grant: invalid assertion.*Signature"),
    ):
        list(client.query("SELECT id, name FROM adplatform.client"))
    assert emulator.stats["rejected_assertions"] == rejected + 1
