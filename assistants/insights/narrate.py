"""Narration of insights: template writer (RU/EN, the offline default) and LLM narration with a number post-check."""

from __future__ import annotations

import json
import logging
from typing import Any

from assistants.insights.detectors import Insight
from assistants.llm import Gateway, LLMError, load_prompt
from assistants.llm.numbers import fmt_num, fmt_pct, ungrounded_numbers

log = logging.getLogger(__name__)

NARRATIVE_SCHEMA = {
    "type": "object",
    "properties": {
        "summary": {"type": "string"},
        "items": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"insight_id": {"type": "string"}, "text": {"type": "string"}},
                "required": ["insight_id", "text"],
            },
        },
    },
    "required": ["summary", "items"],
}
METRIC_NAMES = {
    "ru": {"spend": "расход", "ctr": "CTR", "cpc": "CPC", "cpa": "CPA", "cr": "конверсия (CR)"},
    "en": {"spend": "spend", "ctr": "CTR", "cpc": "CPC", "cpa": "CPA", "cr": "conversion rate"},
}


def _money(v: float, i: Insight, lang: str, decimals: int = 0) -> str:
    """An amount with the currency sign after it ('12 345 ₽'): the client's currency, stated in the insight."""
    from dashboards.i18n import CURRENCY_SIGNS

    cur = str(i.details.get("currency") or "RUB")
    return f"{fmt_num(v, lang, decimals)}\u00a0{CURRENCY_SIGNS.get(cur, cur)}"


def _platform(value: Any, lang: str) -> str:
    """A platform or channel by its display name ('yandex_direct' → 'Яндекс Директ'); other text as it is."""
    from dashboards.i18n import display_name

    return display_name("platform", value, lang)


def _val(metric: str, v: float, i: Insight, lang: str) -> str:
    if metric in ("ctr", "cr"):
        return fmt_pct(v, lang, 2)
    if metric in ("cpc", "cpa"):
        return _money(v, i, lang, 2)
    return _money(v, i, lang) if metric == "spend" else fmt_num(v, lang, 0)


def _signed_pct(delta: float, lang: str) -> str:
    return ("+" if delta > 0 else "−" if delta < 0 else "") + fmt_pct(abs(delta), lang, 1)


def template_text(i: Insight, lang: str) -> str:
    """Deterministic RU/EN sentence(s) for one insight; every number is a field of the insight."""
    ru = lang == "ru"
    d = i.details
    if i.type == "pipeline_health":
        chk = d.get("check")
        if chk == "freshness":
            return (
                f"Проблема данных: по площадке {_platform(i.entity, lang)} последние данные за {d['last_day']} "
                f"(отставание {int(i.value)} дн.). Это сбой загрузки, а не изменение показателей."
                if ru
                else f"Data problem: {_platform(i.entity, lang)} has data only up to {d['last_day']} ({int(i.value)} days behind). "
                "This is a pipeline issue, not a change in performance."
            )
        if chk == "volume":
            return (
                f"Проблема данных: за {i.as_of.isoformat()} загружено {fmt_num(i.value, lang)} строк при обычных "
                f"{fmt_num(i.baseline, lang)} ({_signed_pct(i.delta, lang)}). Аномалии за этот день не оцениваются."
                if ru
                else f"Data problem: {fmt_num(i.value, lang)} rows loaded for {i.as_of.isoformat()} against a usual "
                f"{fmt_num(i.baseline, lang)} ({_signed_pct(i.delta, lang)}). Anomalies for this day are not assessed."
            )
        if chk == "duplicates":
            return (
                f"Проблема данных: {int(i.value)} ключей строк повторяются (начиная с {d['first_day']}); "
                "итоги могут быть завышены."
                if ru
                else f"Data problem: {int(i.value)} row keys are duplicated (from {d['first_day']}); totals may be inflated."
            )
        if chk == "no_data":
            return (
                f"Проблема данных: нет статистики за последние {d['window_days']} дней."
                if ru
                else f"Data problem: no statistics for the last {d['window_days']} days."
            )
        if chk == "load_failed":
            return (
                f"Проблема данных: последняя загрузка {_platform(i.entity, lang)} завершилась ошибкой: {d['error']}"
                if ru
                else f"Data problem: the last load of {_platform(i.entity, lang)} failed: {d['error']}"
            )
    if i.type == "anomaly":
        name = d.get("entity_name", i.entity)
        m = METRIC_NAMES[lang][i.metric]
        return (
            f"{name}: {m} {_val(i.metric, i.value, i, lang)} против обычных {_val(i.metric, i.baseline, i, lang)} "
            f"для этого дня недели ({_signed_pct(i.delta, lang)})."
            if ru
            else f"{name}: {m} was {_val(i.metric, i.value, i, lang)} against a usual {_val(i.metric, i.baseline, i, lang)} "
            f"for this weekday ({_signed_pct(i.delta, lang)})."
        )
    if i.type == "pacing":
        fc = d.get("forecast_net")
        base = (
            f"Строка плана {i.entity} ({_platform(d['channel'], lang)}): прогноз расхода без НДС к {d['flight_end']} — "
            f"{_money(fc or 0, i, lang)} при бюджете {_money(d['budget_net'], i, lang)} ({_signed_pct(i.delta, lang)})."
            if ru
            else f"Plan line {i.entity} ({_platform(d['channel'], lang)}): forecast net spend by {d['flight_end']} is "
            f"{_money(fc or 0, i, lang)} against a budget of {_money(d['budget_net'], i, lang)} "
            f"({_signed_pct(i.delta, lang)})."
        )
        if d.get("exhaustion_date"):
            base += (
                f" При текущем темпе бюджет закончится {d['exhaustion_date']}."
                if ru
                else f" At the current pace the budget runs out on {d['exhaustion_date']}."
            )
        return base
    if i.type == "top_mover":
        name = d.get("entity_name", i.entity)
        return (
            f"{name}: расход за {d['window_days']} дней {_money(i.value, i, lang)} против {_money(i.baseline, i, lang)} "
            f"неделей ранее ({_signed_pct(i.delta, lang)})."
            if ru
            else f"{name}: {d['window_days']}-day spend {_money(i.value, i, lang)} vs {_money(i.baseline, i, lang)} "
            "the week before "
            f"({_signed_pct(i.delta, lang)})."
        )
    if i.type == "provisional_data":
        plats = ", ".join(_platform(p, lang) for p in d.get("platforms", []))
        return (
            f"Данные начиная с {d['first_day']} предварительные ({plats}) и ещё могут измениться."
            if ru
            else f"Data from {d['first_day']} on is provisional ({plats}) and may still change."
        )
    raise ValueError(f"no template for insight type {i.type!r}")


def template_summary(insights: list[Insight], lang: str) -> str:
    if not insights:
        return "Существенных изменений не обнаружено." if lang == "ru" else "No material changes detected."
    return " ".join(template_text(i, lang) for i in insights[:3])


def narrate(
    insights: list[Insight],
    *,
    tenant_id: str,
    client_id: str,
    gateway: Gateway,
    langs: tuple[str, ...] = ("ru", "en"),
    audience: str = "an account manager",
) -> dict[str, str]:
    """Fill narrative_ru/en and narrator on each insight; returns {lang: summary}. Ungrounded LLM text is replaced."""
    summaries: dict[str, str] = {}
    if not insights:
        for lang in langs:
            summaries[lang] = template_summary([], lang)
        return summaries
    prompt = load_prompt("insight_narrative")
    facts = [i.facts() for i in insights]
    for lang in langs:

        def offline(lang: str = lang) -> dict[str, Any]:
            return {
                "summary": template_summary(insights, lang),
                "items": [{"insight_id": i.insight_id, "text": template_text(i, lang)} for i in insights],
            }

        try:
            res = gateway.structured(
                tenant_id=tenant_id,
                purpose="insight_narrative",
                prompt=prompt,
                variables={
                    "audience": audience,
                    "language_name": "Russian" if lang == "ru" else "English",
                    "client_id": client_id,
                    "as_of": insights[0].as_of.isoformat(),
                    "facts_json": json.dumps(facts, ensure_ascii=False, default=str),
                },
                tool_name="submit_narrative",
                input_schema=NARRATIVE_SCHEMA,
                offline=offline,
            )
            data, label = res.data, res.label
        except LLMError as exc:
            log.error("narration failed, using templates: %s", exc)
            data, label = offline(), f"template-fallback(llm error: {str(exc)[:80]})"
        texts = {it.get("insight_id"): str(it.get("text", "")) for it in data.get("items", [])}
        for i in insights:
            text = texts.get(i.insight_id, "")
            bad = ungrounded_numbers(text, i.facts()) if text else ["<missing>"]
            if bad:
                log.warning("insight %s: narrative rejected (numbers not in evidence: %s)", i.insight_id, bad)
                text, item_label = (
                    template_text(i, lang),
                    f"template-fallback(ungrounded: {', '.join(bad)[:60]})",
                )
            else:
                item_label = label
            setattr(i, f"narrative_{lang}", text)
            i.narrator = item_label if lang == langs[0] or not i.narrator else i.narrator
            i.prompt_version = prompt.version
        summary = str(data.get("summary", ""))
        if not summary or ungrounded_numbers(summary, facts):
            summary = template_summary(insights, lang)
        summaries[lang] = summary
    return summaries
