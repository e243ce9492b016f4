"""The platform registry is the one list every layer reads: each entry must be complete, and nothing else may
keep its own list of platforms."""

from __future__ import annotations

import importlib
from urllib.parse import urlsplit

import pytest

from ingestion.platforms import BY_PLATFORM, PLATFORM_NAMES, PLATFORMS, platform_info


@pytest.mark.parametrize("name", PLATFORM_NAMES)
def test_each_registered_platform_is_complete(name: str) -> None:
    info = BY_PLATFORM[name]
    module = info.load_module()
    assert module is not None, f"{info.module} lacks load/Settings"
    settings_cls = module.Settings
    assert settings_cls.platform == name
    assert settings_cls.model_fields["lookback_days"].default == info.lookback_days
    default_host = urlsplit(settings_cls.model_fields["base_url"].default).hostname
    assert default_host in info.official_hosts, f"{name}: default endpoint {default_host} is not allow-listed"
    assert hasattr(importlib.import_module(info.sandbox_module), "make_api")
    assert importlib.import_module(f"orchestration.{name}.checks").TABLES
    assert info.raw_database == f"raw_{name}"


def test_orchestration_sandbox_and_cli_read_the_registry() -> None:
    from ingestion.cli import ingest
    from ingestion.sandbox.server import API_MODULES
    from orchestration import resources
    from orchestration.definitions import RAW_ASSETS, build_definitions

    assert set(RAW_ASSETS) == set(PLATFORM_NAMES)
    assert set(resources.PLATFORM_RESOURCES) == set(PLATFORM_NAMES)
    for info in BY_PLATFORM.values():
        assert API_MODULES[info.sandbox_api] == info.sandbox_module
        fields = resources.PLATFORM_RESOURCES[info.platform].model_fields
        assert set(info.secrets) <= set(fields), f"{info.platform}: secret fields missing on its resource"
    choice = next(p for p in ingest.params if p.name == "platform")
    assert set(choice.type.choices) == set(PLATFORMS)  # type: ignore[attr-defined]
    defs = build_definitions(sandbox=False)
    for info in BY_PLATFORM.values():
        res = defs.resources[info.platform]
        assert res.max_parallel_accounts == info.max_parallel_accounts
        for field, var in info.secrets.items():
            assert getattr(res, field).env_var_name == var


def test_lookups_by_name_or_short_name_and_a_clear_error() -> None:
    assert platform_info("vk") is platform_info("vk_ads") is BY_PLATFORM["vk_ads"]
    with pytest.raises(KeyError, match="unknown platform 'tiktok'; known: yandex_direct"):
        platform_info("tiktok")


def test_the_dagster_command_accepts_only_registered_platforms() -> None:
    from click.testing import CliRunner

    from orchestration.cli import dagster_cmd

    refused = CliRunner(env={"MRM_LANG": "en"}).invoke(dagster_cmd, ["--platforms", "vk_ads,tiktok"])
    assert refused.exit_code == 2 and "unknown platform(s) tiktok; known: yandex_direct" in refused.output


def test_dbt_rebuilds_at_least_the_widest_registered_restatement_window() -> None:
    from pathlib import Path

    import yaml

    from orchestration.dbt_models.partitions import REBUILD_LOOKBACK_DAYS

    project = Path(__file__).resolve().parents[3] / "dbt_project" / "dbt_project.yml"
    dbt_lookback = yaml.safe_load(project.read_text(encoding="utf-8"))["vars"]["lookback_days"]
    widest = max(p.lookback_days for p in BY_PLATFORM.values())
    assert dbt_lookback == REBUILD_LOOKBACK_DAYS == widest
