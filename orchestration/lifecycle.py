"""Weekly warehouse backup and retention in Dagster (warehouse/lifecycle.py does the work)."""

# No `from __future__ import annotations`: Dagster reads the op's resource annotations at definition.
import datetime as dt
import os
from pathlib import Path

import dagster as dg

from orchestration.resources import WarehouseResource


@dg.op(
    description="Apply the retention TTLs, then back up the whole warehouse into MRM_BACKUP_DIR "
    "(default <data dir>/backups) and check the backup's fingerprints were recorded."
)
def weekly_backup(context: dg.OpExecutionContext, warehouse: WarehouseResource) -> str:
    from warehouse import lifecycle

    ch = warehouse.client()
    applied = lifecycle.apply_retention(ch)
    root = Path(os.environ.get("MRM_BACKUP_DIR") or warehouse.data_dir() / "backups")
    target = root / dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    manifest = lifecycle.backup(ch, target)
    rows = sum(t["rows"] for t in manifest["tables"].values())
    context.log.info(
        f"retention on {len(applied)} tables; backup {target}: {len(manifest['tables'])} tables, {rows} rows"
    )
    return str(target)


@dg.job(name="weekly_backup_job", description="Retention TTLs and a full warehouse backup.")
def weekly_backup_job() -> None:
    weekly_backup()


def weekly_backup_schedule(*, running: bool) -> dg.ScheduleDefinition:
    return dg.ScheduleDefinition(
        name="weekly_backup_schedule",
        job=weekly_backup_job,
        cron_schedule="0 3 * * 0",
        execution_timezone="Europe/Moscow",
        default_status=dg.DefaultScheduleStatus.RUNNING if running else dg.DefaultScheduleStatus.STOPPED,
        description="Sundays 03:00 Moscow: retention and a full backup.",
    )
