"""After a plan import in the app: rebuild the plan models now and record the import on Dagster's asset.

Without this, an imported plan reached Plan vs Fact only with the next daily run and Dagster's `app/media_plans`
asset read "never materialized". The rebuild is a targeted in-process `dbt build` of the plan models alone (the
ad facts they join are left as they are), so it takes seconds rather than a full run. It is serialised: dbt's
runner is not safe to call from two threads at once, and two PMs importing at once would otherwise race.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# The plan branch of the project, upstream first: the plan tables' staging views, the line x day spine, the
# line → campaign matching, the actuals per line and day, and the mart the Plan vs Fact page reads.
PLAN_MODELS = (
    "stg_app__media_plans",
    "stg_app__media_plan_lines",
    "stg_app__campaign_mappings",
    "int_media_plan_line_days",
    "int_media_plan_lines_mapped_to_campaigns",
    "int_media_plan_line_actuals_daily",
    "fct_plan_vs_fact_daily",
)
MEDIA_PLANS_ASSET = ("app", "media_plans")
_lock = threading.Lock()


@dataclass
class Refresh:
    seconds: float
    models: int
    tests: int
    plan_rows: int  # rows of this plan version in fct_plan_vs_fact_daily after the rebuild
    dagster_recorded: bool


def target_dir() -> Path:
    """dbt's target folder for app-triggered builds: apart from the scheduled runs' (no clobbered artifacts)."""
    return Path(os.environ.get("MRM_APP_DBT_TARGET") or Path(tempfile.gettempdir()) / "mrm-app-dbt-target")


def record_materialization(
    tenant_id: str, client_id: str, plan_id: str, version: int, lines: int, imported_by: str
) -> bool:
    """Report the import to Dagster as a materialization of `app/media_plans` (no run needed) in the platform's
    DAGSTER_HOME; raises when the instance cannot be opened. Tenant and client go in as metadata."""
    import dagster as dg

    from orchestration.home import dagster_home

    home = dagster_home()
    home.mkdir(parents=True, exist_ok=True)
    with dg.DagsterInstance.from_config(str(home)) as instance:
        instance.report_runless_asset_event(
            dg.AssetMaterialization(
                asset_key=list(MEDIA_PLANS_ASSET),
                description="imported in the app",
                metadata={
                    "tenant_id": tenant_id,
                    "client_id": client_id,
                    "plan": f"{plan_id} v{version}",
                    "lines": lines,
                    "imported_by": imported_by,
                    "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                },
            )
        )
    return True


def refresh_after_import(
    ch: Any,
    tenant_id: str,
    client_id: str,
    plan_id: str,
    version: int,
    lines: int,
    imported_by: str,
    *,
    marts_db: str = "marts",
    progress: Callable[[str], None] | None = None,
) -> Refresh:
    """Record the import on Dagster, rebuild the plan models, and count this plan version's rows in the mart.
    A failed build raises (dbt's failing nodes named): the page shows it instead of a silent stale mart."""
    from dbt_project import run as dbt_run

    say = progress or (lambda _step: None)
    say("dagster")
    recorded = record_materialization(tenant_id, client_id, plan_id, version, lines, imported_by)
    say("dbt")
    with _lock:
        res = dbt_run.build(select=list(PLAN_MODELS), target_path=target_dir())
    say("check")
    rows = ch.query(
        f"SELECT count() FROM {marts_db}.fct_plan_vs_fact_daily "  # noqa: S608 - validated identifier
        "WHERE tenant_id = {t:String} AND client_id = {c:String} AND plan_id = {p:String} "
        "AND plan_version = {v:UInt32}",
        parameters={"t": tenant_id, "c": client_id, "p": plan_id, "v": version},
    ).result_rows[0][0]
    kinds = [n.unique_id.split(".")[0] for n in res.nodes]
    return Refresh(
        seconds=res.seconds,
        models=kinds.count("model"),
        tests=kinds.count("test"),
        plan_rows=int(rows),
        dagster_recorded=recorded,
    )
