"""Overview's granularity: daily rows per platform summed to weeks (from Monday) or months, ratios from the sums."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from dashboards import data


def _days() -> pd.DataFrame:
    # 2026-01-28 (Wednesday) .. 2026-02-03 (Tuesday): two ISO weeks, two months, two platforms.
    rows = []
    for i in range(7):
        day = dt.date(2026, 1, 28) + dt.timedelta(days=i)
        for platform, clicks in (("yandex_direct", 10 + i), ("vk_ads", 1)):
            rows.append(
                {
                    "date_day": day,
                    "platform": platform,
                    "impressions": 100 * (i + 1),
                    "clicks": clicks,
                    "spend_gross": 12.0 * (i + 1),
                    "spend_net": 10.0 * (i + 1),
                    "conversions": i % 2,
                    "conversions_value": 0.0,
                    "is_provisional": int(day == dt.date(2026, 2, 3)),
                }
            )
    return data.add_ratios(pd.DataFrame(rows))


def test_weeks_start_on_monday_and_ratios_come_from_the_sums():
    days = _days()
    weeks = data.by_grain(days, "week")
    direct = weeks[weeks["platform"] == "yandex_direct"].set_index("date_day")
    assert list(direct.index) == [dt.date(2026, 1, 26), dt.date(2026, 2, 2)]
    first = days[(days["platform"] == "yandex_direct") & (days["date_day"] < dt.date(2026, 2, 2))]
    assert direct.loc[dt.date(2026, 1, 26), "clicks"] == first["clicks"].sum()
    assert direct.loc[dt.date(2026, 1, 26), "ctr"] == pytest.approx(
        first["clicks"].sum() / first["impressions"].sum()
    )
    assert direct.loc[dt.date(2026, 1, 26), "ctr"] != pytest.approx(first["ctr"].mean())  # never averaged
    assert list(direct["is_provisional"]) == [0, 1]
    assert weeks["spend_net"].sum() == pytest.approx(days["spend_net"].sum())


def test_months_start_on_the_first_and_day_is_unchanged():
    days = _days()
    months = data.by_grain(days, "month")
    assert sorted(set(months["date_day"])) == [dt.date(2026, 1, 1), dt.date(2026, 2, 1)]
    jan = months[(months["platform"] == "vk_ads") & (months["date_day"] == dt.date(2026, 1, 1))]
    assert int(jan["clicks"].iloc[0]) == 4  # 28–31 January
    assert data.by_grain(days, "day").equals(days)


def test_an_unknown_grain_is_refused_by_name():
    with pytest.raises(data.DataError, match="grain 'year'"):
        data.by_grain(_days(), "year")
