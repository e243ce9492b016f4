"""The frozen numbers of a client report, read once from the marts (with a record of the marts' state)."""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

from metrics.ratios import ratio_of_sums

REPORT_VERSION = "report-v1"


@dataclass(frozen=True)
class Period:
    kind: str  # daily | weekly | monthly | custom
    date_from: dt.date
    date_to: dt.date

    @property
    def label(self) -> str:
        return f"{self.date_from.isoformat()} – {self.date_to.isoformat()}"


def parse_period(period: str | Period) -> Period:
    """Accept 'FROM:TO', 'day:D', 'week:D' (week containing D, Mon–Sun), 'month:YYYY-MM'."""
    if isinstance(period, Period):
        return period
    s = str(period).strip()
    try:
        m = re.fullmatch(r"(\d{4}-\d{2}-\d{2}):(\d{4}-\d{2}-\d{2})", s)
        if m:
            a, b = dt.date.fromisoformat(m.group(1)), dt.date.fromisoformat(m.group(2))
            if b < a:
                raise ValueError("end before start")
            kind = (
                "daily"
                if a == b
                else "weekly"
                if (b - a).days == 6 and a.weekday() == 0
                else (
                    "monthly"
                    if a.day == 1 and b.day == calendar.monthrange(b.year, b.month)[1] and a.month == b.month
                    else "custom"
                )
            )
            return Period(kind, a, b)
        kind, _, val = s.partition(":")
        if kind in ("day", "daily"):
            d = dt.date.fromisoformat(val)
            return Period("daily", d, d)
        if kind in ("week", "weekly"):
            d = dt.date.fromisoformat(val)
            start = d - dt.timedelta(days=d.weekday())
            return Period("weekly", start, start + dt.timedelta(days=6))
        if kind in ("month", "monthly"):
            y, mo = (int(x) for x in val.split("-")[:2])
            return Period("monthly", dt.date(y, mo, 1), dt.date(y, mo, calendar.monthrange(y, mo)[1]))
    except ValueError as exc:
        raise ValueError(f"bad period {period!r}: {exc}") from exc
    raise ValueError(
        f"bad period {period!r}: use FROM:TO (YYYY-MM-DD:YYYY-MM-DD), day:D, week:D or month:YYYY-MM"
    )


def _rows(ch: Any, sql: str, p: dict[str, Any]) -> list[dict[str, Any]]:
    r = ch.query(sql, parameters=p)
    return [dict(zip(r.column_names, row, strict=True)) for row in r.result_rows]


def _f(v: Any) -> float:
    return round(float(v or 0), 2)


def _ratios(r: dict[str, Any], spend: float) -> dict[str, float | None]:
    """CTR, CPC, CPA, CR from the metric layer's formulas, over `spend` (net or gross, as the report shows)."""
    sums = {**r, "spend_shown": spend}
    out: dict[str, float | None] = {}
    for name, digits in (("ctr", 6), ("cpc", 2), ("cpa", 2), ("cr", 6)):
        v = ratio_of_sums(sums, name, vat="shown")
        out[name] = None if v is None else round(v, digits)
    return out


def natural_key(text: str) -> tuple[tuple[int, int, str], ...]:
    """'L10' after 'L2': digit runs compare as numbers, the rest as text."""
    return tuple((0, int(x), "") if x.isdigit() else (1, 0, x) for x in re.split(r"(\d+)", text) if x)


def client_settings(ch: Any, tenant_id: str, client_id: str) -> dict[str, Any]:
    rows = _rows(
        ch,
        "SELECT name, currency, toFloat64(agency_commission) AS commission, report_recipients, "
        "report_language FROM app.clients FINAL WHERE tenant_id = {t:String} AND client_id = {c:String}",
        {"t": tenant_id, "c": client_id},
    )
    if not rows:
        return {
            "name": client_id,
            "currency": "RUB",
            "commission": 0.0,
            "report_recipients": [],
            "report_language": "ru",
        }
    return rows[0]


def build_snapshot(
    ch: Any,
    tenant_id: str,
    client_id: str,
    period: Period,
    *,
    include_vat: bool,
    include_commission: bool,
    marts_db: str = "marts",
) -> dict[str, Any]:
    """All numbers a report shows; ratios come from sums at each grain, never from averaged ratios."""
    # marts_db is formatted into the SQL below (from --marts-db): a database name, never SQL text.
    if not isinstance(marts_db, str) or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,63}", marts_db):
        raise ValueError(f"marts database must be a plain name, got {marts_db!r}")
    p = {"t": tenant_id, "c": client_id, "f": period.date_from, "to": period.date_to}
    spend_col = "spend_gross" if include_vat else "spend_net"
    settings = client_settings(ch, tenant_id, client_id)
    where = "tenant_id = {t:String} AND client_id = {c:String} AND date_day BETWEEN {f:Date} AND {to:Date}"
    fact = f"{marts_db}.fct_ad_performance_daily"
    base_cols = (
        "sum(impressions) AS impressions, sum(clicks) AS clicks, toFloat64(sum(spend_gross)) AS spend_gross, "
        "toFloat64(sum(spend_net)) AS spend_net, sum(conversions) AS conversions, "
        "sum(conversions_value) AS conversions_value, max(is_provisional) AS is_provisional"
    )
    tot = _rows(ch, f"SELECT {base_cols}, any(currency) AS currency FROM {fact} WHERE {where}", p)[0]  # noqa: S608
    if not tot["impressions"] and not tot["spend_gross"]:
        raise LookupError(
            f"no data in {fact} for tenant {tenant_id!r}, client {client_id!r}, period {period.label}"
        )
    commission_rate = float(settings["commission"] or 0)

    def money(r: dict[str, Any]) -> dict[str, float]:
        spend = _f(r[spend_col])
        comm = round(float(r["spend_net"] or 0) * commission_rate, 2) if include_commission else 0.0
        return {"spend": spend, "commission": comm, "total_cost": round(spend + comm, 2)}

    totals: dict[str, Any] = {
        "impressions": int(tot["impressions"]),
        "clicks": int(tot["clicks"]),
        "conversions": _f(tot["conversions"]),
        "conversions_value": _f(tot["conversions_value"]),
        "spend_gross": _f(tot["spend_gross"]),
        "spend_net": _f(tot["spend_net"]),
        **money(tot),
        "is_provisional": int(tot["is_provisional"] or 0),
    }
    totals.update(_ratios(tot, totals["spend"]))

    # The comparison window: the same number of days just before the period, stated on the cover.
    days = (period.date_to - period.date_from).days + 1
    prev_from, prev_to = (
        period.date_from - dt.timedelta(days=days),
        period.date_from - dt.timedelta(days=1),
    )
    prev = _rows(
        ch,
        f"SELECT {base_cols} FROM {fact} WHERE tenant_id = {{t:String}} AND client_id = {{c:String}} "  # noqa: S608
        "AND date_day BETWEEN {pf:Date} AND {pt:Date}",
        {**p, "pf": prev_from, "pt": prev_to},
    )[0]
    previous: dict[str, Any] = {"from": prev_from.isoformat(), "to": prev_to.isoformat(), "has_data": False}
    if prev["impressions"] or prev["spend_gross"]:
        previous.update(
            has_data=True,
            impressions=int(prev["impressions"]),
            clicks=int(prev["clicks"]),
            conversions=_f(prev["conversions"]),
            conversions_value=_f(prev["conversions_value"]),
            **money(prev),
        )
        previous.update(_ratios(prev, previous["spend"]))
    plats = _rows(
        ch,
        f"SELECT platform, {base_cols} FROM {fact} WHERE {where} "  # noqa: S608
        f"GROUP BY platform ORDER BY {spend_col} DESC, platform",
        p,
    )

    def grouped(rows: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
        return [
            {
                key: r[key],
                "impressions": int(r["impressions"]),
                "clicks": int(r["clicks"]),
                **money(r),
                "conversions": _f(r["conversions"]),
                **_ratios(r, money(r)["spend"]),
            }
            for r in rows
        ]

    platforms = grouped(plats, "platform")
    camps = _rows(
        ch,
        f"SELECT platform, campaign_id, any(campaign_name) AS campaign_name, {base_cols} FROM {fact} "  # noqa: S608
        f"WHERE {where} GROUP BY platform, campaign_id ORDER BY {spend_col} DESC, campaign_id",
        p,
    )
    campaigns = []
    for r in camps:
        m = money(r)
        campaigns.append(
            {
                "platform": r["platform"],
                "campaign_id": r["campaign_id"],
                "campaign_name": r["campaign_name"],
                "impressions": int(r["impressions"]),
                "clicks": int(r["clicks"]),
                **m,
                "conversions": _f(r["conversions"]),
                **_ratios(r, m["spend"]),
                "is_provisional": int(r["is_provisional"] or 0),
            }
        )
    chans = _rows(
        ch,
        f"SELECT channel, {base_cols} FROM {marts_db}.fct_channel_daily WHERE {where} "  # noqa: S608
        f"GROUP BY channel ORDER BY {spend_col} DESC, channel",
        p,
    )
    channels = grouped(chans, "channel")
    daily = _rows(
        ch,
        f"SELECT date_day, toFloat64(sum({spend_col})) AS spend, sum(clicks) AS clicks, "  # noqa: S608
        "sum(impressions) AS impressions, sum(conversions) AS conversions, "
        f"max(is_provisional) AS is_provisional FROM {fact} WHERE {where} GROUP BY date_day ORDER BY date_day",
        p,
    )
    pvf = _rows(
        ch,
        (
            "SELECT plan_id, line_id, any(channel) AS channel, toFloat64(any(line_budget_net)) AS budget_net, "  # noqa: S608
            "toFloat64(any(cum_planned_spend_net)) AS planned_to_date, toFloat64(any(cum_actual_spend_net)) AS actual_to_date, "
            "any(pacing_ratio) AS pacing_ratio, any(forecast_spend_net_end_of_flight) AS forecast_net, "
            "any(pacing_status) AS pacing_status, any(flight_end) AS flight_end "
            f"FROM {marts_db}.fct_plan_vs_fact_daily WHERE tenant_id = {{t:String}} AND client_id = {{c:String}} "
            "AND has_data = 1 "
            f"AND (plan_id, plan_version) IN (SELECT plan_id, max(plan_version) FROM {marts_db}.fct_plan_vs_fact_daily "
            "WHERE tenant_id = {t:String} AND client_id = {c:String} GROUP BY plan_id) "
            "AND date_day = (SELECT max(date_day) FROM "
            f"{marts_db}.fct_plan_vs_fact_daily WHERE tenant_id = {{t:String}} AND client_id = {{c:String}} "
            "AND has_data = 1 AND date_day <= {to:Date}) GROUP BY plan_id, line_id ORDER BY plan_id, line_id"
        ),
        p,
    )
    # Plan lines by what the planner called them (placement, else the campaign), not only by their id.
    lines = {
        (r["plan_id"], r["line_id"]): r
        for r in _rows(
            ch,
            (
                "SELECT plan_id, line_id, argMax(if(placement != '', placement, campaign_name), plan_version) AS line_name, "
                "argMax(line_no, plan_version) AS line_no "
                "FROM app.media_plan_lines WHERE tenant_id = {t:String} AND client_id = {c:String} GROUP BY plan_id, line_id"
            ),
            p,
        )
    }
    names = {k: r["line_name"] for k, r in lines.items()}

    def plan_order(r: dict[str, Any]) -> tuple[Any, ...]:
        """In the plan's own order (its line numbers), else by id with numbers as numbers (2 before 10)."""
        known = lines.get((r["plan_id"], r["line_id"]))
        return (r["plan_id"], known["line_no"] if known else 1 << 32, natural_key(r["line_id"]))

    pvf.sort(key=plan_order)
    reach = _rows(
        ch,
        (
            "SELECT platform, campaign_id, window_grain, window_start, window_end, reach, contacts, avg_frequency "  # noqa: S608
            f"FROM {marts_db}.fct_campaign_reach WHERE tenant_id = {{t:String}} AND client_id = {{c:String}} "
            "AND window_end >= {f:Date} AND window_start <= {to:Date} AND ad_id = '' ORDER BY platform, campaign_id"
        ),
        p,
    )
    state = marts_state(ch, tenant_id, client_id, marts_db)
    snap = {
        "version": REPORT_VERSION,
        "tenant_id": tenant_id,
        "client_id": client_id,
        "client_name": settings["name"] or client_id,
        "currency": tot["currency"] or settings["currency"] or "RUB",
        "period": {
            "kind": period.kind,
            "from": period.date_from.isoformat(),
            "to": period.date_to.isoformat(),
        },
        "include_vat": include_vat,
        "include_commission": include_commission,
        "commission_rate": commission_rate,
        "totals": totals,
        "previous": previous,
        "platforms": platforms,
        "campaigns": campaigns,
        "channels": channels,
        "daily": [
            {
                "date": r["date_day"].isoformat(),
                "spend": _f(r["spend"]),
                "clicks": int(r["clicks"]),
                "impressions": int(r["impressions"]),
                "conversions": _f(r["conversions"]),
                "is_provisional": int(r["is_provisional"] or 0),
            }
            for r in daily
        ],
        "plan_vs_fact": [
            {
                **r,
                "line_name": names.get((r["plan_id"], r["line_id"]), ""),
                "budget_net": _f(r["budget_net"]),
                "planned_to_date": _f(r["planned_to_date"]),
                "actual_to_date": _f(r["actual_to_date"]),
                "pacing_ratio": round(r["pacing_ratio"], 4) if r["pacing_ratio"] is not None else None,
                "forecast_net": _f(r["forecast_net"]) if r["forecast_net"] is not None else None,
                "flight_end": r["flight_end"].isoformat(),
            }
            for r in pvf
        ],
        "reach": [
            {
                **r,
                "window_start": r["window_start"].isoformat(),
                "window_end": r["window_end"].isoformat(),
                "avg_frequency": round(r["avg_frequency"], 2) if r["avg_frequency"] is not None else None,
            }
            for r in reach
        ],
        "recipients": list(settings.get("report_recipients") or []),
        "marts_state": state,
    }
    return snap


def marts_state(ch: Any, tenant_id: str, client_id: str, marts_db: str) -> dict[str, Any]:
    """Row count, last day and a spend checksum per fact for this client: proves what the numbers were built from."""
    out: dict[str, Any] = {"captured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}
    for table, day_col, money_col in (
        ("fct_ad_performance_daily", "date_day", "spend_gross"),
        ("fct_channel_daily", "date_day", "spend_gross"),
        ("fct_plan_vs_fact_daily", "date_day", "planned_spend_net"),
    ):
        r = _rows(
            ch,
            f"SELECT count() AS row_count, max({day_col}) AS last_day, toFloat64(sum({money_col})) AS checksum "  # noqa: S608
            f"FROM {marts_db}.{table} WHERE tenant_id = {{t:String}} AND client_id = {{c:String}}",
            {"t": tenant_id, "c": client_id},
        )[0]
        out[table] = {
            "row_count": int(r["row_count"]),
            "last_day": str(r["last_day"]),
            "checksum": _f(r["checksum"]),
        }
    return out


def content_hash(snap: dict[str, Any]) -> str:
    body = {k: v for k, v in snap.items() if k != "marts_state"}
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()[:32]
