"""Deterministic marts with the dbt marts' columns, generated inside the warehouse (INSERT … SELECT FROM numbers).

For the app's tests (two tenants that reuse client and account ids, so a missing tenant filter shows) and for
the benchmark (10 M rows in fct_ad_performance_daily in seconds). Names embed tenant and client
("t1/acme: Search 3") so any leaked row is visible in a result. Not a substitute for the dbt build: the demo
and production read the real `marts`.
"""

# ruff: noqa: S608 - the only formatted part is the database name, checked by _check_db; values are bound.
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any, NotRequired, TypedDict, Unpack

from warehouse.loads import LOG_COLUMNS
from warehouse.rows import delete_rows

_DB = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
PLATFORMS = ("yandex_direct", "vk_ads", "garpun")

DDL = {
    "fct_ad_performance_daily": """
        tenant_id LowCardinality(String), client_id String, date_day Date, platform LowCardinality(String),
        source_platform LowCardinality(String), account_id String, campaign_id String, campaign_name String,
        ad_group_id String, ad_id String, impressions UInt64, clicks UInt64, spend_gross Decimal(18, 6),
        spend_net Decimal(18, 6), currency LowCardinality(String), conversions Decimal(18, 6),
        conversions_value Decimal(18, 6), sessions UInt64, session_goal_reaches UInt64, is_provisional UInt8,
        timezone LowCardinality(String)""",
    "fct_campaign_daily": """
        tenant_id LowCardinality(String), client_id String, date_day Date, platform LowCardinality(String),
        account_id String, campaign_id String, campaign_name String, source_platform LowCardinality(String),
        currency LowCardinality(String), impressions UInt64, clicks UInt64, spend_gross Decimal(38, 6),
        spend_net Decimal(38, 6), conversions Decimal(38, 6), conversions_value Decimal(38, 6), sessions UInt64,
        is_provisional UInt8""",
    "fct_channel_daily": """
        tenant_id LowCardinality(String), client_id String, date_day Date, channel LowCardinality(String),
        currency LowCardinality(String), active_campaigns UInt64, impressions UInt64, clicks UInt64,
        spend_gross Decimal(38, 6), spend_net Decimal(38, 6), conversions Decimal(38, 6),
        conversions_value Decimal(38, 6), sessions UInt64, is_provisional UInt8""",
    "fct_plan_vs_fact_daily": """
        tenant_id LowCardinality(String), client_id String, plan_id String, plan_version UInt32, line_id String,
        channel LowCardinality(String), platform LowCardinality(String), currency LowCardinality(String),
        flight_start Date, flight_end Date, date_day Date, flight_day_number UInt32, has_data UInt8,
        line_budget_net Decimal(18, 2), planned_spend_net Decimal(18, 2), actual_spend_net Nullable(Float64),
        cum_planned_spend_net Decimal(38, 2), cum_actual_spend_net Nullable(Float64), pacing_ratio Nullable(Float64),
        forecast_spend_net_end_of_flight Nullable(Float64), pacing_status LowCardinality(String),
        is_provisional Nullable(UInt8)""",
    "fct_campaign_reach_states_daily": """
        tenant_id LowCardinality(String), client_id String, date_day Date, platform LowCardinality(String),
        account_id String, campaign_id String, users_state AggregateFunction(uniqCombined, UInt64), users UInt64,
        contacts UInt64, is_provisional UInt8""",
    "fct_campaign_reach": """
        tenant_id LowCardinality(String), client_id String, reach_source LowCardinality(String),
        measured_by LowCardinality(String), window_grain LowCardinality(String), window_start Date, window_end Date,
        platform LowCardinality(String), account_id String, campaign_id String, ad_id String, reach UInt64,
        contacts UInt64, avg_frequency Nullable(Float64), reach_1plus Nullable(UInt64), reach_2plus Nullable(UInt64),
        reach_3plus Nullable(UInt64), reach_4plus Nullable(UInt64), reach_5plus Nullable(UInt64)""",
    "dim_ads": """
        tenant_id LowCardinality(String), client_id String, platform LowCardinality(String), account_id String,
        campaign_id String, ad_group_id String, ad_group_name String, ad_id String, ad_name String""",
}
ORDER = {
    "fct_ad_performance_daily": "(tenant_id, client_id, date_day, platform, account_id, campaign_id, ad_group_id, ad_id)",
    "fct_campaign_daily": "(tenant_id, client_id, date_day, platform, account_id, campaign_id)",
    "fct_channel_daily": "(tenant_id, client_id, date_day, channel)",
    "fct_plan_vs_fact_daily": "(tenant_id, client_id, plan_id, plan_version, line_id, date_day)",
    "fct_campaign_reach_states_daily": "(tenant_id, client_id, date_day, platform, account_id, campaign_id)",
    "fct_campaign_reach": "(tenant_id, client_id, reach_source, window_grain, window_start, platform, campaign_id)",
    "dim_ads": "(tenant_id, client_id, platform, account_id, ad_group_id, ad_id)",
}
PARTITION = {"fct_campaign_reach": "toYYYYMM(window_start)", "dim_ads": "tuple()"}


@dataclass(frozen=True)
class ClientSpec:
    tenant_id: str
    client_id: str
    name: str
    campaigns: int = 6
    ads_per_campaign: int = 4
    seed: int = 1
    users_per_campaign_day: int = 40
    revenue_per_conversion: int = 2500  # 0: a client whose revenue is not tracked
    conversions: bool = True  # False: a client without goals (no conversions at all)


def _check_db(db: str) -> str:
    if not _DB.match(db):
        raise ValueError(f"not a plain database name: {db!r}")
    return db


def create(ch: Any, db: str) -> None:
    _check_db(db)
    ch.command(f"CREATE DATABASE IF NOT EXISTS {db}")
    for name, cols in DDL.items():
        ch.command(
            f"CREATE TABLE IF NOT EXISTS {db}.{name} ({cols}) ENGINE = MergeTree "
            f"PARTITION BY {PARTITION.get(name, 'toYYYYMM(date_day)')} "
            f"ORDER BY {ORDER[name]}"
        )


class Span(TypedDict):
    """The keyword arguments `build` passes on to `add_clients` (whose signature holds their defaults)."""

    end: dt.date
    days: int
    provisional_days: NotRequired[int]
    app_rows: NotRequired[bool]


def build(ch: Any, db: str, clients: list[ClientSpec], **span: Unpack[Span]) -> dict[str, int]:
    """(Re)create `db` with every client's data for [end - days + 1, end]; returns rows per table."""
    _check_db(db)
    ch.command(f"DROP DATABASE IF EXISTS {db}")
    create(ch, db)
    add_clients(ch, db, clients, **span)
    return {t: int(ch.query(f"SELECT count() FROM {db}.{t}").result_rows[0][0]) for t in DDL}


def add_clients(
    ch: Any,
    db: str,
    clients: list[ClientSpec],
    *,
    end: dt.date,
    days: int,
    provisional_days: int = 3,
    app_rows: bool = True,
) -> None:
    """Add these clients' rows (their roll-ups, and with `app_rows` their app.* rows) to an existing sample
    marts database."""
    _check_db(db)
    start = end - dt.timedelta(days=days - 1)
    keys = {"keys": [(c.tenant_id, c.client_id) for c in clients]}
    for c in clients:
        _ad_rows(ch, db, c, start, days, end, provisional_days)
        _reach_states(ch, db, c, start, days, end)
        _reach_rows(ch, db, c, start, end)
        _plan(ch, db, c, start, end)
    ch.command(  # the campaign x day roll-up, as dbt's fct_campaign_daily
        f"INSERT INTO {db}.fct_campaign_daily SELECT tenant_id, client_id, date_day, platform, account_id, "
        "campaign_id, anyIf(campaign_name, campaign_name != ''), anyIf(source_platform, source_platform != ''), "
        "anyIf(currency, currency != ''), sum(impressions), sum(clicks), sum(spend_gross), sum(spend_net), "
        "sum(conversions), sum(conversions_value), sum(sessions), max(is_provisional) "
        f"FROM {db}.fct_ad_performance_daily WHERE (tenant_id, client_id) IN {{keys:Array(Tuple(String, String))}} "
        "GROUP BY tenant_id, client_id, date_day, platform, account_id, campaign_id",
        parameters=keys,
        settings={"max_threads": 2},
    )
    ch.command(
        f"INSERT INTO {db}.fct_channel_daily SELECT tenant_id, client_id, date_day, "
        "if(source_platform != '', source_platform, platform) AS channel, any(currency), "
        "uniqExact(platform, account_id, campaign_id), sum(impressions), sum(clicks), sum(spend_gross), "
        "sum(spend_net), sum(conversions), sum(conversions_value), sum(sessions), max(is_provisional) "
        f"FROM {db}.fct_ad_performance_daily WHERE (tenant_id, client_id) IN {{keys:Array(Tuple(String, String))}} "
        "GROUP BY tenant_id, client_id, date_day, channel",
        parameters=keys,
        settings={"max_threads": 2},
    )
    ch.command(  # names as the platforms give them: VK names groups and ads, Direct groups only, Garpun nothing
        f"INSERT INTO {db}.dim_ads SELECT tenant_id, client_id, platform, account_id, any(campaign_id), ad_group_id, "
        "if(platform = 'garpun', '', concat(any(campaign_name), ' · group ', splitByChar('-', ad_group_id)[3])), "
        "ad_id, if(platform = 'vk_ads', concat(any(campaign_name), ' · banner ', splitByChar('-', ad_id)[3]), '') "
        f"FROM {db}.fct_ad_performance_daily WHERE (tenant_id, client_id) IN {{keys:Array(Tuple(String, String))}} "
        "AND ad_id != '' GROUP BY tenant_id, client_id, platform, account_id, ad_group_id, ad_id",
        parameters=keys,
        settings={"max_threads": 2},
    )
    if app_rows:
        _app(ch, clients, end)


def _ad_rows(ch: Any, db: str, c: ClientSpec, start: dt.date, days: int, end: dt.date, prov: int) -> None:
    # n → (campaign, ad, day); platform by campaign; values from hashes of (seed, n), so a rebuild is identical.
    ads, camps = c.ads_per_campaign, c.campaigns
    ch.command(
        f"INSERT INTO {db}.fct_ad_performance_daily "
        "SELECT {t:String}, {c:String}, addDays({start:Date}, d) AS day, "
        "['yandex_direct', 'vk_ads', 'garpun'][camp % 3 + 1] AS platform, "
        "if(platform = 'garpun', 'mytarget', platform), concat('acc-', toString(camp % 3 + 1)), "
        "concat('cmp-', toString(camp + 1)), "
        "concat({t:String}, '/', {c:String}, ': ', ['Search', 'Retargeting', 'Video'][camp % 3 + 1], ' ', "
        "toString(camp + 1)), concat('grp-', toString(camp + 1), '-', toString(intDiv(ad, 2) + 1)), "
        "concat('ad-', toString(camp + 1), '-', toString(ad + 1)), "
        "imp, clk, toDecimal64(spend * 1.2, 6), toDecimal64(spend, 6), 'RUB', toDecimal64(conv, 6), "
        "toDecimal64(conv * {rpc:UInt32}, 6), 0, 0, toUInt8(day > addDays({end:Date}, -{prov:Int32})), 'Europe/Moscow' "
        "FROM (SELECT number AS n, n % {days:UInt32} AS d, intDiv(n, {days:UInt32}) % {ads:UInt32} AS ad, "
        "  intDiv(n, {days:UInt32} * {ads:UInt32}) AS camp, cityHash64({seed:UInt64}, n) AS h, "
        "  toUInt64(500 + h % 4000 * (1 + camp % 4)) AS imp, toUInt64(imp * (0.01 + (h % 97) / 2000)) AS clk, "
        "  round(clk * (10 + (intDiv(h, 97) % 40)), 2) AS spend, round(clk * (h % 7) / 100, 0) * {goals:UInt8} AS conv "
        "  FROM numbers({rows:UInt64}))",
        parameters={
            "t": c.tenant_id,
            "c": c.client_id,
            "start": start,
            "end": end,
            "prov": prov,
            "days": days,
            "ads": ads,
            "seed": c.seed,
            "rows": days * ads * camps,
            "rpc": c.revenue_per_conversion,
            "goals": int(c.conversions),
        },
        settings={"max_threads": 2, "max_insert_threads": 2},
    )


def _reach_states(ch: Any, db: str, c: ClientSpec, start: dt.date, days: int, end: dt.date) -> None:
    # Each campaign-day reaches 40 users from the client's pool of 20 000 visitor ids, so campaigns and platforms
    # overlap and the deduplicated reach is visibly below the sum.
    ch.command(
        f"INSERT INTO {db}.fct_campaign_reach_states_daily "
        "SELECT {t:String}, {c:String}, addDays({start:Date}, d) AS day, "
        "['yandex_direct', 'vk_ads', 'garpun'][camp % 3 + 1], concat('acc-', toString(camp % 3 + 1)), "
        "concat('cmp-', toString(camp + 1)), uniqCombinedState(uid), uniqExact(uid), count(), "
        "toUInt8(day > addDays({end:Date}, -3)) "
        "FROM (SELECT number AS n, intDiv(n, {u:UInt32}) % {days:UInt32} AS d, "
        "  intDiv(n, {u:UInt32} * {days:UInt32}) AS camp, "
        "  toUInt64(cityHash64({seed:UInt64}, 7, n) % 20000) AS uid FROM numbers({rows:UInt64})) "
        "GROUP BY d, camp",
        parameters={
            "t": c.tenant_id,
            "c": c.client_id,
            "start": start,
            "end": end,
            "days": days,
            "seed": c.seed,
            "u": c.users_per_campaign_day,
            "rows": c.users_per_campaign_day * days * c.campaigns,
        },
        settings={"max_threads": 2},
    )


def _reach_rows(ch: Any, db: str, c: ClientSpec, start: dt.date, end: dt.date) -> None:
    """Client-wide flight reach with an exact frequency distribution, and one platform-reported row."""
    ch.command(
        f"INSERT INTO {db}.fct_campaign_reach "
        "SELECT {t:String}, {c:String}, 'user_level', 'metrika_visitors', 'flight', {start:Date}, {end:Date}, "
        "'all', '', '', '', count(), sum(k), sum(k) / count(), "
        "countIf(k >= 1), countIf(k >= 2), countIf(k >= 3), countIf(k >= 4), countIf(k >= 5) "
        "FROM (SELECT uid, count() AS k FROM (SELECT cityHash64({seed:UInt64}, 7, number) % 20000 AS uid "
        "      FROM numbers({rows:UInt64})) GROUP BY uid)",
        parameters={
            "t": c.tenant_id,
            "c": c.client_id,
            "start": start,
            "end": end,
            "seed": c.seed,
            "rows": c.users_per_campaign_day * ((end - start).days + 1) * c.campaigns,
        },
    )
    ch.insert(
        f"{db}.fct_campaign_reach",
        [
            [
                c.tenant_id,
                c.client_id,
                "platform_reported",
                "direct_rf",
                "reported",
                start,
                end,
                "yandex_direct",
                "acc-1",
                "cmp-1",
                "",
                5000 + c.seed,
                21000,
                21000 / (5000 + c.seed),
                None,
                None,
                None,
                None,
                None,
            ]
        ],
        column_names=[
            "tenant_id",
            "client_id",
            "reach_source",
            "measured_by",
            "window_grain",
            "window_start",
            "window_end",
            "platform",
            "account_id",
            "campaign_id",
            "ad_id",
            "reach",
            "contacts",
            "avg_frequency",
            "reach_1plus",
            "reach_2plus",
            "reach_3plus",
            "reach_4plus",
            "reach_5plus",
        ],
    )


def _plan(ch: Any, db: str, c: ClientSpec, start: dt.date, end: dt.date) -> None:
    """One plan (v1) whose three lines pace under, on track and over, so every status shows."""
    flight_start, flight_end = start, end + dt.timedelta(days=10)
    flight_days = (flight_end - flight_start).days + 1
    rows = []
    for i, (channel, factor) in enumerate((("yandex_direct", 0.6), ("vk_ads", 1.0), ("garpun", 1.4))):
        budget = 100_000.0 * (i + 1)
        daily_plan = round(budget / flight_days, 2)
        cum_plan = cum_act = 0.0
        for k in range(flight_days):
            day = flight_start + dt.timedelta(days=k)
            cum_plan += daily_plan
            has = day <= end
            act = round(daily_plan * factor, 2) if has else None
            if has:
                cum_act += act or 0.0
            ratio = cum_act / cum_plan if has else None
            status = (
                "future"
                if not has
                else "under"
                if ratio < 0.9
                else "over"
                if ratio > 1.1  # type: ignore[operator]
                else "on_track"
            )
            forecast = cum_act + (act or 0.0) * (flight_days - k - 1) if has else None
            rows.append(
                [
                    c.tenant_id,
                    c.client_id,
                    f"plan-{c.client_id}",
                    1,
                    f"L{i + 1}",
                    channel,
                    channel,
                    "RUB",
                    flight_start,
                    flight_end,
                    day,
                    k + 1,
                    int(has),
                    budget,
                    daily_plan,
                    act,
                    cum_plan,
                    cum_act if has else None,
                    ratio,
                    forecast,
                    status,
                    0 if has else None,
                ]
            )
    ch.insert(
        f"{db}.fct_plan_vs_fact_daily",
        rows,
        column_names=[
            "tenant_id",
            "client_id",
            "plan_id",
            "plan_version",
            "line_id",
            "channel",
            "platform",
            "currency",
            "flight_start",
            "flight_end",
            "date_day",
            "flight_day_number",
            "has_data",
            "line_budget_net",
            "planned_spend_net",
            "actual_spend_net",
            "cum_planned_spend_net",
            "cum_actual_spend_net",
            "pacing_ratio",
            "forecast_spend_net_end_of_flight",
            "pacing_status",
            "is_provisional",
        ],
    )


def _app(ch: Any, clients: list[ClientSpec], end: dt.date) -> None:
    """app.tenants/clients/accounts and a few load-log rows (one failed) for the sample clients."""
    now = dt.datetime.now(dt.UTC)
    ch.insert(
        "app.tenants",
        [[t, f"Agency {t}"] for t in sorted({c.tenant_id for c in clients})],
        column_names=["tenant_id", "name"],
    )
    ch.insert(
        "app.clients",
        [[c.tenant_id, c.client_id, c.name, "RUB", [f"{c.client_id}@example.test"], "ru"] for c in clients],
        column_names=["tenant_id", "client_id", "name", "currency", "report_recipients", "report_language"],
    )
    accounts, loads = [], []
    for c in clients:
        for i, platform in enumerate(PLATFORMS):
            acc = f"{c.client_id}-acc-{i + 1}"  # app.accounts ids are unique per tenant and platform
            accounts.append([c.tenant_id, c.client_id, platform, acc])
            for k, status in enumerate(("ok", "failed" if i == 1 else "ok")):
                loads.append(
                    [
                        f"{c.tenant_id}-{acc}-{k}",
                        c.tenant_id,
                        platform,
                        "stats",
                        acc,
                        end - dt.timedelta(days=3),
                        end,
                        status,
                        100 * (k + 1),
                        now - dt.timedelta(hours=k),
                        now,
                        1.5,
                        "HTTP 500 from emulator" if status == "failed" else "",
                    ]
                )
    ch.insert("app.accounts", accounts, column_names=["tenant_id", "client_id", "platform", "account_id"])
    # Sample data is rebuilt by every suite that needs it: replace its load-log rows instead of piling them up.
    delete_rows(ch, "app.load_log", "has({runs:Array(String)}, run_id)", {"runs": [row[0] for row in loads]})
    ch.insert(
        "app.load_log",
        loads,
        column_names=[c for c in LOG_COLUMNS if c != "request_ids"],
    )
