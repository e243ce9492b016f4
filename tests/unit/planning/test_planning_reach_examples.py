"""Every worked example of docs/reach_models.md, checked to its stated digits."""

from __future__ import annotations

from decimal import Decimal

import pytest

from planning import reach as R


def agrees(value: float, stated: str, scale: float = 1.0) -> bool:
    """True when `value * scale` rounds to `stated` at the stated number of decimals."""
    dec = Decimal(stated)
    exp = dec.as_tuple().exponent
    assert isinstance(exp, int)
    half_ulp = 0.5 * 10.0**exp
    return abs(value * scale - float(dec)) <= half_ulp * (1 + 1e-9)


def pct(value: float, stated: str) -> None:
    assert agrees(value, stated, 100.0), f"{value * 100!r}% does not round to {stated}%"


def num(value: float, stated: str) -> None:
    assert agrees(value, stated), f"{value!r} does not round to {stated}"


# §1.3 binary model [R]
def test_b1_binary_from_r1_r2_and_both_recurrences() -> None:
    a, p = R.binary_model_from_r1_r2(0.20, 0.30)
    num(p, "0.5000")
    num(a, "0.4000")
    expected = ["20.00", "30.00", "35.00", "37.50", "38.75", "39.38"]
    r1 = R.binary_model_reach(1, a, p)
    rec_a = rec_b = r1
    for n, stated in enumerate(expected, start=1):
        pct(R.binary_model_reach(n, a, p), stated)
        pct(rec_a, stated)
        pct(rec_b, stated)
        rec_a = rec_a + p * (a - rec_a)
        rec_b = r1 + rec_b - r1 * rec_b / a
    assert R.binary_model_reach(6, a, p) == pytest.approx(0.39375, abs=1e-12)


def test_b2_binary_distribution_moments() -> None:
    dist = R.binary_model_distribution(5, 0.4, 0.5)
    for got, stated in zip(dist, ["0.6125", "0.0625", "0.1250", "0.1250", "0.0625", "0.0125"], strict=True):
        num(got, stated)
    pct(R.effective_reach(dist, 1), "38.75")
    pct(R.effective_reach(dist, 3), "20.00")
    num(R.mean_contacts(dist), "1.000")
    num(R.variance_contacts(dist), "2.000")
    num(R.frequency_of_reached(dist), "2.581")


def test_t17_binary_chain() -> None:
    a, p = R.binary_model_from_r1_r2(0.2, 0.3)
    dist = R.binary_model_distribution(5, a, p)
    pct(R.effective_reach(dist, 1), "38.75")
    pct(R.effective_reach(dist, 3), "20.00")


# §1.4 risk of ineffective placement [R]
def test_k1_risk_and_min_insertions() -> None:
    pct(R.ineffective_risk(5, 0.5, 3), "50.00")
    assert R.min_insertions(0.5, 3, 0.10, method="exact") == 9
    pct(R.ineffective_risk(9, 0.5, 3), "8.984")
    assert R.ineffective_risk(8, 0.5, 3) > 0.10
    assert R.min_insertions(0.5, 3, 0.10, method="normal") == 9


# §1.6 survey statistics
@pytest.mark.parametrize(("r", "n", "stated_pp"), [(0.05, 1000, "1.351"), (0.10, 2000, "1.315")])
def test_q1_q2_margin_of_error(r: float, n: int, stated_pp: str) -> None:
    pct(R.margin_of_error(r, n, 0.95), stated_pp)


@pytest.mark.parametrize(("r", "delta", "expected"), [(0.10, 0.01, 3458), (0.05, 0.005, 7299)])
def test_q3_q4_t19_sample_size(r: float, delta: float, expected: int) -> None:
    assert R.sample_size(r, delta, 0.95) == expected


@pytest.mark.parametrize(("n", "stated"), [(1000, "0.3827"), (5000, "0.07677")])
def test_q5_q6_t20_min_significant_rating(n: int, stated: str) -> None:
    pct(R.min_significant_rating(n, 0.95), stated)
    # rel_precision = 1 is the same formula
    assert R.min_significant_rating(n, 0.95, 1.0) == R.min_significant_rating(n)


# §2 core metrics
def test_m1_m2_t01_reach_and_frequency() -> None:
    pct(R.reach_from_frequency(300, 4), "75.00")
    num(R.average_frequency(250, 0.625), "4.000")


def test_m3_m4_grp() -> None:
    num(R.grp_from_impressions(4_500_000, 1_500_000), "300.0")
    num(R.grp([5.2, 3.8, 7.1, 4.4, 6.0]), "26.50")


def test_m5_m6_t04_affinity() -> None:
    num(R.affinity(6, 4), "150.0")
    # TRP / Affinity x 100 = base GRP
    num(300 / R.affinity(6, 4) * 100, "200.0")


def test_m7_t02_t03_cpp_ots_cpt() -> None:
    num(R.cpp(3_000_000, 300), "10000")
    num(R.ots(300, 10_000_000), "30000000")
    num(R.cpt(3_000_000, 300, 10_000_000), "100.0")
    # identity CPT = CPP x 100 / (TA / 1000)
    assert R.cpt(3e6, 300, 1e7) == pytest.approx(R.cpp(3e6, 300) * 100 / (1e7 / 1000))
    assert R.budget_from_cpp(300, 10_000) == pytest.approx(3_000_000)
    assert R.budget_from_cpt(300, 10_000_000, 100) == pytest.approx(3_000_000)


def test_m8_cpm() -> None:
    num(R.cpm(250_000, 1_000_000), "250.0")


# §3 reach curves
def test_e1_e2_t05_negative_exponential() -> None:
    assert R.negative_exponential_reach(300, 0.85, 0.005) * 100 == pytest.approx(66.033936, abs=5e-7)
    pct(R.negative_exponential_reach(300, 0.85, 0.005), "66.03")
    pct(R.negative_exponential_reach(100, 0.85, 0.005), "33.44")
    pct(R.negative_exponential_reach(500, 0.85, 0.005), "78.02")


def test_e3_t06_poisson_special_case() -> None:
    for g, stated in [(100, "63.21"), (300, "95.02"), (500, "99.33")]:
        pct(R.poisson_reach(g), stated)
        pct(R.negative_exponential_reach(g, 1.0, 0.01), stated)


def test_negative_exponential_inverse_and_fit() -> None:
    r = R.negative_exponential_reach(300, 0.85, 0.005)
    assert R.fit_negative_exponential(0.85, 300, r) == pytest.approx(0.005)
    assert R.grp_for_reach(r, "negative_exponential", r_max=0.85, k=0.005) == pytest.approx(300)


def test_h1_h2_h4_t08_hyperbolic() -> None:
    pct(R.hyperbolic_reach(300, 1, 1 / 85), "66.23")
    pct(R.hyperbolic_reach(100, 1, 1 / 85), "45.95")
    pct(R.hyperbolic_reach(300, 1.2, 0.01), "71.43")
    num(R.grp_for_reach(0.60, "hyperbolic", a=1, b=1 / 85), "204.0")


def test_hyperbolic_is_hofmans_alpha_one() -> None:
    r1, r2 = 0.20, 0.30
    a = 2 * (r2 - r1) / r2
    b = (2 * r1 - r2) / (r1 * r2)
    for n in range(1, 12):
        g_fraction = n * r1
        # with G as a fraction, R = G / (a + b G)
        assert g_fraction / (a + b * g_fraction) == pytest.approx(R.hofmans_reach(n, r1, r2))


# §4.1 binomial
def test_n1_t11_binomial() -> None:
    dist = R.binomial_distribution(5, 0.2)
    for got, stated in zip(dist, ["32.77", "40.96", "20.48", "5.120", "0.6400", "0.03200"], strict=True):
        pct(got, stated)
    pct(R.effective_reach(dist, 1), "67.23")
    pct(R.effective_reach(dist, 3), "5.792")


def test_n2_binomial_many_spots() -> None:
    pct(R.effective_reach(R.binomial_distribution(400, 0.001), 1), "32.98")


# §4.2 beta-binomial
BB_CASES = [
    (
        "BB1",
        4,
        0.5,
        1.5,
        ["0.4922", "0.2188", "0.1406", "0.09375", "0.05469"],
        ["50.78", "28.91", "14.84"],
        "100",
        "1.969",
    ),
    (
        "BB2",
        10,
        0.3,
        1.2,
        [
            "0.4720",
            "0.1388",
            "0.08828",
            "0.06603",
            "0.05296",
            "0.04408",
            "0.03744",
            "0.03209",
            "0.02745",
            "0.02301",
            "0.01784",
        ],
        ["52.80", "38.92", "30.09"],
        "200",
        "3.788",
    ),
    (
        "BB3",
        6,
        2.0,
        6.0,
        ["0.2692", "0.2937", "0.2203", "0.1305", "0.06119", "0.02098", "0.004079"],
        ["73.08", "43.71", "21.68"],
        "150",
        "2.053",
    ),
]


@pytest.mark.parametrize(("case", "n", "alpha", "beta", "pmf", "reaches", "grp", "freq"), BB_CASES)
def test_bb1_bb3_t12_beta_binomial(
    case: str, n: int, alpha: float, beta: float, pmf: list[str], reaches: list[str], grp: str, freq: str
) -> None:
    dist = R.beta_binomial_distribution(n, alpha, beta)
    for got, stated in zip(dist, pmf, strict=True):
        num(got, stated)
    for k, stated in enumerate(reaches, start=1):
        pct(R.effective_reach(dist, k), stated)
    num(R.mean_contacts(dist) * 100, grp)
    num(R.frequency_of_reached(dist), freq)
    pi = alpha / (alpha + beta)
    rho = 1 / (alpha + beta + 1)
    assert R.variance_contacts(dist) == pytest.approx(n * pi * (1 - pi) * (1 + (n - 1) * rho))


def test_bb1_matches_scipy_if_available() -> None:
    stats = pytest.importorskip("scipy.stats")
    for n, a, b in [(4, 0.5, 1.5), (10, 0.3, 1.2), (6, 2.0, 6.0), (30, 0.7, 9.0)]:
        assert R.beta_binomial_distribution(n, a, b) == pytest.approx(
            list(stats.betabinom.pmf(range(n + 1), n, a, b))
        )


def test_bb4_from_r1_r2() -> None:
    a, b = R.beta_binomial_params_from_r1_r2(0.25, 0.35)
    num(a, "0.2857")
    num(b, "0.8571")
    dist = R.beta_binomial_distribution(5, a, b)
    for got, stated in zip(
        dist, ["0.5196", "0.1528", "0.1019", "0.08150", "0.07210", "0.07210"], strict=True
    ):
        num(got, stated)
    pct(R.effective_reach(dist, 1), "48.04")
    pct(R.effective_reach(dist, 3), "22.57")
    num(R.mean_contacts(dist) * 100, "125")


@pytest.mark.parametrize(
    ("r1", "r2", "n", "alpha", "beta", "reach1", "reach3", "grp"),
    [
        (0.20, 0.30, 8, "0.3333", "1.333", "51.41", "25.96", "160"),
        (0.06, 0.103, 5, "0.1925", "3.016", "18.53", "2.921", "30"),
    ],
)
def test_bb5_bb6_from_r1_r2(
    r1: float, r2: float, n: int, alpha: str, beta: str, reach1: str, reach3: str, grp: str
) -> None:
    a, b = R.beta_binomial_params_from_r1_r2(r1, r2)
    num(a, alpha)
    num(b, beta)
    dist = R.beta_binomial_distribution(n, a, b)
    pct(R.effective_reach(dist, 1), reach1)
    pct(R.effective_reach(dist, 3), reach3)
    num(R.mean_contacts(dist) * 100, grp)


def test_fit_beta_binomial_recovers_bb1() -> None:
    a, b = R.fit_beta_binomial(4, 100, 1 - R.beta_binomial_distribution(4, 0.5, 1.5)[0])
    assert a == pytest.approx(0.5, rel=1e-7)
    assert b == pytest.approx(1.5, rel=1e-7)


# §4.3 Hofmans
def test_hf1_t16_hofmans() -> None:
    got = [R.hofmans_reach(n, 0.06, 0.103) for n in range(3, 9)]
    for value, stated in zip(got, ["13.53", "16.05", "18.07", "19.72", "21.10", "22.27"], strict=True):
        pct(value, stated)
    assert R.hofmans_reach(1, 0.06, 0.103) == pytest.approx(0.06)
    assert R.hofmans_reach(2, 0.06, 0.103) == pytest.approx(0.103)


def test_hf2_hofmans_asymptote() -> None:
    pct(R.hofmans_reach(5, 0.2, 0.3), "42.86")
    pct(R.hofmans_reach(10, 0.2, 0.3), "50.00")
    pct(R.hofmans_reach(10**9, 0.2, 0.3), "60.00")


def test_hofmans_alpha_from_r3_roundtrip() -> None:
    r3 = R.hofmans_reach(3, 0.06, 0.103, alpha=1.3)
    assert R.hofmans_alpha_from_r3(0.06, 0.103, r3) == pytest.approx(1.3)
    assert R.hofmans_alpha_from_r3(0.06, 0.103, R.hofmans_reach(3, 0.06, 0.103)) == pytest.approx(1.0)


# §4.4 four models from the same two inputs
@pytest.mark.parametrize(
    ("n", "binom", "binary", "bb", "hof"),
    [
        (1, "20.00", "20.00", "20.00", "20.00"),
        (2, "36.00", "30.00", "30.00", "30.00"),
        (3, "48.80", "35.00", "36.36", "36.00"),
        (5, "67.23", "38.75", "44.39", "42.86"),
        (8, "83.22", "39.84", "51.41", "48.00"),
        (10, "89.26", "39.96", "54.55", "50.00"),
    ],
)
def test_section_4_4_models_diverge(n: int, binom: str, binary: str, bb: str, hof: str) -> None:
    pct(R.effective_reach(R.binomial_distribution(n, 0.2), 1), binom)
    a, p = R.binary_model_from_r1_r2(0.2, 0.3)
    pct(R.effective_reach(R.binary_model_distribution(n, a, p), 1), binary)
    al, be = R.beta_binomial_params_from_r1_r2(0.2, 0.3)
    num(al, "0.3333")
    num(be, "1.333")
    pct(R.effective_reach(R.beta_binomial_distribution(n, al, be), 1), bb)
    pct(R.hofmans_reach(n, 0.2, 0.3), hof)


# §5 several outlets
@pytest.mark.parametrize(
    ("reaches", "combined", "dist"),
    [
        ([0.4, 0.3, 0.2], "66.40", ["33.60", "45.20", "18.80", "2.400"]),
        ([0.5, 0.5], "75.00", ["25", "50", "25"]),
        ([0.6, 0.15], "66.00", ["34", "57", "9"]),
    ],
)
def test_sb1_sb2_sb4_t09_t10_sainsbury(reaches: list[float], combined: str, dist: list[str]) -> None:
    pct(R.sainsbury_reach(reaches), combined)
    got = R.sainsbury_distribution(reaches)
    for value, stated in zip(got, dist, strict=True):
        pct(value, stated)
    assert R.sainsbury_reach(reaches, adjustment=0.95) == pytest.approx(0.95 * R.sainsbury_reach(reaches))


def test_ag2_agostini_matrix_and_dict() -> None:
    pct(R.agostini_reach([0.25, 0.25], [[0.25, 0.10], [0.10, 0.25]]), "40.82")
    pct(R.agostini_reach([0.25, 0.25], {(0, 1): 0.10}), "40.82")


def test_metheringham_one_outlet_is_bb5() -> None:
    # d_ii = 2 a - R2 = 0.1 for R1 = 0.2, R2 = 0.3; 8 insertions -> the beta-binomial of BB5.
    dist = R.metheringham_distribution([0.2], [8], [[0.1]])
    pct(R.effective_reach(dist, 1), "51.41")
    pct(R.effective_reach(dist, 3), "25.96")


def test_metheringham_two_outlets_by_hand() -> None:
    # a = (0.25, 0.06), n = (5, 5), d_11 = 0.15 (R2 = .35), d_22 = 0.017 (R2 = .103), d_12 = 0.02
    a1 = (5 * 0.25 + 5 * 0.06) / 10
    d = (10 * 0.15 + 10 * 0.017 + 25 * 0.02) / 45
    al, be = R.beta_binomial_params_from_r1_r2(a1, 2 * a1 - d)
    expected = R.beta_binomial_distribution(10, al, be)
    got = R.metheringham_distribution([0.25, 0.06], [5, 5], {(0, 0): 0.15, (1, 1): 0.017, (0, 1): 0.02})
    assert got == pytest.approx(expected)


# §6 effective reach via Poisson
def test_p1_t07_poisson_effective() -> None:
    pct(R.poisson_reach(300, 1), "95.02")
    pct(R.poisson_reach(300, 3), "57.68")


def test_grp_for_reach_inverts_every_model() -> None:
    cases = [
        ("poisson", {"k": 3}, lambda g: R.poisson_reach(g, 3)),
        ("binomial", {"p": 0.2}, lambda g: 1 - (1 - 0.2) ** (g / 20)),
        ("binary", {"A": 0.4, "p": 0.5}, lambda g: R.binary_model_reach(g / 20, 0.4, 0.5)),
    ]
    for model, params, forward in cases:
        g = R.grp_for_reach(0.35, model, **params)
        assert forward(g) == pytest.approx(0.35)
    g = R.grp_for_reach(0.5078125, "beta_binomial", alpha=0.5, beta=1.5)
    assert g == pytest.approx(100.0, rel=1e-6)  # BB1: 4 insertions x 25 points
