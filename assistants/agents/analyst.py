"""Analyst assistant: answers questions about one client's performance from the fixed tool catalogue.

With ANTHROPIC_API_KEY: Claude picks tools in a loop (assistants.agents.loop). Offline: a deterministic RU/EN
intent router maps keywords to a tool and arguments, and a template writer phrases the result. Both give the
same structured answer; every number in the text must match a tool result (assistants.llm.numbers post-check),
otherwise the template answer replaces the model's text.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from dataclasses import dataclass, field
from typing import Any

from assistants.agents.tools import TOOLS, Scope, ToolCall, last_data_day, run_tool
from assistants.llm.numbers import extract_numbers, fmt_num, fmt_pct, ungrounded_numbers

log = logging.getLogger(__name__)

FINAL_TOOL = {
    "name": "submit_answer",
    "description": "Submit the final answer to the user's question.",
    "input_schema": {
        "type": "object",
        "properties": {
            "answer": {"type": "string", "description": "The answer; every number must come from a tool result."},
            "citations": {"type": "array", "items": {"type": "string"},
                          "description": "chunk ids of knowledge-base passages relied on"},
        },
        "required": ["answer"],
    },
}


@dataclass
class AnalystAnswer:
    question: str
    answer: str
    language: str
    provider: str
    tool_calls: list[ToolCall]
    numbers: list[dict[str, Any]] = field(default_factory=list)
    citations: list[dict[str, Any]] = field(default_factory=list)
    grounded: bool = True
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"question": self.question, "answer": self.answer, "language": self.language, "provider": self.provider,
                "grounded": self.grounded, "note": self.note, "numbers": self.numbers, "citations": self.citations,
                "tool_calls": [c.as_dict() for c in self.tool_calls]}


# ----------------------------------------------------------------------------------------- offline router
_MONTHS = {
    1: ("январ", "january", "jan"), 2: ("феврал", "february", "feb"), 3: ("март", "march", "mar"),
    4: ("апрел", "april", "apr"), 5: ("мая", "май", "may"), 6: ("июн", "june", "jun"), 7: ("июл", "july", "jul"),
    8: ("август", "august", "aug"), 9: ("сентябр", "september", "sep"), 10: ("октябр", "october", "oct"),
    11: ("ноябр", "november", "nov"), 12: ("декабр", "december", "dec"),
}


def _has(q: str, *patterns: str) -> bool:
    return any(re.search(p, q) for p in patterns)


def route_period(question: str, last_day: dt.date | None) -> dict[str, str]:
    """Dates from the question: explicit ISO dates, 'last N days', yesterday, a month name, week/month; else {}."""
    q = question.lower()
    iso = re.findall(r"\b(\d{4}-\d{2}-\d{2})\b", q)
    if len(iso) >= 2:
        a, b = sorted(iso[:2])
        return {"date_from": a, "date_to": b}
    if len(iso) == 1:
        return {"date_from": iso[0], "date_to": iso[0]}
    if last_day is None:
        return {}
    m = re.search(r"(?:последн\w*|за|last|past)\s+(\d{1,3})\s*(?:дн|день|дня|days?)", q)
    if m:
        n = max(1, int(m.group(1)))
        return {"date_from": (last_day - dt.timedelta(days=n - 1)).isoformat(), "date_to": last_day.isoformat()}
    if _has(q, r"вчера", r"yesterday", r"последний день", r"last day"):
        return {"date_from": last_day.isoformat(), "date_to": last_day.isoformat()}
    for month, words in _MONTHS.items():
        if any(re.search(rf"\b{w}\w*\b", q) for w in words if len(w) > 3 or w in ("may", "мая", "май")):
            year = last_day.year if month <= last_day.month else last_day.year - 1
            start = dt.date(year, month, 1)
            end = (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
            return {"date_from": start.isoformat(), "date_to": min(end, last_day).isoformat()}
    if _has(q, r"месяц", r"\bmonth"):
        return {"date_from": (last_day - dt.timedelta(days=29)).isoformat(), "date_to": last_day.isoformat()}
    if _has(q, r"недел", r"\bweek"):
        return {"date_from": (last_day - dt.timedelta(days=6)).isoformat(), "date_to": last_day.isoformat()}
    return {}


def _channel_word(q: str) -> str:
    for w in ("olv", "tv", "тв", "видео", "video", "radio", "радио", "search", "поиск", "social", "соцсет", "display",
              "медийн", "ooh", "наружн"):
        if w in q:
            return w
    return "olv"


def route(question: str, last_day: dt.date | None) -> tuple[str, dict[str, Any]]:
    """Deterministic intent router (RU/EN keywords → catalogue tool + arguments)."""
    q = question.lower()
    period = route_period(question, last_day)
    if _has(q, r"медиаплан", r"media ?plan", r"pacing", r"темп", r"освоен", r"перерасход", r"недорасход",
            r"по плану", r"\bplan\b", r"план[а-я]*\b"):
        return "plan_pacing", {}
    if _has(q, r"охват", r"reach"):
        pct = re.search(r"(\d{1,2}(?:[.,]\d+)?)\s*%", q)
        grp = re.search(r"(\d{2,4})\s*(?:grp|trp|грп|трп)", q)
        if pct and _has(q, r"grp|trp|грп|трп|сколько|how many|нужн|need"):
            return "grp_for_reach", {"channel": _channel_word(q),
                                     "target_reach": float(pct.group(1).replace(",", ".")) / 100}
        if grp:
            return "reach_forecast", {"channel": _channel_word(q), "grp": float(grp.group(1))}
        return "campaign_reach", {}
    if _has(q, r"канал", r"channel", r"площадк", r"platform", r"сетям", r"по сетям"):
        return "channel_breakdown", period
    metric_words = (r"\bcpa\b", r"\bctr\b", r"\bcpc\b", r"расход", r"spend", r"клик", r"click", r"конверс",
                    r"conversion", r"лучш", r"худш", r"best", r"worst", r"top", r"топ", r"эффективн", r"perform")
    if _has(q, r"список кампаний", r"какие кампании", r"list (?:of )?(?:the )?campaigns", r"which campaigns") \
            and not _has(q, *metric_words):
        return "list_campaigns", {}
    if _has(q, r"кампани", r"campaign"):
        worst = _has(q, r"худш", r"worst", r"хуже", r"плох")
        if _has(q, r"\bcpa\b", r"стоимост\w* (?:конверс|лида|заявк)", r"cost per (?:acquisition|conversion)"):
            order = "cpa_worst" if worst else "cpa"
        elif _has(q, r"\bctr\b", r"кликабельн"):
            order = "ctr_worst" if worst else "ctr"
        elif _has(q, r"конверс", r"conversion", r"лид", r"заявк"):
            order = "conversions"
        elif _has(q, r"клик", r"click"):
            order = "clicks"
        else:
            order = "spend"
        return "campaign_breakdown", {**period, "order_by": order, "limit": 5}
    if _has(q, r"по дням", r"динамик", r"тренд", r"daily", r"by day", r"trend", r"each day"):
        metric = next((m for m, ws in (("ctr", ("ctr",)), ("cpc", ("cpc",)), ("cpa", ("cpa",)),
                                       ("clicks", ("клик", "click")), ("conversions", ("конверс", "conversion")),
                                       ("impressions", ("показ", "impression"))) if any(w in q for w in ws)), "spend")
        return "daily_series", {**period, "metric": metric}
    if _has(q, r"расход", r"потрат", r"затрат", r"spend", r"cost", r"\bctr\b", r"\bcpc\b", r"\bcpa\b", r"\bcr\b",
            r"клик", r"click", r"показ", r"impression", r"конверс", r"conversion", r"итог", r"total", r"результат",
            r"perform", r"эффективн", r"сколько", r"how much", r"how many"):
        return "performance_totals", period
    return "search_knowledge_base", {"query": question[:500]}


# ----------------------------------------------------------------------------------------- template writer
def _money(v: Any, lang: str) -> str:
    return "—" if v is None else f"{fmt_num(float(v), lang, 0)} {'₽' if lang == 'ru' else 'RUB'}"


def _dec(v: Any, lang: str) -> str:
    return "—" if v is None else fmt_num(float(v), lang, 2)


def _pct(v: Any, lang: str) -> str:
    return "—" if v is None else fmt_pct(float(v), lang, 2)


def _per(r: dict[str, Any], ru: bool) -> str:
    a, b = r.get("date_from"), r.get("date_to")
    if a == b:
        return f"за {a}" if ru else f"on {a}"
    return f"за {a} — {b}" if ru else f"for {a} to {b}"


def write_answer(call: ToolCall, lang: str) -> str:
    """Deterministic RU/EN text from one tool result; every number in it is a field of the result."""
    ru = lang == "ru"
    if call.error:
        return (f"Не удалось получить данные: {call.error}" if ru else f"Could not get the data: {call.error}")
    r = call.result
    if call.tool == "performance_totals":
        t = r.get("totals") or {}
        if not t or not t.get("impressions") and not t.get("spend_net"):
            return f"Нет данных {_per(r, ru)}." if ru else f"No data {_per(r, ru)}."
        if ru:
            return (f"Итоги {_per(r, ru)}: расход {_money(t['spend_net'], lang)} без НДС ({_money(t['spend_gross'], lang)} "
                    f"с НДС), показов {fmt_num(t['impressions'], lang)}, кликов {fmt_num(t['clicks'], lang)}, CTR "
                    f"{_pct(t['ctr'], lang)}, CPC {_dec(t['cpc'], lang)} ₽, конверсий {fmt_num(t['conversions'], lang)}, "
                    f"CPA {_dec(t['cpa'], lang)} ₽, CR {_pct(t['cr'], lang)}.")
        return (f"Totals {_per(r, ru)}: spend {_money(t['spend_net'], lang)} net of VAT ({_money(t['spend_gross'], lang)} "
                f"gross), {fmt_num(t['impressions'], lang)} impressions, {fmt_num(t['clicks'], lang)} clicks, CTR "
                f"{_pct(t['ctr'], lang)}, CPC {_dec(t['cpc'], lang)} RUB, {fmt_num(t['conversions'], lang)} conversions, "
                f"CPA {_dec(t['cpa'], lang)} RUB, CR {_pct(t['cr'], lang)}.")
    if call.tool == "campaign_breakdown":
        rows = r.get("campaigns") or []
        if not rows:
            return f"Нет данных по кампаниям {_per(r, ru)}." if ru else f"No campaign data {_per(r, ru)}."
        items = "; ".join(
            f"{c['campaign_name'] or c['campaign_id']} — " + (
                f"расход {_money(c['spend_net'], lang)}, кликов {fmt_num(c['clicks'], lang)}, CTR {_pct(c['ctr'], lang)}, "
                f"конверсий {fmt_num(c['conversions'], lang)}, CPA {_dec(c['cpa'], lang)} ₽" if ru else
                f"spend {_money(c['spend_net'], lang)}, {fmt_num(c['clicks'], lang)} clicks, CTR {_pct(c['ctr'], lang)}, "
                f"{fmt_num(c['conversions'], lang)} conversions, CPA {_dec(c['cpa'], lang)} RUB") for c in rows)
        head = {"spend": ("по расходу", "by spend"), "clicks": ("по кликам", "by clicks"),
                "conversions": ("по конверсиям", "by conversions"), "impressions": ("по показам", "by impressions"),
                "cpa": ("по лучшему CPA", "by best CPA"), "ctr": ("по лучшему CTR", "by best CTR"),
                "cpa_worst": ("по худшему CPA", "by worst CPA"), "ctr_worst": ("по худшему CTR", "by worst CTR")}
        h = head[r["order_by"]][0 if ru else 1]
        return (f"Кампании {h} {_per(r, ru)}: {items}." if ru else f"Campaigns {h} {_per(r, ru)}: {items}.")
    if call.tool == "channel_breakdown":
        rows = r.get("channels") or []
        if not rows:
            return f"Нет данных по каналам {_per(r, ru)}." if ru else f"No channel data {_per(r, ru)}."
        items = "; ".join(f"{c['channel']}: " + (
            f"расход {_money(c['spend_net'], lang)}, кликов {fmt_num(c['clicks'], lang)}, CPA {_dec(c['cpa'], lang)} ₽"
            if ru else f"spend {_money(c['spend_net'], lang)}, {fmt_num(c['clicks'], lang)} clicks, "
                       f"CPA {_dec(c['cpa'], lang)} RUB") for c in rows)
        return f"Каналы {_per(r, ru)}: {items}." if ru else f"Channels {_per(r, ru)}: {items}."
    if call.tool == "daily_series":
        rows = [x for x in r.get("series") or [] if x.get("value") is not None]
        if not rows:
            return f"Нет данных {_per(r, ru)}." if ru else f"No data {_per(r, ru)}."
        metric = r["metric"]

        def v(x: Any) -> str:
            return _pct(x, lang) if metric == "ctr" else _dec(x, lang) if metric in ("cpc", "cpa") else fmt_num(float(x), lang)
        hi = max(rows, key=lambda x: x["value"])
        lo = min(rows, key=lambda x: x["value"])
        return (f"{metric} по дням {_per(r, ru)}: первый день {v(rows[0]['value'])}, последний {v(rows[-1]['value'])}; "
                f"максимум {v(hi['value'])} ({hi['date_day']}), минимум {v(lo['value'])} ({lo['date_day']})." if ru else
                f"Daily {metric} {_per(r, ru)}: first day {v(rows[0]['value'])}, last {v(rows[-1]['value'])}; "
                f"high {v(hi['value'])} ({hi['date_day']}), low {v(lo['value'])} ({lo['date_day']}).")
    if call.tool == "plan_pacing":
        rows = r.get("lines") or []
        if not rows:
            return "Нет медиапланов с фактом по этому клиенту." if ru else "No media plan with actuals for this client."
        st = {"under": ("отставание", "under-delivering"), "over": ("перерасход", "over-delivering"),
              "on_track": ("по плану", "on track"), "not_planned": ("не запланировано", "not planned")}
        items = "; ".join(
            f"{x['line_id']} ({x['channel']}): " + (
                f"на {x['as_of']}: план {_money(x['planned_to_date'], lang)}, факт {_money(x['actual_to_date'], lang)}, "
                f"темп {_pct(x['pacing_ratio'], lang)}, прогноз к концу {_money(x['forecast_end_of_flight'], lang)} при "
                f"бюджете {_money(x['line_budget_net'], lang)} — {st.get(x['pacing_status'], (x['pacing_status'],) * 2)[0]}"
                if ru else
                f"as of {x['as_of']}: planned {_money(x['planned_to_date'], lang)}, actual {_money(x['actual_to_date'], lang)}, "
                f"pacing {_pct(x['pacing_ratio'], lang)}, forecast {_money(x['forecast_end_of_flight'], lang)} against a "
                f"budget of {_money(x['line_budget_net'], lang)} — {st.get(x['pacing_status'], (x['pacing_status'],) * 2)[1]}")
            for x in rows)
        return f"Выполнение медиаплана: {items}." if ru else f"Media plan pacing: {items}."
    if call.tool == "campaign_reach":
        rows = r.get("reach") or []
        if not rows:
            return "Нет данных об охвате." if ru else "No reach data."
        items = "; ".join(f"{x['campaign_id']} ({x['window_start']} — {x['window_end']}): " + (
            f"охват {fmt_num(x['reach'], lang)}, контактов {fmt_num(x['contacts'], lang)}" if ru else
            f"reach {fmt_num(x['reach'], lang)}, {fmt_num(x['contacts'], lang)} contacts") for x in rows[:5])
        tail = " Охват по кампаниям не суммируется." if ru else " Reach does not add up across campaigns."
        return (f"Охват: {items}.{tail}" if ru else f"Reach: {items}.{tail}")
    if call.tool == "list_campaigns":
        rows = r.get("campaigns") or []
        items = ", ".join(f"{c['campaign_name'] or c['campaign_id']} ({c['platform']})" for c in rows[:20])
        return (f"Кампании клиента: {items or 'нет'}." if ru else f"The client's campaigns: {items or 'none'}.")
    if call.tool == "reach_forecast":
        return (f"Прогноз охвата {r['channel']} при {fmt_num(r['grp'], lang)} GRP: {_pct(r['reach'], lang)} "
                f"(модель: {r['model']})." if ru else
                f"Forecast reach of {r['channel']} at {fmt_num(r['grp'], lang)} GRP: {_pct(r['reach'], lang)} "
                f"(model: {r['model']}).")
    if call.tool == "grp_for_reach":
        return (f"Для охвата {_pct(r['target_reach'], lang)} в канале {r['channel']} нужно {fmt_num(r['grp'], lang, 1)} "
                f"GRP (модель: {r['model']})." if ru else
                f"{r['channel']} needs {fmt_num(r['grp'], lang, 1)} GRP for {_pct(r['target_reach'], lang)} reach "
                f"(model: {r['model']}).")
    if call.tool == "search_knowledge_base":
        hits = r.get("hits") or []
        if not hits:
            return "В базе знаний нет ответа на этот вопрос." if ru else "The knowledge base has no answer to this question."
        from assistants.kb.store import snippet

        lead = "Согласно источникам:" if ru else "According to the sources:"
        return f"{lead} " + " ".join(f"{snippet(h['text'], 280)} [{h['chunk_id']}]" for h in hits[:2])
    return json.dumps(r, ensure_ascii=False)[:500]


# ----------------------------------------------------------------------------------------- grounding
def number_provenance(text: str, calls: list[ToolCall]) -> tuple[list[dict[str, Any]], list[str]]:
    """Each number in `text` with the first tool call whose result contains it; plus the numbers none contains."""
    found, missing = [], []
    for n in extract_numbers(text):
        src = next((c for c in calls if (c.result or c.error)
                    and not ungrounded_numbers(n.text, c.result or {"error": c.error})), None)
        if src is None:
            missing.append(n.text)
        else:
            found.append({"text": n.text, "value": n.value, "tool_call_id": src.id, "tool": src.tool})
    return found, missing


def _citations(calls: list[ToolCall], wanted: list[str] | None) -> list[dict[str, Any]]:
    hits = [h for c in calls if c.tool == "search_knowledge_base" for h in c.result.get("hits", [])]
    by_id = {h["chunk_id"]: h for h in hits}
    ids = [c for c in (wanted or []) if c in by_id] if wanted is not None else list(by_id)[:2]
    return [{k: by_id[i][k] for k in ("chunk_id", "source_path", "heading", "line_start", "line_end")} for i in ids]


# ----------------------------------------------------------------------------------------- entry point
def ask(ch: Any, tenant_id: str, client_id: str, question: str, lang: str | None = None, *, gateway: Any = None,
        marts_db: str = "marts", max_steps: int = 6, deadline_s: float = 120.0) -> AnalystAnswer:
    """Answer QUESTION about CLIENT of TENANT (both bound by the caller, never read from the question)."""
    from assistants.kb.loaders import guess_language

    scope = Scope(tenant_id, client_id, marts_db)
    lang = lang or guess_language(question)
    if lang not in ("ru", "en"):
        raise ValueError(f"lang must be 'ru' or 'en', got {lang!r}")
    if not question.strip():
        raise ValueError("empty question / пустой вопрос")
    if gateway is None:
        from assistants.llm import Gateway

        gateway = Gateway.from_env(ch)
    last_day = last_data_day(ch, scope)
    if gateway.offline:
        return _offline(ch, scope, question, lang, last_day, gateway)
    return _online(ch, scope, question, lang, last_day, gateway, max_steps, deadline_s)


def _offline(ch: Any, scope: Scope, question: str, lang: str, last_day: dt.date | None, gw: Any,
             provider: str = "", note: str = "") -> AnalystAnswer:
    from assistants.llm import LLMResult, load_prompt

    tool, args = route(question, last_day)
    call = run_tool(ch, scope, tool, args, "offline-1")
    calls = [call]
    text = write_answer(call, lang)
    numbers, missing = number_provenance(text, calls)
    if missing:  # a template that needs a constant must carry it in its evidence; fail loudly in tests
        raise AssertionError(f"offline analyst template produced ungrounded numbers {missing} for {tool}")
    prompt = load_prompt("analyst_agent")
    if not provider:
        # usage row for the offline answer too (provider offline, cost 0), like every gateway call
        res = LLMResult(data={}, model="offline-router-v1", provider="offline", prompt_name=prompt.name,
                        prompt_version=prompt.version, request_hash="", call_id=f"analyst-{id(call)}")
        gw._record_usage(scope.tenant_id, "analyst", res, latency_ms=0, status="ok")
        provider = res.label
    label = "[offline] " if provider.startswith("offline") else ""
    return AnalystAnswer(question, f"{label}{text}", lang, provider, calls, numbers, _citations(calls, None),
                         True, note or f"router: {tool}")


def _online(ch: Any, scope: Scope, question: str, lang: str, last_day: dt.date | None, gw: Any,
            max_steps: int, deadline_s: float) -> AnalystAnswer:
    from assistants.agents.loop import run_tool_loop
    from assistants.llm import LLMError, load_prompt

    prompt = load_prompt("analyst_agent")
    calls: list[ToolCall] = []

    def execute(name: str, args: Any, call_id: str) -> tuple[str, bool]:
        call = run_tool(ch, scope, name, args, call_id)
        calls.append(call)
        if call.error:
            return json.dumps({"error": call.error}, ensure_ascii=False), True
        return json.dumps(call.result, ensure_ascii=False, default=str), False

    try:
        out = run_tool_loop(
            gw, tenant_id=scope.tenant_id, purpose="analyst", prompt=prompt,
            variables={"client_id": scope.client_id, "last_day": last_day.isoformat() if last_day else "none",
                       "language_name": "Russian" if lang == "ru" else "English", "question": question},
            tools=[t.anthropic_spec() for t in TOOLS.values()], execute=execute, final_tool=FINAL_TOOL,
            max_steps=max_steps, deadline_s=deadline_s)
    except LLMError as exc:
        log.warning("analyst: Claude loop failed (%s); answering with the offline router", exc)
        return _offline(ch, scope, question, lang, last_day, gw, provider="offline-fallback",
                        note=f"template-fallback(llm error: {exc})")
    text = str(out.final.get("answer", "")).strip()
    numbers, missing = number_provenance(text, calls)
    if missing or not text:
        log.warning("analyst: ungrounded numbers %s in the model's answer; template fallback", missing)
        ans = _offline(ch, scope, question, lang, last_day, gw, provider=f"{out.label}+template-fallback",
                       note=f"template-fallback(ungrounded: {', '.join(missing) or 'empty answer'})")
        ans.tool_calls = calls + ans.tool_calls
        return ans
    return AnalystAnswer(question, text, lang, out.label, calls, numbers,
                         _citations(calls, list(out.final.get("citations") or [])), True, f"steps: {out.steps}")
