"""Analyst assistant: answers questions about one client's performance from the fixed tool catalogue.

With ANTHROPIC_API_KEY: Claude picks tools in a loop (assistants.agents.loop). Offline: the question is read
into slots (assistants.agents.understand: metric, platform, period, comparison, top-N; a follow-up keeps the
previous turn's), one catalogue tool answers them, and a template phrases the result. Every tool is a metric-layer
query; every number in the text must match a tool result (assistants.llm.numbers post-check), otherwise the
template answer replaces the model's text. `numbers` lists each with its source (metric, filters, period).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass, field
from typing import Any

from assistants.agents.tools import (
    COST_METRICS,
    TOOLS,
    TOTALS_DEFAULT,
    Asker,
    Scope,
    ToolCall,
    last_data_day,
    run_tool,
)
from assistants.agents.understand import Slots, understand
from assistants.llm.numbers import extract_numbers, fmt_num, fmt_pct, ungrounded_numbers
from metrics.catalogue import METRICS
from mrm.i18n import refusal, t

log = logging.getLogger(__name__)

FINAL_TOOL = {
    "name": "submit_answer",
    "description": "Submit the final answer to the user's question.",
    "input_schema": {
        "type": "object",
        "properties": {
            "answer": {
                "type": "string",
                "description": "The answer; every number must come from a tool result.",
            },
            "citations": {
                "type": "array",
                "items": {"type": "string"},
                "description": "chunk ids of knowledge-base passages relied on",
            },
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
    slots: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        plain = (
            "question",
            "answer",
            "language",
            "provider",
            "grounded",
            "note",
            "numbers",
            "citations",
            "slots",
        )
        return {k: getattr(self, k) for k in plain} | {"tool_calls": [c.as_dict() for c in self.tool_calls]}


# ----------------------------------------------------------------------------------------- slots → tool call
def call_for(slots: Slots) -> tuple[str, dict[str, Any]]:
    """The catalogue tool and arguments that answer `slots` (the offline path's only way to data)."""
    dates = {k: v for k, v in (("date_from", slots.date_from), ("date_to", slots.date_to)) if v}
    plat = {"platform": slots.platform} if slots.platform else {}
    comp = {"compare": slots.compare} if slots.compare else {}
    first = slots.metrics[0] if slots.metrics else "spend"
    if slots.intent == "totals":
        return "performance_totals", {
            **dates,
            **plat,
            **comp,
            "metrics": slots.metrics or list(TOTALS_DEFAULT),
        }
    if slots.intent == "top":
        return "campaign_breakdown", {
            **dates,
            **plat,
            "order_by": first,
            "direction": slots.direction,
            "limit": slots.top_n or 5,
        }
    if slots.intent == "platforms":
        return "platform_breakdown", {**dates, **comp, "metrics": slots.metrics or list(TOTALS_DEFAULT)}
    if slots.intent == "daily":
        return "daily_series", {**dates, **plat, "metric": first}
    if slots.intent == "site_reach":
        return "site_reach", {**dates, **plat}
    if slots.intent == "plan":
        return "plan_vs_fact", dates
    if slots.intent == "reach_forecast":
        return "reach_forecast", {"channel": slots.channel, "grp": slots.number}
    if slots.intent == "grp_for_reach":
        return "grp_for_reach", {"channel": slots.channel, "target_reach": slots.number}
    return "search_knowledge_base", {"query": slots.query or "?"}


# ----------------------------------------------------------------------------------------- template writer
_CUR = {"RUB": "₽"}


def fmt_value(v: Any, unit: str, lang: str, currency: str = "RUB") -> str:
    """A metric value as the answer shows it: money with its currency, ratios as percent, counts whole."""
    if v is None:
        return "—"
    if unit == "money":
        return f"{fmt_num(float(v), lang, 2)} {_CUR.get(currency, currency) if lang == 'ru' else currency}"
    if unit == "fraction":
        return fmt_pct(float(v), lang, 2)
    if unit == "multiple":
        return fmt_num(float(v), lang, 2)
    return fmt_num(float(v), lang, 0 if float(v).is_integer() else 2)


def _change(v: Any, lang: str) -> str:
    if v is None:
        return "—"
    return ("+" if v > 0 else "") + fmt_pct(float(v), lang, 1)


def _per(r: dict[str, Any], lang: str) -> str:
    a, b = r.get("date_from"), r.get("date_to")
    if a == b:
        return t("asst_on_day", lang, day=a)
    return t("asst_for_period", lang, start=a, end=b)


class _Facts:
    """The numbers an answer states, each with its source: tool call, metric, filters, period (and campaign)."""

    def __init__(self, call: ToolCall, lang: str) -> None:
        self.call, self.lang, self.items = call, lang, []  # type: ignore[var-annotated]
        r = call.result
        self.units = {m["name"]: m for m in r.get("metrics", [])}
        self.currency = r.get("currency") or "RUB"
        self.base = {
            "tool": call.tool,
            "tool_call_id": call.id,
            "period": r.get("period"),
            "filters": r.get("filters") or {},
        }

    def label(self, metric: str) -> str:
        m = self.units.get(metric)
        return str(m["label"]) if m else (METRICS[metric].label(self.lang) if metric in METRICS else metric)

    def add(
        self, metric: str, value: Any, *, text: str | None = None, unit: str | None = None, **where: Any
    ) -> str:
        u = unit or str(
            self.units.get(metric, {}).get("unit") or (METRICS[metric].unit if metric in METRICS else "count")
        )
        shown = text if text is not None else fmt_value(value, u, self.lang, self.currency)
        if value is not None:
            src = self.base | {"metric": metric} | where
            self.items.append(
                {
                    "metric": metric,
                    "label": self.label(metric),
                    "value": value,
                    "unit": u,
                    "text": shown,
                    "source": src,
                }
            )
        return shown


def _metric_list(f: _Facts, row: dict[str, Any], metrics: list[str], r: dict[str, Any], **where: Any) -> str:
    parts = []
    for m in metrics:
        s = f"{f.label(m)} {f.add(m, row.get(m), **where)}"
        if r.get("compare") and f"{m}_previous" in row:
            cp = r.get("compare_period") or {}
            prev = f.add(m, row.get(f"{m}_previous"), period=cp, **where)
            chg = f.add(
                f"{m}_change",
                row.get(f"{m}_change"),
                text=_change(row.get(f"{m}_change"), f.lang),
                unit="fraction",
                **where,
            )
            s += f" ({t('asst_before_change', f.lang, before=prev, change=chg)})"
        parts.append(s)
    return ", ".join(parts)


def _scope_note(r: dict[str, Any], lang: str) -> str:
    plat = ", ".join((r.get("filters") or {}).get("platform", [])) or t("asst_all_platforms", lang)
    comp = ""
    if r.get("compare_period"):
        cp = r["compare_period"]
        comp = "; " + t("asst_compared_with_period", lang, start=cp["date_from"], end=cp["date_to"])
    vat = "" if r.get("vat") != "net" else ", " + t("dl_vat_net", lang)
    return f"{_per(r, lang)} ({plat}){vat}{comp}"


def write_answer(call: ToolCall, lang: str) -> tuple[str, list[dict[str, Any]]]:
    """Deterministic RU/EN text from one tool result and the numbers it states, each with its source."""
    f = _Facts(call, lang)
    if call.error:
        return t("asst_ans_no_data_got", lang, error=call.error), []
    r = call.result
    if call.tool == "performance_totals":
        tot = r.get("totals") or {}
        if not tot or all(tot.get(m) in (None, 0) for m in tot if not m.endswith(("_previous", "_change"))):
            return t("asst_ans_no_data", lang, scope=_scope_note(r, lang)), []
        metrics = [m["name"] for m in r.get("metrics", [])]
        return t(
            "asst_ans_totals", lang, scope=_scope_note(r, lang), metrics=_metric_list(f, tot, metrics, r)
        ), f.items
    if call.tool == "campaign_breakdown":
        rows = r.get("campaigns") or []
        if not rows:
            return t("asst_ans_no_campaign_data", lang, scope=_scope_note(r, lang)), []
        m = r["order_by"]
        low_first = (m in COST_METRICS) == (r["direction"] == "best")
        order = t("asst_ans_low_first" if low_first else "asst_ans_high_first", lang)
        items = []
        for c in rows:
            i = c.get("rank", "")
            name = c.get("campaign_id_name") or c["campaign_id"]
            where = {"campaign_id": c["campaign_id"], "campaign": name}
            items.append(
                f"{i}) {name} [{c.get('platform', '')}] — {f.label(m)} {f.add(m, c.get(m), **where)}"
            )
        head = t("asst_ans_campaigns_by", lang, metric=f.label(m), order=order, scope=_scope_note(r, lang))
        return f"{head}: " + "; ".join(items) + ".", f.items
    if call.tool == "platform_breakdown":
        rows = r.get("platforms") or []
        if not rows:
            return t("asst_ans_no_data", lang, scope=_scope_note(r, lang)), []
        metrics = [m["name"] for m in r.get("metrics", [])]
        items = [f"{p['platform']}: {_metric_list(f, p, metrics, r, platform=p['platform'])}" for p in rows]
        return t("asst_ans_by_platform", lang, scope=_scope_note(r, lang), items="; ".join(items)), f.items
    if call.tool == "daily_series":
        rows = [x for x in r.get("series") or [] if x.get("value") is not None]
        if not rows:
            return t("asst_ans_no_data", lang, scope=_scope_note(r, lang)), []
        m = r["metric"]
        hi = max(rows, key=lambda x: x["value"])
        lo = min(rows, key=lambda x: x["value"])

        def v(x: dict[str, Any]) -> str:
            return f.add(m, x["value"], day=x["date_day"])

        return t(
            "asst_ans_daily",
            lang,
            metric=f.label(m),
            scope=_scope_note(r, lang),
            first=v(rows[0]),
            last=v(rows[-1]),
            high=v(hi),
            high_day=hi["date_day"],
            low=v(lo),
            low_day=lo["date_day"],
        ), f.items
    if call.tool == "site_reach":
        row = r.get("reach") or {}
        if not row.get("unique_visitors"):
            return t("asst_ans_no_reach_data", lang, scope=_scope_note(r, lang)), []
        shown = _metric_list(f, row, ["unique_visitors", "visits_per_visitor"], r)
        return t("asst_ans_site_reach", lang, scope=_scope_note(r, lang), metrics=shown), f.items
    if call.tool == "plan_vs_fact":
        tot = r.get("total") or {}
        where = {"plan_id": r["plan_id"], "plan_version": r["plan_version"]}
        trio = ["plan_spend", "fact_spend", "pacing"]
        total = _metric_list(f, tot, trio, r, **where)  # the plan's totals first, then its lines
        lines = "; ".join(
            f"{x['line_id']} ({x['channel']}): {_metric_list(f, x, trio, r, line_id=x['line_id'], **where)}"
            for x in r.get("lines") or []
        )
        head = t("asst_ans_plan_head", lang, plan=r["plan_id"], version=r["plan_version"])
        return t(
            "asst_ans_plan_vs_fact", lang, head=head, scope=_scope_note(r, lang), total=total, lines=lines
        ), f.items
    if call.tool == "reach_forecast":
        shown = f.add(
            "reach", r["reach"], unit="fraction", channel=r["channel"], grp=r["grp"], model=r["model"]
        )
        grp = fmt_num(r["grp"], lang)
        return t(
            "asst_ans_reach_forecast", lang, channel=r["channel"], grp=grp, reach=shown, model=r["model"]
        ), f.items
    if call.tool == "grp_for_reach":
        shown = f.add(
            "grp",
            r["grp"],
            text=fmt_num(r["grp"], lang, 1),
            unit="grp",
            channel=r["channel"],
            target_reach=r["target_reach"],
            model=r["model"],
        )
        tr = fmt_pct(r["target_reach"], lang, 2)
        return t(
            "asst_ans_grp_for_reach", lang, reach=tr, channel=r["channel"], grp=shown, model=r["model"]
        ), f.items
    if call.tool == "search_knowledge_base":
        hits = r.get("hits") or []
        if not hits:
            return t("asst_kb_no_answer", lang), []
        from assistants.kb.store import snippet

        lead = t("asst_kb_according", lang)
        return f"{lead} " + " ".join(f"{snippet(h['text'], 280)} [{h['chunk_id']}]" for h in hits[:2]), []
    return json.dumps(r, ensure_ascii=False)[:500], []


# ----------------------------------------------------------------------------------------- grounding
def number_provenance(text: str, calls: list[ToolCall]) -> tuple[list[dict[str, Any]], list[str]]:
    """Each number in `text` with the first tool call whose result contains it; plus the numbers none contains."""
    found, missing = [], []
    for n in extract_numbers(text):
        src = next(
            (
                c
                for c in calls
                if (c.result or c.error) and not ungrounded_numbers(n.text, c.result or {"error": c.error})
            ),
            None,
        )
        if src is None:
            missing.append(n.text)
        else:
            found.append({"text": n.text, "value": n.value, "tool_call_id": src.id, "tool": src.tool})
    return found, missing


def _citations(calls: list[ToolCall], wanted: list[str] | None) -> list[dict[str, Any]]:
    hits = [h for c in calls if c.tool == "search_knowledge_base" for h in c.result.get("hits", [])]
    by_id = {h["chunk_id"]: h for h in hits}
    ids = [c for c in (wanted or []) if c in by_id] if wanted is not None else list(by_id)[:2]
    return [{k: by_id[i][k] for k in ("chunk_id", "title", "heading", "line_start", "line_end")} for i in ids]


def _with_sources(numbers: list[dict[str, Any]], calls: list[ToolCall]) -> list[dict[str, Any]]:
    """The model's numbers with the period and filters of the tool call each was found in."""
    by_id = {c.id: c for c in calls}
    out = []
    for n in numbers:
        r = by_id[n["tool_call_id"]].result
        out.append(
            n
            | {
                "source": {
                    "tool": n["tool"],
                    "tool_call_id": n["tool_call_id"],
                    "period": r.get("period"),
                    "filters": r.get("filters") or {},
                    "compare_period": r.get("compare_period"),
                }
            }
        )
    return out


# ----------------------------------------------------------------------------------------- entry point
MAX_QUESTION = 2000


def check_question(question: str) -> None:
    """Refuse an empty or over-long question politely (before anything runs)."""
    if not question or not question.strip():
        raise refusal(ValueError, "dash_empty_question")
    if len(question) > MAX_QUESTION:
        raise refusal(ValueError, "asst_question_too_long", limit=MAX_QUESTION)


def ask(
    ch: Any,
    principal: Any,
    client_id: str,
    question: str,
    lang: str | None = None,
    *,
    gateway: Any = None,
    marts_db: str | None = None,
    max_steps: int = 6,
    deadline_s: float = 120.0,
    previous: Slots | None = None,
) -> AnalystAnswer:
    """Answer QUESTION about CLIENT for PRINCIPAL (a tenant id means an operator of that tenant); scope is bound
    by the caller and checked by the metric layer, never read from the question. `previous` is the thread's last
    analyst turn, for follow-ups."""
    from assistants.kb.loaders import guess_language

    if isinstance(principal, str):
        principal = Asker(principal, "cli", "admin")
    check_question(question)
    lang = lang or guess_language(question)
    if lang not in ("ru", "en"):
        raise ValueError(f"lang must be 'ru' or 'en', got {lang!r}")
    scope = Scope(principal, client_id, marts_db, lang)
    if gateway is None:
        from assistants.llm import Gateway

        gateway = Gateway.from_env(ch)
    turn = _Turn(ch, scope, question, lang, last_data_day(ch, scope), gateway, previous)
    if gateway.offline:
        return _offline(turn)
    return _online(turn, max_steps, deadline_s)


@dataclass(frozen=True)
class _Turn:
    """One question as `ask` bound it: what both the offline router and the Claude loop answer from."""

    ch: Any
    scope: Scope
    question: str
    lang: str
    last_day: dt.date | None
    gw: Any
    previous: Slots | None = None


def _offline(t: _Turn, provider: str = "", note: str = "") -> AnalystAnswer:
    from assistants.llm import LLMResult, load_prompt

    ch, scope, question, lang, last_day, gw = t.ch, t.scope, t.question, t.lang, t.last_day, t.gw
    slots = understand(question, last_day, t.previous)
    tool, args = call_for(slots)
    call = run_tool(ch, scope, tool, args, "offline-1")
    calls = [call]
    text, numbers = write_answer(call, lang)
    _, missing = number_provenance(text, calls)
    if missing:  # a template that needs a constant must carry it in its evidence; fail loudly in tests
        raise AssertionError(f"offline analyst template produced ungrounded numbers {missing} for {tool}")
    prompt = load_prompt("analyst_agent")
    if not provider:
        # usage row for the offline answer too (provider offline, cost 0), like every gateway call
        res = LLMResult(
            data={},
            model="offline-router-v1",
            provider="offline",
            prompt_name=prompt.name,
            prompt_version=prompt.version,
            request_hash="",
            call_id=f"analyst-{id(call)}",
        )
        gw._record_usage(scope.tenant_id, "analyst", res, latency_ms=0, status="ok")
        provider = res.label
    label = "[offline] " if provider.startswith("offline") else ""
    return AnalystAnswer(
        question,
        f"{label}{text}",
        lang,
        provider,
        calls,
        numbers,
        _citations(calls, None),
        True,
        note or f"router: {tool}",
        slots.as_dict(),
    )


def _online(t: _Turn, max_steps: int, deadline_s: float) -> AnalystAnswer:
    from assistants.agents.loop import run_catalogue
    from assistants.llm import LLMError, load_prompt

    ch, scope, question, lang, last_day, gw = t.ch, t.scope, t.question, t.lang, t.last_day, t.gw
    previous = t.previous
    calls: list[ToolCall] = []
    # A follow-up is sent with what the previous turn asked (as data), so "and on VK?" has its referent.
    asked = question
    if previous is not None:
        asked = f"{question}\n\n(previous question's understood query: {json.dumps(previous.as_dict())})"
    try:
        out = run_catalogue(
            gw,
            ch,
            scope,
            calls,
            purpose="analyst",
            prompt=load_prompt("analyst_agent"),
            catalogue=TOOLS,
            variables={
                "client_id": scope.client_id,
                "last_day": last_day.isoformat() if last_day else "none",
                "question": asked,
            },
            max_steps=max_steps,
            deadline_s=deadline_s,
        )
    except LLMError as exc:
        log.warning("analyst: Claude loop failed (%s); answering with the offline router", exc)
        return _offline(t, provider="offline-fallback", note=f"template-fallback(llm error: {exc})")
    text = str(out.final.get("answer", "")).strip()
    numbers, missing = number_provenance(text, calls)
    if missing or not text:
        log.warning("analyst: ungrounded numbers %s in the model's answer; template fallback", missing)
        ans = _offline(
            t,
            provider=f"{out.label}+template-fallback",
            note=f"template-fallback(ungrounded: {', '.join(missing) or 'empty answer'})",
        )
        ans.tool_calls = calls + ans.tool_calls
        return ans
    slots = understand(question, last_day, previous)  # kept for the thread's next follow-up
    return AnalystAnswer(
        question,
        text,
        lang,
        out.label,
        calls,
        _with_sources(numbers, calls),
        _citations(calls, list(out.final.get("citations") or [])),
        True,
        f"steps: {out.steps}",
        slots.as_dict(),
    )
