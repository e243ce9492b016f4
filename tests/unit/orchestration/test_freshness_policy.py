"""One freshness policy: dbt's source freshness and Dagster's policies and checks state the same numbers."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import yaml

from ingestion.platforms import BY_PLATFORM
from orchestration import quality
from orchestration.freshness import DAILY

SOURCES = Path(__file__).resolve().parents[3] / "dbt_project" / "models" / "staging" / "_sources.yml"


def test_dbt_source_freshness_is_the_python_policy() -> None:
    sources = {s["name"]: s for s in yaml.safe_load(SOURCES.read_text(encoding="utf-8"))["sources"]}
    for info in BY_PLATFORM.values():
        source = sources.get(info.raw_database)
        assert source is not None, f"{SOURCES.name} has no source for registered platform {info.platform}"
        assert source["config"]["freshness"] == DAILY.dbt_source_config(), info.raw_database
    stated = [s["config"]["freshness"] for s in sources.values() if (s.get("config") or {}).get("freshness")]
    assert stated and all(f == DAILY.dbt_source_config() for f in stated)


def test_dagster_policies_and_checks_read_the_same_numbers() -> None:
    from orchestration.definitions import RAW_ASSETS

    policy = DAILY.dagster_policy()
    assert policy.fail_window.to_timedelta() == dt.timedelta(hours=DAILY.fail_hours)
    assert policy.warn_window.to_timedelta() == dt.timedelta(hours=DAILY.warn_hours)
    assert quality.FRESHNESS_HOURS == DAILY.fail_hours
    for asset in RAW_ASSETS.values():
        for spec in asset.specs:
            assert spec.freshness_policy == policy, spec.key
    assert DAILY.warn_hours < DAILY.fail_hours
