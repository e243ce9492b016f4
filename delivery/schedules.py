"""Per-client report schedules: when each report is due, in the client's own time zone, and the run key that
makes sure it is requested once.

A schedule fires at `local_time` in the client's time zone: every day (daily report of yesterday), on a weekday
(weekly report of the previous Monday–Sunday), on a day of the month (monthly report of the previous month;
day 31 means the month's last day in shorter months), or the day after a media-plan flight ends (the flight).
`due()` lists every firing inside a window of UTC time; the sensor calls it with the window since its last
evaluation, and the run key (tenant, schedule, local day) keeps a re-evaluated window from asking twice.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from mrm.i18n import refusal

REPORT_TYPES = ("daily", "weekly", "monthly", "end_of_flight")
LAYOUTS = ("performance", "analytical_notes", "channel_comparison", "plan_vs_fact")
CHANNELS = ("email", "telegram", "sheets")
_TIME_RE = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
_ID_RE = re.compile(r"^[A-Za-z0-9_.:@+-]{1,128}$")
_SHEET_RE = re.compile(r"^([A-Za-z0-9_-]{10,128})?$")


class ScheduleError(ValueError):
    """A schedule that cannot be saved; the message names the field."""


@dataclass(frozen=True)
class Schedule:
    tenant_id: str
    schedule_id: str
    client_id: str
    report_type: str
    layout: str = "performance"
    local_time: str = "09:00"
    weekday: int = 1  # ISO: 1 = Monday
    month_day: int = 1
    channels: tuple[str, ...] = ("email",)
    language: str = "ru"
    vat: str = "net"
    show_commission: bool = False
    recipients: tuple[str, ...] = ()
    spreadsheet_id: str = ""  # the target of the sheets channel

    def validate(self) -> Schedule:
        for name in ("tenant_id", "schedule_id", "client_id"):
            if not _ID_RE.match(getattr(self, name)):
                raise refusal(ScheduleError, "dlv_bad_id", field=name)
        checks = [
            ("report_type", self.report_type, REPORT_TYPES),
            ("layout", self.layout, LAYOUTS),
            ("language", self.language, ("ru", "en")),
            ("vat", self.vat, ("net", "gross")),
        ]
        for name, value, allowed in checks:
            if value not in allowed:
                raise refusal(
                    ScheduleError, "dlv_not_one_of", field=name, value=repr(value), allowed=", ".join(allowed)
                )
        if not _TIME_RE.match(self.local_time):
            raise refusal(ScheduleError, "dlv_bad_time", field="local_time")
        if not 1 <= self.weekday <= 7:
            raise refusal(ScheduleError, "dlv_bad_weekday", field="weekday")
        if not 1 <= self.month_day <= 31:
            raise refusal(ScheduleError, "dlv_bad_month_day", field="month_day")
        if not self.channels or any(c not in CHANNELS for c in self.channels):
            raise refusal(ScheduleError, "dlv_bad_channels", field="channels", allowed=", ".join(CHANNELS))
        for r in self.recipients:
            if not re.match(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", r):
                raise refusal(ScheduleError, "dlv_bad_recipient", field="recipients", value=repr(r))
        if ("sheets" in self.channels) != bool(self.spreadsheet_id) or not _SHEET_RE.match(
            self.spreadsheet_id
        ):
            raise refusal(ScheduleError, "dlv_sheets_needs_id", field="spreadsheet_id")
        return self

    def fire_at(
        self, local_day: dt.date, tz: ZoneInfo, flights: Sequence[tuple[dt.date, dt.date]] = ()
    ) -> tuple[dt.datetime, tuple[dt.date, dt.date]] | None:
        """When (UTC) this schedule fires on `local_day`, and the period its report covers; None if not that day."""
        hh, mm = (int(x) for x in self.local_time.split(":"))
        at = dt.datetime.combine(local_day, dt.time(hh, mm), tzinfo=tz).astimezone(dt.UTC)
        yesterday = local_day - dt.timedelta(days=1)
        if self.report_type == "daily":
            return at, (yesterday, yesterday)
        if self.report_type == "weekly":
            if local_day.isoweekday() != self.weekday:
                return None
            last_sunday = local_day - dt.timedelta(days=local_day.isoweekday())
            return at, (last_sunday - dt.timedelta(days=6), last_sunday)
        if self.report_type == "monthly":
            last = calendar.monthrange(local_day.year, local_day.month)[1]
            if local_day.day != min(self.month_day, last):
                return None
            prev_end = local_day.replace(day=1) - dt.timedelta(days=1)
            return at, (prev_end.replace(day=1), prev_end)
        for start, end in flights:  # end_of_flight: the day after the flight's last day
            if end + dt.timedelta(days=1) == local_day:
                return at, (start, end)
        return None


@dataclass(frozen=True)
class Due:
    schedule: Schedule
    local_day: dt.date
    fire_at: dt.datetime
    period: tuple[dt.date, dt.date]
    run_key: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(
            self,
            "run_key",
            f"report:{self.schedule.tenant_id}:{self.schedule.schedule_id}:{self.local_day.isoformat()}",
        )


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name or "Europe/Moscow")
    except (ZoneInfoNotFoundError, ValueError):
        raise refusal(ScheduleError, "dlv_unknown_zone", zone=repr(name)) from None


def due(
    items: Iterable[tuple[Schedule, str, Sequence[tuple[dt.date, dt.date]]]],
    since: dt.datetime,
    until: dt.datetime,
) -> list[Due]:
    """Every firing with since < fire_at <= until (both aware, UTC or not), oldest first.

    `items` are (schedule, the client's time zone, the client's flights as (start, end))."""
    if since.tzinfo is None or until.tzinfo is None:
        raise ValueError("since and until must be time-zone aware")
    out: list[Due] = []
    for s, tz_name, flights in items:
        tz = zone(tz_name)
        day = since.astimezone(tz).date()
        last = until.astimezone(tz).date()
        while day <= last:
            hit = s.fire_at(day, tz, flights)
            if hit is not None and since < hit[0] <= until:
                out.append(Due(s, day, hit[0], hit[1]))
            day += dt.timedelta(days=1)
    return sorted(out, key=lambda d: (d.fire_at, d.run_key))


# ---------------------------------------------------------------------------------------------- storage

# The schedule's fields in declaration order: the columns of app.report_schedules (before `updated_by`) and the
# names a ScheduleError starts with, so the pages label them from here.
SCHEDULE_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(Schedule))
_COLS = [*SCHEDULE_FIELDS, "updated_by"]
# How a field is stored where the table's type differs from the schedule's (the rest are stored as they are).
_WRITE: dict[str, Any] = {"channels": list, "recipients": list, "show_commission": int}
_READ: dict[str, Any] = {
    "weekday": int,
    "month_day": int,
    "channels": tuple,
    "show_commission": bool,
    "recipients": tuple,
}


def _same(v: Any) -> Any:
    return v


def _stored(s: Schedule, by: str) -> list[Any]:
    """The schedule's row of app.report_schedules, in `_COLS` order, saved by `by`."""
    return [*(_WRITE.get(c, _same)(getattr(s, c)) for c in _COLS[:-1]), by]


def save(ch: Any, s: Schedule, *, by: str) -> Schedule:
    s.validate()
    exists = ch.query(
        "SELECT count() FROM app.clients FINAL WHERE tenant_id = {t:String} AND client_id = {c:String} "
        "AND is_active = 1",
        parameters={"t": s.tenant_id, "c": s.client_id},
    ).result_rows[0][0]
    if not exists:
        raise refusal(ScheduleError, "ws_no_active_client", field="client_id", client=repr(s.client_id))
    ch.insert("app.report_schedules", [_stored(s, by)], column_names=_COLS)
    return s


def new_id() -> str:
    return "sch-" + secrets.token_hex(4)


def load(ch: Any, tenant_id: str | None = None, client_id: str = "") -> list[Schedule]:
    res = ch.query(
        "SELECT " + ", ".join(_COLS[:-1]) + " FROM app.report_schedules FINAL WHERE is_deleted = 0 "  # noqa: S608
        "AND ({t:String} = '' OR tenant_id = {t:String}) AND ({c:String} = '' OR client_id = {c:String}) "
        "ORDER BY tenant_id, client_id, schedule_id",
        parameters={"t": tenant_id or "", "c": client_id},
    )
    return [
        Schedule(**{c: _READ.get(c, _same)(v) for c, v in zip(_COLS[:-1], r, strict=True)})
        for r in res.result_rows
    ]


def remove(ch: Any, tenant_id: str, schedule_id: str, *, by: str) -> None:
    found = [s for s in load(ch, tenant_id) if s.schedule_id == schedule_id]
    if not found:
        raise refusal(ScheduleError, "dlv_no_schedule", field="schedule_id", schedule=repr(schedule_id))
    s = found[0]
    ch.insert("app.report_schedules", [[*_stored(s, by), 1]], column_names=[*_COLS, "is_deleted"])


def due_now(ch: Any, since: dt.datetime, until: dt.datetime, tenant_id: str | None = None) -> list[Due]:
    """What is due for every client in the window, reading schedules, time zones and flights from the warehouse."""
    schedules = load(ch, tenant_id)
    if not schedules:
        return []
    tz = {
        (r[0], r[1]): r[2]
        for r in ch.query("SELECT tenant_id, client_id, timezone FROM app.clients FINAL").result_rows
    }
    flights: dict[tuple[str, str], list[tuple[dt.date, dt.date]]] = {}
    if any(s.report_type == "end_of_flight" for s in schedules):
        for t, c, a, b in ch.query(  # the newest version of each media plan (history imports are not plans)
            "SELECT tenant_id, client_id, argMax(flight_start, plan_version), argMax(flight_end, plan_version) "
            "FROM app.media_plans WHERE kind = 'plan' GROUP BY tenant_id, client_id, plan_id"
        ).result_rows:
            if a is None or b is None:
                continue
            flights.setdefault((t, c), []).append((a, b))
    return due(
        (
            (
                s,
                tz.get((s.tenant_id, s.client_id), "Europe/Moscow"),
                flights.get((s.tenant_id, s.client_id), []),
            )
            for s in schedules
        ),
        since,
        until,
    )
