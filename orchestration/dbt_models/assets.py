"""All dbt models, seeds and snapshots as one dbt_assets step; dbt tests become asset checks."""

import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets

from orchestration.dbt_models.partitions import dbt_vars
from orchestration.dbt_models.project import PROJECT_DIR, manifest_path
from orchestration.dbt_models.translator import MrmDbtTranslator
from orchestration.partitions import context_days, daily_partitions
from orchestration.resources import WarehouseResource

TRANSLATOR = MrmDbtTranslator()


def dbt_executable() -> str:
    """The venv's dbt next to this interpreter (the venv's bin is often not on PATH), else `dbt` from PATH."""
    here = Path(sys.executable).parent / "dbt"
    return str(here) if here.exists() else "dbt"


def dbt_resource() -> DbtCliResource:
    return DbtCliResource(
        project_dir=str(PROJECT_DIR), profiles_dir=str(PROJECT_DIR), dbt_executable=dbt_executable()
    )


def point_dbt_at_warehouse(warehouse: WarehouseResource) -> None:
    """dbt's profile reads CLICKHOUSE_URL/HOST; with neither set, hand it the embedded server's URL."""
    if warehouse.url:
        os.environ["CLICKHOUSE_URL"] = warehouse.url
    elif not os.environ.get("CLICKHOUSE_URL") and not os.environ.get("CLICKHOUSE_HOST"):
        os.environ["CLICKHOUSE_URL"] = warehouse.endpoint()
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")


def build_dbt_assets() -> dg.AssetsDefinition:
    @dbt_assets(
        manifest=manifest_path(),
        dagster_dbt_translator=TRANSLATOR,
        partitions_def=daily_partitions,
        backfill_policy=dg.BackfillPolicy.single_run(),
        name="mrm_dbt_models",
        pool="dbt",
    )
    def mrm_dbt_models(
        context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource
    ) -> Iterator[Any]:
        """`dbt build` of the selected models for the run's days (tests run right after each model)."""
        first, last = context_days(context)
        point_dbt_at_warehouse(warehouse)
        vars_ = dbt_vars(first, last)
        context.log.info(f"dbt build for {first}..{last} with vars {vars_}")
        yield from dbt.cli(["build", "--vars", json.dumps(vars_)], context=context).stream()

    return mrm_dbt_models
