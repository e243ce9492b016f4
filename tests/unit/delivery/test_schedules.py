"""Report schedules in the client's time zone: each report requested exactly once, whatever the evaluation rhythm."""

from __future__ import annotations

import datetime as dt

import pytest

from delivery.schedules import Due, Schedule, ScheduleError, due

UTC = dt.UTC
FLIGHT = (dt.date(2026, 2, 2), dt.date(2026, 2, 28))


def _s(kind: str, **kw) -> Schedule:
    return Schedule(
        "t1", f"s-{kind}-{kw.get('month_day', kw.get('weekday', 0))}", "acme", kind, **kw
    ).validate()


def _sweep(items, start: dt.datetime, end: dt.datetime, step: dt.timedelta) -> list[Due]:
    """Evaluate as a sensor would, window after window (each window starts where the last one ended)."""
    out, t = [], start
    while t < end:
        out += due(items, t, min(t + step, end))
        t += step
    return out


@pytest.mark.parametrize("tz", ["Europe/Moscow", "Asia/Vladivostok"])
@pytest.mark.parametrize("step_minutes", [7, 30, 60 * 24])
def test_every_report_is_requested_exactly_once(tz, step_minutes):
    items = [
        (_s("daily", local_time="09:00"), tz, ()),
        (_s("weekly", weekday=1, local_time="08:30"), tz, ()),
        (_s("monthly", month_day=31, local_time="23:45"), tz, ()),
        (_s("end_of_flight"), tz, [FLIGHT]),
    ]
    start, end = dt.datetime(2026, 1, 1, tzinfo=UTC), dt.datetime(2026, 5, 1, tzinfo=UTC)
    got = _sweep(items, start, end, dt.timedelta(minutes=step_minutes))
    keys = [d.run_key for d in got]
    assert len(keys) == len(set(keys))
    by = {}
    for d in got:
        by.setdefault(d.schedule.report_type, []).append(d)
    # 120 firings either way: Moscow (UTC+3) Jan 1 .. Apr 30; Vladivostok (UTC+10) has passed 09:00 of Jan 1 at
    # 00:00 UTC, but its May 1 09:00 is Apr 30 23:00 UTC, inside the window.
    daily_days = [d.local_day for d in by["daily"]]
    first, last = (
        (dt.date(2026, 1, 1), dt.date(2026, 4, 30))
        if tz == "Europe/Moscow"
        else (dt.date(2026, 1, 2), dt.date(2026, 5, 1))
    )
    assert len(daily_days) == 120 and (daily_days[0], daily_days[-1]) == (first, last)
    assert all(d.period == (d.local_day - dt.timedelta(days=1),) * 2 for d in by["daily"])
    weekly = by["weekly"]
    assert all(
        d.local_day.isoweekday() == 1 and d.period[1] - d.period[0] == dt.timedelta(days=6) for d in weekly
    )
    monthly = by["monthly"]
    # day 31 = the month's last day: Jan 31, Feb 28, Mar 31, Apr 30 (Apr 30 23:45 local is before May 1 UTC)
    assert [d.local_day for d in monthly] == [
        dt.date(2026, 1, 31),
        dt.date(2026, 2, 28),
        dt.date(2026, 3, 31),
        dt.date(2026, 4, 30),
    ]
    assert monthly[1].period == (dt.date(2026, 1, 1), dt.date(2026, 1, 31))
    assert [(d.local_day, d.period) for d in by["end_of_flight"]] == [(dt.date(2026, 3, 1), FLIGHT)]


def test_local_time_is_the_clients():
    s = _s("daily", local_time="09:00")
    day = dt.datetime(2026, 3, 10, tzinfo=UTC)
    msk = due([(s, "Europe/Moscow", ())], day, day + dt.timedelta(days=1))
    vvo = due([(s, "Asia/Vladivostok", ())], day, day + dt.timedelta(days=1))
    assert msk[0].fire_at == dt.datetime(2026, 3, 10, 6, 0, tzinfo=UTC)
    assert vvo[0].fire_at == dt.datetime(2026, 3, 10, 23, 0, tzinfo=UTC) and vvo[0].local_day == dt.date(
        2026, 3, 11
    )


def test_a_window_evaluated_twice_gives_the_same_run_keys():
    s = _s("daily")
    a, b = dt.datetime(2026, 3, 1, tzinfo=UTC), dt.datetime(2026, 3, 8, tzinfo=UTC)
    assert [d.run_key for d in due([(s, "Europe/Moscow", ())], a, b)] == [
        d.run_key for d in due([(s, "Europe/Moscow", ())], a, b)
    ]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"report_type": "hourly"}, "report_type"),
        ({"local_time": "25:00"}, "local_time"),
        ({"weekday": 0}, "weekday"),
        ({"month_day": 32}, "month_day"),
        ({"channels": ("fax",)}, "channels"),
        ({"recipients": ("not-an-address",)}, "recipients"),
        ({"client_id": "a b"}, "client_id"),
    ],
)
def test_bad_schedules_name_the_field(change, field):
    with pytest.raises(ScheduleError, match=f"^{field}:"):
        Schedule(
            **{"tenant_id": "t1", "schedule_id": "s1", "client_id": "acme", "report_type": "daily", **change}
        ).validate()
