"""Checks on the AI outputs: every processed client got a report file pair whose numbers match the mart."""

from typing import Any

import dagster as dg

from orchestration.partitions import days_from_tags
from orchestration.resources import WarehouseResource


@dg.asset_check(
    asset=dg.AssetKey(["reports", "client_reports"]),
    name="report_totals_match_mart",
    description="Each report's frozen spend equals the mart's spend for its client and period.",
)
def report_totals_match_mart(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource) -> Any:
    """Reports freeze numbers at build time; a mismatch with the mart right after the build means a wrong query."""
    import json

    days = days_from_tags(context.run.tags)
    ch = warehouse.client()
    try:
        rows = (
            ch.query(
                "SELECT tenant_id, client_id, date_from, date_to, snapshot_json FROM app.report_runs FINAL "
                # Any status: the e-mail step may already have marked the run 'sent' (same frozen snapshot).
                "WHERE date_to = {d:Date} ORDER BY tenant_id, client_id",
                parameters={"d": days[1] if days else None},
            ).result_rows
            if days
            else []
        )
        mismatches = []
        for tenant_id, client_id, d_from, d_to, snap_json in rows:
            snap = json.loads(snap_json)
            frozen = float(snap["totals"]["spend"])
            basis = "spend_gross" if snap.get("include_vat") else "spend_net"
            mart = float(
                ch.query(
                    f"SELECT sum({basis}) FROM marts.fct_ad_performance_daily WHERE tenant_id = {{t:String}} "  # noqa: S608
                    "AND client_id = {c:String} AND date_day BETWEEN {f:Date} AND {to:Date}",
                    parameters={"t": tenant_id, "c": client_id, "f": d_from, "to": d_to},
                ).result_rows[0][0]
                or 0
            )
            if abs(frozen - mart) > max(0.01, 1e-6 * abs(mart)):  # commission is reported apart from spend
                mismatches.append(f"{tenant_id}/{client_id}: report {frozen:.2f} vs mart {mart:.2f}")
    finally:
        ch.close()
    return dg.AssetCheckResult(
        passed=bool(rows) and not mismatches,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={"reports": len(rows), "mismatches": "; ".join(mismatches)[:2000] or "none"},
    )
