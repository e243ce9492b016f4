"""Link suggestions from plan lines to campaigns: evidence, confidence order, platform and date rules."""

from __future__ import annotations

import datetime as dt

from planning.links import normalise, suggest, utm_campaign

D = dt.date
CAMPAIGNS = [
    {"platform": "yandex_direct", "account_id": "a1", "campaign_id": "101", "campaign_name": "Весна_2026 | Поиск",
     "start_date": D(2026, 3, 1), "end_date": D(2026, 3, 31)},
    {"platform": "yandex_direct", "account_id": "a1", "campaign_id": "102", "campaign_name": "spring_olv",
     "start_date": D(2026, 3, 1), "end_date": None},
    {"platform": "vk_ads", "account_id": "v1", "campaign_id": "9001", "campaign_name": "Весна 2026 поиск",
     "start_date": D(2025, 1, 1), "end_date": D(2025, 2, 1)},
]  # fmt: skip
MARCH = {"flight_start": D(2026, 3, 5), "flight_end": D(2026, 3, 20)}


def test_id_in_the_plan_is_certain():
    got = suggest([{"line_id": "L1", "platform_campaign_id": "102", **MARCH}], CAMPAIGNS)["L1"]
    assert (got[0].campaign_id, got[0].method, got[0].confidence) == ("102", "id", 1.0)


def test_utm_tag_from_extra_or_a_url():
    assert utm_campaign({"extra": {"UTM_Campaign": "spring_olv"}}) == "spring_olv"
    url = {"extra": {"Ссылка": "https://shop.example/?utm_source=ya&utm_campaign=spring_olv&x=1"}}
    assert utm_campaign(url) == "spring_olv"
    got = suggest([{"line_id": "L1", "platform": "yandex_direct", **url, **MARCH}], CAMPAIGNS)["L1"]
    assert (got[0].campaign_id, got[0].method) == ("102", "utm")
    assert got[0].confidence == 1.0  # 0.9 + same platform + dates overlap, capped
    assert any("utm_campaign=spring_olv" in r for r in got[0].reasons)


def test_name_platform_and_dates_rank_the_candidates():
    assert normalise("Весна_2026 | Поиск") == normalise("весна 2026 поиск") == "весна 2026 поиск"
    got = suggest([{"line_id": "L1", "campaign_name": "весна 2026 поиск", **MARCH}], CAMPAIGNS)["L1"]
    # Same name on two platforms: the one whose dates overlap the flight comes first.
    assert [(s.campaign_id, s.method) for s in got] == [("101", "name"), ("9001", "name")]
    assert got[0].confidence == 0.9 and got[1].confidence == 0.65
    # A line planned on VK never links to a Direct campaign.
    vk = suggest([{"line_id": "L2", "platform": "vk_ads", "campaign_name": "весна 2026 поиск"}], CAMPAIGNS)[
        "L2"
    ]
    assert [s.campaign_id for s in vk] == ["9001"]


def test_similar_names_score_below_exact_and_unrelated_lines_get_nothing():
    got = suggest([{"line_id": "L1", "campaign_name": "Весна 2026 поиск бренд"}], CAMPAIGNS)["L1"]
    assert got and all(s.method == "name" and s.confidence < 0.85 for s in got)
    assert suggest([{"line_id": "L9", "campaign_name": "Осень ТВ"}], CAMPAIGNS) == {"L9": []}
    assert suggest([{"line_id": "L8"}], CAMPAIGNS) == {"L8": []}
