"""Sensor on the media-plan inbox folder: one import run per new or re-saved plan file."""

import json
from typing import Any

import dagster as dg

from orchestration.media_plans.partitions import inbox_dir, scan_inbox


def media_plan_inbox_sensor(job: Any) -> dg.SensorDefinition:
    @dg.sensor(
        name="media_plan_inbox_sensor",
        job=job,
        minimum_interval_seconds=30,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description="Imports media plans dropped into <inbox>/<tenant_id>/<client_id>/.",
    )
    def _sensor(context: dg.SensorEvaluationContext) -> dg.SensorResult:
        root = inbox_dir()
        seen: dict[str, int] = json.loads(context.cursor) if context.cursor else {}
        requests = []
        for f in scan_inbox(root):
            rel = str(f.path.relative_to(root))
            if seen.get(rel) == f.mtime_ns:
                continue
            seen[rel] = f.mtime_ns
            requests.append(
                dg.RunRequest(
                    run_key=f.key,
                    run_config={
                        "ops": {
                            "media_plans": {
                                "config": {
                                    "files": [
                                        {
                                            "path": str(f.path),
                                            "tenant_id": f.tenant_id,
                                            "client_id": f.client_id,
                                        }
                                    ]
                                }
                            }
                        }
                    },
                    tags={"tenant_id": f.tenant_id, "client_id": f.client_id, "media_plan_file": f.path.name},
                )
            )
        if not requests:
            return dg.SensorResult(
                skip_reason=f"no new plan files in {root}", cursor=json.dumps(seen, sort_keys=True)
            )
        return dg.SensorResult(run_requests=requests, cursor=json.dumps(seen, sort_keys=True))

    return _sensor


def ai_automation_sensor(*, running: bool) -> dg.AutomationConditionSensorDefinition:
    """Declarative automation for the AI and report assets (eager: follow the marts when they change outside the
    daily job, e.g. a manual dbt rerun). Stopped in sandbox mode so a demo laptop does not start runs by itself."""
    return dg.AutomationConditionSensorDefinition(
        "ai_automation_sensor",
        target=dg.AssetSelection.groups("ai", "reports"),
        minimum_interval_seconds=60,
        default_status=dg.DefaultSensorStatus.RUNNING if running else dg.DefaultSensorStatus.STOPPED,
        description="Evaluates the eager automation conditions of insights, reports and embeddings.",
    )
