"""The platform's one "today": `MRM_TODAY=YYYY-MM-DD` pins it (tests, demos, replays), else the real calendar.

Every default that depends on the date (app periods, loaders' windows, sandboxes, the planning demo) reads it
here, so a whole run, its fixtures and the app it serves agree on the day, whatever the wall clock says.
"""

from __future__ import annotations

import datetime as dt
import os
from zoneinfo import ZoneInfo

from mrm.i18n import refusal

ENV = "MRM_TODAY"


def pinned() -> dt.date | None:
    """The date `MRM_TODAY` pins, or None when it is unset or empty; a malformed value is an error, not ignored."""
    raw = os.environ.get(ENV, "").strip()
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError as exc:
        raise refusal(ValueError, "cli_bad_date", value=f"{ENV}={raw!r}") from exc


def today(tz: str | None = None) -> dt.date:
    """`MRM_TODAY` if set, else today's date on the local clock, or in time zone `tz` (e.g. "Europe/Moscow")."""
    fixed = pinned()
    if fixed is not None:
        return fixed
    if tz is None:
        return dt.date.today()
    return dt.datetime.now(ZoneInfo(tz)).date()


def yesterday(tz: str | None = None) -> dt.date:
    """The last complete day: where report periods end by default."""
    return today(tz) - dt.timedelta(days=1)
