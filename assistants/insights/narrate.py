"""Narration of insights: template writer (RU/EN, the offline default) and LLM narration with a number post-check."""

from __future__ import annotations

import json
import logging
from typing import Any

from assistants.insights.detectors import Insight
from assistants.llm import Gateway, LLMError, load_prompt
from assistants.llm.numbers import fmt_num, fmt_pct, ungrounded_numbers
from mrm.i18n import t

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
# A metric as an insight's sentence names it: the catalogue's metric names, lower-case words where they run in text.
METRIC_KEYS = {"spend": "asst_metric_spend", "ctr": "ctr", "cpc": "cpc", "cpa": "cpa", "cr": "asst_metric_cr"}


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
    d = i.details
    if i.type == "pipeline_health":
        chk = d.get("check")
        if chk == "freshness":
            return t(
                "asst_ins_freshness",
                lang,
                platform=_platform(i.entity, lang),
                day=d["last_day"],
                days=int(i.value),
            )
        if chk == "volume":
            return t(
                "asst_ins_volume",
                lang,
                day=i.as_of.isoformat(),
                rows=fmt_num(i.value, lang),
                usual=fmt_num(i.baseline, lang),
                change=_signed_pct(i.delta, lang),
            )
        if chk == "duplicates":
            return t("asst_ins_duplicates", lang, keys=int(i.value), day=d["first_day"])
        if chk == "no_data":
            return t("asst_ins_no_data", lang, days=d["window_days"])
        if chk == "load_failed":
            return t("asst_ins_load_failed", lang, platform=_platform(i.entity, lang), error=d["error"])
    if i.type == "anomaly":
        return t(
            "asst_ins_anomaly",
            lang,
            name=d.get("entity_name", i.entity),
            metric=t(METRIC_KEYS[i.metric], lang),
            value=_val(i.metric, i.value, i, lang),
            usual=_val(i.metric, i.baseline, i, lang),
            change=_signed_pct(i.delta, lang),
        )
    if i.type == "pacing":
        base = t(
            "asst_ins_pacing",
            lang,
            line=i.entity,
            channel=_platform(d["channel"], lang),
            end=d["flight_end"],
            forecast=_money(d.get("forecast_net") or 0, i, lang),
            budget=_money(d["budget_net"], i, lang),
            change=_signed_pct(i.delta, lang),
        )
        if d.get("exhaustion_date"):
            base += " " + t("asst_ins_exhaustion", lang, day=d["exhaustion_date"])
        return base
    if i.type == "top_mover":
        return t(
            "asst_ins_top_mover",
            lang,
            name=d.get("entity_name", i.entity),
            days=d["window_days"],
            value=_money(i.value, i, lang),
            before=_money(i.baseline, i, lang),
            change=_signed_pct(i.delta, lang),
        )
    if i.type == "provisional_data":
        plats = ", ".join(_platform(p, lang) for p in d.get("platforms", []))
        return t("asst_ins_provisional", lang, day=d["first_day"], platforms=plats)
    raise ValueError(f"no template for insight type {i.type!r}")


def template_summary(insights: list[Insight], lang: str) -> str:
    if not insights:
        return t("asst_ins_no_changes", lang)
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
