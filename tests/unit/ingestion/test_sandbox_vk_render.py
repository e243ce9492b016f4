"""The VK emulator's day.json text: equal to the JSON of the world's numbers, money rounded as VK shows it."""

from __future__ import annotations

import json
import math
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ingestion.sandbox.faults import FaultBoard
from ingestion.sandbox.generator import World
from ingestion.sandbox.server import SandboxContext, TokenStore
from ingestion.sandbox.vk_ads import NEW_USER_SHARE, VkAdsEmulator, _base_json
from ingestion.vk_ads import parse

TODAY = date(2026, 1, 20)


def _rub(value: Decimal) -> str:
    return str(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def reference_base(shows: int, clicks: int, goals: int, micros: int) -> dict:
    """The ``base`` group computed the slow, obvious way: Decimal arithmetic, half-up to kopecks."""
    spent = Decimal(_rub(Decimal(micros) / Decimal(1_000_000)))
    cpa = _rub(spent / goals) if goals else "0"
    cr = round(goals / clicks * 100, 4) if clicks else 0
    return {
        "shows": shows,
        "clicks": clicks,
        "goals": goals,
        "spent": str(spent),
        "cpm": _rub(spent * 1000 / shows) if shows else "0",
        "cpc": _rub(spent / clicks) if clicks else "0",
        "cpa": cpa,
        "ctr": round(clicks / shows * 100, 4) if shows else 0,
        "cr": cr,
        "vk": {"goals": goals, "cpa": float(cpa), "cr": cr},
    }


@given(
    shows=st.integers(0, 10**7),
    clicks=st.integers(0, 10**5),
    goals=st.integers(0, 10**3),
    micros=st.one_of(st.integers(0, 10**13), st.integers(0, 10**6).map(lambda k: k * 10_000 + 5_000)),
)
@settings(max_examples=500, deadline=None)
def test_base_group_text_equals_the_decimal_reference(
    shows: int, clicks: int, goals: int, micros: int
) -> None:
    assert _base_json(shows, clicks, goals, micros) == json.dumps(
        reference_base(shows, clicks, goals, micros), ensure_ascii=False
    )


@pytest.mark.parametrize(
    ("shows", "clicks", "goals", "micros"),
    [
        (0, 0, 0, 0),
        (2, 2, 2, 10_000),
        (3, 1, 8, 10_000),
        (1000, 200, 8, 5_000),
        (1, 1, 1, 4_999),
        (7, 3, 6, 125_000),
        (10**6, 10**4, 400, 999_995_000),
    ],
)
def test_base_group_half_kopeck_cases(shows: int, clicks: int, goals: int, micros: int) -> None:
    assert json.loads(_base_json(shows, clicks, goals, micros)) == reference_base(
        shows, clicks, goals, micros
    )


@pytest.fixture(scope="module")
def emulator() -> VkAdsEmulator:
    world = World(seed=7, today=TODAY, history_days=60)
    return VkAdsEmulator(SandboxContext(world=world, faults=FaultBoard(), tokens=TokenStore()))


@pytest.mark.parametrize("metrics", [["base", "uniques"], ["base"], ["uniques"]])
def test_rendered_answer_carries_the_worlds_numbers_and_adds_up(
    emulator: VkAdsEmulator, metrics: list[str]
) -> None:
    world = emulator.world
    account = world.accounts_for("vk_ads")[1].account_id
    ids = sorted(ad.ad_id for ad in world.ads(account))[::2][:60]
    date_from, date_to = TODAY - timedelta(days=21), TODAY  # today has no statistics yet: zero rows
    answer = json.loads(emulator._render(account, ids, date_from, date_to, metrics), parse_float=Decimal)
    assert [item["id"] for item in answer["items"]] == ids
    days = [date_from + timedelta(days=i) for i in range(22)]
    stats = {d: world.daily_stats(account, d) for d in days}
    before = {b: 0 for b in ids}  # cumulative new users from the start of history
    d = world.anchor - timedelta(days=world.history_days)
    while d < date_from:
        s = world.daily_stats(account, d)
        reach = np.ceil(s.impressions / np.where(s.network == 1, 1.9, 1.15)).astype(np.int64)
        for banner, r in zip(s.ad_id.tolist(), reach.tolist(), strict=True):
            if banner in before:
                before[banner] += math.ceil(r * NEW_USER_SHARE)
        d += timedelta(days=1)
    grand = {"shows": 0, "clicks": 0}
    for item in answer["items"]:
        users = before[item["id"]]
        sums = {"shows": 0, "clicks": 0, "spent": Decimal(0)}
        assert [r["date"] for r in item["rows"]] == [d.isoformat() for d in days]
        for row, day in zip(item["rows"], days, strict=True):
            s = stats[day]
            hit = np.flatnonzero(s.ad_id == item["id"])
            shows = int(s.impressions[hit[0]]) if len(hit) else 0
            micros = int(s.cost_net_micros[hit[0]]) if len(hit) else 0
            goals = sum(int(c[hit[0]]) for c in s.goal_conversions.values()) if len(hit) else 0
            if "base" in metrics:
                clicks = int(s.clicks[hit[0]]) if len(hit) else 0
                assert json.loads(json.dumps(row["base"], default=float)) == json.loads(
                    json.dumps(reference_base(shows, clicks, goals, micros))
                )
                for k in sums:
                    sums[k] += row["base"][k] if k != "spent" else Decimal(row["base"]["spent"])
            else:
                assert "base" not in row
            if "uniques" in metrics:
                reach = math.ceil(shows / (1.9 if len(hit) and s.network[hit[0]] == 1 else 1.15))
                new = math.ceil(reach * NEW_USER_SHARE)
                u = row["uniques"]
                assert (u["initial_total"], u["increment"], u["total"]) == (users, new, users + new)
                users += new
        if "base" in metrics:
            total = item["total"]["base"]
            assert (total["shows"], total["clicks"], Decimal(total["spent"])) == (
                sums["shows"],
                sums["clicks"],
                sums["spent"],
            )
            grand["shows"] += sums["shows"]
            grand["clicks"] += sums["clicks"]
        if "uniques" in metrics:
            assert item["total"]["uniques"]["total"] == users
            assert item["total"]["uniques"]["initial_total"] == before[item["id"]]
    group, metric = ("base", "shows") if "base" in metrics else ("uniques", "increment")
    assert sum(1 for item in answer["items"] for r in item["rows"] if r[group][metric]) > 100  # not all zeros
    if "base" in metrics:
        assert (answer["total"]["base"]["shows"], answer["total"]["base"]["clicks"]) == (
            grand["shows"],
            grand["clicks"],
        )
    else:
        assert answer["total"] == {}


def test_connector_parses_emulator_answers_columnar_and_checked_alike(emulator: VkAdsEmulator) -> None:
    world = emulator.world
    for account in world.accounts_for("vk_ads")[:2]:
        ids = sorted(ad.ad_id for ad in world.ads(account.account_id))
        date_from, date_to = TODAY - timedelta(days=45), TODAY - timedelta(days=1)
        body = emulator._render(account.account_id, ids, date_from, date_to, ["base", "uniques"])
        for skip_empty in (True, False):
            kw = dict(
                tenant_id=account.tenant_id,
                account_id=account.account_id,
                requested_ids=ids,
                date_from=date_from,
                date_to=date_to,
                currency="RUB",
                spent_includes_vat=False,
                timezone="Europe/Moscow",
                is_provisional=lambda d: d >= TODAY - timedelta(days=7),
                skip_empty=skip_empty,
            )
            fast = parse.banner_day_table(body, parse.DayRequest(**kw))
            checked = parse.stats_table(
                parse.banner_day_rows(json.loads(body, parse_float=Decimal), parse.DayRequest(**kw))
            )
            assert fast is not None, "a clean emulator answer must take the columnar path"
            assert fast.equals(checked)
            assert fast.num_rows > 0


def test_warming_builds_the_caches_without_changing_answers(emulator: VkAdsEmulator) -> None:
    account = emulator.world.accounts_for("vk_ads")[2].account_id
    ids = sorted(ad.ad_id for ad in emulator.world.ads(account))[:20]
    day = TODAY - timedelta(days=30)
    emulator._uniques_cache.clear()
    cold = emulator._render(account, ids, day, TODAY - timedelta(days=1), ["base", "uniques"])
    emulator._uniques_cache.clear()
    emulator.warm(day)
    assert {key[0] for key in emulator._uniques_cache} == {
        a.account_id for a in emulator.world.accounts_for("vk_ads")
    }
    assert emulator._render(account, ids, day, TODAY - timedelta(days=1), ["base", "uniques"]) == cold
