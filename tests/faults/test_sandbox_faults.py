"""Scenario 1: every sandbox fault kind fires during a multi-day backfill of all four platforms, then a rerun.

The faults are spread over the accounts of each platform (a few kinds switched on before each account's load), so
some loads recover inside the connector's retries and some fail loudly. The operator's rerun reloads exactly the
accounts that failed — a fault that corrupted a load which still reported success would therefore survive into the
final state and break the comparison with the clean backfill.
"""

from __future__ import annotations

import math
from typing import Any

import pytest

from tests.faults.faultkit import CLIENT_TIMEOUT_S, accounts, assert_same_as_clean, backfill, fingerprint

PLATFORM_API = {
    "yandex_direct": "direct",
    "yandex_metrika": "metrika",
    "vk_ads": "vk",
    "garpun": "garpun",
    "google_ads": "google_ads",
    "ga4": "ga4",
}

TRANSPORT: list[tuple[str, dict[str, Any]]] = [
    ("http_429", {"retry_after": 1}),
    ("http_420", {}),
    ("http_5xx", {"status": 503}),
    ("timeout", {"seconds": CLIENT_TIMEOUT_S + 1}),
    ("reset", {}),
    ("truncate", {"fraction": 0.5}),
    ("garble", {}),
]
API_FAULTS: dict[str, list[tuple[str, dict[str, Any]]]] = {
    "direct": [
        ("expired_token", {}),
        ("direct_offline", {"polls": 2, "retry_in": 1}),
        ("direct_error_200", {"code": 52}),
        ("direct_error", {"code": 1000, "status": 500}),
        ("direct_queue_full", {}),
    ],
    "metrika": [
        ("expired_token", {}),
        ("metrika_log_stuck", {}),
        ("metrika_log_failed", {}),
        ("metrika_too_big", {}),
        ("metrika_sampled", {"share": 0.5}),
    ],
    "vk": [
        ("expired_token", {}),
        ("vk_token_cap", {}),
        ("vk_error", {"status": 500, "code": "ERR_INTERNAL"}),
    ],
    "garpun": [("expired_token", {}), ("garpun_bad_type", {})],
    "google_ads": [
        ("expired_token", {}),
        ("google_ads_quota", {"retry_delay": 1}),
        ("google_ads_stream_error", {}),
    ],
    "ga4": [
        ("expired_token", {}),
        ("ga4_quota", {}),
        ("ga4_sampled", {"share": 0.5}),
        ("ga4_thresholded", {}),
    ],
}


def every_fault_kind() -> set[tuple[str, str]]:
    from ingestion.sandbox.faults import API_KINDS, TRANSPORT_KINDS

    planned = {(api, kind) for api in PLATFORM_API.values() for kind, _ in TRANSPORT + API_FAULTS[api]}
    # The plan must cover the switchboard: a kind added to the sandbox later makes this test ask for it.
    generic = {k for k in API_KINDS if not k.startswith(("direct_", "metrika_"))}
    for api in PLATFORM_API.values():
        for kind in (
            *TRANSPORT_KINDS,
            *generic,
            *(k for k in API_KINDS if k.startswith(f"{'direct' if api == 'direct' else api}_")),
        ):
            assert (api, kind) in planned, (
                f"fault kind {kind!r} of {api!r} is not exercised by the fault suite"
            )
    return planned


@pytest.fixture
def clean_run(fresh: Any, fault_sandbox: Any) -> dict[str, Any]:
    failures = backfill(fresh, fault_sandbox, accounts(fault_sandbox.world))
    assert failures == {}, f"the clean backfill failed: {failures}"
    return fingerprint(fresh)


def test_every_sandbox_fault_during_backfill_then_rerun_equals_clean(
    clean_run, fault_wh, fault_sandbox
) -> None:
    planned = every_fault_kind()
    ch = fault_wh.client()
    fault_wh.reset(ch)
    from ingestion.demo import register

    register(ch, fault_sandbox.world)
    accs = accounts(fault_sandbox.world)
    per_api = {api: [a for a in accs if PLATFORM_API[a.platform] == api] for api in PLATFORM_API.values()}
    queues = {api: list(TRANSPORT + API_FAULTS[api]) for api in per_api}
    # At most three kinds per load: more consecutive transport faults than the retry budget would only ever test
    # RetryExhausted. A platform with fewer accounts than chunks gets more passes of its backfill.
    chunk = {api: min(3, math.ceil(len(queues[api]) / len(per_api[api]))) for api in per_api}

    def inject(account: Any) -> None:
        api = PLATFORM_API[account.platform]
        for kind, params in queues[api][: chunk[api]]:
            fault_sandbox.faults.add(api, kind, count=1, **params)
        del queues[api][: chunk[api]]

    failed: dict[str, str] = {}
    for _ in range(6):  # passes while some platform still has faults to fire
        busy = {
            api for api in per_api if queues[api] or any(f.api == api for f in fault_sandbox.faults.list())
        }
        if not busy:
            break
        pending = [a for a in accs if PLATFORM_API[a.platform] in busy]
        outcome = backfill(ch, fault_sandbox, pending, before=inject)
        for a in pending:  # the latest outcome of each account counts
            key = f"{a.platform}/{a.account_id}"
            failed.pop(key, None)
            if key in outcome:
                failed[key] = outcome[key]
    assert not fault_sandbox.faults.list() and not any(queues.values()), "the fault plan did not finish"
    assert failed, "no load failed under faults: the scenario exercised only recoveries"
    fired = {(api, kind) for api, kind, _ in fault_sandbox.faults.history}
    assert planned <= fired, f"faults that never fired: {sorted(planned - fired)}"
    # Loud failure: every account that failed has a `failed` (or never-finished) latest load-log entry, and no
    # account reported success with data the clean run does not have (checked by the final comparison).
    after_faults = fingerprint(ch)
    not_ok = {f"{k[1]}/{k[3]}" for k, (status, _) in after_faults["load_log"].items() if status != "ok"}
    assert not_ok <= set(failed), (
        f"load log shows failures the backfill did not raise: {not_ok - set(failed)}"
    )

    # The operator's rerun, with the faults gone: the accounts that failed, and the Metrika counters whose traffic
    # loaded but is flagged `sampled` (a successful load of approximate numbers, re-pulled like a failed one).
    from warehouse.loads import current_rows_sql

    fault_sandbox.faults.clear()
    sampled = {
        f"yandex_metrika/{r[0]}"
        for r in ch.query(
            f"SELECT DISTINCT account_id FROM ({current_rows_sql('raw_yandex_metrika.traffic_daily')}) "  # noqa: S608
            "WHERE sampled = 1"
        ).result_rows
    }
    # GA4 properties whose report came back sampled or thresholded: flagged approximate numbers, re-pulled too.
    sampled |= {
        f"ga4/{r[0]}"
        for r in ch.query(
            f"SELECT DISTINCT account_id FROM ({current_rows_sql('raw_ga4.traffic_daily')}) "  # noqa: S608
            "WHERE is_sampled = 1 OR is_thresholded = 1"
        ).result_rows
    }
    rerun = [a for a in accs if f"{a.platform}/{a.account_id}" in set(failed) | sampled]
    assert backfill(ch, fault_sandbox, rerun) == {}
    assert_same_as_clean(fingerprint(ch), clean_run)
    ch.close()
