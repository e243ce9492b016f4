"""The one place that decides dbt asset keys, groups and policies, so adding a model needs no Python."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings

from orchestration.freshness import DAILY


class MrmDbtTranslator(DagsterDbtTranslator):
    """Keys mirror the ClickHouse location `[database, table]`; groups are the dbt folder (staging/…/marts)."""

    def __init__(self) -> None:
        super().__init__(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        props = dbt_resource_props
        if props["resource_type"] == "source":
            return dg.AssetKey([props["schema"], props.get("identifier") or props["name"]])
        return dg.AssetKey([props["schema"], props.get("alias") or props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        props = dbt_resource_props
        if props["resource_type"] == "source":
            return props["schema"]
        fqn = props.get("fqn") or []
        # fqn = [project, folder, (platform,) model]: the top folder is the layer.
        return fqn[1] if len(fqn) > 2 else props["schema"]

    def get_description(self, dbt_resource_props: Mapping[str, Any]) -> str:
        # The model's own description, not its SQL: the Dagster UI is read by people, the SQL lives in the repo.
        props = dbt_resource_props
        return (props.get("description") or "").strip() or f"dbt {props['resource_type']} {props['name']}"

    def get_asset_check_spec(
        self, asset_spec: dg.AssetSpec, manifest: Mapping[str, Any], unique_id: str, project: Any
    ) -> dg.AssetCheckSpec | None:
        spec = super().get_asset_check_spec(asset_spec, manifest, unique_id, project)
        if spec is None or spec.description:
            return spec
        return spec._replace(description=check_description(manifest["nodes"][unique_id]))

    def get_asset_spec(self, manifest: Mapping[str, Any], unique_id: str, project: Any) -> dg.AssetSpec:
        spec = super().get_asset_spec(manifest, unique_id, project)
        if spec.group_name == "marts":
            spec = spec.replace_attributes(freshness_policy=DAILY.dagster_policy())
        return spec.merge_attributes(kinds={"clickhouse"})


def check_description(test: Mapping[str, Any]) -> str:
    """What a dbt test asserts, in words, from its own description or the generic test and its arguments."""
    if (test.get("description") or "").strip():
        return str(test["description"]).strip()
    meta = test.get("test_metadata") or {}
    if not meta:  # a singular test: its SQL file is named for what it asserts
        return f"dbt test {test['name']}: the query must return no rows"
    kwargs = {k: v for k, v in (meta.get("kwargs") or {}).items() if k not in ("model", "column_name")}
    column = f" on column {test['column_name']}" if test.get("column_name") else ""
    args = "; ".join(
        f"{k}: {', '.join(map(str, v)) if isinstance(v, list) else v}" for k, v in kwargs.items()
    )
    return f"dbt test {meta['name']}{column}" + (f" ({args})" if args else "")
