import datetime as dt

import pytest

from assistants.insights.detectors import Insight
from assistants.insights.narrate import template_text
from assistants.llm.numbers import extract_numbers, fmt_num, fmt_pct, ungrounded_numbers


def test_extracts_ru_and_en_number_formats():
    found = [
        (n.value, n.decimals)
        for n in extract_numbers("Расход 1 234 567,8 руб., CTR 3,45 %; spend 1,234.50 and -12%")
    ]
    assert found == [(1234567.8, 1), (3.45, 2), (1234.5, 2), (-12.0, 0)]


def test_formatting_round_trips_through_extraction():
    for lang in ("ru", "en"):
        text = f"{fmt_num(1234567.891, lang, 2)} / {fmt_pct(0.1234, lang)}"
        assert [n.value for n in extract_numbers(text)] == [1234567.89, 12.3]


def test_invented_number_is_caught_and_rounding_is_allowed():
    evidence = {"value": 5400.0, "baseline": 3000.0, "delta": 0.8}
    assert ungrounded_numbers("Spend was 5,400 RUB vs 3,000 (+80.0%).", evidence) == []
    assert ungrounded_numbers("Spend jumped 42% to 5,400.", evidence) == ["42"]
    assert ungrounded_numbers("Spend was 5,401.", evidence) == ["5,401"]


def _ins(type_, metric="spend", details=None, value=5400.0, baseline=3000.0, delta=0.8):
    return Insight(
        "t",
        "c",
        dt.date(2026, 11, 20),
        type_,
        "high",
        "camp-1",
        metric,
        value,
        baseline,
        delta,
        "SELECT 1",
        {},
        [{"date_day": "2026-11-20", "spend": value}],
        details or {},
    )


@pytest.mark.parametrize(
    "ins",
    [
        _ins("anomaly", "spend", {"entity_name": "Brand"}),
        _ins("anomaly", "ctr", {"entity_name": "Brand"}, 0.0106, 0.0304, -0.6518),
        _ins("anomaly", "cpa", {"entity_name": "Brand"}, 292.5643, 406.3959, -0.2801),
        _ins(
            "pipeline_health",
            "freshness_days",
            {"check": "freshness", "last_day": "2026-11-17", "lag_days": 3},
            3,
            1,
            0,
        ),
        _ins("pipeline_health", "row_count", {"check": "volume", "median_rows": 120}, 40, 120, -0.6667),
        _ins(
            "pipeline_health", "duplicate_keys", {"check": "duplicates", "first_day": "2026-11-18"}, 4, 0, 0
        ),
        _ins("pipeline_health", "rows", {"check": "no_data", "window_days": 28}, 0, 0, 0),
        _ins(
            "pipeline_health",
            "last_load_failed",
            {"check": "load_failed", "error": "HTTP 503 from api"},
            1,
            0,
            0,
        ),
        _ins(
            "pacing",
            "spend_net",
            {
                "channel": "vk",
                "flight_end": "2026-11-30",
                "budget_net": 88469.31,
                "forecast_net": 113375.37,
                "exhaustion_date": "2026-11-24",
            },
            113375.37,
            88469.31,
            0.2815,
        ),
        _ins(
            "top_mover", "spend_wow", {"entity_name": "Brand", "window_days": 7}, 188665.77, 154667.88, 0.2198
        ),
        _ins(
            "provisional_data",
            "provisional_days",
            {"first_day": "2026-11-18", "platforms": ["vk_ads"]},
            2,
            0,
            0,
        ),
    ],
    ids=lambda i: f"{i.type}-{i.metric}",
)
@pytest.mark.parametrize("lang", ["ru", "en"])
def test_every_template_is_grounded_in_its_own_evidence(ins, lang):
    text = template_text(ins, lang)
    assert text and ungrounded_numbers(text, ins.facts()) == []


@pytest.mark.parametrize(("cur", "sign"), [("RUB", "₽"), ("USD", "$"), ("KZT", "₸")])
def test_amounts_carry_the_clients_currency_and_platforms_their_names(cur, sign):
    spend = _ins("anomaly", "spend", {"entity_name": "Brand", "currency": cur})
    n = {v: fmt_num(v, "ru") for v in (5400, 3000)}  # the language's grouping
    assert f"{n[5400]}\u00a0{sign} против обычных {n[3000]}\u00a0{sign}" in template_text(spend, "ru")
    mover = _ins(
        "top_mover", "spend_wow", {"entity_name": "Brand", "window_days": 7, "currency": cur}, 1234.4
    )
    assert f"7-day spend 1,234\u00a0{sign} vs 3,000\u00a0{sign}" in template_text(mover, "en")
    late = _ins(
        "provisional_data", "provisional_days", {"first_day": "2026-11-18", "platforms": ["vk_ads"]}, 2
    )
    assert "(VK Ads)" in template_text(late, "en") and "vk_ads" not in template_text(late, "ru")
