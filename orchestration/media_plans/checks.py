"""Media-plan import checks: validation happens inside planning's import (all-or-nothing); here we confirm the
committed version is readable from the current-lines view the marts use."""

from typing import Any

import dagster as dg

from orchestration.resources import WarehouseResource

MEDIA_PLANS = dg.AssetKey(["app", "media_plans"])


@dg.asset_check(
    asset=MEDIA_PLANS,
    name="every_plan_has_current_lines",
    blocking=True,
    description="Each committed plan version has lines in app.media_plan_lines_current.",
)
def every_plan_has_current_lines(warehouse: WarehouseResource) -> Any:
    ch = warehouse.client()
    try:
        rows = ch.query(
            "SELECT p.tenant_id, p.client_id, p.plan_id FROM (SELECT tenant_id, client_id, plan_id "
            "FROM app.media_plans GROUP BY tenant_id, client_id, plan_id) AS p LEFT ANTI JOIN "
            "(SELECT DISTINCT tenant_id, client_id, plan_id FROM app.media_plan_lines_current) AS l "
            "USING (tenant_id, client_id, plan_id)"
        ).result_rows
    finally:
        ch.close()
    return dg.AssetCheckResult(
        passed=not rows,
        metadata={"plans_without_lines": ", ".join("/".join(map(str, r)) for r in rows) or "none"},
    )
