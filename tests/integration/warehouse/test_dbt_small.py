"""dbt-clickhouse (driver http) builds a small project against the embedded warehouse, twice."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote, urlsplit

FIXTURE = Path(__file__).parents[2] / "fixtures" / "dbt_small"


def dbt(args: list[str], project: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "dbt.cli.main",
            *args,
            "--project-dir",
            str(project),
            "--profiles-dir",
            str(project),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )


def test_dbt_build_twice(warehouse_url, ch, tmp_path):
    project = tmp_path / "dbt_small"
    shutil.copytree(FIXTURE, project)
    # Stock dbt-clickhouse with the embedded server's secret as the password (from the credentialed URL).
    env = {
        **os.environ,
        "DBT_SMALL_PORT": warehouse_url.rsplit(":", 1)[1],
        "DBT_SMALL_SCHEMA": "dbt_small_test",
        "DBT_SMALL_PASSWORD": unquote(urlsplit(warehouse_url).password or ""),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    first = dbt(["build"], project, env)
    assert first.returncode == 0, first.stdout[-3000:]
    assert (
        "ERROR" not in first.stdout.split("Finished running")[-1].split("Done.")[0]
        or "ERROR=0" in first.stdout
    )
    second = dbt(["build"], project, env)
    assert second.returncode == 0, second.stdout[-3000:]
    assert "PASS=" in second.stdout and "ERROR=0" in second.stdout
    db = "dbt_small_test"
    assert ch.query(f"SELECT count(), sum(n) FROM {db}.daily_incremental").result_rows == [(10, 100)]
    assert ch.query(f"SELECT count() FROM {db}.events_view").result_rows == [(100,)]
    assert ch.query(f"SELECT count() FROM {db}.channels_snapshot").result_rows == [(3,)]
    tables = {
        r[0]
        for r in ch.query(
            "SELECT name FROM system.tables WHERE database = {d:String}", parameters={"d": db}
        ).result_rows
    }
    assert {
        "events",
        "events_view",
        "daily_incremental",
        "daily_append",
        "channels",
        "channels_snapshot",
    } <= tables
