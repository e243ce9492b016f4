"""Budget optimizer: generated instances against an independent greedy optimum, bounds, budget, determinism, CLI."""

from __future__ import annotations

import heapq
import json
import math
import random
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner

from planning.cli import plan
from planning.optimizer import OptimizeInputError, optimize, parse_problem

# The oracle's own statement of the contract (not the module's): GRP = impressions / universe x 100,
# negexp reach = max_reach (1 - e^(-k GRP)), hyperbolic reach % = GRP / (a + b GRP), Sainsbury 1 - prod(1 - r).


def _line_reach(line: dict[str, Any], rub: float, universe: float) -> float:
    grp = rub / line["cpm"] * 1000.0 / universe * 100.0
    c = line["curve"]
    if c["model"] == "negexp":
        return c["max_reach"] * (1.0 - math.exp(-c["k"] * grp))
    return grp / (c["a"] + c["b"] * grp) / 100.0


def _combined(data: dict[str, Any], alloc: dict[str, float]) -> float:
    miss = 1.0
    for ln in data["lines"]:
        miss *= 1.0 - _line_reach(ln, alloc[ln["id"]], data["universe"])
    return 1.0 - miss


def _greedy_optimum(data: dict[str, Any], steps: int = 20000) -> tuple[dict[str, float], float]:
    """Independent optimum: spend the budget in small increments, each to the line whose reach gains most.

    For concave log-complement terms the greedy increment rule is optimal on the grid, so this is a feasible
    split within one increment per line of the true optimum.
    """
    u = data["universe"]
    lines = data["lines"]
    alloc = {ln["id"]: float(ln.get("min_budget", 0.0)) for ln in lines}
    caps = {ln["id"]: min(float(ln.get("max_budget", math.inf)), data["budget"]) for ln in lines}
    left = data["budget"] - sum(alloc.values())
    step = left / steps

    def gain(ln: dict[str, Any]) -> tuple[float, float]:
        lid = ln["id"]
        inc = min(step, caps[lid] - alloc[lid])
        if inc <= 0:
            return 0.0, 0.0
        before = 1.0 - _line_reach(ln, alloc[lid], u)
        after = 1.0 - _line_reach(ln, alloc[lid] + inc, u)
        return math.log(before) - math.log(after), inc

    heap = [(-gain(ln)[0], i) for i, ln in enumerate(lines)]
    heapq.heapify(heap)
    while left > 1e-9 and heap:
        g, i = heapq.heappop(heap)
        ln = lines[i]
        gnow, inc = gain(ln)
        if inc <= 0:
            continue
        if -g > gnow + 1e-18:  # stale entry: re-queue with its current gain
            heapq.heappush(heap, (-gnow, i))
            continue
        inc = min(inc, left)
        alloc[ln["id"]] += inc
        left -= inc
        heapq.heappush(heap, (-gain(ln)[0], i))
    return alloc, _combined(data, alloc)


def _instance(seed: int) -> dict[str, Any]:
    rnd = random.Random(seed)
    n = rnd.randint(2, 12)
    universe = rnd.choice([1e6, 5e6, 2e7, 6e7])
    lines = []
    for i in range(n):
        cpm = rnd.uniform(80, 900)
        if rnd.random() < 0.75:
            curve = {"model": "negexp", "max_reach": rnd.uniform(0.15, 0.95), "k": rnd.uniform(0.001, 0.03)}
        else:
            curve = {"model": "hyperbolic", "a": rnd.uniform(0.5, 3.0), "b": rnd.uniform(0.011, 0.03)}
        line: dict[str, Any] = {"id": f"L{i}", "cpm": round(cpm, 2), "curve": curve}
        # A line of 1000 GRP costs cpm * universe / 100; bounds around that scale.
        scale = cpm * universe / 100.0
        if rnd.random() < 0.5:
            line["min_budget"] = round(rnd.uniform(0, 0.3) * scale, 2)
        if rnd.random() < 0.6:
            line["max_budget"] = round(line.get("min_budget", 0) + rnd.uniform(0.05, 2.0) * scale, 2)
        lines.append(line)
    total_min = sum(ln.get("min_budget", 0.0) for ln in lines)
    avg_scale = sum(ln["cpm"] for ln in lines) * universe / 100.0 / n
    budget = round(total_min + rnd.uniform(0.1, 3.0) * avg_scale, 2)
    return {
        "budget": budget,
        "objective": "reach_1plus",
        "universe": universe,
        "combine": "sainsbury",
        "lines": lines,
    }


def _check_feasible(data: dict[str, Any], alloc: dict[str, float]) -> None:
    assert set(alloc) == {ln["id"] for ln in data["lines"]}
    for ln in data["lines"]:
        b = alloc[ln["id"]]
        assert b >= ln.get("min_budget", 0.0) - 1e-6, ln["id"]
        assert b <= ln.get("max_budget", math.inf) + 1e-6, ln["id"]
    spent = sum(alloc.values())
    assert spent <= data["budget"] * (1 + 1e-12) + 1e-6
    cap = sum(min(ln.get("max_budget", math.inf), data["budget"]) for ln in data["lines"])
    # Reach grows with money, so the whole budget is spent unless every line is at its maximum.
    assert spent >= min(data["budget"], cap) * (1 - 1e-9) - 1e-6


@pytest.mark.parametrize("seed", range(40))
def test_generated_instances_reach_the_independent_optimum(seed: int) -> None:
    data = _instance(seed)
    result = optimize(parse_problem(data), with_frontier=False)
    _check_feasible(data, result.allocation)
    mine = _combined(data, result.allocation)
    assert mine == pytest.approx(result.reach, rel=1e-12)
    _, oracle = _greedy_optimum(data)
    # Within 0.1 % of the optimum, and never worse than a feasible grid split (beyond float noise).
    assert abs(mine - oracle) <= 0.001 * oracle
    assert mine >= oracle - 1e-9
    # The printed split (kopecks, rounded down) is feasible too.
    _check_feasible(data, result.as_json()["allocation"]) if data["budget"] > 1 else None


@pytest.mark.parametrize("seed", range(6))
def test_two_lines_against_a_fine_grid(seed: int) -> None:
    data = _instance(1000 + seed)
    data["lines"] = [
        {k: v for k, v in ln.items() if k not in ("min_budget", "max_budget")} for ln in data["lines"][:2]
    ]
    b = data["budget"]
    grid = max(_combined(data, {"L0": b * i / 20000, "L1": b - b * i / 20000}) for i in range(20001))
    result = optimize(parse_problem(data), with_frontier=False)
    assert abs(result.reach - grid) <= 0.001 * grid and result.reach >= grid - 1e-9


def test_deterministic_and_frontier_monotone() -> None:
    data = _instance(7)
    one, two = optimize(parse_problem(data)), optimize(parse_problem(json.loads(json.dumps(data))))
    assert one.as_json() == two.as_json()
    front = one.frontier
    assert [b for b, _ in front] == sorted(b for b, _ in front)
    assert all(r2 >= r1 - 1e-12 for (_, r1), (_, r2) in zip(front, front[1:], strict=False))
    assert (data["budget"], one.reach) in [(pytest.approx(b), pytest.approx(r)) for b, r in front]


def test_flat_curves_and_caps_below_budget() -> None:
    # max_reach 1: constant marginal gain; the better line takes everything up to its cap.
    data = {
        "budget": 1_000_000.0,
        "universe": 1e6,
        "lines": [
            {
                "id": "a",
                "cpm": 200,
                "curve": {"model": "negexp", "max_reach": 1.0, "k": 0.004},
                "max_budget": 300_000,
            },
            {"id": "b", "cpm": 400, "curve": {"model": "negexp", "max_reach": 1.0, "k": 0.004}},
        ],
    }
    res = optimize(parse_problem(data), with_frontier=False)
    assert res.allocation["a"] == pytest.approx(300_000) and res.allocation["b"] == pytest.approx(700_000)
    data["lines"][1]["max_budget"] = 100_000
    res = optimize(parse_problem(data), with_frontier=False)
    assert res.spent == pytest.approx(400_000)  # every line at its maximum; the rest stays unspent


def test_min_cost_for_a_reach_target() -> None:
    data = _instance(3)
    at_min = _combined(data, {ln["id"]: ln.get("min_budget", 0.0) for ln in data["lines"]})
    target = (at_min + optimize(parse_problem(data), with_frontier=False).reach) / 2
    data.update(objective="min_cost", target_reach=target)
    data.pop("budget")
    res = optimize(parse_problem(data), with_frontier=False)
    assert res.reach >= target
    # A budget 0.1 % smaller cannot reach the target with the best split.
    cheaper = dict(data, objective="reach_1plus", budget=res.budget * 0.999)
    assert optimize(parse_problem(cheaper), with_frontier=False).reach < target
    data["target_reach"] = 0.9999
    for ln in data["lines"]:
        ln["max_budget"] = ln.get("min_budget", 0.0) + 1000.0
    with pytest.raises(OptimizeInputError, match="target_reach"):
        optimize(parse_problem(data))


@pytest.mark.parametrize(
    ("patch", "field"),
    [
        (lambda d: d["lines"][1].update(cpm=0), "lines[1].cpm"),
        (lambda d: d["lines"][0]["curve"].update(max_reach=1.5), "lines[0].curve.max_reach"),
        (lambda d: d["lines"][0]["curve"].update(model="weibull"), "lines[0].curve.model"),
        (lambda d: d["lines"][1].update(id="L0"), "lines[1].id"),
        (lambda d: d["lines"][0].update(min_budget=5, max_budget=1), "lines[0].max_budget"),
        (lambda d: d.update(budget=1.0, lines=[dict(ln, min_budget=10) for ln in d["lines"]]), "budget"),
        (lambda d: d.update(universe="many"), "universe"),
        (lambda d: d.update(combine="agostini"), "combine"),
        (lambda d: d.update(lines=[]), "lines"),
    ],
)
def test_bad_input_names_the_field(patch: Any, field: str) -> None:
    data = _instance(1)
    patch(data)
    with pytest.raises(OptimizeInputError) as err:
        parse_problem(data)
    assert str(err.value).startswith(field)


def test_cli_json_contract(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MRM_LANG", "en")
    data = _instance(5)
    f = tmp_path / "in.json"
    f.write_text(json.dumps(data), encoding="utf-8")
    res = CliRunner().invoke(plan, ["optimize", "--input", str(f), "--json"], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert set(out["allocation"]) == {ln["id"] for ln in data["lines"]}
    assert abs(out["reach"] - _greedy_optimum(data)[1]) <= 0.001 * out["reach"]
    assert all(len(p) == 2 for p in out["frontier"]) and len(out["frontier"]) >= 2
    text = CliRunner().invoke(plan, ["optimize", "--input", str(f)], catch_exceptions=False)
    assert text.exit_code == 0 and "Sainsbury" in text.output and "L0" in text.output
    data["lines"][2 % len(data["lines"])]["cpm"] = -1
    f.write_text(json.dumps(data), encoding="utf-8")
    bad = CliRunner().invoke(plan, ["optimize", "--input", str(f)])
    assert bad.exit_code != 0 and f"lines[{2 % len(data['lines'])}].cpm" in bad.output
    f.write_text("{not json", encoding="utf-8")
    bad = CliRunner().invoke(plan, ["optimize", "--input", str(f)])
    assert bad.exit_code != 0 and "not valid JSON" in bad.output


# Reach k+ at an effective frequency. The oracle's own statement: a person is reachable by a line with probability
# max_reach and then gets Poisson(k x GRP) contacts from it; lines are independent; reach k+ = P(total >= K).


def _kplus(data: dict[str, Any], alloc: list[float]) -> float:
    from scipy.stats import poisson

    big_k = data["k"]
    dist = np.zeros(big_k)
    dist[0] = 1.0
    for ln, rub in zip(data["lines"], alloc, strict=True):
        lam = ln["curve"]["k"] * rub / ln["cpm"] * 1000.0 / data["universe"] * 100.0
        m = ln["curve"]["max_reach"]
        contacts = m * poisson.pmf(np.arange(big_k), lam)
        contacts[0] += 1.0 - m
        dist = np.convolve(dist, contacts)[:big_k]
    return float(1.0 - dist.sum())


def _kplus_instance(seed: int, lines: int) -> dict[str, Any]:
    data = _instance(seed)
    rnd = random.Random(seed)
    data["lines"] = [
        {
            **ln,
            "curve": {
                "model": "negexp",
                "max_reach": rnd.uniform(0.3, 0.95),
                "k": rnd.uniform(0.0005, 0.004),
            },
        }
        for ln in (data["lines"] * 6)[:lines]
    ]
    for i, ln in enumerate(data["lines"]):
        ln["id"] = f"L{i}"
    total_min = sum(ln.get("min_budget", 0.0) for ln in data["lines"])
    data["budget"] = round(max(data["budget"], total_min * 1.2 + 1.0), 2)
    data.update(objective="reach_kplus", k=rnd.choice([2, 3, 4]))
    return data


def _grid_optimum(data: dict[str, Any], points: int) -> float:
    """The best k+ reach over a grid of feasible splits (the last line takes what is left of the budget), then
    over a finer grid around the best point (two coarse steps either side): the optimum up to the fine step."""
    lines, budget = data["lines"], data["budget"]
    lo = [ln.get("min_budget", 0.0) for ln in lines]
    hi = [min(ln.get("max_budget", math.inf), budget) for ln in lines]
    if sum(hi) <= budget:
        return _kplus(data, hi)
    axes = [np.linspace(lo[i], hi[i], points) for i in range(len(lines) - 1)]
    best, at = 0.0, None
    for _ in range(2):
        for head in np.array(np.meshgrid(*axes)).reshape(len(axes), -1).T:
            last = budget - head.sum()
            if lo[-1] - 1e-9 <= last <= hi[-1] + 1e-9:
                value = _kplus(data, [*head.tolist(), last])
                if value > best:
                    best, at = value, head
        assert at is not None
        steps = [a[1] - a[0] for a in axes]
        axes = [
            np.linspace(max(lo[i], at[i] - 2 * w), min(hi[i], at[i] + 2 * w), points)
            for i, w in enumerate(steps)
        ]
    return best


@pytest.mark.parametrize("seed", range(8))
def test_reach_kplus_reaches_a_fine_grids_optimum(seed: int) -> None:
    lines = 2 if seed % 2 == 0 else 3
    data = _kplus_instance(2000 + seed, lines)
    result = optimize(parse_problem(data), with_frontier=False)
    _check_feasible(data, result.allocation)
    mine = _kplus(data, [result.allocation[ln["id"]] for ln in data["lines"]])
    assert mine == pytest.approx(result.reach, rel=1e-9, abs=1e-12)
    oracle = _grid_optimum(data, 1001 if lines == 2 else 81)
    assert mine >= oracle - 1e-9, (mine, oracle)  # no grid split does better
    assert abs(mine - oracle) <= 0.001 * max(oracle, 1e-12)
    assert optimize(parse_problem(data), with_frontier=False).allocation == result.allocation  # deterministic


@pytest.mark.parametrize("seed", range(3))
def test_reach_kplus_at_frequency_one_is_the_reach_1plus_optimum(seed: int) -> None:
    data = _kplus_instance(3000 + seed, 8)
    one = optimize(parse_problem({**data, "objective": "reach_1plus"}), with_frontier=False)
    kplus = optimize(parse_problem({**data, "k": 1}), with_frontier=False)
    assert kplus.reach == pytest.approx(one.reach, rel=1e-6)
    assert kplus.as_json()["k"] == 1 and "k" not in one.as_json()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"k": None}, "k: required"),
        ({"k": 2.5}, "k: a whole number from 1 to 50"),
        ({"k": 0}, "k: must be >= 1"),
        ({"lines": [{"id": "a", "cpm": 300.0, "curve": {"model": "hyperbolic", "a": 1.0, "b": 0.02}}]},
         r"lines\[0\]\.curve\.model: reach_kplus needs a negexp curve"),
    ],
)  # fmt: skip
def test_reach_kplus_input_errors_name_the_field(change: dict[str, Any], message: str) -> None:
    data = {**_kplus_instance(4000, 2), **change}
    with pytest.raises(OptimizeInputError, match=message):
        parse_problem(data)
