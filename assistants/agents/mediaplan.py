"""Media-plan assistant: budget reallocations between plan lines toward a reach or budget goal, with the reach models.

Each line with TRP and budget gets a negative-exponential reach curve (planning.plan_math's channel prior,
calibrated to pass through the line's planned (TRP, reach) point when the plan states one) at the line's own CPP.
Lines combine by Sainsbury (independent channels), which is what planning.plan_math.forecast_plan does for lines
with a stated reach. A greedy search moves budget in small steps from the line that loses least reach to the one
that gains most; with a target reach it then reports the extra budget needed (or the saving possible).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from mrm.i18n import refusal, t

LINE_COLS = [
    "line_id",
    "line_no",
    "channel",
    "platform",
    "campaign_name",
    "budget_net",
    "planned_trp",
    "planned_grp",
    "planned_impressions",
    "planned_reach",
    "planned_reach_persons",
    "planned_frequency",
    "ta_size",
]
STEPS = 50  # budget quantum = movable budget / STEPS


@dataclass
class LineCurve:
    line_id: str
    channel: str
    family: str
    budget: float
    cpp: float | None
    r_max: float
    k: float
    model: str
    fixed_reach: float | None = None  # lines we cannot re-price (no TRP/budget) keep their reach

    def reach(self, budget: float) -> float:
        if self.cpp is None:
            return self.fixed_reach or 0.0
        trp = budget / self.cpp
        return min(self.r_max * -math.expm1(-self.k * trp), trp / 100.0, 1.0)


@dataclass
class PlanAdvice:
    tenant_id: str
    client_id: str
    plan_id: str
    plan_version: int
    goal: dict[str, Any]
    model: str
    budget_before: float
    budget_after: float
    reach_before: float
    reach_after: float
    lines: list[dict[str, Any]]
    extra_budget_needed: float | None = None
    saving_possible: float | None = None
    target_met: bool | None = None
    said: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # notes: catalogue key and values

    @property
    def notes(self) -> list[str]:
        """The notes in English (JSON, logs); a reader gets `notes_in(lang)`."""
        return self.notes_in("en")

    def notes_in(self, lang: str) -> list[str]:
        return [t(key, lang, **values) for key, values in self.said]

    def as_dict(self) -> dict[str, Any]:
        out = {k: v for k, v in self.__dict__.items() if k != "said"}
        return out | {"notes": self.notes}

    def text(self, lang: str) -> str:
        """RU/EN summary; every number is a field of this advice."""
        from assistants.llm.numbers import fmt_num, fmt_pct

        moves = [ln for ln in self.lines if abs(ln["delta"]) >= 0.5]
        parts = [
            t(
                "asst_advice_head",
                lang,
                plan=self.plan_id,
                version=self.plan_version,
                reach_before=fmt_pct(self.reach_before, lang),
                reach_after=fmt_pct(self.reach_after, lang),
                budget_after=fmt_num(self.budget_after, lang),
                budget_before=fmt_num(self.budget_before, lang),
                model=self.model,
            )
        ]
        for ln in moves:
            sign = "+" if ln["delta"] > 0 else "−"
            reach = t(
                "asst_advice_line_reach",
                lang,
                before=fmt_pct(ln["reach_before"], lang),
                after=fmt_pct(ln["reach_after"], lang),
            )
            parts.append(
                f"- {ln['line_id']} ({ln['channel']}): {fmt_num(ln['budget_before'], lang)} → "
                f"{fmt_num(ln['budget_after'], lang)} ({sign}{fmt_num(abs(ln['delta']), lang)}); {reach}"
            )
        if not moves:
            parts.append(t("asst_advice_no_gain", lang))
        if self.extra_budget_needed:
            target = fmt_pct(self.goal["target_reach"], lang)
            amount = fmt_num(self.extra_budget_needed, lang)
            parts.append(t("asst_advice_extra_budget", lang, target=target, amount=amount))
        if self.saving_possible:
            target = fmt_pct(self.goal["target_reach"], lang)
            amount = fmt_num(self.saving_possible, lang)
            parts.append(t("asst_advice_saving", lang, target=target, amount=amount))
        return "\n".join(parts)


def load_plan(
    ch: Any, tenant_id: str, plan_id: str, client_id: str | None = None
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Header and lines of the plan's latest committed version for this tenant (tenant bound server-side)."""
    p = {"t": tenant_id, "p": plan_id, "c": client_id or ""}
    head = ch.query(
        "SELECT client_id, plan_version, name FROM app.media_plans WHERE tenant_id = {t:String} AND plan_id = {p:String} "
        "AND ({c:String} = '' OR client_id = {c:String}) ORDER BY plan_version DESC, imported_at DESC LIMIT 1",
        parameters=p,
    ).result_rows
    if not head:
        raise refusal(
            LookupError, "ws_plan_not_found", plan=repr(plan_id), version="", tenant=repr(tenant_id)
        )
    client, version, name = head[0]
    res = ch.query(
        "SELECT " + ", ".join(LINE_COLS) + " FROM app.media_plan_lines_current WHERE tenant_id = {t:String} "  # noqa: S608
        "AND client_id = {c:String} AND plan_id = {p:String} ORDER BY line_no, line_id",
        parameters={"t": tenant_id, "c": client, "p": plan_id},
    )
    lines = [
        {
            k: (float(v) if k in ("budget_net",) and v is not None else v)
            for k, v in zip(res.column_names, r, strict=True)
        }
        for r in res.result_rows
    ]
    if not lines:
        raise refusal(LookupError, "asst_plan_no_lines", plan=repr(plan_id))
    return {"client_id": client, "plan_version": int(version), "name": name}, lines


def line_curves(
    lines: list[dict[str, Any]], curves: dict[str, dict[str, float]] | None = None
) -> tuple[list[LineCurve], list[tuple[str, dict[str, Any]]]]:
    """A reach curve per line at its own CPP; lines without TRP or budget are kept fixed (with a note)."""
    from planning import plan_math
    from planning import reach as R

    all_curves = {**plan_math.DEFAULT_CURVES, **(curves or {})}
    out: list[LineCurve] = []
    notes: list[tuple[str, dict[str, Any]]] = []
    for ln in lines:
        fc = plan_math.forecast_line(ln, curves=curves)
        budget = float(ln.get("budget_net") or 0.0)
        p = all_curves[fc.family]
        lid = str(ln.get("line_id"))
        if not fc.trp or budget <= 0:
            notes.append(("asst_note_line_kept", {"line": lid}))
            out.append(
                LineCurve(
                    lid,
                    fc.channel,
                    fc.family,
                    budget,
                    None,
                    p["r_max"],
                    p["k"],
                    fc.model or "none",
                    fixed_reach=fc.reach,
                )
            )
            continue
        r_max, k = p["r_max"], p["k"]
        model = f"negative exponential ({fc.family}: R_max {r_max:.0%}, k {k:g})"
        if fc.model.startswith("plan") and fc.reach:
            # The plan states this line's reach: bend the channel prior through that point.
            if fc.reach >= r_max:
                r_max = min(0.99, fc.reach + (1.0 - fc.reach) / 2)
            if fc.reach < fc.trp / 100.0 and fc.reach < r_max:
                k = R.fit_negative_exponential(r_max, fc.trp, fc.reach)
                model = (
                    f"negative exponential calibrated to the plan ({fc.family}: R_max {r_max:.0%}, k {k:.4g})"
                )
        out.append(LineCurve(lid, fc.channel, fc.family, budget, budget / fc.trp, r_max, k, model))
    return out, notes


def _total(curves: list[LineCurve], budgets: list[float]) -> float:
    # Sainsbury: 1 - Π(1 - r_i), the combination plan_math uses for lines with a stated reach
    miss = 1.0
    for c, b in zip(curves, budgets, strict=True):
        miss *= 1.0 - c.reach(b)
    return 1.0 - miss


def _reallocate(
    curves: list[LineCurve], budgets: list[float], step: float, max_moves: int = 2000
) -> list[float]:
    b = list(budgets)
    movable = [i for i, c in enumerate(curves) if c.cpp is not None]
    for _ in range(max_moves):
        cur = _total(curves, b)
        best = None
        gains = {
            i: _total(curves, [x + step if j == i else x for j, x in enumerate(b)]) - cur for i in movable
        }
        losses = {
            i: cur - _total(curves, [x - step if j == i else x for j, x in enumerate(b)])
            for i in movable
            if b[i] >= step - 1e-9
        }
        for i, g in gains.items():
            for j, lo in losses.items():
                if i != j and g - lo > 1e-7 and (best is None or g - lo > best[0]):
                    best = (g - lo, i, j)
        if best is None:
            break
        _, i, j = best
        b[i] += step
        b[j] -= step
    return b


def suggest(
    ch: Any,
    tenant_id: str,
    plan_id: str,
    *,
    target_reach: float | None = None,
    budget: float | None = None,
    client_id: str | None = None,
    curves: dict[str, dict[str, float]] | None = None,
) -> PlanAdvice:
    """Reallocation advice for a stored plan (latest version) toward `target_reach` and/or a total `budget`."""
    header, lines = load_plan(ch, tenant_id, plan_id, client_id)
    return advise(
        lines,
        tenant_id=tenant_id,
        client_id=header["client_id"],
        plan_id=plan_id,
        plan_version=header["plan_version"],
        target_reach=target_reach,
        budget=budget,
        curves=curves,
    )


def advise(
    lines: list[dict[str, Any]],
    *,
    tenant_id: str,
    client_id: str,
    plan_id: str,
    plan_version: int = 0,
    target_reach: float | None = None,
    budget: float | None = None,
    curves: dict[str, dict[str, float]] | None = None,
) -> PlanAdvice:
    """Pure part of `suggest`: the same advice for lines already in memory."""
    if target_reach is not None and not 0 < target_reach < 1:
        raise refusal(ValueError, "asst_target_reach_fraction", value=target_reach)
    if budget is not None and budget <= 0:
        raise refusal(ValueError, "asst_budget_positive", value=budget)
    lc, notes = line_curves(lines, curves)
    movable = [i for i, c in enumerate(lc) if c.cpp is not None]
    if not movable:
        raise refusal(ValueError, "asst_no_movable_lines")
    before = [c.budget for c in lc]
    movable_total = sum(before[i] for i in movable)
    b = list(before)
    if budget is not None:
        fixed = sum(before) - movable_total
        if budget <= fixed:
            raise refusal(ValueError, "asst_budget_below_fixed", budget=budget, fixed=fixed)
        scale = (budget - fixed) / movable_total
        b = [x * scale if i in movable else x for i, x in enumerate(b)]
    step = max(1.0, round(sum(b[i] for i in movable) / STEPS, 2))
    b = _reallocate(lc, b, step)
    extra = saving = None
    met = None
    if target_reach is not None:
        met = _total(lc, b) >= target_reach
        if not met:
            added = 0.0
            while _total(lc, b) < target_reach and added <= 3 * movable_total:
                gains = {i: _total(lc, [x + step if j == i else x for j, x in enumerate(b)]) for i in movable}
                i = max(gains, key=lambda k: gains[k])
                b[i] += step
                added += step
            met = _total(lc, b) >= target_reach
            extra = round(added, 2)
            if not met:
                notes.append(("asst_note_target_unreachable", {}))
        else:
            probe, removed = list(b), 0.0  # explore the saving on a copy: the advice keeps the budget
            while True:
                cands = {
                    i: _total(lc, [x - step if j == i else x for j, x in enumerate(probe)])
                    for i in movable
                    if probe[i] >= step
                }
                if not cands:
                    break
                i = max(cands, key=lambda k: cands[k])
                if cands[i] < target_reach:
                    break
                probe[i] -= step
                removed += step
            saving = round(removed, 2) or None
    out_lines = []
    for c, x0, x1 in zip(lc, before, b, strict=True):
        out_lines.append(
            {
                "line_id": c.line_id,
                "channel": c.channel,
                "family": c.family,
                "model": c.model,
                "budget_before": round(x0, 2),
                "budget_after": round(x1, 2),
                "delta": round(x1 - x0, 2),
                "trp_before": round(x0 / c.cpp, 1) if c.cpp else None,
                "trp_after": round(x1 / c.cpp, 1) if c.cpp else None,
                "reach_before": round(c.reach(x0), 4),
                "reach_after": round(c.reach(x1), 4),
            }
        )
    model = (
        "per line: negative-exponential reach curve at the line's CPP (channel prior, calibrated to the plan's "
        "reach where stated); lines combined by Sainsbury (independent)"
    )
    return PlanAdvice(
        tenant_id,
        client_id,
        plan_id,
        plan_version,
        {"target_reach": target_reach, "budget": budget},
        model,
        round(sum(before), 2),
        round(sum(b), 2),
        round(_total(lc, before), 4),
        round(_total(lc, b), 4),
        out_lines,
        extra,
        saving,
        met,
        notes,
    )
