"""The analyst's evaluation set: 60+ RU/EN questions (totals, ratios, top-N, period comparisons, plan vs fact, reach,
multi-turn) over generated marts; the expected numbers are computed here by SQL over the marts, independently of
the metric layer. Offline, at least 95 % must come back with the right number, source period and filters."""

from __future__ import annotations

import datetime as dt

from assistants.agents import analyst
from assistants.agents.tools import Asker
from assistants.agents.understand import Slots
from assistants.llm import Gateway
from tests.integration.assistants.conftest import AN_DB as DB
from tests.integration.assistants.conftest import AN_T1 as T1

PM = Asker(T1, "it-eval", "analyst")
LW, PW = (
    ("2026-11-02", "2026-11-08"),
    ("2026-10-26", "2026-11-01"),
)  # last week, the week before (END is a Wednesday)
L7, L14, L30 = ("2026-11-05", "2026-11-11"), ("2026-10-29", "2026-11-11"), ("2026-10-13", "2026-11-11")
OCT, SEP, NOV = ("2026-10-01", "2026-10-31"), ("2026-09-01", "2026-09-30"), ("2026-11-01", "2026-11-11")
YD = ("2026-11-11", "2026-11-11")

# Independent formulas over the additive columns (what a person would write in SQL).
SQL = {
    "spend": "sum(spend_net)",
    "impressions": "sum(impressions)",
    "clicks": "sum(clicks)",
    "conversions": "sum(conversions)",
    "revenue": "sum(conversions_value)",
    "ctr": "sum(clicks) / sum(impressions)",
    "cpc": "sum(spend_net) / sum(clicks)",
    "cpm": "sum(spend_net) * 1000 / sum(impressions)",
    "cpa": "sum(spend_net) / sum(conversions)",
    "cr": "sum(conversions) / sum(clicks)",
    "romi": "(sum(conversions_value) - sum(spend_net)) / sum(spend_net)",
    "drr": "sum(spend_net) / sum(conversions_value)",
}
LOW_IS_BEST = {"cpc", "cpm", "cpa", "drr"}

# (turns, check): check = (kind, metric, period, platform[, extra]); the last turn's answer is checked.
CASES: list[tuple[list[str], tuple]] = [
    # totals, EN
    (["What was the spend last week?"], ("total", "spend", LW, "")),
    (["How many impressions did we get last week?"], ("total", "impressions", LW, "")),
    (["How many clicks in the last 7 days?"], ("total", "clicks", L7, "")),
    (["Conversions in October"], ("total", "conversions", OCT, "")),
    (["Revenue for September"], ("total", "revenue", SEP, "")),
    (["What was the spend yesterday?"], ("total", "spend", YD, "")),
    (["Spend this month"], ("total", "spend", NOV, "")),
    (["Spend from 2026-10-05 to 2026-10-18"], ("total", "spend", ("2026-10-05", "2026-10-18"), "")),
    (["VK spend last week"], ("total", "spend", LW, "vk_ads")),
    (["How much did we spend on Yandex Direct in October?"], ("total", "spend", OCT, "yandex_direct")),
    (["Clicks on myTarget over the last 14 days"], ("total", "clicks", L14, "garpun")),
    # totals, RU
    (["Какой расход за прошлую неделю?"], ("total", "spend", LW, "")),
    (["Сколько показов было в октябре?"], ("total", "impressions", OCT, "")),
    (["Сколько кликов за последние 14 дней?"], ("total", "clicks", L14, "")),
    (["Сколько конверсий за прошлый месяц?"], ("total", "conversions", OCT, "")),
    (["Доход за сентябрь"], ("total", "revenue", SEP, "")),
    (["Расход по VK за прошлую неделю"], ("total", "spend", LW, "vk_ads")),
    (["Сколько потратили в Директе за октябрь?"], ("total", "spend", OCT, "yandex_direct")),
    (["Расход за период 01.10.2026 — 15.10.2026"], ("total", "spend", ("2026-10-01", "2026-10-15"), "")),
    (["Расход вчера"], ("total", "spend", YD, "")),
    # ratios
    (["What was the CTR last week?"], ("total", "ctr", LW, "")),
    (["CTR of Direct in October"], ("total", "ctr", OCT, "yandex_direct")),
    (["What is the CPC on VK for the last 7 days?"], ("total", "cpc", L7, "vk_ads")),
    (["CPM last month"], ("total", "cpm", OCT, "")),
    (["What was our cost per conversion in September?"], ("total", "cpa", SEP, "")),
    (["Conversion rate last week"], ("total", "cr", LW, "")),
    (["ROMI for October"], ("total", "romi", OCT, "")),
    (["Какой CTR у Директа за прошлую неделю?"], ("total", "ctr", LW, "yandex_direct")),
    (["Стоимость клика во ВКонтакте за октябрь"], ("total", "cpc", OCT, "vk_ads")),
    (["Какая стоимость конверсии за последние 30 дней?"], ("total", "cpa", L30, "")),
    (["ДРР за сентябрь"], ("total", "drr", SEP, "")),
    (["Коэффициент конверсии за этот месяц"], ("total", "cr", NOV, "")),
    # top-N
    (["Top 3 campaigns by spend last week"], ("top", "spend", LW, "", {"n": 3, "low": False})),
    (["Which campaigns had the best CPA in October?"], ("top", "cpa", OCT, "", {"n": 5, "low": True})),
    (["Worst 2 campaigns by CTR in the last 14 days"], ("top", "ctr", L14, "", {"n": 2, "low": True})),
    (["Which campaign had the most clicks last week?"], ("top", "clicks", LW, "", {"n": 1, "low": False})),
    (
        ["Top 2 VK campaigns by conversions in October"],
        ("top", "conversions", OCT, "vk_ads", {"n": 2, "low": False}),
    ),
    (["Топ-3 кампании по расходу за прошлую неделю"], ("top", "spend", LW, "", {"n": 3, "low": False})),
    (["Лучшие кампании по CPA за октябрь"], ("top", "cpa", OCT, "", {"n": 5, "low": True})),
    (
        ["Какая кампания самая дорогая по CPC за последние 7 дней?"],
        ("top", "cpc", L7, "", {"n": 1, "low": False}),
    ),
    (["Худшие 3 кампании по CTR за сентябрь"], ("top", "ctr", SEP, "", {"n": 3, "low": True})),
    # period comparisons
    (["Spend last week vs the previous week"], ("compare", "spend", LW, "", {"prev": PW})),
    (
        ["Clicks in October compared to September"],
        ("compare", "clicks", OCT, "", {"prev": ("2026-08-31", "2026-09-30")}),
    ),
    (["CTR on VK last week versus the week before"], ("compare", "ctr", LW, "vk_ads", {"prev": PW})),
    (["Расход за прошлую неделю по сравнению с позапрошлой"], ("compare", "spend", LW, "", {"prev": PW})),
    (
        ["Как изменилась стоимость конверсии за прошлую неделю по сравнению с предыдущей?"],
        ("compare", "cpa", LW, "", {"prev": PW}),
    ),
    (
        ["Сравни клики Директа за последние 7 дней с предыдущими"],
        ("compare", "clicks", L7, "yandex_direct", {"prev": ("2026-10-29", "2026-11-04")}),
    ),
    # plan vs fact
    (["How is the media plan pacing?"], ("plan", "pacing", None, "")),
    (["Plan vs fact: actual spend against the plan"], ("plan", "fact_spend", None, "")),
    (["Как идёт освоение медиаплана?"], ("plan", "plan_spend", None, "")),
    (["Выполнение плана по расходу"], ("plan", "fact_spend", None, "")),
    # reach
    (["Unique visitors last week"], ("reach", "unique_visitors", LW, "")),
    (["Какой охват сайта за октябрь?"], ("reach", "unique_visitors", OCT, "")),
    (["Reach on VK in the last 14 days"], ("reach", "unique_visitors", L14, "vk_ads")),
    (["How many GRP does TV need for 60% reach?"], ("calc", "grp", None, "", {"grp_for": ("tv", 0.6)})),
    (["Какой охват даст OLV при 300 GRP?"], ("calc", "reach", None, "", {"reach_at": ("olv", 300.0)})),
    # multi-turn
    (["What was the spend last week?", "and on VK?"], ("total", "spend", LW, "vk_ads")),
    (["Какой расход за октябрь?", "а по VK?"], ("total", "spend", OCT, "vk_ads")),
    (["VK clicks last week", "and in October?"], ("total", "clicks", OCT, "vk_ads")),
    (["CTR Директа за прошлую неделю", "а за октябрь?"], ("total", "ctr", OCT, "yandex_direct")),
    (["Spend last week on Direct", "what about CPC?"], ("total", "cpc", LW, "yandex_direct")),
    (
        ["Top 3 campaigns by spend last week", "and on VK only?"],
        ("top", "spend", LW, "vk_ads", {"n": 3, "low": False}),
    ),
    (
        ["Расход за прошлую неделю по сравнению с позапрошлой", "а по VK?"],
        ("compare", "spend", LW, "vk_ads", {"prev": PW}),
    ),
    (["VK spend in October", "а по всем площадкам?"], ("total", "spend", OCT, "")),
    (["Clicks last week", "and last month?", "and on Direct?"], ("total", "clicks", OCT, "yandex_direct")),
]


def _one(ch, metric, a, b, platform="", campaign=""):
    return ch.query(
        f"SELECT toFloat64({SQL[metric]}) FROM {DB}.fct_campaign_daily WHERE tenant_id = {{t:String}} AND "
        "client_id = 'acme' AND date_day BETWEEN {a:Date} AND {b:Date} AND ({p:String} = '' OR platform = {p:String}) "
        "AND ({c:String} = '' OR campaign_id = {c:String})",
        parameters={"t": T1, "a": a, "b": b, "p": platform, "c": campaign},
    ).result_rows[0][0]


def _top(ch, metric, a, b, platform, n, low):
    return ch.query(
        f"SELECT campaign_id, toFloat64({SQL[metric]}) AS v FROM {DB}.fct_campaign_daily WHERE tenant_id = {{t:String}} "
        "AND client_id = 'acme' AND date_day BETWEEN {a:Date} AND {b:Date} AND ({p:String} = '' OR platform = {p:String}) "
        f"GROUP BY campaign_id ORDER BY v {'ASC' if low else 'DESC'}, campaign_id LIMIT {{n:UInt8}}",
        parameters={"t": T1, "a": a, "b": b, "p": platform, "n": n},
    ).result_rows


def _plan(ch, metric):
    expr = {
        "plan_spend": "sum(planned_spend_net)",
        "fact_spend": "sum(ifNull(actual_spend_net, 0))",
        "pacing": "sum(if(has_data, ifNull(actual_spend_net, 0), 0)) / sum(if(has_data, planned_spend_net, 0))",
    }
    return ch.query(
        f"SELECT toFloat64({expr[metric]}) FROM {DB}.fct_plan_vs_fact_daily WHERE tenant_id = {{t:String}} AND "
        "client_id = 'acme' AND plan_id = 'plan-acme' AND plan_version = 1 AND date_day <= '2026-11-11'",
        parameters={"t": T1},
    ).result_rows[0][0]


def _reach(ch, a, b, platform):
    return ch.query(
        f"SELECT toFloat64(uniqCombinedMerge(users_state)) FROM {DB}.fct_campaign_reach_states_daily WHERE "
        "tenant_id = {t:String} AND client_id = 'acme' AND date_day BETWEEN {a:Date} AND {b:Date} "
        "AND ({p:String} = '' OR platform = {p:String})",
        parameters={"t": T1, "a": a, "b": b, "p": platform},
    ).result_rows[0][0]


def _close(x, y):
    return x is not None and y is not None and abs(x - y) <= 1e-6 * max(1.0, abs(y))


def _judge(ch, ans, check) -> str:
    """'' when the answer states the expected number with the right source; otherwise why not."""
    kind, metric, period, platform, *rest = check
    extra = rest[0] if rest else {}
    nums = [n for n in ans.numbers if n["metric"] == metric]
    if not nums:
        return f"no {metric} among {[n['metric'] for n in ans.numbers]}"
    src = nums[0]["source"]
    want_filters = {"platform": [platform]} if platform else {}
    if kind in ("total", "compare", "top", "reach"):
        if src["period"] != {"date_from": period[0], "date_to": period[1]}:
            return f"period {src['period']} != {period}"
        if {k: v for k, v in src["filters"].items() if k == "platform"} != want_filters:
            return f"filters {src['filters']} != {want_filters}"
    if any(n["text"] not in ans.answer for n in nums):
        return "a listed number is not in the answer text"
    if kind == "total":
        want = _one(ch, metric, *period, platform)
        return "" if _close(nums[0]["value"], want) else f"{nums[0]['value']} != {want}"
    if kind == "compare":
        now, before = _one(ch, metric, *period, platform), _one(ch, metric, *extra["prev"], platform)
        prev = [
            n
            for n in nums
            if n["source"]["period"] == {"date_from": extra["prev"][0], "date_to": extra["prev"][1]}
        ]
        if not (_close(nums[0]["value"], now) and prev and _close(prev[0]["value"], before)):
            return f"{[n['value'] for n in nums]} != {now}, {before}"
        change = [n for n in ans.numbers if n["metric"] == f"{metric}_change"]
        return (
            "" if change and _close(change[0]["value"], (now - before) / abs(before)) else "no change stated"
        )
    if kind == "top":
        want = _top(ch, metric, *period, platform, extra["n"], extra["low"])
        got = [(n["source"]["campaign_id"], n["value"]) for n in nums]
        ok = [g[0] for g in got] == [w[0] for w in want] and all(
            _close(g[1], w[1]) for g, w in zip(got, want, strict=False)
        )
        return "" if ok else f"{got} != {want}"
    if kind == "plan":
        want = _plan(ch, metric)
        return "" if _close(nums[0]["value"], want) else f"{nums[0]['value']} != {want}"
    if kind == "reach":
        want = _reach(ch, *period, platform)
        return "" if _close(nums[0]["value"], want) else f"{nums[0]['value']} != {want}"
    from planning import plan_math
    from planning import reach as R

    if "grp_for" in extra:
        ch_, target = extra["grp_for"]
        c = plan_math.DEFAULT_CURVES[plan_math.channel_family(ch_)]
        want = round(R.grp_for_reach(target, "negative_exponential", r_max=c["r_max"], k=c["k"]), 1)
    else:
        ch_, grp = extra["reach_at"]
        c = plan_math.DEFAULT_CURVES[plan_math.channel_family(ch_)]
        want = round(float(R.negative_exponential_reach(grp, c["r_max"], c["k"])), 4)
    return "" if _close(nums[0]["value"], want) else f"{nums[0]['value']} != {want}"


def test_the_set_covers_what_the_issue_asks():
    kinds = [c[1][0] for c in CASES]
    ru = sum(any(ch_ in "абвгдеёжзийклмнопрстуфхцчшщъыьэюя" for ch_ in " ".join(t).lower()) for t, _ in CASES)
    assert len(CASES) >= 60 and ru >= 20 and len(CASES) - ru >= 20
    assert {"total", "top", "compare", "plan", "reach", "calc"} <= set(kinds)
    assert sum(len(t) > 1 for t, _ in CASES) >= 5


def test_offline_answers_the_evaluation_set(analyst_marts):
    gw = Gateway(ch=analyst_marts, api_key=None)
    wrong = []
    for turns, check in CASES:
        previous = None
        for q in turns:
            ans = analyst.ask(analyst_marts, PM, "acme", q, gateway=gw, marts_db=DB, previous=previous)
            previous = Slots.from_dict(ans.slots)
        why = _judge(analyst_marts, ans, check)
        if why:
            wrong.append((turns, why, ans.answer[:300]))
    right = len(CASES) - len(wrong)
    print(f"analyst evaluation: {right}/{len(CASES)} right ({right / len(CASES):.1%})")
    assert right / len(CASES) >= 0.95, "\n".join(map(str, wrong))
    assert dt.date(2026, 11, 11).weekday() == 2  # the periods above assume END is a Wednesday
