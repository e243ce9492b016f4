"""Every connector's `load(client, settings, **request)`: the request is checked as a spelled-out signature would
be, and `today` defaults to the platform clock."""

from __future__ import annotations

import datetime as dt

import pytest

from ingestion import ga4, yandex_direct
from ingestion.common import ConfigError
from ingestion.common.loading import AccountLoad

ASK = {
    "tenant_id": "t1",
    "account_id": "42",
    "date_from": dt.date(2026, 1, 5),
    "date_to": dt.date(2026, 1, 9),
}


def test_a_full_request_is_taken_as_given() -> None:
    seen: list[int] = []
    got = AccountLoad.of({**ASK, "today": dt.date(2026, 1, 10), "progress": seen.append}, "p")
    assert (got.tenant_id, got.account_id, got.date_from, got.date_to) == tuple(ASK.values())
    assert got.today == dt.date(2026, 1, 10) and got.progress is not None
    got.progress(3)
    assert seen == [3]


def test_today_defaults_to_the_platform_clock(monkeypatch) -> None:
    monkeypatch.setenv("MRM_TODAY", "2026-02-03")
    assert AccountLoad.of(dict(ASK), "p").today == dt.date(2026, 2, 3)


@pytest.mark.parametrize("connector", [ga4, yandex_direct])
def test_a_misspelt_or_missing_keyword_fails_before_any_request(connector) -> None:
    with pytest.raises(
        TypeError, match=r"missing keyword\(s\) \['date_to'\], unexpected keyword\(s\) \['date_too'\]"
    ):
        connector.load(
            None, None, **{**{k: v for k, v in ASK.items() if k != "date_to"}, "date_too": ASK["date_to"]}
        )


def test_connectors_that_need_both_ids_refuse_an_empty_one_by_name() -> None:
    with pytest.raises(ConfigError, match=r"\[p\] tenant_id and account_id are required"):
        AccountLoad.of({**ASK, "account_id": ""}, "p", require_ids=True)
    assert AccountLoad.of({**ASK, "account_id": ""}, "p").account_id == ""
