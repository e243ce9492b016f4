"""Plan advisor: what-if budget moves, the optimizer's split and pacing on one selected media plan.

Every line of the plan gets its reach curve as the plan editor computes it (planning.editor): GRP = impressions /
universe x 100 (the line's TA size; a line stated in TRP/GRP keeps that figure), reach 1+ = max_reach x
(1 - e^(-k x GRP)) with the line's own (max_reach, k) or its channel's prior. A budget change buys GRP at the line's
own price, so GRP scales with the budget. Lines combine by Sainsbury, and the best split of a budget (or the least
budget for a target reach) comes from planning.optimizer, used read-only.

The tools are described once (`PLAN_TOOLS`): offline, the question's words pick one tool and its arguments; with
ANTHROPIC_API_KEY, Claude calls the same tools in the agent loop. Every number of the answer is a field of a tool
result, listed with its source (tool, plan, version, line).
"""

from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass
from typing import Any

from assistants.agents.tools import Scope, Tool, ToolCall, ToolError, catalogue, run_tool
from assistants.agents.tools import _obj as obj_schema
from assistants.agents.understand import PLATFORM_WORDS
from assistants.llm.numbers import fmt_num, fmt_pct
from mrm.i18n import carry, refusal, t

log = logging.getLogger(__name__)

# One universe for the optimizer: each line's price is restated so that a rouble buys the line's own GRP in it.
REF_UNIVERSE = 1_000_000.0
MODEL = (
    "per line: reach 1+ = max_reach x (1 - e^(-k x GRP)), GRP = impressions / universe x 100 at the line's price; "
    "lines combined by Sainsbury; best split by planning.optimizer"
)
_PID_WORDS = {pid: pattern for pattern, pid in PLATFORM_WORDS.items()}
# Channel words of a question -> channel family of planning.plan_math (what a selector names).
_FAMILY_WORDS = {
    r"\bolv\b|видео\w*|video|youtube|преролл\w*": "olv",
    r"\btv\b|\bтв\b|телевиз\w*|телевид\w*": "tv",
    r"радио|radio": "radio",
    r"наружк\w*|наружн\w*|\booh\b|outdoor|билборд\w*": "ooh",
    r"display|медийк\w*|медийн\w*|баннер\w*|banner\w*": "display",
    r"\bsearch\b|поиск\w*|контекст\w*": "search",
    r"social|соцсет\w*|соц\.? ?сет\w*": "social",
}


@dataclass(frozen=True)
class PlanScope(Scope):
    """The asker's client and the plan selected for the advisor (bound by the caller, never by the model)."""

    plan_id: str = ""


@dataclass(frozen=True)
class PlanLine:
    line_id: str
    budget: float
    grp: float  # at `budget`
    max_reach: float
    k: float
    curve: str  # "line" (the line's own) or "channel prior (<family>)"
    channel: str
    platform: str
    name: str
    family: str
    universe: float | None
    impressions: float | None

    @property
    def text(self) -> str:
        return f"{self.channel} {self.platform} {self.name}".lower()

    def opt_line(self) -> Any:
        """The line as the optimizer's Line: its GRP per rouble restated at REF_UNIVERSE."""
        from planning import optimizer

        cpm = 100_000.0 * self.budget / (self.grp * REF_UNIVERSE)
        return optimizer.Line(
            self.line_id, cpm, "negexp", {"max_reach": self.max_reach, "k": self.k}, 0.0, math.inf
        )

    def grp_at(self, budget: float) -> float:
        return self.grp * budget / self.budget

    def reach_at(self, budget: float) -> float:
        return float(self.opt_line().reach(budget, REF_UNIVERSE))


# ----------------------------------------------------------------------------------------- the plan's lines
_COLS = (
    "line_id", "channel", "platform", "campaign_name", "pricing_model", "unit_price", "budget_net",
    "planned_impressions", "planned_grp", "planned_trp", "ta_size", "extra",
)  # fmt: skip


def _plan_id(scope: Scope) -> str:
    pid = getattr(scope, "plan_id", "")
    if not pid:
        raise refusal(ToolError, "asst_no_plan_selected")
    return str(pid)


def load(ch: Any, scope: Scope) -> tuple[dict[str, Any], list[PlanLine], list[str]]:
    """The selected plan's newest version for the scope's tenant and client: header, priced lines, skipped lines."""
    from planning import editor, plan_math

    p = {"t": scope.tenant_id, "c": scope.client_id, "p": _plan_id(scope)}
    head = ch.query(
        "SELECT plan_version, name FROM app.media_plans WHERE tenant_id = {t:String} AND client_id = {c:String} "
        "AND plan_id = {p:String} ORDER BY plan_version DESC, imported_at DESC LIMIT 1",
        parameters=p,
    ).result_rows
    if not head:
        raise refusal(ToolError, "asst_plan_not_found_client", plan=repr(p["p"]))
    res = ch.query(
        "SELECT " + ", ".join(_COLS) + " FROM app.media_plan_lines_current WHERE tenant_id = {t:String} "  # noqa: S608
        "AND client_id = {c:String} AND plan_id = {p:String} ORDER BY line_no, line_id",
        parameters=p,
    )
    lines, skipped = [], []
    for r in res.result_rows:
        raw = dict(zip(res.column_names, r, strict=True))
        row = editor.from_store(raw)
        computed = editor.compute([row]).rows[0]
        grp = computed.get("grp") or plan_math.line_trp(raw)
        budget = float(raw["budget_net"] or 0.0)
        lid = str(raw["line_id"])
        if not grp or budget <= 0:
            skipped.append(lid)
            continue
        m, k = editor.curve_of(row)
        own = row.get("curve_max_reach") is not None and row.get("curve_k") is not None
        fam = plan_math.channel_family(str(raw["channel"] or ""), str(raw["platform"] or ""))
        lines.append(
            PlanLine(
                lid, budget, float(grp), float(m), float(k), "line" if own else f"channel prior ({fam})",
                str(raw["channel"] or ""), str(raw["platform"] or ""), str(raw["campaign_name"] or ""), fam,
                float(raw["ta_size"]) if raw["ta_size"] else None, computed.get("impressions"),
            )
        )  # fmt: skip
    if not lines:
        raise refusal(ToolError, "asst_plan_no_priced_lines", plan=repr(p["p"]))
    return {"plan_id": p["p"], "plan_version": int(head[0][0]), "name": head[0][1]}, lines, skipped


def _combined(lines: list[PlanLine], budgets: list[float]) -> float:
    from planning import optimizer

    return float(optimizer.combined_reach([ln.opt_line() for ln in lines], budgets, REF_UNIVERSE))


def _line_rows(lines: list[PlanLine], before: list[float], after: list[float]) -> list[dict[str, Any]]:
    return [
        {
            "line_id": ln.line_id, "channel": ln.channel, "platform": ln.platform,
            "budget_before": round(b0, 2), "budget_after": round(b1, 2), "delta": round(b1 - b0, 2),
            "grp_before": round(ln.grp_at(b0), 2), "grp_after": round(ln.grp_at(b1), 2),
            "reach_before": round(ln.reach_at(b0), 6), "reach_after": round(ln.reach_at(b1), 6),
            "max_reach": ln.max_reach, "k": ln.k, "curve": ln.curve,
        }
        for ln, b0, b1 in zip(lines, before, after, strict=True)
    ]  # fmt: skip


def _head(header: dict[str, Any], skipped: list[str]) -> dict[str, Any]:
    out = {"plan_id": header["plan_id"], "plan_version": header["plan_version"], "model": MODEL}
    if skipped:
        out["skipped_lines"] = (
            skipped  # no budget or no GRP: outside the curves, named so the answer can say so
        )
    return out


def _optimum(lines: list[PlanLine], budget: float | None, target: float | None) -> Any:
    from planning import optimizer

    spec: dict[str, Any] = {
        "universe": REF_UNIVERSE,
        "objective": "min_cost" if target is not None else "reach_1plus",
        "lines": [
            {"id": ln.line_id, "cpm": ln.opt_line().cpm, "curve": {"model": "negexp", "max_reach": ln.max_reach, "k": ln.k}}
            for ln in lines
        ],
    }  # fmt: skip
    if budget is not None:
        spec["budget"] = budget
    if target is not None:
        spec["target_reach"] = target
    try:
        return optimizer.optimize(optimizer.parse_problem(spec), with_frontier=False)
    except optimizer.OptimizeInputError as exc:
        raise carry(exc, ToolError(f"plan_optimize: {exc}")) from exc


# ----------------------------------------------------------------------------------------- tools
def _lines_tool(ch: Any, scope: Scope, a: dict[str, Any]) -> dict[str, Any]:
    header, lines, skipped = load(ch, scope)
    b = [ln.budget for ln in lines]
    return _head(header, skipped) | {
        "budget": round(sum(b), 2),
        "reach": round(_combined(lines, b), 6),
        "lines": [
            {k: v for k, v in r.items() if not k.endswith("_after") and k != "delta"}
            for r in _line_rows(lines, b, b)
        ],
    }


def select(lines: list[PlanLine], selector: str) -> list[PlanLine]:
    """Lines a selector names: a line id, a platform id (yandex_direct, vk_ads …), a channel family (olv, social …),
    or a word of the line's channel, platform or campaign name."""
    from planning.plan_math import DEFAULT_CURVES

    s = selector.strip().lower()
    by_id = [ln for ln in lines if ln.line_id.lower() == s]
    if by_id:
        return by_id
    if s in _PID_WORDS:
        hit = [ln for ln in lines if ln.platform == s or re.search(_PID_WORDS[s], ln.text)]
    elif s in DEFAULT_CURVES:
        hit = [ln for ln in lines if ln.family == s]
    else:
        hit = [ln for ln in lines if s and s in ln.text]
    if not hit:
        known = ", ".join(f"{ln.line_id} ({ln.channel} {ln.platform})".strip() for ln in lines)
        raise refusal(ToolError, "asst_no_line_matches", selector=repr(selector), lines=known)
    return hit


def _what_if(ch: Any, scope: Scope, a: dict[str, Any]) -> dict[str, Any]:
    header, lines, skipped = load(ch, scope)
    action = a["action"]
    src = select(lines, a.get("from") or "") if action in ("move", "cut") else []
    dst = select(lines, a.get("to") or "") if action in ("move", "add") else []
    if {ln.line_id for ln in src} & {ln.line_id for ln in dst}:
        raise refusal(ToolError, "asst_what_if_same_line", field="plan_what_if")
    base = sum(ln.budget for ln in (src or dst))
    if a.get("amount_rub") is not None:
        amount = float(a["amount_rub"])
    elif a.get("share_pct") is not None:
        amount = base * float(a["share_pct"]) / 100.0
    else:
        raise refusal(ToolError, "asst_what_if_no_amount", field="plan_what_if")
    if src and amount > base + 0.005:
        raise refusal(
            ToolError,
            "asst_what_if_too_much",
            field="plan_what_if",
            amount=f"{amount:.2f}",
            base=f"{base:.2f}",
        )
    before = [ln.budget for ln in lines]
    after = list(before)
    for group, sign in ((src, -1.0), (dst, 1.0)):
        total = sum(ln.budget for ln in group)
        for ln in group:
            i = lines.index(ln)
            after[i] += sign * amount * ln.budget / total
    r0, r1 = _combined(lines, before), _combined(lines, after)
    best = _optimum(lines, sum(after), None)
    return _head(header, skipped) | {
        "action": action,
        "from": a.get("from") or "",
        "to": a.get("to") or "",
        "share_pct": a.get("share_pct"),
        "amount": round(amount, 2),
        "budget_before": round(sum(before), 2),
        "budget_after": round(sum(after), 2),
        "reach_before": round(r0, 6),
        "reach_after": round(r1, 6),
        "reach_change": round(r1 - r0, 6),
        "lines": _line_rows(lines, before, after),
        "optimizer": {"budget": round(best.budget, 2), "best_reach": round(best.reach, 6)},
    }


def _optimize(ch: Any, scope: Scope, a: dict[str, Any]) -> dict[str, Any]:
    header, lines, skipped = load(ch, scope)
    before = [ln.budget for ln in lines]
    target = a.get("target_reach")
    budget = a.get("budget_rub")
    best = _optimum(lines, None if target is not None else (budget or sum(before)), target)
    after = [best.allocation[ln.line_id] for ln in lines]
    return _head(header, skipped) | {
        "objective": best.objective,
        "target_reach": target,
        "budget_before": round(sum(before), 2),
        "budget_after": round(best.budget, 2),
        "reach_before": round(_combined(lines, before), 6),
        "reach_after": round(best.reach, 6),
        "lines": _line_rows(lines, before, after),
    }


def _pacing(ch: Any, scope: Scope, a: dict[str, Any]) -> dict[str, Any]:
    call = run_tool(ch, scope, "plan_vs_fact", {"plan_id": _plan_id(scope)}, "pacing")
    if call.error:
        raise ToolError(call.error)
    return call.result


_SEL = {"type": "string", "maxLength": 80, "description": "Line id, platform id (yandex_direct, vk_ads, garpun) or "
        "channel family (olv, tv, radio, display, social, search, ooh)."}  # fmt: skip
PLAN_TOOLS: dict[str, Tool] = catalogue(
    Tool(
        "plan_lines",
        "The selected plan's lines: budget, GRP, reach 1+ and the curve (max_reach, k) of each, and the plan's "
        "combined reach (Sainsbury).",
        obj_schema({}),
        _lines_tool,
    ),
    Tool(
        "plan_what_if",
        "Reach before and after a budget change on the selected plan: move money between lines (action move, "
        "from, to), add money to lines (add, to) or cut it (cut, from); the amount in roubles or as a percent of "
        "the source lines' budget (of the target lines' for add). Also the optimizer's best reach for the new total.",
        obj_schema(
            {
                "action": {"type": "string", "enum": ["move", "add", "cut"]},
                "from": _SEL,
                "to": _SEL,
                "amount_rub": {"type": "number", "minimum": 0, "maximum": 1e11},
                "share_pct": {"type": "number", "minimum": 0, "maximum": 100},
            },
            ("action",),
        ),
        _what_if,
    ),
    Tool(
        "plan_optimize",
        "The optimizer's reach-maximising split of the plan's budget (or of budget_rub), or with target_reach "
        "the least budget that reaches it; reach before and after, per line.",
        obj_schema(
            {
                "budget_rub": {"type": "number", "minimum": 0, "maximum": 1e11},
                "target_reach": {"type": "number", "minimum": 0.01, "maximum": 0.99},
            }
        ),
        _optimize,
    ),
    Tool(
        "plan_pacing",
        "Pacing of the selected plan: planned against actual spend per line and in total, to date.",
        obj_schema({}),
        _pacing,
    ),
)


# ----------------------------------------------------------------------------------------- offline reading
_MOVE = r"перенес\w*|перенест\w*|перекин\w*|передвин\w*|перелож\w*|переве\w*|\bmove\w*|\bshift\w*|transfer\w*"
_ADD = r"добав\w*|\badd\w*|\bput\b|вложи\w*|увелич\w*|increas\w*|\bboost\w*|\+"
_CUT = r"убра\w*|убер\w*|сократ\w*|урез\w*|уменьш\w*|\bcut\w*|reduc\w*|remov\w*|\bdrop\w*"
_OPT = (
    r"оптимиз\w*|optimi[sz]\w*|перераспредел\w*|realloc\w*|rebalanc\w*|best split|лучш\w* (?:распредел|сплит)"
)
_PACE = r"pacing|освоени\w*|\bтемп\w*|plan vs\.? fact|план[- ]факт|on track|по графику"
_TO = r"(?:\bto|\binto|\bв|\bво|\bна|\bдля|towards)\s+(?:the\s+)?$"
_FROM = r"(?:\bfrom|\bиз|\bс|\bсо|\bот|\bof)\s+(?:the\s+)?$|бюджет\w*\s+$"
_UNIT = (
    (r"млрд\w*|billion|\bbn\b", 1e9),
    (r"млн\w*|million|\bmln\b|\bmio\b|\bm\b", 1e6),
    (r"тыс\w*|thousand|\bk\b|\bк\b", 1e3),
)


def _amount(q: str) -> float | None:
    for m in re.finditer(r"(\d+(?:[ \u00a0]\d{3})*(?:[.,]\d+)?)\s*([^\W\d]+\.?|₽)?", q):
        num = float(m.group(1).replace(" ", "").replace("\u00a0", "").replace(",", "."))
        unit = (m.group(2) or "").rstrip(".")
        if q[m.end(1) :].lstrip().startswith("%"):
            continue
        for pattern, scale in _UNIT:
            if unit and re.fullmatch(pattern, unit):
                return num * scale
        if re.fullmatch(r"₽|руб\w*|rub\w*|rouble\w*|ruble\w*", unit) or num >= 1000:
            return num
    return None


def _mentions(q: str) -> list[tuple[int, str]]:
    found = [(m.start(), pid) for pattern, pid in PLATFORM_WORDS.items() for m in re.finditer(pattern, q)]
    found += [(m.start(), fam) for pattern, fam in _FAMILY_WORDS.items() for m in re.finditer(pattern, q)]
    out: list[tuple[int, str]] = []
    for pos, sel in sorted(found):
        if not any(sel == s for _, s in out):
            out.append((pos, sel))
    return out


def plan_call(question: str) -> tuple[str, dict[str, Any]]:
    """The plan tool and arguments a question asks for (the offline path's reading; deterministic)."""
    q = re.sub(r"\s+", " ", question.lower().replace("ё", "е"))
    share = re.search(r"(\d{1,3}(?:[.,]\d+)?)\s*%", q)
    amount = _amount(q)
    size: dict[str, Any] = {"amount_rub": amount} if amount is not None else {}
    if not size and share:
        size = {"share_pct": float(share.group(1).replace(",", "."))}
    src: list[str] = []
    dst: list[str] = []
    loose: list[str] = []
    for pos, sel in _mentions(q):
        before = q[max(0, pos - 16) : pos]
        (dst if re.search(_TO, before) else src if re.search(_FROM, before) else loose).append(sel)
    if re.search(_MOVE, q) or (src and dst):
        for sel in loose:
            (src if not src else dst).append(sel)
    if size and src and dst:
        return "plan_what_if", {"action": "move", "from": src[0], "to": dst[0], **size}
    named = src + dst + loose
    if size and named and re.search(_CUT, q):
        return "plan_what_if", {"action": "cut", "from": named[0], **size}
    if size and named and (re.search(_ADD, q) or dst):
        return "plan_what_if", {"action": "add", "to": named[0], **size}
    if re.search(_PACE, q) and not re.search(_OPT, q):
        return "plan_pacing", {}
    if share and re.search(r"охват|reach", q):
        return "plan_optimize", {"target_reach": float(share.group(1).replace(",", ".")) / 100}
    if re.search(_OPT, q) or amount is not None:
        return "plan_optimize", {"budget_rub": amount} if amount is not None else {}
    return "plan_lines", {}


# ----------------------------------------------------------------------------------------- answer text
def _money(v: float, lang: str) -> str:
    return f"{fmt_num(v, lang)} {'₽' if lang == 'ru' else 'RUB'}"


def write_answer(call: ToolCall, lang: str) -> tuple[str, list[dict[str, Any]]]:
    """RU/EN text of one plan tool result and its numbers, each with its source (tool, plan, version, line)."""
    from assistants.agents.analyst import _Facts
    from assistants.agents.analyst import write_answer as analyst_answer

    if call.error:
        return t("asst_ans_could_not_compute", lang, error=call.error), []
    r = call.result
    if call.tool == "plan_pacing":
        return analyst_answer(ToolCall(call.id, "plan_vs_fact", call.arguments, r), lang)
    f = _Facts(call, lang)
    where = {"plan_id": r["plan_id"], "plan_version": r["plan_version"], "model": r["model"]}

    def pct(metric: str, v: float, **more: Any) -> str:
        return f.add(metric, v, text=fmt_pct(v, lang, 2), unit="fraction", **where, **more)

    def rub(metric: str, v: float, **more: Any) -> str:
        return f.add(metric, v, text=_money(v, lang), unit="money", **where, **more)

    def grp(metric: str, v: float, **more: Any) -> str:
        return f.add(metric, v, text=fmt_num(v, lang, 1), unit="grp", **where, **more)

    head = t("asst_ans_plan_head", lang, plan=r["plan_id"], version=r["plan_version"])
    parts: list[str] = []
    if call.tool == "plan_lines":
        budget = rub("budget", r["budget"])
        parts.append(t("asst_ans_plan_lines", lang, head=head, budget=budget, reach=pct("reach", r["reach"])))
        for ln in r["lines"]:
            lid = {"line_id": ln["line_id"]}
            grp_now = grp("grp", ln["grp_before"], **lid)
            budget = rub("budget", ln["budget_before"], **lid)
            now = t(
                "asst_ans_line_now",
                lang,
                budget=budget,
                grp=grp_now,
                reach=pct("reach", ln["reach_before"], **lid),
            )
            parts.append(f"- {ln['line_id']} ({ln['channel']}): {now}")
    else:
        if call.tool == "plan_what_if":
            verb = t(
                {"move": "asst_ans_move", "add": "asst_ans_add", "cut": "asst_ans_cut"}[r["action"]], lang
            )
            route = " → ".join(x for x in (r["from"], r["to"]) if x)
            parts.append(f"{head}, {verb} {rub('amount', r['amount'])} ({route}):")
        else:
            goal = (
                t("asst_ans_goal_least_budget", lang, reach=pct("target_reach", r["target_reach"]))
                if r.get("target_reach") is not None
                else t("asst_ans_goal_best_split", lang)
            )
            parts.append(f"{head}, {goal}:")
        reach_before = pct("reach_before", r["reach_before"])
        reach_after = pct("reach_after", r["reach_after"])
        budget_before = rub("budget_before", r["budget_before"])
        parts.append(
            t(
                "asst_ans_plan_change",
                lang,
                reach_before=reach_before,
                reach_after=reach_after,
                budget_before=budget_before,
                budget_after=rub("budget_after", r["budget_after"]),
            )
        )
        for ln in r["lines"]:
            if abs(ln["delta"]) < 0.5:
                continue
            lid = {"line_id": ln["line_id"]}
            change = t(
                "asst_ans_line_change",
                lang,
                budget_before=rub("budget_before", ln["budget_before"], **lid),
                budget_after=rub("budget_after", ln["budget_after"], **lid),
                grp_before=grp("grp_before", ln["grp_before"], **lid),
                grp_after=grp("grp_after", ln["grp_after"], **lid),
                reach_before=pct("reach_before", ln["reach_before"], **lid),
                reach_after=pct("reach_after", ln["reach_after"], **lid),
            )
            parts.append(f"- {ln['line_id']} ({ln['channel']}): {change}")
        if call.tool == "plan_what_if":
            best = r["optimizer"]["best_reach"]
            parts.append(t("asst_ans_optimizer_best", lang, reach=pct("optimizer_best_reach", best)))
    if r.get("skipped_lines"):
        parts.append(t("asst_ans_skipped_lines", lang, lines=", ".join(r["skipped_lines"])))
    parts.append(f"{t('model', lang)}: {r['model']}.")
    return "\n".join(parts), f.items


# ----------------------------------------------------------------------------------------- entry point
def newest_plan(ch: Any, tenant_id: str, client_id: str) -> str | None:
    rows = ch.query(
        "SELECT plan_id FROM app.media_plans WHERE tenant_id = {t:String} AND client_id = {c:String} "
        "AND kind = 'plan' ORDER BY imported_at DESC LIMIT 1",
        parameters={"t": tenant_id, "c": client_id},
    ).result_rows
    return str(rows[0][0]) if rows else None


def ask(ch: Any, scope: PlanScope, question: str, gateway: Any = None, max_steps: int = 6) -> dict[str, Any]:
    """The plan advisor's answer about the scope's plan (the caller checked the client and picked the plan), as
    chat.ask stores it: Claude with the plan tools when the gateway has a key, else (or when that fails or states
    a number no tool gave) the offline reading."""
    if gateway is not None and not gateway.offline:
        try:
            return _online(ch, scope, question, scope.lang, gateway, max_steps)
        except _Fallback as exc:
            log.warning("plan advisor: %s; answering offline", exc)
            out = _offline(ch, scope, question, scope.lang)
            return out | {"provider": f"{exc.provider}+offline-fallback", "note": str(exc),
                          "tool_calls": exc.calls + out["tool_calls"]}  # fmt: skip
    return _offline(ch, scope, question, scope.lang)


def _offline(ch: Any, scope: PlanScope, question: str, lang: str) -> dict[str, Any]:
    tool, args = plan_call(question)
    call = run_tool(ch, scope, tool, args, "plan-1", PLAN_TOOLS)
    text, numbers = write_answer(call, lang)
    return {
        "answer": f"[offline] {text}",
        "numbers": numbers,
        "citations": [],
        "provider": "offline",
        "tool_calls": [call.as_dict()],
        "note": f"router: {tool}",
    }


class _Fallback(Exception):
    def __init__(self, why: str, provider: str, calls: list[dict[str, Any]]) -> None:
        super().__init__(why)
        self.provider, self.calls = provider, calls


def _online(ch: Any, scope: PlanScope, question: str, lang: str, gw: Any, max_steps: int) -> dict[str, Any]:
    from assistants.agents.analyst import _with_sources, number_provenance
    from assistants.agents.loop import run_catalogue
    from assistants.llm import LLMError, load_prompt

    calls: list[ToolCall] = []
    try:
        out = run_catalogue(
            gw, ch, scope, calls, purpose="plan_advisor", prompt=load_prompt("plan_advisor"),
            variables={"plan_id": scope.plan_id, "question": question}, catalogue=PLAN_TOOLS, max_steps=max_steps,
        )  # fmt: skip
    except LLMError as exc:
        raise _Fallback(f"llm error: {exc}", "offline", [c.as_dict() for c in calls]) from exc
    text = str(out.final.get("answer", "")).strip()
    found, missing = number_provenance(text, calls)
    if missing or not text:
        raise _Fallback(
            f"ungrounded: {', '.join(missing) or 'empty answer'}", out.label, [c.as_dict() for c in calls]
        )
    return {
        "answer": text,
        "numbers": _with_sources(found, calls),
        "citations": [],
        "provider": out.label,
        "tool_calls": [c.as_dict() for c in calls],
        "note": f"steps: {out.steps}",
    }
