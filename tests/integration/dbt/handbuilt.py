"""Small hand-built raw data for the dbt tests, loaded the way ingestion loads it (warehouse.loads.replace_window).

Every number here is chosen so the expected marts can be worked out by hand (see EXPECTED and the tests):
the VAT change on 2026-01-01, a half-finished load that must stay invisible, a second tenant reusing the same
account id, Metrika visitors shared by a Direct and a VK campaign, and a media plan with an uncommitted newer version.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pyarrow as pa

from warehouse.loads import replace_window

D31 = dt.date(2025, 12, 31)
J01 = dt.date(2026, 1, 1)
MONEY = pa.decimal128(18, 6)


def _table(rows: list[dict[str, Any]], types: dict[str, pa.DataType]) -> pa.Table:
    cols = {name: pa.array([r[name] for r in rows], typ) for name, typ in types.items()}
    return pa.table(cols)


def _m(x: float | int | str) -> Decimal:
    return Decimal(str(x))


DIRECT_STATS_TYPES = {
    "date_day": pa.date32(),
    "campaign_id": pa.uint64(),
    "campaign_name": pa.string(),
    "campaign_type": pa.string(),
    "ad_group_id": pa.uint64(),
    "ad_id": pa.uint64(),
    "ad_network_type": pa.string(),
    "impressions": pa.uint64(),
    "clicks": pa.uint64(),
    "cost": MONEY,
    "cost_includes_vat": pa.uint8(),
    "currency": pa.string(),
    "conversions": MONEY,
    "revenue": MONEY,
    "timezone": pa.string(),
    "is_provisional": pa.uint8(),
}


def _direct_row(day, cid, name, gid, aid, net_type, imp, clk, cost, conv, rev, prov=0):
    return {
        "date_day": day,
        "campaign_id": cid,
        "campaign_name": name,
        "campaign_type": "TEXT_CAMPAIGN",
        "ad_group_id": gid,
        "ad_id": aid,
        "ad_network_type": net_type,
        "impressions": imp,
        "clicks": clk,
        "cost": _m(cost),
        "cost_includes_vat": 1,
        "currency": "RUB",
        "conversions": _m(conv),
        "revenue": _m(rev),
        "timezone": "Europe/Moscow",
        "is_provisional": prov,
    }


# Columns of the hand-built media plan lines (app.media_plan_lines).
PLAN_LINE_COLUMNS = [
    "tenant_id",
    "client_id",
    "plan_id",
    "plan_version",
    "import_id",
    "line_id",
    "line_no",
    "channel",
    "platform",
    "campaign_name",
    "platform_campaign_id",
    "flight_start",
    "flight_end",
    "budget_net",
    "budget_gross",
    "planned_impressions",
    "planned_reach_persons",
]


def load_app(ch) -> None:
    """Tenants, clients, accounts and the media plan (app tables are written directly, not by window)."""
    ch.insert("app.tenants", [["t1", "Agency One"], ["t2", "Agency Two"]], column_names=["tenant_id", "name"])
    ch.insert(
        "app.clients",
        [["t1", "c1", "Client One", "RUB"], ["t2", "c9", "Other Agency Client", "RUB"]],
        column_names=["tenant_id", "client_id", "name", "currency"],
    )
    ch.insert(
        "app.accounts",
        [
            ["t1", "c1", "yandex_direct", "c1-direct", 1],
            ["t1", "c1", "vk_ads", "5001", 0],
            ["t1", "c1", "garpun", "gp-1", 1],
            ["t1", "c1", "yandex_metrika", "777", 0],
            # same account id as t1's Direct account: must never mix with t1
            ["t2", "c9", "yandex_direct", "c1-direct", 1],
        ],
        column_names=["tenant_id", "client_id", "platform", "account_id", "spend_includes_vat"],
    )
    plan_cols = ["tenant_id", "client_id", "plan_id", "plan_version", "import_id", "name", "line_count"]
    ch.insert("app.media_plans", [["t1", "c1", "mp1", 1, "imp1", "January plan", 3]], column_names=plan_cols)
    ch.insert(
        "app.media_plan_lines",
        [
            [
                "t1",
                "c1",
                "mp1",
                1,
                "imp1",
                "L1",
                1,
                "Search",
                "yandex_direct",
                "",
                "101",
                D31,
                dt.date(2026, 1, 3),
                _m(800),
                _m(960),
                8000,
                10,
            ],
            [
                "t1",
                "c1",
                "mp1",
                1,
                "imp1",
                "L2",
                2,
                "Social",
                "vk_ads",
                "vk plan",
                "",
                J01,
                J01,
                _m(100),
                _m(122),
                4000,
                None,
            ],
            [
                "t1",
                "c1",
                "mp1",
                1,
                "imp1",
                "L3",
                3,
                "Display",
                "other",
                "",
                "",
                J01,
                dt.date(2026, 1, 2),
                _m(100),
                _m(122),
                1000,
                None,
            ],
            # version 2 was never committed (no header row): plan-vs-fact must ignore it
            [
                "t1",
                "c1",
                "mp1",
                2,
                "imp2",
                "L1",
                1,
                "Search",
                "yandex_direct",
                "",
                "101",
                D31,
                dt.date(2026, 1, 3),
                _m(99999),
                _m(99999),
                1,
                None,
            ],
        ],
        column_names=PLAN_LINE_COLUMNS,
    )
    ch.insert(
        "app.campaign_mappings",
        [["t1", "c1", "mp1", "L3", "garpun", "", "g-1", "manual"]],
        column_names=[
            "tenant_id",
            "client_id",
            "plan_id",
            "line_id",
            "platform",
            "account_id",
            "campaign_id",
            "match_method",
        ],
    )
    # Plan vs fact reads approved (or active) versions only: mp1 v1 was submitted and approved; mp2 is a draft.
    ch.insert(
        "app.plan_reviews",
        [
            ["t1", "c1", "mp1", 1, "submitted", "planner@t1", dt.datetime(2025, 12, 20, 10)],
            ["t1", "c1", "mp1", 1, "approved", "pm@t1", dt.datetime(2025, 12, 20, 11)],
        ],
        column_names=["tenant_id", "client_id", "plan_id", "plan_version", "status", "login", "at"],
    )
    ch.insert("app.media_plans", [["t1", "c1", "mp2", 1, "imp-mp2", "Draft plan", 1]], column_names=plan_cols)
    ch.insert(
        "app.media_plan_lines",
        [
            [
                "t1",
                "c1",
                "mp2",
                1,
                "imp-mp2",
                "D1",
                1,
                "Search",
                "yandex_direct",
                "",
                "101",
                D31,
                J01,
                _m(500),
                _m(600),
                100,
                None,
            ],
            # mp1's L4 names campaign 101, but a person decided it is not linked: 'not_linked', not 'under'
            [
                "t1",
                "c1",
                "mp1",
                1,
                "imp1",
                "L4",
                4,
                "Search",
                "yandex_direct",
                "",
                "101",
                D31,
                J01,
                _m(100),
                _m(120),
                100,
                None,
            ],
        ],
        column_names=PLAN_LINE_COLUMNS,
    )
    ch.insert(
        "app.campaign_mappings",
        [["t1", "c1", "mp1", "L4", "", "", "", "unlinked"]],
        column_names=[
            "tenant_id",
            "client_id",
            "plan_id",
            "line_id",
            "platform",
            "account_id",
            "campaign_id",
            "match_method",
        ],
    )


def load_raw(ch) -> None:
    """All raw tables through replace_window, plus one orphan row set of a load that never committed."""
    # Direct: a first load of 2026-01-01 is superseded by a second one with the real numbers.
    replace_window(
        ch,
        "raw_yandex_direct.ad_stats_daily",
        _table(
            [
                _direct_row(J01, 101, "Search RU", 11, 1, "SEARCH", 99999, 9999, 9999, 0, 0, 1),
            ],
            DIRECT_STATS_TYPES,
        ),
        tenant_id="t1",
        account_id="c1-direct",
        days=[J01],
    )
    replace_window(
        ch,
        "raw_yandex_direct.ad_stats_daily",
        _table(
            [
                _direct_row(D31, 101, "Search RU", 11, 1, "SEARCH", 1000, 50, 120, 5, 1000),
                _direct_row(D31, 101, "Search RU", 11, 1, "AD_NETWORK", 500, 10, 60, 1, 0),
                _direct_row(J01, 101, "Search RU", 11, 1, "SEARCH", 2000, 100, 244, 10, 3000, 1),
                _direct_row(J01, 102, "Display RU", 12, 2, "AD_NETWORK", 4000, 0, 122, 0, 0, 1),
            ],
            DIRECT_STATS_TYPES,
        ),
        tenant_id="t1",
        account_id="c1-direct",
        days=[D31, J01],
    )
    # Rows of a load that died before switching raw_window_versions: staging must not see them.
    orphan = _table(
        [_direct_row(J01, 101, "Search RU", 11, 1, "SEARCH", 5555, 555, 555, 0, 0)], DIRECT_STATS_TYPES
    )
    orphan = orphan.append_column("tenant_id", pa.array(["t1"])).append_column(
        "account_id", pa.array(["c1-direct"])
    )
    orphan = orphan.append_column("_load_id", pa.array(["never-committed"]))
    orphan = orphan.append_column("_loaded_at", pa.array([dt.datetime(2026, 1, 2)], pa.timestamp("ms")))
    ch.insert_arrow("raw_yandex_direct.ad_stats_daily", orphan)
    # Tenant t2, same account id.
    replace_window(
        ch,
        "raw_yandex_direct.ad_stats_daily",
        _table(
            [
                _direct_row(J01, 101, "Other tenant", 11, 1, "SEARCH", 7, 1, 12, 0, 0),
            ],
            DIRECT_STATS_TYPES,
        ),
        tenant_id="t2",
        account_id="c1-direct",
        days=[J01],
    )

    replace_window(
        ch,
        "raw_yandex_direct.campaigns",
        _table(
            [
                {
                    "campaign_id": 101,
                    "campaign_name": "Search RU",
                    "campaign_type": "TEXT_CAMPAIGN",
                    "state": "ON",
                    "status": "ACCEPTED",
                    "currency": "RUB",
                },
                {
                    "campaign_id": 102,
                    "campaign_name": "Display RU",
                    "campaign_type": "CPM_BANNER_CAMPAIGN",
                    "state": "ON",
                    "status": "ACCEPTED",
                    "currency": "RUB",
                },
            ],
            {
                "campaign_id": pa.uint64(),
                "campaign_name": pa.string(),
                "campaign_type": pa.string(),
                "state": pa.string(),
                "status": pa.string(),
                "currency": pa.string(),
            },
        ),
        tenant_id="t1",
        account_id="c1-direct",
        days=None,
    )
    replace_window(
        ch,
        "raw_yandex_direct.reach_frequency",
        _table(
            [
                {
                    "date_from": J01,
                    "date_to": J01,
                    "date_day": J01,
                    "campaign_id": 102,
                    "campaign_name": "Display RU",
                    "impressions": 4000,
                    "impression_reach": 2500,
                    "avg_impression_frequency": 1.6,
                    "cost": _m(122),
                    "currency": "RUB",
                },
            ],
            {
                "date_from": pa.date32(),
                "date_to": pa.date32(),
                "date_day": pa.date32(),
                "campaign_id": pa.uint64(),
                "campaign_name": pa.string(),
                "impressions": pa.uint64(),
                "impression_reach": pa.uint64(),
                "avg_impression_frequency": pa.float64(),
                "cost": MONEY,
                "currency": pa.string(),
            },
        ),
        tenant_id="t1",
        account_id="c1-direct",
        days=[J01],
    )

    # VK: spend reported without VAT.
    replace_window(
        ch,
        "raw_vk_ads.ad_plans",
        _table(
            [{"ad_plan_id": 900, "name": "VK Plan", "status": "active"}],
            {"ad_plan_id": pa.uint64(), "name": pa.string(), "status": pa.string()},
        ),
        tenant_id="t1",
        account_id="5001",
        days=None,
    )
    replace_window(
        ch,
        "raw_vk_ads.ad_groups",
        _table(
            [{"ad_group_id": 901, "ad_plan_id": 900, "name": "G"}],
            {"ad_group_id": pa.uint64(), "ad_plan_id": pa.uint64(), "name": pa.string()},
        ),
        tenant_id="t1",
        account_id="5001",
        days=None,
    )
    replace_window(
        ch,
        "raw_vk_ads.banners",
        _table(
            [
                {"banner_id": 9001, "ad_group_id": 901, "name": "B1"},
                {"banner_id": 9002, "ad_group_id": 901, "name": "B2"},
            ],
            {"banner_id": pa.uint64(), "ad_group_id": pa.uint64(), "name": pa.string()},
        ),
        tenant_id="t1",
        account_id="5001",
        days=None,
    )
    vk_types = {
        "date_day": pa.date32(),
        "banner_id": pa.uint64(),
        "shows": pa.uint64(),
        "clicks": pa.uint64(),
        "goals": pa.uint64(),
        "spent": MONEY,
        "spent_includes_vat": pa.uint8(),
        "currency": pa.string(),
        "uniques_total": pa.uint64(),
        "timezone": pa.string(),
    }
    replace_window(
        ch,
        "raw_vk_ads.banner_stats_daily",
        _table(
            [
                {
                    "date_day": D31,
                    "banner_id": 9001,
                    "shows": 1000,
                    "clicks": 5,
                    "goals": 1,
                    "spent": _m(40),
                    "spent_includes_vat": 0,
                    "currency": "RUB",
                    "uniques_total": 900,
                    "timezone": "Europe/Moscow",
                },
                {
                    "date_day": J01,
                    "banner_id": 9001,
                    "shows": 3000,
                    "clicks": 30,
                    "goals": 3,
                    "spent": _m(100),
                    "spent_includes_vat": 0,
                    "currency": "RUB",
                    "uniques_total": 2000,
                    "timezone": "Europe/Moscow",
                },
                {
                    "date_day": J01,
                    "banner_id": 9002,
                    "shows": 1000,
                    "clicks": 10,
                    "goals": 0,
                    "spent": _m(50),
                    "spent_includes_vat": 0,
                    "currency": "RUB",
                    "uniques_total": 800,
                    "timezone": "Europe/Moscow",
                },
            ],
            vk_types,
        ),
        tenant_id="t1",
        account_id="5001",
        days=[D31, J01],
    )

    # Garpun: a Google Ads campaign reported with VAT.
    replace_window(
        ch,
        "raw_garpun.ad_stats_daily",
        _table(
            [
                {
                    "date_day": J01,
                    "source_platform": "google_ads",
                    "campaign_id": "g-1",
                    "campaign_name": "Google brand",
                    "ad_group_id": "ga",
                    "ad_id": "gad",
                    "impressions": 500,
                    "clicks": 5,
                    "cost": _m(61),
                    "cost_includes_vat": 1,
                    "currency": "RUB",
                    "conversions": _m(1),
                },
            ],
            {
                "date_day": pa.date32(),
                "source_platform": pa.string(),
                "campaign_id": pa.string(),
                "campaign_name": pa.string(),
                "ad_group_id": pa.string(),
                "ad_id": pa.string(),
                "impressions": pa.uint64(),
                "clicks": pa.uint64(),
                "cost": MONEY,
                "cost_includes_vat": pa.uint8(),
                "currency": pa.string(),
                "conversions": MONEY,
            },
        ),
        tenant_id="t1",
        account_id="gp-1",
        days=[J01],
    )
    replace_window(
        ch,
        "raw_garpun.campaigns",
        _table(
            [
                {
                    "source_platform": "google_ads",
                    "campaign_id": "g-1",
                    "campaign_name": "Google brand",
                    "status": "ENABLED",
                },
            ],
            {
                "source_platform": pa.string(),
                "campaign_id": pa.string(),
                "campaign_name": pa.string(),
                "status": pa.string(),
            },
        ),
        tenant_id="t1",
        account_id="gp-1",
        days=None,
    )

    # Metrika traffic report.
    tr_types = {
        "date_day": pa.date32(),
        "traffic_source": pa.string(),
        "utm_source": pa.string(),
        "utm_medium": pa.string(),
        "utm_campaign": pa.string(),
        "direct_campaign_id": pa.uint64(),
        "visits": pa.uint64(),
        "goal_reaches": pa.uint64(),
        "revenue": MONEY,
    }
    replace_window(
        ch,
        "raw_yandex_metrika.traffic_daily",
        _table(
            [
                {
                    "date_day": D31,
                    "traffic_source": "ad",
                    "utm_source": "yandex",
                    "utm_medium": "cpc",
                    "utm_campaign": "ya_101",
                    "direct_campaign_id": 101,
                    "visits": 40,
                    "goal_reaches": 2,
                    "revenue": _m(100),
                },
                {
                    "date_day": J01,
                    "traffic_source": "ad",
                    "utm_source": "yandex",
                    "utm_medium": "cpc",
                    "utm_campaign": "ya_101",
                    "direct_campaign_id": 101,
                    "visits": 80,
                    "goal_reaches": 5,
                    "revenue": _m(500),
                },
                {
                    "date_day": J01,
                    "traffic_source": "ad",
                    "utm_source": "VK",
                    "utm_medium": "cpc",
                    "utm_campaign": "vk_900",
                    "direct_campaign_id": None,
                    "visits": 20,
                    "goal_reaches": 1,
                    "revenue": _m(0),
                },
                {
                    "date_day": J01,
                    "traffic_source": "organic",
                    "utm_source": "",
                    "utm_medium": "",
                    "utm_campaign": "",
                    "direct_campaign_id": 0,
                    "visits": 300,
                    "goal_reaches": 9,
                    "revenue": _m(0),
                },
            ],
            tr_types,
        ),
        tenant_id="t1",
        account_id="777",
        days=[D31, J01],
    )

    # Metrika visits: user 1 visits via Direct 3 times (twice on Jan 1), user 3 comes via Direct and via VK.
    visits = [
        (D31, 1, 1, 101, "yandex", "ya_101"),
        (D31, 2, 6, 101, "yandex", "ya_101"),
        (J01, 3, 1, 101, "yandex", "ya_101"),
        (J01, 4, 2, 101, "yandex", "ya_101"),
        (J01, 5, 3, 101, "yandex", "ya_101"),
        (J01, 6, 1, 101, "yandex", "ya_101"),
        (J01, 7, 3, 0, "vk", "vk_900"),
        (J01, 8, 4, 0, "vk", "vk_900"),
        (J01, 9, 5, 0, "", ""),
    ]
    replace_window(
        ch,
        "raw_yandex_metrika.visits",
        _table(
            [
                {
                    "date_day": d,
                    "visit_id": v,
                    "client_id": u,
                    "visit_datetime": dt.datetime.combine(d, dt.time(12)),
                    "traffic_source": "ad" if src else "organic",
                    "utm_source": src,
                    "utm_campaign": camp,
                    "direct_click_order": order,
                }
                for d, v, u, order, src, camp in visits
            ],
            {
                "date_day": pa.date32(),
                "visit_id": pa.uint64(),
                "client_id": pa.uint64(),
                "visit_datetime": pa.timestamp("s"),
                "traffic_source": pa.string(),
                "utm_source": pa.string(),
                "utm_campaign": pa.string(),
                "direct_click_order": pa.uint64(),
            },
        ),
        tenant_id="t1",
        account_id="777",
        days=[D31, J01],
    )


def load_vk_banner_older_than_history(ch) -> None:
    """Tenant t9: a VK banner that started before the loaded history (VK reports 5,000 uniques before our first
    day), so neither the start of its cumulative window nor its impressions before that day are known."""
    ch.insert("app.tenants", [["t9", "Agency Nine"]], column_names=["tenant_id", "name"])
    ch.insert(
        "app.clients",
        [["t9", "c91", "Client of t9", "RUB"]],
        column_names=["tenant_id", "client_id", "name", "currency"],
    )
    ch.insert(
        "app.accounts",
        [["t9", "c91", "vk_ads", "5901", 0]],
        column_names=["tenant_id", "client_id", "platform", "account_id", "spend_includes_vat"],
    )
    for table, row, types in (
        (
            "ad_plans",
            {"ad_plan_id": 990, "name": "Old plan", "status": "active"},
            {"ad_plan_id": pa.uint64(), "name": pa.string(), "status": pa.string()},
        ),
        (
            "ad_groups",
            {"ad_group_id": 991, "ad_plan_id": 990, "name": "Old group"},
            {"ad_group_id": pa.uint64(), "ad_plan_id": pa.uint64(), "name": pa.string()},
        ),
        (
            "banners",
            {"banner_id": 9901, "ad_group_id": 991, "name": "Old banner"},
            {"banner_id": pa.uint64(), "ad_group_id": pa.uint64(), "name": pa.string()},
        ),
    ):
        replace_window(
            ch, f"raw_vk_ads.{table}", _table([row], types), tenant_id="t9", account_id="5901", days=None
        )
    replace_window(
        ch,
        "raw_vk_ads.banner_stats_daily",
        _table(
            [
                {
                    "date_day": day,
                    "banner_id": 9901,
                    "shows": 300,
                    "clicks": 3,
                    "goals": 0,
                    "spent": _m(10),
                    "spent_includes_vat": 0,
                    "currency": "RUB",
                    "uniques_total": total,
                    "uniques_initial_total": initial,
                    "timezone": "Europe/Moscow",
                }
                for day, total, initial in ((D31, 5200, 5000), (J01, 5350, 5200))
            ],
            {
                "date_day": pa.date32(),
                "banner_id": pa.uint64(),
                "shows": pa.uint64(),
                "clicks": pa.uint64(),
                "goals": pa.uint64(),
                "spent": MONEY,
                "spent_includes_vat": pa.uint8(),
                "currency": pa.string(),
                "uniques_total": pa.uint64(),
                "uniques_initial_total": pa.uint64(),
                "timezone": pa.string(),
            },
        ),
        tenant_id="t9",
        account_id="5901",
        days=[D31, J01],
    )


def load_all(ch) -> None:
    load_app(ch)
    load_raw(ch)
    load_vk_banner_older_than_history(ch)
