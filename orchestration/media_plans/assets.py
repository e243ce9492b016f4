"""The media-plan import as an asset: files named in run config (by the inbox sensor) become plan versions."""

from typing import Any

import dagster as dg

from orchestration.media_plans.checks import MEDIA_PLANS
from orchestration.resources import WarehouseResource


class PlanFile(dg.Config):
    path: str
    tenant_id: str
    client_id: str


class MediaPlanImportConfig(dg.Config):
    """Files to import; the sensor fills this in, a person can too (Launchpad)."""

    files: list[PlanFile] = []


@dg.multi_asset(
    name="media_plans",
    specs=[
        dg.AssetSpec(
            MEDIA_PLANS,
            group_name="app",
            kinds={"python", "clickhouse"},
            description="Versioned media plans imported from the inbox (planning.mediaplan.import_plan).",
        ),
        dg.AssetSpec(
            ["app", "media_plan_lines_current"],
            group_name="app",
            kinds={"clickhouse"},
            description="Lines of the latest committed version of every plan.",
            deps=[MEDIA_PLANS],
        ),
    ],
)
def media_plans(
    context: dg.AssetExecutionContext, config: MediaPlanImportConfig, warehouse: WarehouseResource
) -> Any:
    """All-or-nothing per file: a file with any invalid line is rejected with its row/field errors, loudly."""
    from planning.mediaplan import import_plan

    if not config.files:
        raise dg.Failure(
            "no media-plan files given (run config ops.media_plans.config.files)", allow_retries=False
        )
    ch = warehouse.client()
    imported: list[str] = []
    lines = 0
    rejected: list[str] = []
    for f in config.files:
        try:
            res = import_plan(
                ch,
                f.path,
                tenant_id=f.tenant_id,
                client_id=f.client_id,
                imported_by="dagster:media_plan_inbox_sensor",
            )
        except Exception as exc:  # collected: every bad file is named below
            rejected.append(f"{f.path}: {exc}")
            continue
        if not res.imported:
            rejected.append(f"{f.path}: {res.report.as_text(limit=10)}")
            continue
        lines += res.line_count
        imported.append(
            f"{f.tenant_id}/{f.client_id}/{res.plan_id} v{res.plan_version} ({res.line_count} lines)"
        )
    ch.close()
    if rejected:
        raise dg.Failure(
            f"{len(rejected)} media-plan file(s) rejected: " + " | ".join(rejected)[:3000],
            metadata={"imported": "\n".join(imported) or "none"},
            allow_retries=False,
        )
    context.log.info("imported: " + "; ".join(imported))
    yield dg.MaterializeResult(
        asset_key=MEDIA_PLANS, metadata={"imported": "\n".join(imported), "files": len(imported)}
    )
    yield dg.MaterializeResult(asset_key=["app", "media_plan_lines_current"], metadata={"lines": lines})
