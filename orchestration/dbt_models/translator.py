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

    def get_asset_spec(self, manifest: Mapping[str, Any], unique_id: str, project: Any) -> dg.AssetSpec:
        spec = super().get_asset_spec(manifest, unique_id, project)
        if spec.group_name == "marts":
            spec = spec.replace_attributes(freshness_policy=DAILY.dagster_policy())
        return spec.merge_attributes(kinds={"clickhouse"})
