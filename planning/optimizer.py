"""Budget optimizer: split a total budget across plan lines to maximise combined reach (or reach a target cheaply).

Each line buys impressions at its CPM; its GRP is impressions / universe x 100 and its reach follows the line's
curve (`planning.reach`). Lines combine by Sainsbury (independent exposure), so maximising the combined reach
1 - prod(1 - r_i) is maximising sum(-ln(1 - r_i)). For the supported curves every term is concave in the line's
budget, so the optimum is the KKT point: every line strictly between its bounds has the same marginal gain
(a Lagrange multiplier found by bisection), lines at a bound gain less (at max) or more (at min).

Reach k+ (`"objective": "reach_kplus", "k": K`) reads a negexp curve as a contact model: a person is reachable by
the line with probability max_reach and then gets Poisson(k x GRP) contacts (so 1+ reach is the curve itself);
lines are independent, and a person counts when the contacts of all lines add up to K or more (for K = 1 this is
Sainsbury). That objective is not concave (k+ reach is S-shaped in the budget), so it is solved by local search:
from several starts (the 1+ optimum, a proportional split, a greedy split), budget moves between every pair of lines
(a scan of the pair's whole range, then finer scans) until no move gains; the best end point wins.

Input / output contract (`mrm plan optimize --input FILE.json`): see `parse_problem` and `OptimizeResult.as_json`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from mrm.i18n import refusal
from planning import reach as R

OBJECTIVES = ("reach_1plus", "reach_kplus", "min_cost")
CURVES = ("negexp", "hyperbolic")
COMBINE = ("sainsbury",)
# GRP per rouble is 1000 impressions per CPM rouble, over the universe, in points (x 100).
_GRP_PER_RUB_PER_CPM = 1000.0 * 100.0
# Bisection steps: 200 halvings take any float bracket below machine precision.
_STEPS = 200
FRONTIER_POINTS = 21


class OptimizeInputError(ValueError):
    """The optimizer input is invalid; the message names the field (e.g. lines[2].cpm) in EN and RU."""


@dataclass(frozen=True)
class Line:
    id: str
    cpm: float
    model: str
    params: dict[str, float]
    min_budget: float
    max_budget: float

    def grp(self, budget: np.ndarray | float, universe: float) -> Any:
        """GRP bought with `budget` roubles (impressions / universe x 100)."""
        return R.grp_from_impressions(np.asarray(budget, dtype=float) / self.cpm * 1000.0, universe)

    def reach(self, budget: np.ndarray | float, universe: float) -> Any:
        """Reach 1+ (fraction) of the line at `budget`, from the curve in planning.reach."""
        g = self.grp(budget, universe)
        if self.model == "negexp":
            return R.negative_exponential_reach(g, self.params["max_reach"], self.params["k"])
        return R.hyperbolic_reach(g, self.params["a"], self.params["b"])


@dataclass(frozen=True)
class Problem:
    budget: float | None
    objective: str
    universe: float
    combine: str
    lines: tuple[Line, ...]
    target_reach: float | None = None
    k: int = 1  # the effective frequency of reach_kplus


@dataclass(frozen=True)
class OptimizeResult:
    allocation: dict[str, float]
    reach: float
    frontier: list[tuple[float, float]]
    objective: str
    budget: float
    line_reach: dict[str, float]
    k: int = 1

    @property
    def spent(self) -> float:
        return float(sum(self.allocation.values()))

    def as_json(self) -> dict[str, Any]:
        """The CLI's output: allocation in kopecks (summing to what is spent), reach, frontier."""
        return {
            "allocation": _in_kopecks(self.allocation, self.spent),
            "reach": round(self.reach, 8),
            "frontier": [[round(b, 2), round(r, 8)] for b, r in self.frontier],
            "objective": self.objective,
            "budget": round(self.budget, 2),
            "spent": round(self.spent, 2),
            "line_reach": {k: round(v, 8) for k, v in self.line_reach.items()},
            "combine": "sainsbury",
            **({"k": self.k} if self.objective == "reach_kplus" else {}),
        }


def _in_kopecks(allocation: Mapping[str, float], total: float) -> dict[str, float]:
    """Largest-remainder rounding: each line rounded down, the missing kopecks to the largest remainders.

    So the printed split adds up to the spent total (in kopecks, never more) and never exceeds a line's budget
    by more than the kopeck the exact optimum already had."""
    cents = {k: v * 100.0 for k, v in allocation.items()}
    out = {k: math.floor(c + 1e-6) for k, c in cents.items()}
    missing = math.floor(total * 100.0 + 1e-6) - sum(out.values())
    for k in sorted(cents, key=lambda key: (-(cents[key] - out[key]), key))[: max(0, missing)]:
        out[k] += 1
    return {k: c / 100.0 for k, c in out.items()}


# ---------------------------------------------------------------------------------------------
# Input
# ---------------------------------------------------------------------------------------------


def _num(
    obj: Mapping[str, Any], key: str, where: str, *, lo: float, lo_open: bool, default: Any = ...
) -> Any:
    if key not in obj or obj[key] is None:
        if default is ...:
            raise refusal(OptimizeInputError, "plan_opt_required", field=f"{where}{key}")
        return default
    v = obj[key]
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
        raise refusal(OptimizeInputError, "plan_opt_not_number", field=f"{where}{key}", value=repr(v))
    if v < lo or (lo_open and v == lo):
        rel = ">" if lo_open else ">="
        raise refusal(
            OptimizeInputError, "plan_opt_below", field=f"{where}{key}", rel=rel, lo=f"{lo:g}", value=repr(v)
        )
    return float(v)


def _choice(obj: Mapping[str, Any], key: str, where: str, allowed: Sequence[str], default: str) -> str:
    v = obj.get(key, default)
    if v not in allowed:
        raise refusal(
            OptimizeInputError,
            "plan_one_of",
            field=f"{where}{key}",
            allowed=", ".join(allowed),
            value=repr(v),
        )
    return str(v)


def _curve(raw: Any, where: str) -> tuple[str, dict[str, float]]:
    if not isinstance(raw, Mapping):
        raise refusal(OptimizeInputError, "plan_opt_curve_object", field=where)
    model = _choice(raw, "model", f"{where}.", CURVES, "")
    w = f"{where}."
    if model == "negexp":
        m = _num(raw, "max_reach", w, lo=0.0, lo_open=True)
        if m > 1.0:
            raise refusal(OptimizeInputError, "plan_opt_max_reach", field=f"{w}max_reach", value=repr(m))
        return model, {"max_reach": m, "k": _num(raw, "k", w, lo=0.0, lo_open=True)}
    b = _num(raw, "b", w, lo=0.01, lo_open=False)
    return model, {"a": _num(raw, "a", w, lo=0.0, lo_open=True), "b": b}


def parse_problem(data: Any) -> Problem:
    """Validate the optimizer's JSON input; every error names its field.

    {"budget": RUB, "objective": "reach_1plus" | "reach_kplus" | "min_cost", "target_reach": fraction (min_cost),
     "k": effective frequency (reach_kplus, a whole number >= 1),
     "universe": people, "combine": "sainsbury", "lines": [{"id", "cpm", "curve": {"model": "negexp",
     "max_reach", "k"} | {"model": "hyperbolic", "a", "b"}, "min_budget", "max_budget"}, ...]}
    """
    if not isinstance(data, Mapping):
        raise refusal(OptimizeInputError, "plan_opt_input_object", field="input")
    objective = _choice(data, "objective", "", OBJECTIVES, "reach_1plus")
    combine = _choice(data, "combine", "", COMBINE, "sainsbury")
    universe = _num(data, "universe", "", lo=0.0, lo_open=True)
    budget = _num(data, "budget", "", lo=0.0, lo_open=False, default=None if objective == "min_cost" else ...)
    target = None
    if objective == "min_cost":
        target = _num(data, "target_reach", "", lo=0.0, lo_open=True)
        if target >= 1.0:
            raise refusal(OptimizeInputError, "plan_opt_target_below_one", field="target_reach")
    k = 1
    if objective == "reach_kplus":
        k_raw = _num(data, "k", "", lo=1.0, lo_open=False)
        if not k_raw.is_integer() or k_raw > 50:
            raise refusal(OptimizeInputError, "plan_opt_k_whole", field="k", value=f"{k_raw:g}")
        k = int(k_raw)
    raw_lines = data.get("lines")
    if not isinstance(raw_lines, list) or not raw_lines:
        raise refusal(OptimizeInputError, "plan_opt_lines_list", field="lines")
    lines: list[Line] = []
    seen: set[str] = set()
    for i, raw in enumerate(raw_lines):
        w = f"lines[{i}]."
        if not isinstance(raw, Mapping):
            raise refusal(OptimizeInputError, "plan_opt_line_object", field=f"lines[{i}]")
        lid = raw.get("id")
        if not isinstance(lid, str) or not lid.strip():
            raise refusal(OptimizeInputError, "plan_opt_id_empty", field=f"{w}id")
        if lid in seen:
            raise refusal(OptimizeInputError, "plan_opt_id_repeats", field=f"{w}id", id=repr(lid))
        seen.add(lid)
        model, params = _curve(raw.get("curve"), f"lines[{i}].curve")
        if objective == "reach_kplus" and model != "negexp":
            raise refusal(
                OptimizeInputError, "plan_opt_kplus_negexp", field=f"{w}curve.model", model=repr(model)
            )
        lo = _num(raw, "min_budget", w, lo=0.0, lo_open=False, default=0.0)
        hi = _num(raw, "max_budget", w, lo=0.0, lo_open=False, default=math.inf)
        if hi < lo:
            raise refusal(
                OptimizeInputError,
                "plan_opt_max_below_min",
                field=f"{w}max_budget",
                hi=f"{hi:g}",
                lo=f"{lo:g}",
            )
        lines.append(Line(lid, _num(raw, "cpm", w, lo=0.0, lo_open=True), model, params, lo, hi))
    total_min = sum(ln.min_budget for ln in lines)
    if budget is not None and total_min > budget + 1e-9:
        raise refusal(
            OptimizeInputError, "plan_opt_budget_below_mins", field="budget", budget=f"{budget:g}",
            total=f"{total_min:g}",
        )  # fmt: skip
    return Problem(budget, objective, universe, combine, tuple(lines), target, k)


# ---------------------------------------------------------------------------------------------
# Maths
# ---------------------------------------------------------------------------------------------


class _Curves:
    """The lines' curves as arrays, so the slope and its inverse run on all lines at once."""

    def __init__(self, lines: Sequence[Line], universe: float) -> None:
        self.s = np.array([_GRP_PER_RUB_PER_CPM / (ln.cpm * universe) for ln in lines])  # GRP per rouble
        self.neg = np.array([ln.model == "negexp" for ln in lines])
        # Placeholders (0.5, 1.0) for the other model's parameters keep the unused branch finite.
        self.m = np.array([ln.params.get("max_reach", 0.5) for ln in lines])
        self.k = np.array([ln.params.get("k", 1.0) for ln in lines])
        self.a = np.array([ln.params.get("a", 1.0) for ln in lines])
        self.b = np.array([ln.params.get("b", 1.0) for ln in lines])
        # 1 - R = (a + c G) / (a + b G) for the hyperbola in percent, c = b - 1/100.
        self.c = self.b - 0.01

    def slope(self, budget: np.ndarray) -> np.ndarray:
        """d/d(budget) of -ln(1 - reach) per line: the marginal gain in Sainsbury's log-complement (non-increasing)."""
        g = self.s * budget
        u = np.exp(-self.k * g)
        with np.errstate(divide="ignore", invalid="ignore"):
            # max_reach 1 makes the slope the constant k (and 0/0 once u underflows).
            neg = np.where(self.m >= 1.0, self.k, self.m * self.k * u / (1.0 - self.m + self.m * u))
        hyp = self.b / (self.a + self.b * g) - self.c / (self.a + self.c * g)
        return self.s * np.where(self.neg, neg, hyp)

    def budget_at(self, lam: float) -> np.ndarray:
        """Per line, the budget at which the slope falls to `lam` (0 if it starts below, inf if it never does)."""
        mu = lam / self.s  # the same slope per GRP point
        with np.errstate(divide="ignore", invalid="ignore"):
            # negexp: m k u / (1 - m + m u) = mu  =>  u = mu (1 - m) / (m (k - mu)), G = -ln(u) / k.
            u = mu * (1.0 - self.m) / (self.m * (self.k - mu))
            g_neg = np.where(mu >= self.m * self.k, 0.0, -np.log(u) / self.k)
            # hyperbola: 0.01 a / ((a + b G)(a + c G)) = mu  =>  b c G^2 + a (b + c) G + a^2 - 0.01 a / mu = 0;
            # the positive root in the form without cancellation (also right when c = 0).
            qa, qb, qc = self.b * self.c, self.a * (self.b + self.c), self.a * self.a - 0.01 * self.a / mu
            g_hyp = np.where(qc >= 0, 0.0, -2.0 * qc / (qb + np.sqrt(qb * qb - 4.0 * qa * qc)))
        g = np.where(self.neg, g_neg, g_hyp)
        return np.where(np.isnan(g), np.inf, g) / self.s


def _allocate(lines: Sequence[Line], budget: float, universe: float) -> np.ndarray:
    """Reach-maximising split of `budget` within every line's [min, max] (spends all unless every line is at max)."""
    lo = np.array([ln.min_budget for ln in lines])
    caps = np.minimum(np.array([ln.max_budget for ln in lines]), budget)
    if caps.sum() <= budget:
        return caps
    cv = _Curves(lines, universe)

    def spend(lam: float) -> np.ndarray:
        return np.clip(cv.budget_at(lam), lo, caps)

    # Bracket the multiplier: above the largest starting slope every line stays at its minimum.
    lam_lo, lam_hi = 0.0, float(cv.slope(lo).max()) * 2.0 + 1e-300
    for _ in range(_STEPS):
        mid = 0.5 * (lam_lo + lam_hi)
        if mid in (lam_lo, lam_hi):
            break
        if spend(mid).sum() > budget:
            lam_lo = mid
        else:
            lam_hi = mid
    alloc = spend(lam_hi)
    # What bisection leaves (flat curves with max_reach 1, rounding) goes to the best marginal gain first.
    rest = budget - float(alloc.sum())
    slopes = cv.slope(alloc)
    for i in sorted(range(len(lines)), key=lambda j: (-float(slopes[j]), j)):
        if rest <= 0:
            break
        add = min(rest, float(caps[i] - alloc[i]))
        alloc[i] += add
        rest -= add
    return alloc


def combined_reach(lines: Sequence[Line], allocation: Sequence[float] | np.ndarray, universe: float) -> float:
    """Sainsbury combination (planning.reach) of the lines' reaches at the given budgets."""
    reaches = [float(ln.reach(b, universe)) for ln, b in zip(lines, allocation, strict=True)]
    return R.sainsbury_reach(reaches)


def _contacts(line: Line, budget: np.ndarray, universe: float, k: int) -> np.ndarray:
    """P(a person gets j contacts from the line), j < k, at each budget: shape (*budget.shape, k)."""
    lam = line.params["k"] * _GRP_PER_RUB_PER_CPM / (line.cpm * universe) * np.asarray(budget, dtype=float)
    m = line.params["max_reach"]
    out = np.empty((*lam.shape, k))
    term = m * np.exp(-lam)
    out[..., 0] = 1.0 - m + term
    for j in range(1, k):
        term = term * lam / j
        out[..., j] = term
    return out


def _convolve(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The distribution of a sum of two independent contact counts, kept below k (the last axis)."""
    k = a.shape[-1]
    return np.stack([(a[..., : j + 1] * b[..., j::-1]).sum(axis=-1) for j in range(k)], axis=-1)


def _without(total: np.ndarray, parts: Sequence[np.ndarray]) -> np.ndarray | None:
    """`total` with the given lines' contact distributions divided out (power-series division below k); None when
    a line's chance of no contact is too small to divide by safely."""
    out = total
    for a in parts:
        if a[0] < 1e-3:
            return None
        r = np.empty_like(out)
        for j in range(len(out)):
            r[j] = (out[j] - float(np.dot(a[1 : j + 1], r[j - 1 :: -1][:j]))) / a[0] if j else out[0] / a[0]
        out = r
    return out


def kplus_reach(lines: Sequence[Line], allocations: np.ndarray, universe: float, k: int) -> np.ndarray:
    """Combined reach k+ of each row of `allocations` (shape (..., lines)): P(sum of the lines' contacts >= k),
    a line's contacts being 0 with probability 1 - max_reach, else Poisson(curve k x GRP)."""
    x = np.asarray(allocations, dtype=float)
    total = np.zeros((*x.shape[:-1], k))
    total[..., 0] = 1.0
    for i, line in enumerate(lines):
        total = _convolve(total, _contacts(line, x[..., i], universe, k))
    return np.clip(1.0 - total.sum(axis=-1), 0.0, 1.0)


def _start_points(problem: Problem, budget: float, lo: np.ndarray, caps: np.ndarray) -> list[np.ndarray]:
    """Where the k+ local search starts: the 1+ optimum, a split proportional to the room above each minimum,
    and a greedy split (budget in 1/200 steps, each step to the line whose k+ gain over the step is largest)."""
    starts = [_allocate(problem.lines, budget, problem.universe)]
    room = np.where(np.isinf(caps), budget, caps) - lo
    starts.append(np.minimum(lo + (budget - lo.sum()) * room / room.sum(), caps))
    greedy, step = lo.copy(), (budget - lo.sum()) / 200.0
    for _ in range(200):
        trial = np.repeat(greedy[None, :], len(lo), axis=0)
        trial[np.arange(len(lo)), np.arange(len(lo))] += step
        gain = np.where(
            trial.diagonal() <= caps + 1e-9,
            kplus_reach(problem.lines, trial, problem.universe, problem.k),
            -1.0,
        )
        greedy[int(np.argmax(gain))] += step
    starts.append(np.minimum(greedy, caps))
    return starts


def _pair_search(
    problem: Problem, x: np.ndarray, lo: np.ndarray, caps: np.ndarray
) -> tuple[np.ndarray, float]:
    """Move budget between pairs of lines while some move gains: each pair's whole feasible range is scanned
    (129 points), then twice more finely around the best point."""
    lines, u, k = problem.lines, problem.universe, problem.k

    def distribution(at: np.ndarray) -> np.ndarray:
        out = np.zeros(k)
        out[0] = 1.0
        for o, line in enumerate(lines):
            out = _convolve(out, _contacts(line, at[o], u, k))
        return out

    total = distribution(x)
    best = float(1.0 - total.sum())
    for _ in range(60):
        improved = False
        for i in range(len(x)):
            for j in range(i + 1, len(x)):
                # t moves roubles from j to i: x_i + t in [lo_i, cap_i], x_j - t in [lo_j, cap_j].
                t_lo = max(lo[i] - x[i], x[j] - caps[j])
                t_hi = min(caps[i] - x[i], x[j] - lo[j])
                if not t_hi > t_lo:
                    continue
                # The other lines' contacts do not move with t: their distribution, once per pair.
                rest = _without(total, [_contacts(lines[o], x[o], u, k) for o in (i, j)])
                if rest is None:  # a line that almost surely contacts: divide no further, convolve the rest
                    rest = np.zeros(k)
                    rest[0] = 1.0
                    for o, line in enumerate(lines):
                        if o not in (i, j):
                            rest = _convolve(rest, _contacts(line, x[o], u, k))
                a, b, n = t_lo, t_hi, 129
                for _round in range(3):
                    ts = np.linspace(a, b, n)
                    both = _convolve(
                        _contacts(lines[i], x[i] + ts, u, k), _contacts(lines[j], x[j] - ts, u, k)
                    )
                    vals = 1.0 - _convolve(both, np.broadcast_to(rest, both.shape)).sum(axis=-1)
                    at = int(np.argmax(vals))
                    width = (b - a) / (n - 1)
                    a, b, n = max(t_lo, ts[at] - width), min(t_hi, ts[at] + width), 33
                if float(vals[at]) > best + 1e-10:
                    x = x.copy()
                    x[i], x[j] = x[i] + ts[at], x[j] - ts[at]
                    total = distribution(x)
                    best = float(1.0 - total.sum())
                    improved = True
        if not improved:
            break
    return x, best


def _allocate_kplus(problem: Problem, budget: float, quick: bool = False) -> np.ndarray:
    lo = np.array([ln.min_budget for ln in problem.lines])
    caps = np.minimum(np.array([ln.max_budget for ln in problem.lines]), budget)
    if caps.sum() <= budget:
        return caps
    # `quick` (the frontier's points): one start, the 1+ optimum, instead of three.
    starts = (
        [_allocate(problem.lines, budget, problem.universe)]
        if quick
        else _start_points(problem, budget, lo, caps)
    )
    ends = [_pair_search(problem, x, lo, caps) for x in starts]
    return max(ends, key=lambda e: e[1])[0]  # the first of equals: deterministic


def _best_reach(problem: Problem, budget: float, quick: bool = False) -> tuple[np.ndarray, float]:
    if problem.objective == "reach_kplus":
        alloc = _allocate_kplus(problem, budget, quick)
        return alloc, float(kplus_reach(problem.lines, alloc, problem.universe, problem.k))
    alloc = _allocate(problem.lines, budget, problem.universe)
    return alloc, combined_reach(problem.lines, alloc, problem.universe)


def _min_cost(problem: Problem) -> float:
    """Smallest total budget whose optimal split reaches the target (optimal reach grows with the budget)."""
    target = float(problem.target_reach or 0.0)
    lo = sum(ln.min_budget for ln in problem.lines)
    hi_cap = sum(ln.max_budget for ln in problem.lines)
    if problem.budget is not None:
        hi_cap = min(hi_cap, problem.budget)
    if _best_reach(problem, lo)[1] >= target:
        return lo
    if math.isinf(hi_cap):
        # No cap: double until the target is inside the bracket (the curves saturate, so give up eventually).
        hi = max(lo, 1.0)
        while _best_reach(problem, hi)[1] < target:
            hi *= 2.0
            if hi > 1e15:
                raise refusal(
                    OptimizeInputError,
                    "plan_opt_target_unreachable",
                    field="target_reach",
                    target=f"{target:g}",
                )
    else:
        hi = hi_cap
        best = _best_reach(problem, hi)[1]
        if best < target:
            raise refusal(
                OptimizeInputError, "plan_opt_target_over_budget", field="target_reach", target=f"{target:g}",
                best=f"{best:.6f}",
            )  # fmt: skip
    for _ in range(_STEPS):
        mid = 0.5 * (lo + hi)
        if mid in (lo, hi) or hi - lo <= 0.005:
            break
        if _best_reach(problem, mid)[1] >= target:
            hi = mid
        else:
            lo = mid
    return hi


def frontier(problem: Problem, around: float, points: int = FRONTIER_POINTS) -> list[tuple[float, float]]:
    """Budget -> best combined reach, from the lines' minimums to twice `around` (or their maximums)."""
    lo = sum(ln.min_budget for ln in problem.lines)
    hi = min(sum(ln.max_budget for ln in problem.lines), max(2.0 * around, lo))
    if problem.objective == "reach_kplus":  # each point is a local search: half as many
        points = (points + 1) // 2
    budgets = sorted({*np.linspace(lo, hi, points).tolist(), around} if hi > lo else {lo})
    return [(b, _best_reach(problem, b, quick=True)[1]) for b in budgets]


def optimize(problem: Problem, *, with_frontier: bool = True) -> OptimizeResult:
    """Run the problem's objective; deterministic (no randomness, fixed iteration counts)."""
    budget = _min_cost(problem) if problem.objective == "min_cost" else float(problem.budget or 0.0)
    alloc, best = _best_reach(problem, budget)
    return OptimizeResult(
        allocation={ln.id: float(b) for ln, b in zip(problem.lines, alloc, strict=True)},
        reach=best,
        frontier=frontier(problem, budget) if with_frontier else [],
        objective=problem.objective,
        budget=budget,
        line_reach={
            ln.id: float(ln.reach(b, problem.universe)) for ln, b in zip(problem.lines, alloc, strict=True)
        },
        k=problem.k,
    )


def evaluate(problem: Problem, allocation: Mapping[str, float]) -> float:
    """Combined reach of a given split (e.g. the plan's current one), to compare with the recommendation."""
    missing = [ln.id for ln in problem.lines if ln.id not in allocation]
    if missing:
        raise refusal(OptimizeInputError, "plan_opt_allocation_missing", field="allocation", lines=missing)
    split = [float(allocation[ln.id]) for ln in problem.lines]
    if problem.objective == "reach_kplus":
        return float(kplus_reach(problem.lines, np.array(split), problem.universe, problem.k))
    return combined_reach(problem.lines, split, problem.universe)
