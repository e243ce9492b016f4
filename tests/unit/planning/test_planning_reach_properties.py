"""Property tests (hypothesis) and parameter validation of planning.reach."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from planning import reach as R

prob = st.floats(0.001, 0.999)
small_n = st.integers(1, 40)
fast = settings(max_examples=60, deadline=None, database=None)


@st.composite
def r1_r2_bb(draw: st.DrawFn) -> tuple[float, float]:
    r1 = draw(st.floats(0.01, 0.9))
    t = draw(st.floats(0.02, 0.98))
    return r1, r1 + t * (r1 - r1 * r1)


@fast
@given(small_n, prob)
def test_binomial_sums_to_one(n: int, p: float) -> None:
    assert math.fsum(R.binomial_distribution(n, p)) == pytest.approx(1.0)


@fast
@given(small_n, st.floats(0.05, 50), st.floats(0.05, 50))
def test_beta_binomial_sums_to_one_and_mean(n: int, a: float, b: float) -> None:
    dist = R.beta_binomial_distribution(n, a, b)
    assert math.fsum(dist) == pytest.approx(1.0)
    assert R.mean_contacts(dist) == pytest.approx(n * a / (a + b), rel=1e-6, abs=1e-9)


@fast
@given(small_n, prob, prob)
def test_binary_sums_to_one(n: int, a: float, p: float) -> None:
    dist = R.binary_model_distribution(n, a, p)
    assert math.fsum(dist) == pytest.approx(1.0)
    assert R.mean_contacts(dist) == pytest.approx(n * a * p)


@fast
@given(st.lists(st.floats(0.0, 1.0), min_size=1, max_size=8))
def test_sainsbury_bounds_and_distribution(reaches: list[float]) -> None:
    combined = R.sainsbury_reach(reaches)
    assert max(reaches) - 1e-12 <= combined <= min(1.0, sum(reaches)) + 1e-12
    dist = R.sainsbury_distribution(reaches)
    assert math.fsum(dist) == pytest.approx(1.0)
    assert R.effective_reach(dist, 1) == pytest.approx(combined, abs=1e-12)


@fast
@given(st.integers(1, 30), prob)
def test_binomial_reach_monotone_in_n(n: int, p: float) -> None:
    r_n = R.effective_reach(R.binomial_distribution(n, p), 1)
    r_next = R.effective_reach(R.binomial_distribution(n + 1, p), 1)
    assert r_next >= r_n - 1e-12


@fast
@given(st.integers(1, 30), r1_r2_bb())
def test_model_reach_monotone_in_n(n: int, r12: tuple[float, float]) -> None:
    r1, r2 = r12
    al, be = R.beta_binomial_params_from_r1_r2(r1, r2)
    bb = [R.effective_reach(R.beta_binomial_distribution(m, al, be), 1) for m in (n, n + 1)]
    assert bb[1] >= bb[0] - 1e-12
    hof = [R.hofmans_reach(m, r1, r2) for m in (n, n + 1)]
    assert hof[1] >= hof[0] - 1e-12
    a, p = R.binary_model_from_r1_r2(r1, r2)
    bin_ = [R.binary_model_reach(m, a, p) for m in (n, n + 1)]
    assert bin_[1] >= bin_[0] - 1e-12


@fast
@given(st.floats(0, 2000), st.floats(0, 2000), st.floats(0.05, 1.0), st.floats(1e-4, 0.05))
def test_curves_monotone_in_grp(g1: float, g2: float, r_max: float, k: float) -> None:
    lo, hi = sorted((g1, g2))
    assert R.negative_exponential_reach(hi, r_max, k) >= R.negative_exponential_reach(lo, r_max, k)
    assert R.hyperbolic_reach(hi, 1.0, 1.0 / (r_max * 100)) >= R.hyperbolic_reach(
        lo, 1.0, 1.0 / (r_max * 100)
    )
    assert R.poisson_reach(hi, 1) >= R.poisson_reach(lo, 1)
    assert R.poisson_reach(hi, 3) >= R.poisson_reach(lo, 3) - 1e-15


@fast
@given(st.integers(1, 25), st.floats(0.1, 20), st.floats(0.1, 20))
def test_effective_reach_decreasing_in_k(n: int, a: float, b: float) -> None:
    dist = R.beta_binomial_distribution(n, a, b)
    values = [R.effective_reach(dist, k) for k in range(0, n + 2)]
    assert values[0] == pytest.approx(1.0)
    assert all(x >= y - 1e-12 for x, y in zip(values, values[1:], strict=False))
    assert values[-1] == 0.0


@fast
@given(st.floats(0, 1500))
def test_poisson_effective_reach_decreasing_in_k(g: float) -> None:
    values = [R.poisson_reach(g, k) for k in range(1, 8)]
    assert all(x >= y - 1e-12 for x, y in zip(values, values[1:], strict=False))


# fits recover their generating parameters
@fast
@given(st.floats(0.05, 1.0), st.floats(1e-4, 0.05), st.floats(10, 800))
def test_fit_negative_exponential_recovers_k(r_max: float, k: float, g0: float) -> None:
    r0 = R.negative_exponential_reach(g0, r_max, k)
    assume(r0 < r_max * (1 - 1e-9))
    assert R.fit_negative_exponential(r_max, g0, r0) == pytest.approx(k, rel=1e-6)


@fast
@given(st.floats(0.5, 3.0), st.floats(0.0101, 0.05))
def test_fit_hyperbolic_recovers_a_b(a: float, b: float) -> None:
    pts = [(g, R.hyperbolic_reach(g, a, b)) for g in (50, 100, 200, 400, 800)]
    fa, fb = R.fit_hyperbolic(pts)
    assert fa == pytest.approx(a, rel=1e-6)
    assert fb == pytest.approx(b, rel=1e-6)


@fast
@given(st.floats(0.05, 20), st.floats(0.05, 20))
def test_beta_binomial_params_from_r1_r2_recover(a: float, b: float) -> None:
    r1 = a / (a + b)
    r2 = 1 - b * (b + 1) / ((a + b) * (a + b + 1))
    assume(r1 < r2 < 2 * r1 - r1 * r1 - 1e-9)
    fa, fb = R.beta_binomial_params_from_r1_r2(r1, r2)
    assert fa == pytest.approx(a, rel=1e-5)
    assert fb == pytest.approx(b, rel=1e-5)


@fast
@given(st.integers(2, 30), st.floats(0.05, 10), st.floats(0.2, 30))
def test_fit_beta_binomial_recovers(n: int, a: float, b: float) -> None:
    dist = R.beta_binomial_distribution(n, a, b)
    reach = 1 - dist[0]
    g = 100 * n * a / (a + b)
    pi = a / (a + b)
    assume(pi * (1 + 1e-6) < reach < (1 - (1 - pi) ** n) * (1 - 1e-6))
    fa, fb = R.fit_beta_binomial(n, g, reach)
    assert fa == pytest.approx(a, rel=1e-4)
    assert fb == pytest.approx(b, rel=1e-4)


@fast
@given(prob, prob)
def test_binary_model_from_r1_r2_recovers(a: float, p: float) -> None:
    r1 = a * p
    r2 = a * (1 - (1 - p) ** 2)
    assume(r2 > r1 * (1 + 1e-9))
    fa, fp = R.binary_model_from_r1_r2(r1, r2)
    assert fa == pytest.approx(a, rel=1e-6)
    assert fp == pytest.approx(p, rel=1e-6)


@fast
@given(st.floats(0.02, 0.5), st.floats(0.05, 0.95), st.floats(0.3, 3.0))
def test_hofmans_alpha_recovers(r1: float, t: float, alpha: float) -> None:
    r2 = r1 + t * r1 * (1 - r1)
    r3 = R.hofmans_reach(3, r1, r2, alpha=alpha)
    assume(r2 < r3 < min(3 * r1, 1.0) and r3 < 1.0)
    assert R.hofmans_alpha_from_r3(r1, r2, r3) == pytest.approx(alpha, rel=1e-6)


@fast
@given(st.floats(0.01, 0.98), st.floats(0.05, 1.0), st.floats(1e-4, 0.05))
def test_grp_for_reach_roundtrip(target: float, r_max: float, k: float) -> None:
    assume(target < r_max * 0.999)
    g = R.grp_for_reach(target, "negative_exponential", r_max=r_max, k=k)
    assert R.negative_exponential_reach(g, r_max, k) == pytest.approx(target, rel=1e-9)


@fast
@given(st.floats(0.01, 0.95), st.integers(1, 6), st.floats(0.01, 0.5))
def test_min_insertions_is_minimal(p: float, k: int, eps: float) -> None:
    n = R.min_insertions(p, k, eps)
    assert R.ineffective_risk(n, p, k) <= eps
    if n > k:
        assert R.ineffective_risk(n - 1, p, k) > eps


def test_vectorised_curves() -> None:
    g = np.array([100.0, 300.0, 500.0])
    out = R.negative_exponential_reach(g, 0.85, 0.005)
    assert isinstance(out, np.ndarray) and out.shape == (3,)
    assert out[1] == pytest.approx(0.66033936, abs=1e-8)
    assert R.poisson_reach(g).shape == (3,)
    assert R.hyperbolic_reach(g, 1, 1 / 85).shape == (3,)
    assert R.margin_of_error(np.array([0.05, 0.1]), np.array([1000, 2000])).shape == (2,)


# ---------------------------------------------------------------------------------------------
# invalid parameters name the parameter and its range
# ---------------------------------------------------------------------------------------------
INVALID = [
    (lambda: R.beta_binomial_params_from_r1_r2(0.2, 0.4), "r2", "(0.2, 0.36)"),
    (lambda: R.beta_binomial_params_from_r1_r2(0.2, 0.15), "r2", "(0.2, 0.36)"),
    (lambda: R.binary_model_from_r1_r2(0.2, 0.37), "r2", "(0.2, 0.36]"),
    (lambda: R.hofmans_reach(3, 0.2, 0.41), "r2", "(0.2, 0.4)"),
    (lambda: R.grp([5, -1]), "ratings", "[0, inf)"),
    (lambda: R.negative_exponential_reach(-5, 0.85, 0.005), "grp", "[0, inf)"),
    (lambda: R.negative_exponential_reach(100, 1.2, 0.005), "r_max", "(0, 1]"),
    (lambda: R.binomial_distribution(5, 1.2), "p", "[0, 1]"),
    (lambda: R.binomial_distribution(-1, 0.2), "n", "integer >= 0"),
    (lambda: R.binomial_distribution(2.5, 0.2), "n", "integer >= 0"),
    (lambda: R.beta_binomial_distribution(5, 0, 1), "alpha", "(0, inf)"),
    (lambda: R.ineffective_risk(5, 1.5, 3), "p", "(0, 1]"),
    (lambda: R.min_insertions(0.5, 3, 1.0), "eps", "(0, 1)"),
    (lambda: R.min_insertions(0.5, 3, 0.1, method="magic"), "method", "'exact' or 'normal'"),
    (lambda: R.sample_size(0.1, 0.0), "delta", "(0, 1)"),
    (lambda: R.margin_of_error(0.1, 100, confidence=1.5), "confidence", "(0, 1)"),
    (lambda: R.min_significant_rating(0), "n", "(0, inf)"),
    (lambda: R.sainsbury_reach([0.2, 1.1]), "reaches", "[0, 1]"),
    (lambda: R.agostini_reach([0.25, 0.25], {(0, 1): 0.3}), "duplications[0,1]", "[0, 0.25]"),
    (lambda: R.grp_for_reach(0.9, "negative_exponential", r_max=0.85, k=0.005), "target", "[0, 0.85)"),
    (lambda: R.grp_for_reach(0.5, "nonsense"), "model", "one of"),
    (lambda: R.fit_beta_binomial(4, 100, 0.9), "reach", "(0.25, 0.683594)"),
    (lambda: R.effective_reach([0.5, 0.2], 1), "distribution", "summing to 1"),
    (lambda: R.reach_from_frequency(300, 0.5), "frequency", "[1, inf)"),
    (lambda: R.metheringham_distribution([0.2], [3], {(0, 1): 0.1}), "duplications[(0, 1)]", "[0, 0]"),
    (lambda: R.metheringham_distribution([0.2, 0.1], [3, 1], {(0, 1): 0.05}), "duplications[0,0]", "given"),
]


@pytest.mark.parametrize(("call", "param", "valid"), INVALID)
def test_invalid_parameters_raise_value_error_naming_param_and_range(call, param: str, valid: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError) as err:
        call()
    msg = str(err.value)
    assert msg.startswith(param + " "), msg
    assert valid in msg, msg
    assert isinstance(err.value, R.ParamError) and err.value.param == param
