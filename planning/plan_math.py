"""Plan maths: forecast reach and frequency per line and channel, combine channels, budget for a reach.

Every number carries the name of the model that produced it (`model` fields), so the UI and the
export can print it next to the figure. Model choices and default parameters: docs/decisions.md.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from mrm.i18n import refusal
from planning import reach as R

# Default reach curves per channel family: R_max (fraction) and k (per TRP point) of the negative
# exponential. They are planning priors to be replaced by curves fitted on the agency's own data
# (fit_negative_exponential on measured reach); E1 of docs/reach_models.md (85 %, 0.005) is the TV prior.
DEFAULT_CURVES: dict[str, dict[str, float]] = {
    "tv": {"r_max": 0.85, "k": 0.005},
    "radio": {"r_max": 0.70, "k": 0.004},
    "olv": {"r_max": 0.70, "k": 0.006},
    "display": {"r_max": 0.60, "k": 0.008},
    "social": {"r_max": 0.65, "k": 0.007},
    "ooh": {"r_max": 0.80, "k": 0.004},
    "search": {"r_max": 0.30, "k": 0.010},
    "other": {"r_max": 0.60, "k": 0.006},
}
_FAMILY_WORDS = {
    "tv": ("tv", "тв", "телевид"),
    "radio": ("radio", "радио"),
    "olv": ("olv", "video", "видео", "youtube", "pre-roll", "преролл"),
    "display": ("display", "медий", "баннер", "banner", "рся", "programmatic", "программатик"),
    "social": ("social", "соц", "таргет", "vk", "вк", "telegram", "target"),
    "ooh": ("ooh", "наружн", "билборд", "dooh", "outdoor"),
    "search": ("search", "поиск", "контекст", "keywords"),
}
# Pseudo-insertions used to give a line a contact distribution from (TRP, reach): the beta-binomial
# with this n, fitted to both numbers. n only sets the granularity of the distribution.
PSEUDO_INSERTIONS = 20


def channel_family(channel: str, platform: str = "") -> str:
    text = f"{channel} {platform}".lower()
    for family, words in _FAMILY_WORDS.items():
        if any(w in text for w in words):
            return family
    return "other"


@dataclass
class LineForecast:
    line_id: str
    channel: str
    family: str
    trp: float | None
    reach: float | None
    frequency: float | None
    distribution: list[float] = field(default_factory=list)
    model: str = ""
    note: str = ""

    def reach_k(self, k: int) -> float | None:
        if not self.distribution:
            return None
        return R.effective_reach(self.distribution, k)


@dataclass
class ChannelForecast:
    channel: str
    family: str
    trp: float
    reach: float
    frequency: float | None
    budget_net: float
    cpp: float | None
    model: str


@dataclass
class PlanForecast:
    lines: list[LineForecast]
    channels: list[ChannelForecast]
    reach: float
    frequency: float | None
    distribution: list[float]
    model: str
    trp: float


def _f(v: Any) -> float | None:
    return None if v is None else float(v)


def line_trp(line: Mapping[str, Any], ta_size: float | None = None) -> float | None:
    """TRP of a line: the plan's TRP, else its GRP, else impressions / TA size x 100."""
    for key in ("planned_trp", "planned_grp"):
        if line.get(key) is not None:
            return float(line[key])
    size = _f(line.get("ta_size")) or ta_size
    imps = _f(line.get("planned_impressions"))
    if imps and size:
        return imps / size * 100.0
    return None


def _distribution(trp: float, reach: float) -> tuple[list[float], str]:
    """Contact distribution with mean TRP/100 and the given reach: beta-binomial, else Poisson."""
    g = trp
    n = max(PSEUDO_INSERTIONS, math.ceil(g / 100.0) + 1)
    try:
        a, b = R.fit_beta_binomial(n, g, reach)
        return R.beta_binomial_distribution(n, a, b), f"beta-binomial (n={n}, fitted to TRP and reach)"
    except ValueError:
        m = g / 100.0
        kmax = max(10, int(m * 4) + 5)
        pmf = [math.exp(-m) * m**k / math.factorial(k) for k in range(kmax)]
        pmf.append(max(0.0, 1.0 - sum(pmf)))
        return pmf, "Poisson (random exposure)"


def forecast_line(
    line: Mapping[str, Any],
    *,
    ta_size: float | None = None,
    curves: Mapping[str, Mapping[str, float]] | None = None,
) -> LineForecast:
    """Reach, frequency and contact distribution of one plan line."""
    curves = {**DEFAULT_CURVES, **(curves or {})}
    family = channel_family(str(line.get("channel") or ""), str(line.get("platform") or ""))
    lid = str(line.get("line_id") or "")
    channel = str(line.get("channel") or line.get("platform") or "")
    trp = line_trp(line, ta_size)
    planned_reach = _f(line.get("planned_reach"))
    persons = _f(line.get("planned_reach_persons"))
    size = _f(line.get("ta_size")) or ta_size
    if planned_reach is None and persons and size:
        planned_reach = min(1.0, persons / size)
    freq = _f(line.get("planned_frequency"))
    if trp is None and planned_reach is not None and freq:
        trp = planned_reach * freq * 100.0
    if trp is None:
        if planned_reach is not None:
            return LineForecast(
                lid, channel, family, None, planned_reach, None, [], "plan (reach as planned)"
            )
        return LineForecast(
            lid, channel, family, None, None, None, [], "", "no TRP, GRP, impressions with TA size, or reach"
        )
    if planned_reach is not None and 0 < planned_reach <= 1:
        reach, model = planned_reach, "plan (reach as planned)"
    elif freq and freq >= 1 and trp > 0:
        reach = min(1.0, float(R.reach_from_frequency(trp, freq))) if trp / freq <= 100 else 1.0
        model = "plan (TRP / frequency)"
    else:
        params = curves[family]
        reach = float(R.negative_exponential_reach(trp, params["r_max"], params["k"]))
        model = f"negative exponential ({family}: R_max {params['r_max']:.0%}, k {params['k']:g})"
    if trp <= 0 or reach <= 0:
        return LineForecast(lid, channel, family, trp, 0.0, None, [1.0], model)
    reach = min(reach, 1.0, trp / 100.0)  # reach cannot exceed the contacts bought
    dist, dist_model = _distribution(trp, reach)
    return LineForecast(
        lid, channel, family, trp, reach, trp / (reach * 100.0), dist, f"{model}; distribution: {dist_model}"
    )


def forecast_plan(
    lines: Iterable[Mapping[str, Any]],
    *,
    ta_size: float | None = None,
    curves: Mapping[str, Mapping[str, float]] | None = None,
    duplications: Any = None,
) -> PlanForecast:
    """Per line and per channel forecasts, and the plan's combined reach.

    Lines of one channel: when all come from the channel curve, the curve is applied to the channel's
    total TRP (placements in one medium duplicate as the curve says); otherwise their reaches combine
    by Sainsbury. Channels combine by Sainsbury, or by Metheringham when `duplications` (pairwise
    audience overlaps between channels, in channel order) are given.
    """
    curves_all = {**DEFAULT_CURVES, **(curves or {})}
    line_list = list(lines)
    fcs = [forecast_line(ln, ta_size=ta_size, curves=curves) for ln in line_list]
    groups: dict[str, list[tuple[Mapping[str, Any], LineForecast]]] = {}
    for ln, fc in zip(line_list, fcs, strict=True):
        groups.setdefault(fc.channel or "—", []).append((ln, fc))
    channels: list[ChannelForecast] = []
    for ch, items in groups.items():
        with_reach = [fc for _, fc in items if fc.reach is not None]
        budget = sum(float(ln.get("budget_net") or 0) for ln, _ in items)
        trp = sum(fc.trp or 0.0 for fc in with_reach)
        family = items[0][1].family
        if not with_reach:
            continue
        if all(fc.model.startswith("negative exponential") for fc in with_reach) and trp > 0:
            p = curves_all[family]
            reach = min(float(R.negative_exponential_reach(trp, p["r_max"], p["k"])), trp / 100.0)
            model = f"negative exponential on channel TRP ({family})"
        else:
            reach = R.sainsbury_reach([min(1.0, fc.reach or 0.0) for fc in with_reach])
            model = "Sainsbury over the channel's lines"
        channels.append(
            ChannelForecast(
                ch, family, trp, reach, (trp / (reach * 100.0)) if reach > 0 and trp else None, budget,
                (budget / trp) if trp else None, model,
            )
        )  # fmt: skip
    reaches = [c.reach for c in channels]
    total_trp = sum(c.trp for c in channels)
    if not reaches:
        return PlanForecast(fcs, channels, 0.0, None, [1.0], "no reach could be forecast", 0.0)
    if duplications is not None and len(reaches) > 1:
        dist = R.metheringham_distribution(reaches, [1] * len(reaches), duplications)
        model = "Metheringham (channel duplications given)"
    else:
        dist = R.sainsbury_distribution(reaches)
        model = "Sainsbury (independent channels)"
    reach = 1.0 - dist[0]
    freq = total_trp / (reach * 100.0) if reach > 0 and total_trp else None
    return PlanForecast(fcs, channels, reach, freq, dist, model, total_trp)


def budget_for_reach(
    target: float, cpp: float, model: str = "negative_exponential", **params: Any
) -> tuple[float, float]:
    """(budget, TRP) needed for a target reach: TRP from the model's inverse curve, times CPP."""
    c = float(R._check("cpp", cpp, 0.0, lo_open=True))
    trp = R.grp_for_reach(target, model, **params)
    return trp * c, trp


def channel_budget_for_reach(
    channel: ChannelForecast, target: float, curves: Mapping[str, Mapping[str, float]] | None = None
) -> tuple[float, float]:
    """Budget and TRP for a channel to reach `target`, at the channel's planned CPP and curve."""
    if channel.cpp is None:
        raise refusal(ValueError, "plan_channel_no_cpp", channel=repr(channel.channel))
    p = {**DEFAULT_CURVES, **(curves or {})}[channel.family]
    return budget_for_reach(target, channel.cpp, "negative_exponential", r_max=p["r_max"], k=p["k"])
