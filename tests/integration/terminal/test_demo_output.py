"""What `make demo` prints: the platform's steps with timings, no third-party INFO lines, under 120 lines, and
the name of the log file that keeps everything else. Runs `mrm demo --no-serve` over a short window."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import free_port

ROOT = Path(__file__).resolve().parents[3]
DEMO_DAYS = 2  # the demo's shape with a short window: this test is about the terminal, not load volume
MAX_LINES = 120

# What leaked before: third-party INFO records, dbt's per-node lines, Dagster's console and its acknowledged warnings.
NOISE = re.compile(
    r"INFO (alembic|great_expectations|fontTools|httpx|urllib3|dagster)|BetaWarning|"
    r"SupersessionWarning| of \d+ (START|OK|PASS) |Running with dbt=| - dagster - "
)


@pytest.mark.slow
def test_demo_prints_the_platform_steps_and_keeps_the_rest_in_the_log_file(tmp_path):
    data = tmp_path / "data"
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("CLICKHOUSE_URL", "CLICKHOUSE_HOST", "DAGSTER_HOME", "MRM_LOG_LEVEL", "MRM_DEMO_DIRECT")
    }
    env.update({"MRM_DATA_DIR": str(data), "MRM_WAREHOUSE_PORT": str(free_port())})
    try:
        run = subprocess.run(
            [sys.executable, "-m", "mrm.cli", "demo", "--no-serve", "--days", str(DEMO_DAYS)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=1500,
        )
    finally:
        from warehouse import embedded

        embedded.stop(data)
    lines = (run.stderr + run.stdout).splitlines()
    assert run.returncode == 0, "\n".join(lines[-60:])
    assert len(lines) < MAX_LINES, f"{len(lines)} lines:\n" + "\n".join(lines)
    noise = [line for line in lines if NOISE.search(line)]
    assert not noise, "third-party lines on the terminal:\n" + "\n".join(noise[:20])
    for step in ("warehouse", "migrations", "dagster job", "demo users"):
        assert re.search(rf"^✔ {step}.* \(\d+(\.\d)? s\)$", run.stderr, re.M), f"no timed step {step!r}"
    assert re.search(r"^ {4}\S+_raw +\d+\.\d s$", run.stderr, re.M), "no per-asset timings of the Dagster run"
    assert "MRM demo finished in" in run.stdout
    named = re.search(r"^Full log / полный журнал: (.+)$", run.stdout, re.M)
    assert named, run.stdout
    log = Path(named.group(1))
    assert log.parent == data / "logs"
    kept = log.read_text(encoding="utf-8")
    # The file holds what the terminal left out: dbt's node lines and Dagster's own console.
    assert "INFO dbt.output:" in kept and "INFO dagster.console:" in kept
    assert re.search(r"INFO alembic|INFO great_expectations|INFO fontTools", kept)
