"""Measure detectors on synthetic marts: recall of injected anomalies and false alarms per client-week."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any

from assistants.insights import synthetic
from assistants.insights.detectors import anomalies, pacing, pipeline_health

EXPECTED_METRIC = {
    "spend_spike": "spend",
    "spend_drop": "spend",
    "ctr_drop": "ctr",
    "cpc_spike": "cpc",
    "cpa_spike": "cpa",
    "cr_drop": "cr",
}
ALARM_TYPES = {"anomaly", "pipeline_health", "pacing"}


@dataclass
class DetectorEval:
    injected: int = 0
    detected: int = 0
    client_weeks: float = 0.0
    false_alarms: int = 0
    missed: list[str] = field(default_factory=list)
    alarms: list[str] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.detected / self.injected if self.injected else 0.0

    @property
    def false_alarms_per_client_week(self) -> float:
        return self.false_alarms / self.client_weeks if self.client_weeks else 0.0


def _alarms(ch: Any, tenant: str, client: str, day: dt.date, db: str) -> list[Any]:
    found = (
        pipeline_health(ch, tenant, client, day, db)
        + anomalies(ch, tenant, client, day, db)
        + pacing(ch, tenant, client, day, db)
    )
    return [i for i in found if i.type in ALARM_TYPES and i.severity != "info"]


def run(
    ch: Any,
    db: str,
    *,
    clients: int = 3,
    days: int = 84,
    eval_days: int = 14,
    injections: int = 24,
    seed: int = 11,
) -> DetectorEval:
    """Clean tenant → false alarms over the last `eval_days`; injected tenant → recall (metric must match)."""
    if db in ("marts", "staging", "intermediate", "app") or not db.replace("_", "").isalnum():
        raise ValueError(f"refusing to use {db!r} as a scratch database")
    # A scratch database: reruns must start clean, or duplicated rows would read as pipeline alarms.
    ch.command(f"DROP DATABASE IF EXISTS {db}")
    start = dt.date(2026, 6, 1)
    end = start + dt.timedelta(days=days - 1)
    ids = [f"k{i + 1}" for i in range(clients)]
    res = DetectorEval()
    synthetic.generate(ch, db, "eval_clean", ids, start, days, seed=seed, provisional_days=0)
    for c in ids:
        for k in range(eval_days):
            day = end - dt.timedelta(days=k)
            for a in _alarms(ch, "eval_clean", c, day, db):
                res.false_alarms += 1
                res.alarms.append(f"{c} {day} {a.type} {a.entity} {a.metric} {a.delta:+.2f}")
    res.client_weeks = clients * eval_days / 7
    rng = random.Random(seed)
    kinds = sorted(EXPECTED_METRIC)
    inj: list[synthetic.Injection] = []
    used: set[tuple[str, dt.date]] = set()
    while len(inj) < injections:
        c = rng.choice(ids)
        day = end - dt.timedelta(days=rng.randrange(eval_days))
        if (c, day) in used:
            continue
        used.add((c, day))
        inj.append(synthetic.Injection(c, f"{c}-c{rng.randrange(4) + 1}", day, kinds[len(inj) % len(kinds)]))
    synthetic.generate(
        ch, db, "eval_injected", ids, start, days, seed=seed, injections=inj, provisional_days=0
    )
    for i in inj:
        found = anomalies(ch, "eval_injected", i.client_id, i.day, db)
        ok = any(f.entity == i.campaign_id and f.metric == EXPECTED_METRIC[i.kind] for f in found)
        res.injected += 1
        res.detected += int(ok)
        if not ok:
            res.missed.append(f"{i.client_id} {i.campaign_id} {i.day} {i.kind}")
    return res
