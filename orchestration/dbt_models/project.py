"""Locating the dbt project and a manifest of our own (other tools write dbt_project/target concurrently)."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[2] / "dbt_project"
MANIFEST_DIR = PROJECT_DIR / "target" / "orchestration"
_SOURCES = ("models", "macros", "tests", "seeds", "snapshots", "dbt_project.yml")


def _newest_source_mtime() -> float:
    newest = 0.0
    for name in _SOURCES:
        p = PROJECT_DIR / name
        files = [p] if p.is_file() else (f for f in p.rglob("*") if f.is_file()) if p.is_dir() else []
        for f in files:
            newest = max(newest, f.stat().st_mtime)
    return newest


def manifest_path() -> Path:
    """dbt's manifest for dagster-dbt, re-parsed when a model, macro or test changed since (no warehouse needed)."""
    manifest = MANIFEST_DIR / "manifest.json"
    if manifest.exists() and manifest.stat().st_mtime >= _newest_source_mtime():
        return manifest
    from dbt.cli.main import dbtRunner

    # dbt parse renders profiles.yml but never connects; usage stats off because we run offline.
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    tmp = MANIFEST_DIR.with_name(f"orchestration-parse-{os.getpid()}")
    res = dbtRunner().invoke(
        [
            "parse",
            "--project-dir",
            str(PROJECT_DIR),
            "--profiles-dir",
            str(PROJECT_DIR),
            "--target-path",
            str(tmp),
            "--quiet",
        ]
    )
    if not res.success:
        raise RuntimeError(f"dbt parse of {PROJECT_DIR} failed: {res.exception}")
    MANIFEST_DIR.mkdir(parents=True, exist_ok=True)
    os.replace(tmp / "manifest.json", manifest)  # atomic: a concurrent reader never sees half a file
    return manifest
