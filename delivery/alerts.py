"""Alert rules per client: what is wrong now, and what to tell whom (open, worse, resolved).

Rules (thresholds per client in `AlertRules`, defaults below):
- pacing: a plan line off plan by more than `pacing_off` (fraction) from day `pacing_from_day` of its flight;
- anomaly: the insight detectors' anomalies in the direction that hurts (spend collapse or spike, CPC/CPA up,
  CTR and conversion rate down); a rise in conversions or CTR is good news, never an alarm;
- spend_stopped: a campaign that usually spends stopped spending on the day;
- stale: the last successful load of an account is older than `stale_hours`;
- load_failed: the last load of an account failed;
- token: an ad account's credential expires within `token_days` days or was revoked (delivery/tokens.py).

Each condition has a stable key (rule and subject), so repeated runs keep one alert per condition per period:
an alert is announced when it opens, again only when it gets worse by `worsen_factor`, and once more when it
clears (resolved). State lives in app.alerts; acknowledging records who and when.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from assistants.insights import detectors
from mrm.i18n import both, fmt_num, refusal, t

# The direction in which a metric's move is bad news (detectors report both).
BAD_DIRECTION = {"spend": ("up", "down"), "cpc": ("up",), "cpa": ("up",), "ctr": ("down",), "cr": ("down",)}
RULES = ("pacing", "anomaly", "spend_stopped", "stale", "load_failed", "token")


@dataclass(frozen=True)
class AlertRules:
    pacing_off: float = 0.15
    pacing_from_day: int = 3
    stale_hours: float = 36.0
    spend_stopped_min_daily: float = 1000.0
    worsen_factor: float = 1.25
    token_days: int = 7
    enabled: tuple[str, ...] = RULES


@dataclass(frozen=True)
class Condition:
    key: str
    rule: str
    period: str
    severity: float  # larger is worse; compared across runs for "worse"
    message_ru: str
    message_en: str


@dataclass(frozen=True)
class Notice:
    kind: str  # open | worse | resolved
    client_id: str
    condition: Condition

    def text(self, lang: str) -> str:
        head = t(f"dlv_notice_{self.kind}", lang)
        return f"{head}: {self.condition.message_ru if lang == 'ru' else self.condition.message_en}"


def _pct(x: float) -> str:
    return f"{x * 100:+.0f} %"


def pacing(ch: Any, tenant: str, client: str, as_of: dt.date, rules: AlertRules, db: str) -> list[Condition]:
    out = []
    for i in detectors.pacing(ch, tenant, client, as_of, db):
        ratio = i.details.get("pacing_ratio")
        start = i.evidence_rows[0]["flight_start"] if i.evidence_rows else None
        flight_day = (as_of - dt.date.fromisoformat(start)).days + 1 if start else 0
        if ratio is None or abs(ratio - 1) <= rules.pacing_off or flight_day < rules.pacing_from_day:
            continue
        plan, line = i.details["plan_id"], i.entity
        out.append(
            Condition(
                f"pacing:{plan}/{line}",
                "pacing",
                f"{plan}",
                abs(ratio - 1),
                *both("dlv_cond_pacing", line=line, plan=plan, pct=_pct(ratio - 1)),
            )
        )
    return out


def anomalies(ch: Any, tenant: str, client: str, as_of: dt.date, db: str) -> list[Condition]:
    out = []
    for i in detectors.anomalies(ch, tenant, client, as_of, db):
        direction = i.details.get("direction")
        if direction not in BAD_DIRECTION.get(i.metric, ()):
            continue
        name = i.details.get("entity_name") or i.entity
        out.append(
            Condition(
                f"anomaly:{i.entity}/{i.metric}/{direction}",
                "anomaly",
                as_of.isoformat(),
                abs(i.delta),
                *both("dlv_cond_anomaly", name=name, metric=i.metric.upper(), pct=_pct(i.delta)),
            )
        )
    return out


def spend_stopped(
    ch: Any, tenant: str, client: str, as_of: dt.date, rules: AlertRules, db: str
) -> list[Condition]:
    rows = ch.query(
        f"SELECT campaign_id, anyLast(campaign_name), toFloat64(sumIf(spend_net, date_day = {{d:Date}})), "  # noqa: S608
        "toFloat64(sumIf(spend_net, date_day < {d:Date})) / 14 "
        f"FROM {db}.fct_campaign_daily WHERE tenant_id = {{t:String}} AND client_id = {{c:String}} "
        "AND date_day BETWEEN {a:Date} AND {d:Date} GROUP BY campaign_id",
        parameters={"t": tenant, "c": client, "d": as_of, "a": as_of - dt.timedelta(days=14)},
    ).result_rows
    return [
        Condition(
            f"spend_stopped:{cid}",
            "spend_stopped",
            as_of.isoformat(),
            usual,
            t("dlv_cond_spend_stopped", "ru", name=name or cid, usual=fmt_num(usual, "ru")),
            t("dlv_cond_spend_stopped", "en", name=name or cid, usual=fmt_num(usual, "en")),
        )
        for cid, name, today, usual in rows
        if today == 0 and usual >= rules.spend_stopped_min_daily
    ]


def loads(ch: Any, tenant: str, client: str, now: dt.datetime, rules: AlertRules) -> list[Condition]:
    rows = ch.query(
        "SELECT l.platform, l.account_id, maxIf(l.finished_at, l.status = 'ok'), argMax(l.status, l.started_at), "
        "argMax(l.error, l.started_at) FROM app.load_log AS l WHERE l.tenant_id = {t:String} AND (l.platform, "
        "l.account_id) IN (SELECT platform, account_id FROM app.accounts FINAL WHERE tenant_id = {t:String} AND "
        "client_id = {c:String}) AND l.status IN ('ok', 'failed') GROUP BY l.platform, l.account_id",
        parameters={"t": tenant, "c": client},
    ).result_rows
    out = []
    for platform, account, last_ok, last_status, error in rows:
        subject = f"{platform}:{account}"
        if last_status == "failed" and "load_failed" in rules.enabled:
            why = str(error).splitlines()[0][:200] if error else ""
            out.append(
                Condition(
                    f"load_failed:{subject}",
                    "load_failed",
                    now.date().isoformat(),
                    1.0,
                    *both("dlv_cond_load_failed", subject=subject, why=why),
                )
            )
        if "stale" in rules.enabled:
            ok_at = last_ok.replace(tzinfo=dt.UTC) if last_ok and last_ok.tzinfo is None else last_ok
            hours = (now - ok_at).total_seconds() / 3600 if ok_at else None
            if hours is None or hours > rules.stale_hours:
                shown = f"{hours:.0f}" if hours is not None else "∞"
                out.append(
                    Condition(
                        f"stale:{subject}",
                        "stale",
                        now.date().isoformat(),
                        hours or 1e9,
                        *both("dlv_cond_stale", subject=subject, shown=shown),
                    )
                )
    return out


def evaluate(
    ch: Any,
    tenant: str,
    client: str,
    as_of: dt.date,
    now: dt.datetime,
    rules: AlertRules | None = None,
    marts_db: str = "marts",
) -> list[Condition]:
    """Every condition that holds now for the client (rules: the client's stored thresholds when not given)."""
    from delivery import thresholds, tokens

    rules = rules or thresholds.rules_for(ch, tenant, client)
    out: list[Condition] = []
    if "pacing" in rules.enabled:
        out += pacing(ch, tenant, client, as_of, rules, marts_db)
    if "anomaly" in rules.enabled:
        out += anomalies(ch, tenant, client, as_of, marts_db)
    if "spend_stopped" in rules.enabled:
        out += spend_stopped(ch, tenant, client, as_of, rules, marts_db)
    if {"stale", "load_failed"} & set(rules.enabled):
        out += loads(ch, tenant, client, now, rules)
    if "token" in rules.enabled:
        out += tokens.conditions(ch, tenant, client, now, rules.token_days)
    return out


_COLS = [
    "tenant_id",
    "client_id",
    "alert_key",
    "rule",
    "period",
    "severity",
    "state",
    "message_ru",
    "message_en",
    "acked_by",
    "acked_at",
    "notified_severity",
    "opened_at",
]


def open_alerts(
    ch: Any, tenant: str, client: str = "", *, include_resolved: bool = False
) -> list[dict[str, Any]]:
    res = ch.query(
        "SELECT " + ", ".join(_COLS) + " FROM app.alerts FINAL WHERE tenant_id = {t:String} "  # noqa: S608
        "AND ({c:String} = '' OR client_id = {c:String}) AND ({all:UInt8} = 1 OR state = 'open') "
        "ORDER BY opened_at DESC",
        parameters={"t": tenant, "c": client, "all": int(include_resolved)},
    )
    return [dict(zip(_COLS, r, strict=True)) for r in res.result_rows]


def reconcile(
    ch: Any, tenant: str, client: str, conditions: Iterable[Condition], rules: AlertRules = AlertRules()
) -> list[Notice]:
    """Store the conditions against the open alerts; what changed is returned to be announced."""
    now = dt.datetime.now(dt.UTC)
    current = {a["alert_key"]: a for a in open_alerts(ch, tenant, client)}
    rows: list[dict[str, Any]] = []
    notices: list[Notice] = []
    seen = set()
    where = {"tenant_id": tenant, "client_id": client}
    for c in conditions:
        if c.key in seen:
            continue
        seen.add(c.key)
        old = current.get(c.key)
        now_true = where | {
            "alert_key": c.key,
            "rule": c.rule,
            "period": c.period,
            "severity": c.severity,
            "state": "open",
            "message_ru": c.message_ru,
            "message_en": c.message_en,
        }
        if old is None:
            notices.append(Notice("open", client, c))
            rows.append(
                now_true
                | {"acked_by": "", "acked_at": None, "notified_severity": c.severity, "opened_at": now}
            )
        else:
            worse = c.severity >= old["notified_severity"] * rules.worsen_factor and c.severity > 0
            if worse:
                notices.append(Notice("worse", client, c))
            notified = c.severity if worse else old["notified_severity"]
            rows.append(old | now_true | {"notified_severity": notified})
    for key, old in current.items():
        if key not in seen:
            gone = Condition(key, old["rule"], old["period"], 0.0, old["message_ru"], old["message_en"])
            notices.append(Notice("resolved", client, gone))
            rows.append(old | where | {"state": "resolved"})
    if rows:
        ch.insert("app.alerts", [[r[c] for c in _COLS] for r in rows], column_names=_COLS)
    return notices


def acknowledge(ch: Any, tenant: str, client: str, alert_key: str, *, by: str) -> None:
    found = [a for a in open_alerts(ch, tenant, client, include_resolved=True) if a["alert_key"] == alert_key]
    if not found:
        raise refusal(ValueError, "dlv_no_alert", alert=repr(alert_key), client=repr(client))
    a = found[0]
    ch.insert(
        "app.alerts",
        [[*(a[c] for c in _COLS[:9]), by, dt.datetime.now(dt.UTC), a["notified_severity"], a["opened_at"]]],
        column_names=_COLS,
    )
