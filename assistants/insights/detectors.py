"""Deterministic insight detectors over the marts: pipeline health first, then anomalies, pacing, movers, caveats.

Every detector returns Insight records whose numbers come from one parameterised evidence query.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import numpy as np

SEVERITY_ORDER = {"critical": 0, "high": 1, "medium": 2, "low": 3, "info": 4}
TYPE_ORDER = {"pipeline_health": 0, "anomaly": 1, "pacing": 2, "top_mover": 3, "provisional_data": 4}
HISTORY_DAYS = 56
Z_THRESHOLD = 4.0
MIN_REL_CHANGE = 0.25
# Minimum daily volume for a ratio to be judged (below it the ratio is noise, not news).
MIN_VOLUME = {
    "spend": ("spend", 500.0),
    "ctr": ("impressions", 2000.0),
    "cpc": ("clicks", 40.0),
    "cpa": ("conversions", 8.0),
    "cr": ("clicks", 80.0),
}


@dataclass
class Insight:
    tenant_id: str
    client_id: str
    as_of: dt.date
    type: str
    severity: str
    entity: str
    metric: str
    value: float
    baseline: float
    delta: float  # relative change (value / baseline - 1); 0 when not meaningful
    evidence_sql: str
    evidence_params: dict[str, Any]
    evidence_rows: list[dict[str, Any]]
    details: dict[str, Any] = field(default_factory=dict)
    narrative_ru: str = ""
    narrative_en: str = ""
    narrator: str = ""
    prompt_version: str = ""

    @property
    def insight_id(self) -> str:
        key = f"{self.tenant_id}|{self.client_id}|{self.as_of}|{self.type}|{self.entity}|{self.metric}"
        return hashlib.sha256(key.encode()).hexdigest()[:16]

    def facts(self) -> dict[str, Any]:
        """What a narrator may use: the record plus its evidence (numbers in text are checked against this)."""
        return {
            "insight_id": self.insight_id,
            "type": self.type,
            "severity": self.severity,
            "entity": self.entity,
            "metric": self.metric,
            "value": self.value,
            "baseline": self.baseline,
            "delta": self.delta,
            "details": self.details,
            "evidence_rows": self.evidence_rows,
            "as_of": self.as_of.isoformat(),
        }


def _rows(ch: Any, sql: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    r = ch.query(sql, parameters=params)
    return [dict(zip(r.column_names, row, strict=True)) for row in r.result_rows]


def _jsonable_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for r in rows:
        out.append(
            {
                k: (v.isoformat() if isinstance(v, dt.date) else float(v) if hasattr(v, "as_tuple") else v)
                for k, v in r.items()
            }
        )
    return out


# ------------------------------------------------------------------ pipeline health
def pipeline_health(
    ch: Any, tenant_id: str, client_id: str, as_of: dt.date, marts_db: str = "marts"
) -> list[Insight]:
    """Freshness (marts + load_log), volume collapse and duplicate grain keys — reported as data problems."""
    out: list[Insight] = []
    p = {"t": tenant_id, "c": client_id, "d": as_of, "from": as_of - dt.timedelta(days=28)}
    sql_fresh = (
        f"SELECT platform, max(date_day) AS last_day, sum(impressions) AS impressions "  # noqa: S608 - db from config
        f"FROM {marts_db}.fct_ad_performance_daily WHERE tenant_id = {{t:String}} AND client_id = {{c:String}} "
        "AND date_day BETWEEN {from:Date} AND {d:Date} GROUP BY platform ORDER BY platform"
    )
    fresh = _rows(ch, sql_fresh, p)
    for r in fresh:
        lag = (as_of - r["last_day"]).days
        if lag >= 2:  # yesterday's data is due by the morning run; two days missing is a pipeline problem
            out.append(
                _insight(
                    "pipeline_health",
                    sql_fresh,
                    p,
                    "critical" if lag >= 3 else "high",
                    r["platform"],
                    "freshness_days",
                    (float(lag), 1.0, 0.0),
                    _jsonable_rows([r]),
                    {"check": "freshness", "last_day": r["last_day"].isoformat(), "lag_days": lag},
                )
            )
    if not fresh:
        out.append(
            _insight(
                "pipeline_health",
                sql_fresh,
                p,
                "critical",
                client_id,
                "rows",
                (0.0, 0.0, 0.0),
                [],
                {"check": "no_data", "window_days": 28},
            )
        )

    sql_vol = (
        f"SELECT date_day, sum(impressions) AS impressions, count() AS row_count "  # noqa: S608
        f"FROM {marts_db}.fct_ad_performance_daily WHERE tenant_id = {{t:String}} AND client_id = {{c:String}} "
        "AND date_day BETWEEN {from:Date} AND {d:Date} GROUP BY date_day ORDER BY date_day"
    )
    vol = _rows(ch, sql_vol, p)
    by_day = {r["date_day"]: r for r in vol}
    hist = [float(r["row_count"]) for d, r in by_day.items() if d < as_of]
    if as_of in by_day and len(hist) >= 7:
        med = float(np.median(hist))
        today = float(by_day[as_of]["row_count"])
        if med > 0 and today < 0.5 * med:  # half the usual rows: ads/accounts missing, not a business drop
            out.append(
                _insight(
                    "pipeline_health",
                    sql_vol,
                    p,
                    "high",
                    client_id,
                    "row_count",
                    (today, med, today / med - 1),
                    _jsonable_rows([by_day[as_of]]),
                    {"check": "volume", "median_rows": med},
                )
            )

    sql_dup = (
        f"SELECT date_day, platform, account_id, campaign_id, ad_group_id, ad_id, count() AS copies "  # noqa: S608
        f"FROM {marts_db}.fct_ad_performance_daily WHERE tenant_id = {{t:String}} AND client_id = {{c:String}} "
        "AND date_day BETWEEN {from:Date} AND {d:Date} "
        "GROUP BY date_day, platform, account_id, campaign_id, ad_group_id, ad_id HAVING copies > 1 "
        "ORDER BY date_day LIMIT 20"
    )
    dups = _rows(ch, sql_dup, p)
    if dups:
        out.append(
            _insight(
                "pipeline_health",
                sql_dup,
                p,
                "critical",
                client_id,
                "duplicate_keys",
                (float(len(dups)), 0.0, 0.0),
                _jsonable_rows(dups),
                {"check": "duplicates", "first_day": dups[0]["date_day"].isoformat()},
            )
        )

    sql_load = (
        "SELECT l.platform AS platform, l.account_id AS account_id, argMax(l.status, l.started_at) AS last_status, "
        "argMax(l.error, l.started_at) AS last_error, max(l.started_at) AS last_started "
        "FROM app.load_log AS l WHERE l.tenant_id = {t:String} AND l.account_id IN "
        "(SELECT account_id FROM app.accounts FINAL WHERE tenant_id = {t:String} AND client_id = {c:String}) "
        "GROUP BY l.platform, l.account_id HAVING last_status = 'failed'"
    )
    for r in _rows(ch, sql_load, p):
        out.append(
            _insight(
                "pipeline_health",
                sql_load,
                p,
                "critical",
                f"{r['platform']}:{r['account_id']}",
                "last_load_failed",
                (1.0, 0.0, 0.0),
                _jsonable_rows([{k: (str(v) if k == "last_started" else v) for k, v in r.items()}]),
                {"check": "load_failed", "error": str(r["last_error"])[:300]},
            )
        )
    return out


def _p(p: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in p.items()}


def _insight(
    kind: str,
    sql: str,
    p: dict[str, Any],
    severity: str,
    entity: str,
    metric: str,
    numbers: tuple[float, float, float],
    rows: list[dict[str, Any]],
    details: dict[str, Any],
) -> Insight:
    """An insight of the tenant, client and day of the evidence query's parameters `p` (t, c, d).

    `numbers` are (value, baseline, delta)."""
    value, baseline, delta = numbers
    return Insight(
        p["t"],
        p["c"],
        p["d"],
        kind,
        severity,
        entity,
        metric,
        value,
        baseline,
        delta,
        sql,
        _p(p),
        rows,
        details,
    )


# ------------------------------------------------------------------ anomalies
_METRICS = ("spend", "ctr", "cpc", "cpa", "cr")


def _metric(row: dict[str, float], m: str) -> float | None:
    s, i, c, v = row["spend"], row["impressions"], row["clicks"], row["conversions"]
    if m == "spend":
        return s
    if m == "ctr":
        return c / i if i else None
    if m == "cpc":
        return s / c if c else None
    if m == "cpa":
        return s / v if v else None
    if m == "cr":
        return v / c if c else None
    raise ValueError(m)


def seasonal_baseline(series: dict[dt.date, float], target: dt.date) -> tuple[float, float] | None:
    """Expected value on `target` and robust log-scale, from a weekday profile and the recent level."""
    hist = {d: v for d, v in series.items() if d < target and v and v > 0}
    if len(hist) < 21:
        return None
    days = sorted(hist)
    logs = {d: math.log(hist[d]) for d in days}
    # Weekday profile: median deviation of each weekday from its centred 7-day median (log space).
    dev: dict[int, list[float]] = defaultdict(list)
    for d in days:
        win = [logs[x] for x in days if abs((x - d).days) <= 3]
        if len(win) >= 5:
            dev[d.weekday()].append(logs[d] - float(np.median(win)))
    prof = {w: float(np.median(v)) if v else 0.0 for w, v in dev.items()}
    deseason = {d: logs[d] - prof.get(d.weekday(), 0.0) for d in days}
    recent = [deseason[d] for d in days[-14:]]
    level = float(np.median(recent))
    resid = np.array([deseason[d] for d in days[-28:]]) - level
    scale = max(1.4826 * float(np.median(np.abs(resid - np.median(resid)))), 0.05)
    return math.exp(level + prof.get(target.weekday(), 0.0)), scale


def anomalies(
    ch: Any, tenant_id: str, client_id: str, as_of: dt.date, marts_db: str = "marts"
) -> list[Insight]:
    p = {"t": tenant_id, "c": client_id, "d": as_of, "from": as_of - dt.timedelta(days=HISTORY_DAYS)}
    sql = (
        "SELECT date_day, campaign_id, any(campaign_name) AS campaign_name, sum(impressions) AS impressions, "  # noqa: S608
        "sum(clicks) AS clicks, toFloat64(sum(spend_gross)) AS spend, sum(conversions) AS conversions "
        f"FROM {marts_db}.fct_ad_performance_daily WHERE tenant_id = {{t:String}} AND client_id = {{c:String}} "
        "AND date_day BETWEEN {from:Date} AND {d:Date} GROUP BY date_day, campaign_id ORDER BY campaign_id, date_day"
    )
    rows = _rows(ch, sql, p)
    per_entity: dict[str, dict[dt.date, dict[str, float]]] = defaultdict(dict)
    names: dict[str, str] = {}
    for r in rows:
        rec = {k: float(r[k]) for k in ("impressions", "clicks", "spend", "conversions")}
        per_entity[r["campaign_id"]][r["date_day"]] = rec
        names[r["campaign_id"]] = r["campaign_name"] or r["campaign_id"]
        tot = per_entity["__client__"].setdefault(r["date_day"], dict.fromkeys(rec, 0.0))
        for k, v in rec.items():
            tot[k] += v
    names["__client__"] = client_id
    out: list[Insight] = []
    for ent, series in per_entity.items():
        if as_of not in series:
            continue
        for m in _METRICS:
            vol_key, vol_min = MIN_VOLUME[m]
            # Gate on the entity's usual volume, not today's: a CPA spike is exactly a day with few conversions.
            usual = [r[vol_key] for d, r in series.items() if d < as_of]
            if not usual or float(np.median(usual)) < vol_min:
                continue
            vals = {d: _metric(r, m) for d, r in series.items() if r[vol_key] >= vol_min / 4}
            val = vals.get(as_of)
            base = seasonal_baseline({d: v for d, v in vals.items() if v is not None}, as_of)
            if val is None or val <= 0 or base is None:
                continue
            expected, scale = base
            z = (math.log(val) - math.log(expected)) / scale
            rel = val / expected - 1
            if abs(z) < Z_THRESHOLD or abs(rel) < MIN_REL_CHANGE:
                continue
            sev = "high" if abs(z) >= 6 and abs(rel) >= 0.5 else "medium"
            ev = [
                {"date_day": d.isoformat(), **{k: round(v, 2) for k, v in r.items()}}
                for d, r in sorted(series.items())
                if (as_of - d).days <= 14
            ]
            entity = "client" if ent == "__client__" else ent
            out.append(
                _insight(
                    "anomaly",
                    sql,
                    p,
                    sev,
                    entity,
                    m,
                    (round(val, 4), round(expected, 4), round(rel, 4)),
                    ev,
                    {
                        "entity_name": names[ent],
                        "z": round(z, 2),
                        "direction": "up" if rel > 0 else "down",
                        "value_fmt_decimals": 2 if m in ("cpc", "cpa") else 0,
                    },
                )
            )
    return out


# ------------------------------------------------------------------ pacing
def pacing(ch: Any, tenant_id: str, client_id: str, as_of: dt.date, marts_db: str = "marts") -> list[Insight]:
    p = {"t": tenant_id, "c": client_id, "d": as_of}
    sql = (
        "SELECT plan_id, line_id, any(channel) AS channel, any(flight_start) AS flight_start, any(flight_end) AS flight_end, "  # noqa: S608
        "toFloat64(any(line_budget_net)) AS budget_net, toFloat64(any(cum_planned_spend_net)) AS cum_planned, "
        "toFloat64(any(cum_actual_spend_net)) AS cum_actual, any(pacing_ratio) AS pacing_ratio, "
        "any(forecast_spend_net_end_of_flight) AS forecast_net, any(pacing_status) AS pacing_status "
        f"FROM {marts_db}.fct_plan_vs_fact_daily WHERE tenant_id = {{t:String}} AND client_id = {{c:String}} "
        "AND date_day = {d:Date} AND has_data = 1 "
        f"AND (plan_id, plan_version) IN (SELECT plan_id, max(plan_version) FROM {marts_db}.fct_plan_vs_fact_daily "
        "WHERE tenant_id = {t:String} AND client_id = {c:String} GROUP BY plan_id) "
        "GROUP BY plan_id, line_id ORDER BY plan_id, line_id"
    )
    out = []
    for r in _rows(ch, sql, p):
        budget, actual, fc = r["budget_net"], r["cum_actual"] or 0.0, r["forecast_net"]
        ratio = r["pacing_ratio"]
        details: dict[str, Any] = {
            "plan_id": r["plan_id"],
            "channel": r["channel"],
            "status": r["pacing_status"],
            "flight_end": r["flight_end"].isoformat(),
            "budget_net": round(budget, 2),
            "cum_actual_net": round(actual, 2),
        }
        exhaust = None
        if fc and budget and fc > budget * 1.05:
            remaining_days = (r["flight_end"] - as_of).days
            run_rate = (fc - actual) / remaining_days if remaining_days > 0 else 0
            if run_rate > 0:
                exhaust = as_of + dt.timedelta(days=max(0, math.ceil((budget - actual) / run_rate)))
                if exhaust < r["flight_end"]:
                    details["exhaustion_date"] = exhaust.isoformat()
        if r["pacing_status"] in ("under", "over") or "exhaustion_date" in details:
            sev = (
                "high"
                if (ratio and (ratio > 1.25 or ratio < 0.75)) or "exhaustion_date" in details
                else "medium"
            )
            row = {
                **r,
                "flight_start": r["flight_start"].isoformat(),
                "flight_end": r["flight_end"].isoformat(),
            }
            out.append(
                _insight(
                    "pacing",
                    sql,
                    p,
                    sev,
                    r["line_id"],
                    "spend_net",
                    (
                        round(fc or actual, 2),
                        round(budget, 2),
                        round((fc or actual) / budget - 1, 4) if budget else 0.0,
                    ),
                    _jsonable_rows([row]),
                    {
                        **details,
                        "pacing_ratio": round(ratio, 4) if ratio is not None else None,
                        "forecast_net": round(fc, 2) if fc is not None else None,
                    },
                )
            )
    return out


# ------------------------------------------------------------------ top movers & provisional
def top_movers(
    ch: Any, tenant_id: str, client_id: str, as_of: dt.date, marts_db: str = "marts", n: int = 3
) -> list[Insight]:
    p = {
        "t": tenant_id,
        "c": client_id,
        "d": as_of,
        "from": as_of - dt.timedelta(days=13),
        "mid": as_of - dt.timedelta(days=6),
    }
    sql = (
        "SELECT campaign_id, any(campaign_name) AS campaign_name, "  # noqa: S608
        "round(toFloat64(sumIf(spend_gross, date_day >= {mid:Date})), 2) AS spend_this_week, "
        "round(toFloat64(sumIf(spend_gross, date_day < {mid:Date})), 2) AS spend_prev_week "
        f"FROM {marts_db}.fct_ad_performance_daily WHERE tenant_id = {{t:String}} AND client_id = {{c:String}} "
        "AND date_day BETWEEN {from:Date} AND {d:Date} GROUP BY campaign_id ORDER BY campaign_id"
    )
    rows = [r for r in _rows(ch, sql, p) if r["spend_prev_week"] > 0]
    rows.sort(key=lambda r: -abs(r["spend_this_week"] - r["spend_prev_week"]))
    out = []
    for r in rows[:n]:
        rel = r["spend_this_week"] / r["spend_prev_week"] - 1
        if abs(rel) < 0.2:
            continue
        out.append(
            _insight(
                "top_mover",
                sql,
                p,
                "info",
                r["campaign_id"],
                "spend_wow",
                (r["spend_this_week"], r["spend_prev_week"], round(rel, 4)),
                _jsonable_rows([r]),
                {"entity_name": r["campaign_name"], "window_days": 7},
            )
        )
    return out


def provisional(
    ch: Any, tenant_id: str, client_id: str, as_of: dt.date, marts_db: str = "marts"
) -> list[Insight]:
    p = {"t": tenant_id, "c": client_id, "d": as_of, "from": as_of - dt.timedelta(days=14)}
    sql = (
        "SELECT platform, min(date_day) AS first_provisional_day, uniqExact(date_day) AS provisional_days "  # noqa: S608
        f"FROM {marts_db}.fct_ad_performance_daily WHERE tenant_id = {{t:String}} AND client_id = {{c:String}} "
        "AND date_day BETWEEN {from:Date} AND {d:Date} AND is_provisional = 1 GROUP BY platform ORDER BY platform"
    )
    rows = _rows(ch, sql, p)
    if not rows:
        return []
    first = min(r["first_provisional_day"] for r in rows)
    return [
        _insight(
            "provisional_data",
            sql,
            p,
            "info",
            client_id,
            "provisional_days",
            (float(max(r["provisional_days"] for r in rows)), 0.0, 0.0),
            _jsonable_rows(rows),
            {"first_day": first.isoformat(), "platforms": [r["platform"] for r in rows]},
        )
    ]


def detect_all(
    ch: Any, tenant_id: str, client_id: str, as_of: dt.date, marts_db: str = "marts"
) -> list[Insight]:
    """Pipeline health runs first; if as_of's data is broken, business anomalies for it are suppressed."""
    # marts_db is formatted into every detector's SQL (from --marts-db): a database name, never SQL text.
    if not isinstance(marts_db, str) or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,63}", marts_db):
        raise ValueError(f"marts database must be a plain name, got {marts_db!r}")
    health = pipeline_health(ch, tenant_id, client_id, as_of, marts_db)
    broken = any(
        i.severity in ("critical", "high") and i.details.get("check") in ("volume", "duplicates", "no_data")
        for i in health
    )
    stale_platforms = {i.entity for i in health if i.details.get("check") == "freshness"}
    found = list(health)
    if not broken:
        found += [a for a in anomalies(ch, tenant_id, client_id, as_of, marts_db) if not stale_platforms]
    found += pacing(ch, tenant_id, client_id, as_of, marts_db)
    found += top_movers(ch, tenant_id, client_id, as_of, marts_db)
    found += provisional(ch, tenant_id, client_id, as_of, marts_db)
    cur = client_currency(ch, tenant_id, client_id)
    for i in found:  # the texts name the currency of the amounts they quote
        i.details.setdefault("currency", cur)
    found.sort(key=lambda i: (TYPE_ORDER[i.type], SEVERITY_ORDER[i.severity], i.entity, i.metric))
    return found


def client_currency(ch: Any, tenant_id: str, client_id: str) -> str:
    """The client's currency (app.clients); its marts are in it. 'RUB' for a client not registered there."""
    rows = ch.query(
        "SELECT any(currency) FROM app.clients FINAL WHERE tenant_id = {t:String} AND client_id = {c:String}",
        parameters={"t": tenant_id, "c": client_id},
    ).result_rows
    return str(rows[0][0]) if rows and rows[0][0] else "RUB"


def to_json(ins: Insight) -> str:
    return json.dumps(ins.facts(), ensure_ascii=False, default=str)
