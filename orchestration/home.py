"""DAGSTER_HOME under the platform's data directory, with our dagster.yaml (telemetry off, pools, run limits)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
INSTANCE_YAML = PACKAGE_DIR / "dagster.yaml"
POSTGRES_YAML = PACKAGE_DIR / "dagster_postgres.yaml"


def dagster_home(explicit: str | Path | None = None) -> Path:
    """DAGSTER_HOME: the explicit one, else $DAGSTER_HOME, else <MRM_DATA_DIR>/dagster."""
    if explicit:
        return Path(explicit).resolve()
    if os.environ.get("DAGSTER_HOME"):
        return Path(os.environ["DAGSTER_HOME"]).resolve()
    from warehouse.settings import data_dir

    return data_dir() / "dagster"


def prepare_home(explicit: str | Path | None = None, *, postgres: bool = False) -> Path:
    """Create DAGSTER_HOME with our instance yaml (an existing dagster.yaml is the operator's and is kept)."""
    home = dagster_home(explicit)
    home.mkdir(parents=True, exist_ok=True)
    target = home / "dagster.yaml"
    if not target.exists():
        shutil.copyfile(POSTGRES_YAML if postgres else INSTANCE_YAML, target)
    os.environ["DAGSTER_HOME"] = str(home)
    return home
