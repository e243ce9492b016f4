"""`mrm.clock`: MRM_TODAY pins the platform's today; a bad value fails loudly; unset falls back to the calendar."""

from __future__ import annotations

import datetime as dt

import pytest

from mrm import clock


def test_pinned_today_and_yesterday(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MRM_TODAY", "2026-03-01")
    assert clock.today() == dt.date(2026, 3, 1)
    assert clock.today("Europe/Moscow") == dt.date(2026, 3, 1)  # a pinned day ignores time zones
    assert clock.yesterday() == dt.date(2026, 2, 28)


def test_unset_or_empty_follows_the_calendar(monkeypatch: pytest.MonkeyPatch) -> None:
    for value in (None, "", "  "):
        if value is None:
            monkeypatch.delenv("MRM_TODAY", raising=False)
        else:
            monkeypatch.setenv("MRM_TODAY", value)
        assert clock.pinned() is None
        before = dt.date.today()
        got = clock.today()
        assert got in (before, dt.date.today())  # a midnight between the two reads is no failure
        moscow = clock.today("Europe/Moscow")
        assert abs((moscow - got).days) <= 1


@pytest.mark.parametrize("bad", ["2026-02-30", "01.03.2026", "tomorrow"])
def test_malformed_value_is_an_error_naming_the_variable(monkeypatch: pytest.MonkeyPatch, bad: str) -> None:
    monkeypatch.setenv("MRM_TODAY", bad)
    with pytest.raises(ValueError, match="MRM_TODAY") as err:
        clock.today()
    assert bad in str(err.value)


def test_loaders_and_sandbox_default_to_the_pinned_day(monkeypatch: pytest.MonkeyPatch) -> None:
    from ingestion.sandbox.generator import World

    monkeypatch.setenv("MRM_TODAY", "2026-01-31")
    assert World(seed=1, history_days=5).today == dt.date(2026, 1, 31)
