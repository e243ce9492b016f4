"""Yandex Metrika end to end: Reporting API + Logs API sandbox → connector → embedded warehouse."""

from __future__ import annotations

import itertools
import os
from datetime import date

import pytest

from ingestion import yandex_metrika
from ingestion.common import ApiError, AuthError, IngestionError, RetryExhausted
from ingestion.sandbox.testing import SANDBOX_TODAY, clean_faults, sandbox  # noqa: F401
from tests.integration.ingestion.test_common_helpers import fingerprint, physical_rows

TRAFFIC, VISITS = "raw_yandex_metrika.traffic_daily", "raw_yandex_metrika.visits"
COUNTER = "51000000"
W1, W2 = date(2026, 1, 14), date(2026, 1, 19)
_ids = itertools.count()


def tenant() -> str:
    return f"it-metrika-{os.getpid()}-{next(_ids)}"


def run(ch, sandbox, t: str, d1: date = W1, d2: date = W2, **kw):  # noqa: F811
    s = yandex_metrika.Settings.for_sandbox(sandbox.url("metrika"), **kw)
    return yandex_metrika.load(
        ch, s, tenant_id=t, account_id=COUNTER, date_from=d1, date_to=d2, today=SANDBOX_TODAY
    )


@pytest.fixture(scope="module")
def baseline(ch, sandbox):  # noqa: F811
    sandbox.reset(today=SANDBOX_TODAY)
    t = tenant()
    run(ch, sandbox, t)
    return {tb: fingerprint(ch, tb, t) for tb in (TRAFFIC, VISITS)}


def test_visits_and_traffic_equal_the_generators_ground_truth(ch, clean_faults, baseline):  # noqa: F811
    t = tenant()
    result = run(ch, clean_faults, t)
    truth = clean_faults.world.truth.metrika_totals(COUNTER, W1, W2)
    v = ch.query(
        f"SELECT count(), uniqExact(client_id), sum(page_views), sum(bounce), sum(purchase_revenue), "
        f"countIf(direct_click_order IS NOT NULL) FROM {VISITS} WHERE tenant_id = {{t:String}}",
        parameters={"t": t},
    ).result_rows[0]
    assert result[VISITS] == v[0] == truth["visits"]
    assert v[1:5] == (truth["users"], truth["pageviews"], truth["bounces"], truth["revenue"])
    assert v[5] > 0  # Direct clicks keep their campaign id
    tr = ch.query(
        f"SELECT sum(visits), sum(pageviews), sum(bounces), sum(revenue), max(sampled) FROM {TRAFFIC} "
        "WHERE tenant_id = {t:String}",
        parameters={"t": t},
    ).result_rows[0]
    assert tr == (truth["visits"], truth["pageviews"], truth["bounces"], truth["revenue"], 0)
    # the Reporting API's Direct-campaign visits agree with the Logs API's
    by_campaign = ch.query(
        f"SELECT direct_campaign_id, sum(visits) FROM {TRAFFIC} WHERE tenant_id = {{t:String}} "
        "AND direct_campaign_id IS NOT NULL GROUP BY 1 ORDER BY 1",
        parameters={"t": t},
    ).result_rows
    from_logs = ch.query(
        f"SELECT direct_click_order, count() FROM {VISITS} WHERE tenant_id = {{t:String}} "
        "AND direct_click_order IS NOT NULL GROUP BY 1 ORDER BY 1",
        parameters={"t": t},
    ).result_rows
    assert by_campaign == from_logs
    assert fingerprint(ch, VISITS, t) == baseline[VISITS]


RECOVERABLE = [
    ("http_429", {"retry_after": 0.2, "count": 2, "path": "stat"}),
    ("http_420", {"count": 1}),
    ("http_5xx", {"status": 503, "count": 2}),
    ("reset", {"count": 1, "path": "download"}),
    ("truncate", {"count": 1, "path": "download"}),
    ("garble", {"count": 1, "path": "download"}),
    ("truncate", {"count": 1, "path": "stat"}),
    ("expired_token", {"count": 1}),
    ("metrika_too_big", {"count": 1}),
    ("metrika_log_failed", {"count": 1}),
]


@pytest.mark.parametrize(
    "kind, params", RECOVERABLE, ids=[f"{k}-{p.get('path', '')}" for k, p in RECOVERABLE]
)
def test_each_recoverable_fault_still_loads_exactly_the_clean_result(
    ch, clean_faults, baseline, kind, params
):  # noqa: F811
    params = dict(params)
    clean_faults.faults.add(
        "metrika", kind, count=params.pop("count"), path=params.pop("path", None), **params
    )
    t = tenant()
    run(ch, clean_faults, t)
    assert any(h[1] == kind for h in clean_faults.faults.history)
    assert fingerprint(ch, TRAFFIC, t) == baseline[TRAFFIC]
    assert fingerprint(ch, VISITS, t) == baseline[VISITS]


def test_sampled_answers_are_loaded_and_flagged(ch, clean_faults):  # noqa: F811
    clean_faults.faults.add("metrika", "metrika_sampled", count=None, share=0.5)
    t = tenant()
    run(ch, clean_faults, t)
    assert ch.query(
        f"SELECT min(sampled), max(sample_share) FROM {TRAFFIC} WHERE tenant_id = {{t:String}}",
        parameters={"t": t},
    ).result_rows[0] == (1, 0.5)


FATAL = [
    ("metrika_log_stuck", {}, ApiError, "still 'created'"),
    ("metrika_log_failed", {}, ApiError, "processing_failed"),
    ("http_5xx", {"status": 503, "path": "logrequests"}, RetryExhausted, "gave up"),
]


@pytest.mark.parametrize("kind, params, exc, text", FATAL, ids=[k for k, *_ in FATAL])
def test_persistent_log_faults_fail_loudly_and_write_no_visits(ch, clean_faults, kind, params, exc, text):  # noqa: F811
    params = dict(params)
    clean_faults.faults.add("metrika", kind, count=None, path=params.pop("path", None), **params)
    t = tenant()
    with pytest.raises(exc, match=text) as info:
        run(ch, clean_faults, t, max_log_polls=5, max_attempts=3)
    assert isinstance(info.value, IngestionError) and info.value.platform == "yandex_metrika"
    assert physical_rows(ch, VISITS, t) == 0 and fingerprint(ch, VISITS, t)[0] == 0
    status = ch.query(
        "SELECT status, error FROM app.load_log WHERE tenant_id = {t:String} AND report = 'visits' "
        "AND status != 'running'",
        parameters={"t": t},
    ).result_rows
    assert status == [("failed", f"{type(info.value).__name__}: {info.value}")]
    if kind == "metrika_log_stuck":  # the abandoned request was canceled, not left in the queue
        api = clean_faults.apis["metrika"]
        assert {r["status"] for r in api.requests.values() if r["stuck"]} >= {"canceled"}


def test_reload_twice_equals_one_clean_load(ch, clean_faults, baseline):  # noqa: F811
    t = tenant()
    for _ in range(2):
        run(ch, clean_faults, t)
        assert fingerprint(ch, VISITS, t) == baseline[VISITS]
        assert fingerprint(ch, TRAFFIC, t) == baseline[TRAFFIC]
    assert physical_rows(ch, VISITS, t) == baseline[VISITS][0]
    # every log request was cleaned (the counter's 10 GB log quota is not filled up by us)
    api = clean_faults.apis["metrika"]
    assert {r["status"] for r in api.requests.values() if not (r["stuck"] or r["failed"])} <= {
        "cleaned_by_user"
    }


# The token expires and the very next answer is unreadable: either the 403 that reports the expiry (both faults
# fire on the same request) or the refresh answer of the OAuth endpoint.
EXPIRED_THEN_UNREADABLE = [
    ("metrika", "garble"),
    ("metrika", "truncate"),
    ("oauth", "garble"),
    ("oauth", "truncate"),
    ("oauth", "reset"),
]


@pytest.mark.parametrize(
    "api, kind", EXPIRED_THEN_UNREADABLE, ids=[f"{a}-{k}" for a, k in EXPIRED_THEN_UNREADABLE]
)
def test_expired_token_with_an_unreadable_next_answer_refreshes_and_loads_the_clean_result(
    ch, clean_faults, baseline, api, kind
):  # noqa: F811
    clean_faults.faults.add("metrika", "expired_token", count=1)
    clean_faults.faults.add(api, kind, count=1)
    t = tenant()
    run(ch, clean_faults, t)
    assert not clean_faults.faults.list(), "a fault never fired"
    assert fingerprint(ch, TRAFFIC, t) == baseline[TRAFFIC]
    assert fingerprint(ch, VISITS, t) == baseline[VISITS]


def test_expired_token_with_refresh_answers_unreadable_for_good_fails_loudly_naming_the_request(
    ch, clean_faults
):  # noqa: F811
    clean_faults.faults.add("metrika", "expired_token", count=1)
    clean_faults.faults.add("oauth", "garble", count=None)
    t = tenant()
    with pytest.raises(RetryExhausted, match=r"POST \S+/oauth/token") as info:
        run(ch, clean_faults, t, max_attempts=3)
    assert not isinstance(
        info.value, AuthError
    )  # the endpoint answered, just unreadably: not bad credentials
    assert "sbx-yandex-" not in str(info.value), "a token from the unreadable answer leaked into the error"
    assert physical_rows(ch, TRAFFIC, t) == 0 and physical_rows(ch, VISITS, t) == 0
    status = ch.query(
        "SELECT status, error FROM app.load_log WHERE tenant_id = {t:String} AND status != 'running'",
        parameters={"t": t},
    ).result_rows
    assert status == [("failed", f"RetryExhausted: {info.value}")]


def test_expired_token_with_a_rejected_refresh_is_still_an_auth_error(ch, clean_faults):  # noqa: F811
    clean_faults.faults.add("metrika", "expired_token", count=1)
    with pytest.raises(AuthError, match="invalid_client"):
        run(ch, clean_faults, tenant(), client_secret="wrong")
