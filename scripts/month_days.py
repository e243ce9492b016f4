"""Print the most recent 1st, 10th and 31st of a month (on or before today): the days `make test-dates` pins.

A month's first days and its last day are where date arithmetic breaks ("yesterday" is in another month,
a default period crosses a month boundary), so the date-sensitive tests run with MRM_TODAY set to each.
"""

from __future__ import annotations

import argparse
import datetime as dt


def month_days(today: dt.date) -> list[dt.date]:
    """The latest 1st, 10th and 31st of a month that are not after `today`."""
    first = today.replace(day=1)
    tenth = first.replace(day=10) if today.day >= 10 else (first - dt.timedelta(days=1)).replace(day=10)
    last = today if today.day == 31 else first - dt.timedelta(days=1)
    while last.day != 31:
        last = last.replace(day=1) - dt.timedelta(days=1)
    return [first, tenth, last]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--today", type=dt.date.fromisoformat, default=dt.date.today(), help="YYYY-MM-DD")
    print(" ".join(d.isoformat() for d in month_days(parser.parse_args().today)))
