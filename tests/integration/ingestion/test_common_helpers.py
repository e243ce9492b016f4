"""Helpers shared by the Direct/Metrika integration tests (holds no tests itself)."""

from __future__ import annotations

from typing import Any

from warehouse.loads import current_rows_sql

# Columns hashed per row: everything the platform sent, not the load metadata.
HASHED = {
    "raw_yandex_direct.ad_stats_daily": "date_day, campaign_id, campaign_name, ad_group_id, ad_id, ad_network_type, "
    "impressions, clicks, cost, conversions, revenue, toString(goal_conversions), "
    "is_provisional",
    "raw_yandex_direct.campaigns": "campaign_id, campaign_name, state, daily_budget",
    "raw_yandex_direct.reach_frequency": "date_day, campaign_id, impressions, impression_reach, cost",
    "raw_yandex_metrika.traffic_daily": "date_day, traffic_source, utm_source, utm_campaign, direct_campaign_id, visits, "
    "users, bounces, pageviews, revenue, sampled",
    "raw_yandex_metrika.visits": "date_day, visit_id, client_id, visit_datetime, page_views, bounce, "
    "toString(goals_id), purchase_revenue, is_provisional",
}


def fingerprint(ch: Any, table: str, tenant: str, *, snapshot: bool = False) -> tuple:
    """(rows, order-independent hash of the rows) of the current window versions for a tenant."""
    sql = (
        f"SELECT count(), sum(cityHash64({HASHED[table]})) FROM ({current_rows_sql(table, snapshot)}) "  # noqa: S608
        "WHERE tenant_id = {t:String}"
    )
    return tuple(ch.query(sql, parameters={"t": tenant}).result_rows[0])


def physical_rows(ch: Any, table: str, tenant: str) -> int:
    """Rows physically in the table for a tenant (orphans of a crashed load included)."""
    return ch.query(
        f"SELECT count() FROM {table} WHERE tenant_id = {{t:String}}",  # noqa: S608
        parameters={"t": tenant},
    ).result_rows[0][0]


def last_log(ch: Any, tenant: str, report: str) -> tuple:
    return ch.query(
        "SELECT status, rows, error, length(request_ids) FROM app.load_log WHERE tenant_id = {t:String} "
        "AND report = {r:String} AND status != 'running' ORDER BY started_at DESC, finished_at DESC LIMIT 1",
        parameters={"t": tenant, "r": report},
    ).result_rows[0]
