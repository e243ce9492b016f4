"""Deterministic synthetic marts (same column names as dbt_project marts) for tests and benchmarks.

Realistic shape: weekday seasonality, slow trend, multiplicative noise; anomalies can be injected at
(campaign, day, metric) so detector recall and false-alarm rates can be measured.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

WEEKDAY = [1.05, 1.10, 1.08, 1.04, 0.98, 0.85, 0.80]  # Mon..Sun


@dataclass(frozen=True)
class Injection:
    client_id: str
    campaign_id: str
    day: dt.date
    kind: str  # spend_spike | spend_drop | ctr_drop | cpc_spike | cpa_spike | cr_drop


DDL = {
    "fct_ad_performance_daily": """
        tenant_id LowCardinality(String), client_id String, date_day Date, platform LowCardinality(String),
        source_platform LowCardinality(String), account_id String, campaign_id String, campaign_name String,
        ad_group_id String, ad_id String, impressions UInt64, clicks UInt64, spend_gross Decimal(18, 2),
        spend_net Decimal(18, 2), currency LowCardinality(String), conversions Float64, conversions_value Float64,
        sessions UInt64, is_provisional UInt8""",
    "fct_channel_daily": """
        tenant_id LowCardinality(String), client_id String, date_day Date, channel LowCardinality(String),
        currency LowCardinality(String), active_campaigns UInt32, impressions UInt64, clicks UInt64,
        spend_gross Decimal(18, 2), spend_net Decimal(18, 2), conversions Float64, conversions_value Float64,
        sessions UInt64, is_provisional UInt8""",
    "fct_plan_vs_fact_daily": """
        tenant_id LowCardinality(String), client_id String, plan_id String, plan_version UInt32, line_id String,
        channel LowCardinality(String), platform LowCardinality(String), currency LowCardinality(String),
        flight_start Date, flight_end Date, date_day Date, flight_day_number UInt32, has_data UInt8,
        line_budget_net Decimal(18, 2), planned_spend_net Decimal(18, 2), actual_spend_net Nullable(Decimal(18, 2)),
        cum_planned_spend_net Decimal(18, 2), cum_actual_spend_net Nullable(Decimal(18, 2)),
        pacing_ratio Nullable(Float64), forecast_spend_net_end_of_flight Nullable(Float64),
        pacing_status LowCardinality(String), is_provisional Nullable(UInt8)""",
    "fct_campaign_reach": """
        tenant_id LowCardinality(String), client_id String, reach_source LowCardinality(String),
        measured_by LowCardinality(String), window_grain LowCardinality(String), window_start Date,
        window_end Date, platform LowCardinality(String), account_id String, campaign_id String, ad_id String,
        reach UInt64, contacts UInt64, avg_frequency Nullable(Float64)""",
}


def create_marts(ch: Any, db: str) -> None:
    ch.command(f"CREATE DATABASE IF NOT EXISTS {db}")
    for name, cols in DDL.items():
        ch.command(f"CREATE TABLE IF NOT EXISTS {db}.{name} ({cols}) ENGINE = MergeTree ORDER BY tenant_id")


def generate(
    ch: Any,
    db: str,
    tenant_id: str,
    client_ids: list[str],
    start: dt.date,
    days: int,
    seed: int = 1,
    injections: list[Injection] | tuple[Injection, ...] = (),
    provisional_days: int = 2,
    campaigns_per_client: int = 4,
    plan_overspend: dict[str, float] | None = None,
) -> dict[str, Any]:
    """Insert `days` days of data for each client; returns the campaign ids per client."""
    create_marts(ch, db)
    rng = np.random.default_rng(seed)
    end = start + dt.timedelta(days=days - 1)
    perf: list[list[Any]] = []
    chan: list[list[Any]] = []
    pvf: list[list[Any]] = []
    reach: list[list[Any]] = []
    inj = {(i.client_id, i.campaign_id, i.day): i.kind for i in injections}
    out: dict[str, Any] = {}
    for client in client_ids:
        camps: list[dict[str, Any]] = []
        for k in range(campaigns_per_client):
            platform = ["yandex_direct", "vk_ads", "yandex_direct", "garpun"][k % 4]
            camps.append(
                {
                    "id": f"{client}-c{k + 1}",
                    "name": f"{['Brand search', 'Retargeting', 'Performance', 'Video reach'][k % 4]} {k + 1}",
                    "platform": platform,
                    "account": f"{client}-{platform}",
                    "impr": float(rng.uniform(8000, 40000)),
                    "ctr": float(rng.uniform(0.015, 0.05)),
                    "cpc": float(rng.uniform(12, 45)),
                    "cr": float(rng.uniform(0.02, 0.08)),
                }
            )
        out[client] = [c["id"] for c in camps]
        daily_spend_by_channel: dict[tuple[dt.date, str], list[Any]] = {}
        for d in range(days):
            day = start + dt.timedelta(days=d)
            season = WEEKDAY[day.weekday()] * (1 + 0.002 * d)
            for c in camps:
                kind = inj.get((client, c["id"], day))
                impr = c["impr"] * season * math.exp(rng.normal(0, 0.07))
                ctr = c["ctr"] * math.exp(rng.normal(0, 0.05))
                cpc = c["cpc"] * math.exp(rng.normal(0, 0.05))
                cr = c["cr"] * math.exp(rng.normal(0, 0.08))
                if kind == "spend_spike":
                    impr *= 2.5
                elif kind == "spend_drop":
                    impr *= 0.3
                elif kind == "ctr_drop":
                    ctr *= 0.4
                elif kind == "cpc_spike":
                    cpc *= 2.2
                elif kind == "cpa_spike":
                    cr *= 0.35
                elif kind == "cr_drop":
                    cr *= 0.35
                clicks = max(1, int(impr * ctr))
                spend = round(clicks * cpc, 2)
                conv = float(max(0, round(clicks * cr)))
                prov = int((end - day).days < provisional_days)
                net = round(spend / 1.2, 2)
                perf.append(
                    [
                        tenant_id,
                        client,
                        day,
                        c["platform"],
                        "",
                        c["account"],
                        c["id"],
                        c["name"],
                        "",
                        "",
                        int(impr),
                        clicks,
                        spend,
                        net,
                        "RUB",
                        conv,
                        conv * 2500.0,
                        int(clicks * 0.8),
                        prov,
                    ]
                )
                key = (day, c["platform"])
                agg = daily_spend_by_channel.setdefault(key, [0, 0, 0.0, 0.0, 0.0, 0, 0, prov])
                agg[0] += int(impr)
                agg[1] += clicks
                agg[2] += spend
                agg[3] += net
                agg[4] += conv
                agg[5] += 1
                agg[6] += int(clicks * 0.8)
        for (day, channel), a in daily_spend_by_channel.items():
            chan.append(
                [
                    tenant_id,
                    client,
                    day,
                    channel,
                    "RUB",
                    a[5],
                    a[0],
                    a[1],
                    round(a[2], 2),
                    round(a[3], 2),
                    a[4],
                    a[4] * 2500.0,
                    a[6],
                    a[7],
                ]
            )
        # One plan line per platform over the whole month of `end`; budget sized to actual spend x factor.
        fstart, fend = (
            end.replace(day=1),
            (end.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1),
        )
        flight_days = (fend - fstart).days + 1
        for platform in sorted({c["platform"] for c in camps}):
            actual = {r[2]: 0.0 for r in perf if r[1] == client}
            for r in perf:
                if r[1] == client and r[3] == platform:
                    actual[r[2]] = actual.get(r[2], 0.0) + float(r[13])
            days_in = [fstart + dt.timedelta(days=i) for i in range(flight_days)]
            seen = [actual.get(x, 0.0) for x in days_in if x <= end]
            run_rate = sum(seen[-7:]) / max(1, len(seen[-7:]))
            factor = (plan_overspend or {}).get(client, 1.0)
            budget = round(run_rate * flight_days / factor, 2)
            cum_p = cum_a = 0.0
            for n, x in enumerate(days_in, start=1):
                planned = round(budget / flight_days, 2)
                cum_p += planned
                has = x <= end
                if has:
                    cum_a += actual.get(x, 0.0)
                fc = cum_a + run_rate * (flight_days - n) if has else None
                ratio = cum_a / cum_p if has and cum_p else None
                status = (
                    "future"
                    if not has or ratio is None
                    else "under"
                    if ratio < 0.9
                    else "over"
                    if ratio > 1.1
                    else "on_track"
                )
                pvf.append(
                    [
                        tenant_id,
                        client,
                        f"{client}-plan",
                        1,
                        f"{platform}-line",
                        platform,
                        platform,
                        "RUB",
                        fstart,
                        fend,
                        x,
                        n,
                        int(has),
                        budget,
                        planned,
                        round(actual.get(x, 0.0), 2) if has else None,
                        round(cum_p, 2),
                        round(cum_a, 2) if has else None,
                        ratio,
                        fc,
                        status,
                        int((end - x).days < provisional_days) if has else None,
                    ]
                )
        for c in camps:
            tot_impr = sum(r[10] for r in perf if r[6] == c["id"] and r[2] >= fstart)
            rch = int(tot_impr / 3.2)
            reach.append(
                [
                    tenant_id,
                    client,
                    "platform",
                    c["platform"],
                    "month",
                    fstart,
                    end,
                    c["platform"],
                    c["account"],
                    c["id"],
                    "",
                    rch,
                    tot_impr,
                    tot_impr / rch if rch else None,
                ]
            )
    cols = {
        name: [c.strip().split()[0] for c in DDL[name].split(",") if c.strip() and not c.strip()[0].isdigit()]
        for name in DDL
    }
    for name, rows in (
        ("fct_ad_performance_daily", perf),
        ("fct_channel_daily", chan),
        ("fct_plan_vs_fact_daily", pvf),
        ("fct_campaign_reach", reach),
    ):
        if rows:
            ch.insert(f"{db}.{name}", rows, column_names=cols[name])
    return out
