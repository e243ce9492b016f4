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


def _month_days():
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[3] / "scripts" / "month_days.py"
    spec = importlib.util.spec_from_file_location("month_days", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.month_days


@pytest.mark.parametrize(
    ("today", "want"),
    [
        ("2026-12-05", ["2026-12-01", "2026-11-10", "2026-10-31"]),
        ("2026-03-10", ["2026-03-01", "2026-03-10", "2026-01-31"]),
        ("2026-01-31", ["2026-01-01", "2026-01-10", "2026-01-31"]),
        ("2026-05-01", ["2026-05-01", "2026-04-10", "2026-03-31"]),
    ],
)
def test_make_test_dates_pins_the_latest_1st_10th_and_31st(today: str, want: list[str]) -> None:
    got = _month_days()(dt.date.fromisoformat(today))
    assert [d.isoformat() for d in got] == want
