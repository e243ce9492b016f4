"""Reach, frequency and GRP calculators ("Shmatov calculators" and the classic models).

Conventions (see docs/planning.md and docs/reach_models.md): reach, ratings used as
probabilities and risks are fractions in [0, 1]; GRP/TRP are rating points (1 point = 1 % of the
audience); a contact distribution is a list P(0), P(1), ..., P(n) that sums to 1. Scalar metric and
curve functions accept numpy arrays too. Invalid input raises `ParamError` (a `ValueError`) that
names the parameter and its valid range.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from statistics import NormalDist
from typing import Any

import numpy as np

from mrm.i18n import carry, refusal, t

ArrayLike = Any  # float | Sequence[float] | np.ndarray

# Agostini's empirical constant for French magazines (Agostini 1961); recalibrate per market.
AGOSTINI_K = 1.125


class ParamError(ValueError):
    """A parameter outside its valid range: `param` names it, the catalogue text `key` (filled with the parameter,
    the value given and `values`) says what is allowed; str() is English, `mrm.i18n.explain` either language."""

    def __init__(self, param: str, key: str, value: Any, /, **values: Any) -> None:
        self.param, self.value = param, value
        said = {"param": param, "value": _show(value), **values}
        super().__init__(t(key, "en", **said))
        carry(refusal(ValueError, key, **said), self)


def _show(value: Any) -> str:
    arr = np.asarray(value)
    if arr.ndim == 0:
        return repr(arr.item())
    return np.array2string(arr, threshold=8)


def _arr(name: str, value: ArrayLike) -> np.ndarray:
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ParamError(name, "plan_reach_number", value) from None
    if np.any(np.isnan(arr)):
        raise ParamError(name, "plan_reach_not_nan", value)
    return arr


def _check(
    name: str,
    value: ArrayLike,
    lo: float | None = None,
    hi: float | None = None,
    *,
    lo_open: bool = False,
    hi_open: bool = False,
    why: str = "plan_reach_range",
    **why_values: Any,
) -> np.ndarray:
    """Validate that every element lies in the interval and return it as a float array; `why` is the catalogue
    text of the refusal (the interval and why it is so), filled with `why_values`."""
    arr = _arr(name, value)
    ok = np.ones(arr.shape, dtype=bool)
    if lo is not None:
        ok &= (arr > lo) if lo_open else (arr >= lo)
    if hi is not None:
        ok &= (arr < hi) if hi_open else (arr <= hi)
    if not np.all(ok):
        left = ("(" if lo_open else "[") + ("-inf" if lo is None else f"{lo:g}")
        right = ("inf" if hi is None else f"{hi:g}") + (")" if hi_open else "]")
        if lo is None:
            left = "(-inf"
        if hi is None:
            right = "inf)"
        raise ParamError(name, why, value, interval=f"{left}, {right}", **why_values)
    return arr


def _out(arr: np.ndarray) -> Any:
    """Return a Python float for scalar results, the array otherwise."""
    return float(arr) if np.ndim(arr) == 0 else arr


def _int(name: str, value: Any, lo: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        else:
            raise ParamError(name, "plan_reach_integer_min", value, lo=lo)
    if value < lo:
        raise ParamError(name, "plan_reach_integer_min", value, lo=lo)
    return int(value)


def _z(confidence: float) -> float:
    _check("confidence", confidence, 0.0, 1.0, lo_open=True, hi_open=True)
    return NormalDist().inv_cdf(1.0 - (1.0 - confidence) / 2.0)


# ---------------------------------------------------------------------------------------------
# Core metrics
# ---------------------------------------------------------------------------------------------


def grp(ratings: ArrayLike) -> float:
    """GRP = sum of the insertions' ratings (rating points)."""
    r = _check("ratings", ratings, 0.0, None)
    return float(np.sum(r))


def grp_from_impressions(impressions: ArrayLike, population: ArrayLike) -> Any:
    """GRP = impressions / population x 100."""
    imp = _check("impressions", impressions, 0.0)
    pop = _check("population", population, 0.0, lo_open=True)
    return _out(imp / pop * 100.0)


def affinity(ta_rating: ArrayLike, base_rating: ArrayLike) -> Any:
    """Affinity index = TA rating / base rating x 100 (>100: the TA is over-represented)."""
    ta = _check("ta_rating", ta_rating, 0.0)
    base = _check("base_rating", base_rating, 0.0, lo_open=True)
    return _out(ta / base * 100.0)


def cpp(budget: ArrayLike, trp: ArrayLike) -> Any:
    """Cost per rating point = budget / TRP."""
    b = _check("budget", budget, 0.0)
    t = _check("trp", trp, 0.0, lo_open=True)
    return _out(b / t)


def cpt(budget: ArrayLike, trp: ArrayLike, ta_size: ArrayLike) -> Any:
    """Cost per thousand contacts = budget / (TRP/100 x TA size) x 1000."""
    b = _check("budget", budget, 0.0)
    t = _check("trp", trp, 0.0, lo_open=True)
    n = _check("ta_size", ta_size, 0.0, lo_open=True)
    return _out(b / (t / 100.0 * n) * 1000.0)


def cpm(cost: ArrayLike, impressions: ArrayLike) -> Any:
    """Cost per mille = cost / impressions x 1000."""
    c = _check("cost", cost, 0.0)
    i = _check("impressions", impressions, 0.0, lo_open=True)
    return _out(c / i * 1000.0)


def ots(trp: ArrayLike, ta_size: ArrayLike) -> Any:
    """OTS (Russian usage): number of contacts = TRP/100 x TA size."""
    t = _check("trp", trp, 0.0)
    n = _check("ta_size", ta_size, 0.0)
    return _out(t / 100.0 * n)


def reach_from_frequency(grp: ArrayLike, frequency: ArrayLike) -> Any:
    """Reach (fraction) = GRP / average frequency / 100."""
    g = _check("grp", grp, 0.0)
    f = _check("frequency", frequency, 1.0, why="plan_reach_range_freq")
    r = g / f / 100.0
    if np.any(r > 1.0 + 1e-12):
        raise ParamError("frequency", "plan_reach_freq_grp", frequency)
    return _out(r)


def average_frequency(grp: ArrayLike, reach: ArrayLike) -> Any:
    """Average frequency among the reached = GRP / (reach x 100)."""
    g = _check("grp", grp, 0.0)
    r = _check("reach", reach, 0.0, 1.0, lo_open=True)
    return _out(g / (r * 100.0))


def budget_from_cpp(trp: ArrayLike, cpp: ArrayLike) -> Any:
    """Budget = TRP x CPP."""
    t = _check("trp", trp, 0.0)
    c = _check("cpp", cpp, 0.0)
    return _out(t * c)


def budget_from_cpt(trp: ArrayLike, ta_size: ArrayLike, cpt: ArrayLike) -> Any:
    """Budget = contacts / 1000 x CPT, contacts = TRP/100 x TA size."""
    return _out(np.asarray(ots(trp, ta_size)) / 1000.0 * _check("cpt", cpt, 0.0))


# ---------------------------------------------------------------------------------------------
# Reach curves (reach as a function of GRP)
# ---------------------------------------------------------------------------------------------


def negative_exponential_reach(grp: ArrayLike, r_max: ArrayLike, k: ArrayLike) -> Any:
    """R(G) = r_max x (1 - exp(-k G)); r_max a fraction, k per GRP point."""
    g = _check("grp", grp, 0.0)
    rm = _check("r_max", r_max, 0.0, 1.0, lo_open=True)
    kk = _check("k", k, 0.0, lo_open=True)
    return _out(rm * -np.expm1(-kk * g))


def fit_negative_exponential(r_max: float, grp0: float, reach0: float) -> float:
    """k of the negative-exponential curve through (grp0, reach0): k = -ln(1 - reach0/r_max)/grp0."""
    rm = float(_check("r_max", r_max, 0.0, 1.0, lo_open=True))
    g0 = float(_check("grp0", grp0, 0.0, lo_open=True))
    r0 = float(_check("reach0", reach0, 0.0, rm, lo_open=True, hi_open=True, why="plan_reach_range_reach0"))
    return -math.log1p(-r0 / rm) / g0


def hyperbolic_reach(grp: ArrayLike, a: ArrayLike, b: ArrayLike) -> Any:
    """R% = G / (a + b G) with R and G in percent (b = 1/R_max%); returns a fraction."""
    g = _check("grp", grp, 0.0)
    aa = _check("a", a, 0.0, lo_open=True)
    bb = _check("b", b, 0.01, why="plan_reach_range_b")
    return _out(g / (aa + bb * g) / 100.0)


def fit_hyperbolic(points: Iterable[tuple[float, float]]) -> tuple[float, float]:
    """Least-squares fit of G/R% = a + b G to (grp, reach fraction) points; returns (a, b)."""
    pts = list(points)
    if len(pts) < 2:
        raise ParamError("points", "plan_reach_two_points", pts)
    g = _check("points.grp", [p[0] for p in pts], 0.0, lo_open=True)
    r = _check("points.reach", [p[1] for p in pts], 0.0, 1.0, lo_open=True)
    if np.ptp(g) == 0:
        raise ParamError("points.grp", "plan_reach_distinct", g)
    y = g / (r * 100.0)
    b, a = np.polyfit(g, y, 1)
    if a <= 0 or b <= 0:
        raise ParamError("points", "plan_reach_saturating", pts, a=f"{a:.4g}", b=f"{b:.4g}")
    return float(a), float(b)


def poisson_reach(grp: ArrayLike, k: int = 1) -> Any:
    """Random-exposure reach k+ with mean contacts m = GRP/100: 1 - exp(-m) sum_{j<k} m^j/j!."""
    g = _check("grp", grp, 0.0)
    kk = _int("k", k, 1)
    m = g / 100.0
    term = np.exp(-m)
    cdf = np.zeros_like(m)
    for j in range(kk):
        if j:
            term = term * m / j
        cdf = cdf + term
    return _out(np.clip(1.0 - cdf, 0.0, 1.0))


def _solve_increasing(
    f: Callable[[float], float], target: float, lo: float, hi: float, tol: float = 1e-12
) -> float:
    """Bisection for f(x) = target on an increasing f over [lo, hi]."""
    flo, fhi = f(lo), f(hi)
    if not (flo <= target <= fhi):
        raise ValueError("target outside bracket")
    for _ in range(300):
        mid = 0.5 * (lo + hi)
        if f(mid) < target:
            lo = mid
        else:
            hi = mid
        if hi - lo <= tol * max(1.0, abs(hi)):
            break
    return 0.5 * (lo + hi)


CURVE_MODELS = ("negative_exponential", "hyperbolic", "poisson", "binomial", "binary", "beta_binomial")


def grp_for_reach(target: float, model: str, **params: Any) -> float:
    """GRP needed for a target reach (fraction) under a model.

    Models: negative_exponential (r_max, k), hyperbolic (a, b), poisson (k=1 for reach k+),
    binomial (p = rating per insertion), binary (A, p), beta_binomial (alpha, beta). For the
    insertion-based models the GRP is 100 x n x rating with n possibly fractional (interpolated).
    """
    t = float(_check("target", target, 0.0, 1.0, hi_open=True))
    if model == "negative_exponential":
        rm = float(_check("r_max", params["r_max"], 0.0, 1.0, lo_open=True))
        k = float(_check("k", params["k"], 0.0, lo_open=True))
        _check("target", t, 0.0, rm, hi_open=True, why="plan_reach_range_negexp")
        return -math.log1p(-t / rm) / k
    if model == "hyperbolic":
        a = float(_check("a", params["a"], 0.0, lo_open=True))
        b = float(_check("b", params["b"], 0.01))
        _check("target", t, 0.0, 1.0 / (b * 100.0), hi_open=True, why="plan_reach_range_hyperbola")
        r = t * 100.0
        return a * r / (1.0 - b * r)
    if model == "poisson":
        k = _int("k", params.get("k", 1), 1)
        if t == 0:
            return 0.0
        hi = 100.0
        while float(poisson_reach(hi, k)) < t:
            hi *= 2.0
        return _solve_increasing(lambda g: float(poisson_reach(g, k)), t, 0.0, hi)
    if model == "binomial":
        p = float(_check("p", params["p"], 0.0, 1.0, lo_open=True))
        if p == 1.0:
            return 100.0 if t > 0 else 0.0
        n = math.log1p(-t) / math.log1p(-p)
        return 100.0 * n * p
    if model == "binary":
        big_a = float(_check("A", params["A"], 0.0, 1.0, lo_open=True))
        p = float(_check("p", params["p"], 0.0, 1.0, lo_open=True))
        _check("target", t, 0.0, big_a, hi_open=True, why="plan_reach_range_binary_target")
        n = 1.0 if p == 1.0 else math.log1p(-t / big_a) / math.log1p(-p)
        return 100.0 * n * big_a * p
    if model == "beta_binomial":
        al = float(_check("alpha", params["alpha"], 0.0, lo_open=True))
        be = float(_check("beta", params["beta"], 0.0, lo_open=True))

        # Reach for real-valued n via the Beta-function identity 1 - B(a, b+n)/B(a, b).
        def reach_n(n: float) -> float:
            return -math.expm1(
                math.lgamma(be + n) + math.lgamma(al + be) - math.lgamma(be) - math.lgamma(al + be + n)
            )

        if t == 0:
            return 0.0
        hi = 1.0
        while reach_n(hi) < t:
            hi *= 2.0
            if hi > 1e12:
                raise ParamError("target", "plan_reach_betabinom_target", t)
        n = _solve_increasing(reach_n, t, 0.0, hi)
        return 100.0 * n * al / (al + be)
    raise ParamError("model", "plan_reach_one_of", model, allowed=", ".join(CURVE_MODELS))


# ---------------------------------------------------------------------------------------------
# One outlet, n insertions
# ---------------------------------------------------------------------------------------------


def binomial_distribution(n: int, p: float) -> list[float]:
    """P(X = k), k = 0..n, for X ~ Binomial(n, p): every person has the same contact probability p."""
    nn = _int("n", n, 0)
    pp = float(_check("p", p, 0.0, 1.0))
    return _binom_pmf(nn, pp).tolist()


def _binom_pmf(n: int, p: float) -> np.ndarray:
    k = np.arange(n + 1)
    if p in (0.0, 1.0):
        out = np.zeros(n + 1)
        out[0 if p == 0.0 else n] = 1.0
        return out
    logc = np.array([math.lgamma(n + 1) - math.lgamma(i + 1) - math.lgamma(n - i + 1) for i in k])
    return np.exp(logc + k * math.log(p) + (n - k) * math.log1p(-p))


def beta_binomial_distribution(n: int, alpha: float, beta: float) -> list[float]:
    """P(X = k), k = 0..n, when p ~ Beta(alpha, beta) and X | p ~ Binomial(n, p)."""
    nn = _int("n", n, 0)
    al = float(_check("alpha", alpha, 0.0, lo_open=True))
    be = float(_check("beta", beta, 0.0, lo_open=True))
    return _betabinom_pmf(nn, al, be).tolist()


def _betabinom_pmf(n: int, al: float, be: float) -> np.ndarray:
    def lbeta(x: float, y: float) -> float:
        return math.lgamma(x) + math.lgamma(y) - math.lgamma(x + y)

    base = lbeta(al, be)
    out = np.array(
        [
            math.lgamma(n + 1)
            - math.lgamma(k + 1)
            - math.lgamma(n - k + 1)
            + lbeta(k + al, n - k + be)
            - base
            for k in range(n + 1)
        ]
    )
    pmf = np.exp(out)
    return pmf / pmf.sum()


def beta_binomial_params_from_r1_r2(r1: float, r2: float) -> tuple[float, float]:
    """(alpha, beta) reproducing one-insertion reach r1 and two-insertion reach r2 (Metheringham)."""
    a1 = float(_check("r1", r1, 0.0, 1.0, lo_open=True, hi_open=True))
    a2 = float(
        _check(
            "r2",
            r2,
            a1,
            2 * a1 - a1 * a1,
            lo_open=True,
            hi_open=True,
            why="plan_reach_range_bb_r2",
        )
    )
    alpha = a1 * (a2 - a1) / (2 * a1 - a1 * a1 - a2)
    return alpha, alpha * (1 - a1) / a1


def _bb_reach(n: int, al: float, be: float) -> float:
    """Reach 1+ = 1 - prod_{j<n} (beta+j)/(alpha+beta+j), in log space for stability."""
    s = 0.0
    for j in range(n):
        s += math.log((be + j) / (al + be + j))
    return -math.expm1(s)


def fit_beta_binomial(n: int, grp: float, reach: float) -> tuple[float, float]:
    """(alpha, beta) with mean GRP/(100 n) per insertion and reach 1+ after n insertions."""
    nn = _int("n", n, 2)
    g = float(
        _check("grp", grp, 0.0, 100.0 * nn, lo_open=True, hi_open=True, why="plan_reach_range_grp_prob")
    )
    pi = g / (100.0 * nn)
    hi = 1.0 - (1.0 - pi) ** nn
    r = float(
        _check(
            "reach",
            reach,
            pi,
            hi,
            lo_open=True,
            hi_open=True,
            why="plan_reach_range_bb_reach",
            pi=f"{pi:.6g}",
            binomial=f"{hi:.6g}",
        )
    )

    # Reach grows monotonically with s = alpha + beta (more homogeneous audience); solve in log s.
    def f(log_s: float) -> float:
        s = math.exp(log_s)
        return _bb_reach(nn, pi * s, (1 - pi) * s)

    lo_s, hi_s = -30.0, 0.0
    while f(hi_s) < r:
        hi_s += 5.0
        if hi_s > 60:
            raise ParamError("reach", "plan_reach_binomial_limit", reach)
    log_s = _solve_increasing(f, r, lo_s, hi_s, tol=1e-14)
    s = math.exp(log_s)
    return pi * s, (1 - pi) * s


def hofmans_reach(n: ArrayLike, r1: float, r2: float, alpha: float = 1.0) -> Any:
    """Hofmans (1966) reach after n insertions from r1, r2 (and the non-linearity exponent alpha)."""
    nn = _check("n", n, 1.0)
    a1 = float(_check("r1", r1, 0.0, 1.0, lo_open=True, hi_open=True))
    a2 = float(
        _check("r2", r2, a1, min(2 * a1, 1.0), lo_open=True, hi_open=True, why="plan_reach_range_hofmans")
    )
    al = float(_check("alpha", alpha, 0.0, lo_open=True))
    d = 2 * a1 - a2
    k = 2 * a1 / a2
    x = nn * a1
    res = x * x / (x + k * (nn / 2.0) * np.power(nn - 1.0, al) * d)
    return _out(np.minimum(res, 1.0))


def hofmans_alpha_from_r3(r1: float, r2: float, r3: float) -> float:
    """Hofmans' exponent alpha = log2((3 r1 - r3) r2 / ((2 r1 - r2) r3)) from an observed r3."""
    a1 = float(_check("r1", r1, 0.0, 1.0, lo_open=True, hi_open=True))
    a2 = float(
        _check("r2", r2, a1, min(2 * a1, 1.0), lo_open=True, hi_open=True, why="plan_reach_range_hofmans")
    )
    a3 = float(_check("r3", r3, a2, min(3 * a1, 1.0), lo_open=True, hi_open=True, why="plan_reach_range_r3"))
    val = (3 * a1 - a3) * a2 / ((2 * a1 - a2) * a3)
    if val <= 0:
        raise ParamError("r3", "plan_reach_r3_formula", r3)
    return math.log2(val)


# ---------------------------------------------------------------------------------------------
# Several outlets / channels
# ---------------------------------------------------------------------------------------------


def _reaches(reaches: ArrayLike, name: str = "reaches") -> np.ndarray:
    r = _check(name, reaches, 0.0, 1.0)
    if r.ndim != 1 or r.size == 0:
        raise ParamError(name, "plan_reach_fractions", reaches)
    return r


def sainsbury_reach(reaches: ArrayLike, adjustment: float = 1.0) -> float:
    """Combined reach under independent exposure: 1 - prod(1 - r_i).

    `adjustment` (opt-in, e.g. 0.95 as in Telmar Media Guru) scales the result for positive
    correlation between channels; the default 1.0 is the plain Sainsbury formula.
    """
    r = _reaches(reaches)
    adj = float(_check("adjustment", adjustment, 0.0, 1.0, lo_open=True))
    return (1.0 - float(np.prod(1.0 - r))) * adj


def sainsbury_distribution(reaches: ArrayLike) -> list[float]:
    """Poisson-binomial contact distribution of channels with independent reaches r_i."""
    r = _reaches(reaches)
    dist = np.array([1.0])
    for ri in r:
        dist = np.convolve(dist, np.array([1.0 - ri, ri]))
    return dist.tolist()


def _dup_matrix(m: int, duplications: Any, name: str = "duplications", diagonal: bool = False) -> np.ndarray:
    """Accept a symmetric m x m matrix or a {(i, j): d} dict; returns the matrix (NaN where unknown)."""
    out = np.full((m, m), np.nan)
    if isinstance(duplications, Mapping):
        for key, val in duplications.items():
            try:
                i, j = (int(x) for x in key)
            except (TypeError, ValueError):
                raise ParamError(name, "plan_reach_pair_keys", key) from None
            if not (0 <= i < m and 0 <= j < m):
                raise ParamError(f"{name}[{key}]", "plan_reach_indices", key, hi=m - 1)
            if not np.isnan(out[i, j]) and abs(out[i, j] - float(val)) > 1e-12:
                raise ParamError(f"{name}[{key}]", "plan_reach_symmetric_pair", val)
            out[i, j] = out[j, i] = float(_check(f"{name}[{i},{j}]", val, 0.0, 1.0))
    else:
        arr = _arr(name, duplications)
        if arr.shape != (m, m):
            raise ParamError(name, "plan_reach_matrix", duplications, m=m)
        if not np.allclose(arr, arr.T, equal_nan=True):
            raise ParamError(name, "plan_reach_symmetric", duplications)
        out = arr.copy()
    return out


def _check_frechet(audiences: np.ndarray, dup: np.ndarray, name: str) -> None:
    m = len(audiences)
    for i in range(m):
        for j in range(i + 1, m):
            d = dup[i, j]
            if np.isnan(d):
                raise ParamError(f"{name}[{i},{j}]", "plan_reach_every_pair", None)
            lo = max(0.0, audiences[i] + audiences[j] - 1.0)
            hi = min(audiences[i], audiences[j])
            if not (lo - 1e-12 <= d <= hi + 1e-12):
                raise ParamError(f"{name}[{i},{j}]", "plan_reach_frechet", d, lo=f"{lo:g}", hi=f"{hi:g}")


def agostini_reach(audiences: ArrayLike, duplications: Any, k: float = AGOSTINI_K) -> float:
    """Agostini (1961) net reach of one insertion in each outlet: C = A^2 / (A + K D)."""
    a = _reaches(audiences, "audiences")
    kk = float(_check("k", k, 0.0, lo_open=True))
    dup = _dup_matrix(len(a), duplications)
    _check_frechet(a, dup, "duplications")
    total_a = float(a.sum())
    if total_a <= 0:
        raise ParamError("audiences", "plan_reach_positive_sum", audiences)
    total_d = float(sum(dup[i, j] for i in range(len(a)) for j in range(i + 1, len(a))))
    return min(1.0, total_a * total_a / (total_a + kk * total_d))


def metheringham_params(
    audiences: ArrayLike, insertions: Sequence[int], duplications: Any
) -> tuple[float, float, int]:
    """Average-outlet (A1, A2, N) of Metheringham (1964); see metheringham_distribution."""
    a = _reaches(audiences, "audiences")
    if len(insertions) != len(a):
        raise ParamError("insertions", "plan_reach_insertions_list", insertions, n=len(a))
    ns = [_int(f"insertions[{i}]", v, 0) for i, v in enumerate(insertions)]
    big_n = sum(ns)
    if big_n < 1:
        raise ParamError("insertions", "plan_reach_one_insertion", insertions)
    dup = _dup_matrix(len(a), duplications)
    _check_frechet(a, dup, "duplications")
    a1 = sum(n * ai for n, ai in zip(ns, a, strict=True)) / big_n
    if big_n == 1:
        return a1, float("nan"), 1
    total, pairs = 0.0, 0
    for i, ni in enumerate(ns):
        if ni >= 2:
            d = dup[i, i]
            if np.isnan(d):
                raise ParamError(f"duplications[{i},{i}]", "plan_reach_dii", None)
            _check(f"duplications[{i},{i}]", d, 0.0, float(a[i]))
            total += ni * (ni - 1) / 2 * d
            pairs += ni * (ni - 1) // 2
        for j in range(i + 1, len(ns)):
            total += ni * ns[j] * dup[i, j]
            pairs += ni * ns[j]
    d_avg = total / pairs
    return a1, 2 * a1 - d_avg, big_n


def metheringham_distribution(
    audiences: ArrayLike, insertions: Sequence[int], duplications: Any
) -> list[float]:
    """Contact distribution of a multi-outlet schedule via Metheringham's average-outlet beta-binomial.

    `duplications` is a symmetric matrix (or {(i, j): d} dict) of pairwise duplicated audiences; the
    diagonal d_ii (= 2 a_i - R2_i) is needed for outlets with two or more insertions.
    """
    a1, a2, big_n = metheringham_params(audiences, insertions, duplications)
    if big_n == 1:
        return [1.0 - a1, a1]
    limit = 2 * a1 - a1 * a1
    if abs(a2 - limit) <= 1e-12:
        return _binom_pmf(big_n, a1).tolist()
    if a2 > limit:
        raise ParamError("duplications", "plan_reach_dup_min", duplications, a=f"{a1 * a1:.6g}")
    if a2 <= a1:
        raise ParamError("duplications", "plan_reach_dup_max", duplications, a=f"{a1:.6g}")
    al, be = beta_binomial_params_from_r1_r2(a1, a2)
    return _betabinom_pmf(big_n, al, be).tolist()


# ---------------------------------------------------------------------------------------------
# Shmatov-style binary model [reconstruction, see reach_models.md §1.3-1.4]
# ---------------------------------------------------------------------------------------------


def binary_model_from_r1_r2(r1: float, r2: float) -> tuple[float, float]:
    """(A, p) of the binary audience model from one- and two-insertion reaches: p = 2 - r2/r1, A = r1/p."""
    a1 = float(_check("r1", r1, 0.0, 1.0, lo_open=True))
    a2 = float(_check("r2", r2, a1, 2 * a1 - a1 * a1, lo_open=True, why="plan_reach_range_binary_r2"))
    p = 2.0 - a2 / a1
    return min(1.0, a1 / p), p


def binary_model_distribution(n: int, A: float, p: float) -> list[float]:  # noqa: N803 - the model's symbol
    """Contacts distribution: P(0) = 1 - A + A (1-p)^n, P(k) = A C(n,k) p^k (1-p)^(n-k)."""
    nn = _int("n", n, 0)
    big_a = float(_check("A", A, 0.0, 1.0, lo_open=True))
    pp = float(_check("p", p, 0.0, 1.0, lo_open=True))
    dist = big_a * _binom_pmf(nn, pp)
    dist[0] += 1.0 - big_a
    return dist.tolist()


def binary_model_reach(n: ArrayLike, A: float, p: float) -> Any:  # noqa: N803
    """Reach after n insertions: A (1 - (1-p)^n)."""
    nn = _check("n", n, 0.0)
    big_a = float(_check("A", A, 0.0, 1.0, lo_open=True))
    pp = float(_check("p", p, 0.0, 1.0, lo_open=True))
    return _out(big_a * (1.0 - np.power(1.0 - pp, nn)))


def ineffective_risk(n: int, p: float, k: int) -> float:
    """Risk that an audience member gets fewer than k contacts in n insertions: P(Binomial(n, p) < k)."""
    nn = _int("n", n, 0)
    pp = float(_check("p", p, 0.0, 1.0, lo_open=True))
    kk = _int("k", k, 1)
    if kk > nn:
        return 1.0
    return float(min(1.0, _binom_pmf(nn, pp)[:kk].sum()))


def min_insertions(p: float, k: int, eps: float, method: str = "exact", max_n: int = 100_000) -> int:
    """Smallest n with risk(n) <= eps; method 'exact' (binomial) or 'normal' (continuity-corrected)."""
    pp = float(_check("p", p, 0.0, 1.0, lo_open=True))
    kk = _int("k", k, 1)
    e = float(_check("eps", eps, 0.0, 1.0, lo_open=True, hi_open=True))
    if method == "exact":
        for n in range(kk, max_n + 1):
            if ineffective_risk(n, pp, kk) <= e:
                return n
    elif method == "normal":
        z = NormalDist().inv_cdf(1.0 - e)
        for n in range(1, max_n + 1):
            if n * pp - z * math.sqrt(n * pp * (1 - pp)) >= kk - 0.5:
                return n
    else:
        raise ParamError("method", "plan_reach_method", method)
    raise ParamError("p", "plan_reach_risk", p, n=max_n)


# ---------------------------------------------------------------------------------------------
# Survey statistics
# ---------------------------------------------------------------------------------------------


def margin_of_error(r: ArrayLike, n: ArrayLike, confidence: float = 0.95) -> Any:
    """Absolute margin of error of a rating r measured on n respondents: z sqrt(r(1-r)/n)."""
    rr = _check("r", r, 0.0, 1.0)
    nn = _check("n", n, 0.0, lo_open=True)
    return _out(_z(confidence) * np.sqrt(rr * (1 - rr) / nn))


def sample_size(r: float, delta: float, confidence: float = 0.95) -> int:
    """Respondents needed for a margin delta on a rating r: ceil(z^2 r(1-r)/delta^2)."""
    rr = float(_check("r", r, 0.0, 1.0, lo_open=True, hi_open=True))
    d = float(_check("delta", delta, 0.0, 1.0, lo_open=True, hi_open=True))
    z = _z(confidence)
    return int(math.ceil(z * z * rr * (1 - rr) / (d * d) - 1e-9))


def min_significant_rating(n: ArrayLike, confidence: float = 0.95, rel_precision: float = 1.0) -> Any:
    """Smallest rating distinguishable from zero on n respondents: z^2 / (z^2 + n eps^2)."""
    nn = _check("n", n, 0.0, lo_open=True)
    eps = float(_check("rel_precision", rel_precision, 0.0, lo_open=True))
    z2 = _z(confidence) ** 2
    return _out(z2 / (z2 + nn * eps * eps))


# ---------------------------------------------------------------------------------------------
# Distributions
# ---------------------------------------------------------------------------------------------


def _dist(distribution: ArrayLike) -> np.ndarray:
    d = _check("distribution", distribution, 0.0, 1.0 + 1e-9)
    if d.ndim != 1 or d.size == 0:
        raise ParamError("distribution", "plan_reach_distribution", distribution)
    if abs(float(d.sum()) - 1.0) > 1e-6:
        raise ParamError("distribution", "plan_reach_sum_one", float(d.sum()))
    return d


def effective_reach(distribution: ArrayLike, k: int) -> float:
    """Reach k+ = sum_{j >= k} P(j) of a contact distribution."""
    d = _dist(distribution)
    kk = _int("k", k, 0)
    return float(min(1.0, d[kk:].sum()))


def mean_contacts(distribution: ArrayLike) -> float:
    """Expected number of contacts per TA member (= GRP / 100)."""
    d = _dist(distribution)
    return float(np.dot(np.arange(d.size), d))


def variance_contacts(distribution: ArrayLike) -> float:
    """Variance of the number of contacts."""
    d = _dist(distribution)
    k = np.arange(d.size)
    m = float(np.dot(k, d))
    return float(np.dot((k - m) ** 2, d))


def frequency_of_reached(distribution: ArrayLike) -> float:
    """Average frequency among those reached (1+): E[X] / P(X >= 1)."""
    d = _dist(distribution)
    reach = 1.0 - float(d[0])
    if reach <= 0:
        raise ParamError("distribution", "plan_reach_someone_reached", distribution)
    return mean_contacts(d) / reach
