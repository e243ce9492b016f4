from datetime import date, timedelta

import numpy as np

from ingestion.sandbox.generator import World, gross_micros

TODAY = date(2026, 1, 20)


def world() -> World:
    return World(seed=7, today=TODAY, history_days=120)


def test_same_seed_same_data_other_seed_other_data():
    a = world().daily_stats("shoes-direct", date(2026, 1, 10))
    b = world().daily_stats("shoes-direct", date(2026, 1, 10))
    c = World(seed=8, today=TODAY, history_days=120).daily_stats("shoes-direct", date(2026, 1, 10))
    assert np.array_equal(a.impressions, b.impressions) and np.array_equal(
        a.cost_net_micros, b.cost_net_micros
    )
    assert not np.array_equal(a.impressions, c.impressions[: len(a.impressions)]) or len(a) != len(c)


def test_conversions_restate_upwards_and_settle_within_the_lookback():
    w = world()
    day = date(2026, 1, 10)
    seen = [
        sum(
            v.sum()
            for v in w.daily_stats(
                "shoes-direct", day, as_of=day + timedelta(days=k)
            ).goal_conversions.values()
        )
        for k in range(1, 9)
    ]
    assert seen == sorted(seen) and seen[0] < seen[-1]
    assert seen[5] == seen[6] == seen[7]  # final from age 6, inside the 7-day Direct lookback
    s1 = w.daily_stats("shoes-direct", day, as_of=day + timedelta(days=1))
    s8 = w.daily_stats("shoes-direct", day, as_of=day + timedelta(days=8))
    assert np.array_equal(s1.impressions, s8.impressions) and np.array_equal(
        s1.cost_net_micros, s8.cost_net_micros
    )


def test_no_stats_for_today_or_the_future():
    assert len(world().daily_stats("shoes-direct", TODAY)) == 0


def test_prices_are_plausible_rub_and_weekends_are_quieter():
    w = world()
    days = [TODAY - timedelta(days=k) for k in range(1, 57)]
    stats = [w.daily_stats("shoes-direct", d) for d in days]
    clicks = sum(int(s.clicks[s.network == 0].sum()) for s in stats)
    cost = sum(int(s.cost_net_micros[s.network == 0].sum()) for s in stats) / 1e6
    assert 15 <= cost / clicks <= 90  # search CPC, RUB
    imps = sum(int(s.impressions.sum()) for s in stats)
    assert 0.005 <= sum(int(s.clicks.sum()) for s in stats) / imps <= 0.1  # blended CTR
    weekday = np.mean([s.impressions.sum() for d, s in zip(days, stats, strict=True) if d.weekday() < 5])
    weekend = np.mean([s.impressions.sum() for d, s in zip(days, stats, strict=True) if d.weekday() >= 5])
    assert weekend < weekday


def test_users_overlap_across_platforms_so_deduplicated_reach_is_below_the_sum():
    w = world()
    d1, d2 = date(2026, 1, 5), date(2026, 1, 11)
    direct = [("shoes-direct", None)]
    vk = [(w.linked_account("shoes-direct", "vk_ads").account_id, None)]
    a = w.truth.distinct_users(direct, d1, d2)
    b = w.truth.distinct_users(vk, d1, d2)
    both = w.truth.distinct_users(direct + vk, d1, d2)
    assert max(a, b) < both < a + b


def test_metrika_visits_carry_client_ids_reached_by_the_linked_direct_campaign():
    w = world()
    day = date(2026, 1, 10)
    counter = w.linked_account("shoes-direct", "yandex_metrika").account_id
    v = w.visits(counter, day)
    ad = v["direct_click_order"] > 0
    cid = int(v["direct_click_order"][ad][0])
    reached = set(w.users_reached("shoes-direct", cid, day).tolist())
    mine = v["client_id"][v["direct_click_order"] == cid]
    assert set(mine.tolist()) <= reached


def test_late_visits_appear_over_the_following_days():
    w = world()
    counter = w.linked_account("shoes-direct", "yandex_metrika").account_id
    day = date(2026, 1, 10)
    counts = [len(w.visits(counter, day, as_of=day + timedelta(days=k))["visit_id"]) for k in (1, 2, 3, 4)]
    assert counts[0] < counts[2] == counts[3]


def test_gross_micros_follow_the_vat_change():
    net = np.array([1_000_000], dtype=np.int64)
    assert gross_micros(net, date(2025, 12, 31))[0] == 1_200_000
    assert gross_micros(net, date(2026, 1, 1))[0] == 1_220_000
