"""What `make demo` prints: the platform's steps with timings, no third-party INFO lines, under 120 lines, and
the name of the log file that keeps everything else. Reads the session's `mrm demo --no-serve` run over a short window (tests/demo_run.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

MAX_LINES = 120

# What leaked before: third-party INFO records, dbt's per-node lines, Dagster's console and its acknowledged warnings.
NOISE = re.compile(
    r"INFO (alembic|great_expectations|fontTools|httpx|urllib3|dagster)|BetaWarning|"
    r"SupersessionWarning| of \d+ (START|OK|PASS) |Running with dbt=| - dagster - "
)


@pytest.mark.slow
@pytest.mark.timeout(2400)  # the session's demo run may start in this test's set-up
def test_demo_prints_the_platform_steps_and_keeps_the_rest_in_the_log_file(demo_after_run):
    run, data = demo_after_run.run, demo_after_run.data
    lines = (run.stderr + run.stdout).splitlines()
    assert run.returncode == 0, "\n".join(lines[-60:])
    assert len(lines) < MAX_LINES, f"{len(lines)} lines:\n" + "\n".join(lines)
    noise = [line for line in lines if NOISE.search(line)]
    assert not noise, "third-party lines on the terminal:\n" + "\n".join(noise[:20])
    for step in ("warehouse", "migrations", "dagster job", "demo users"):
        assert re.search(rf"^✔ {step}.* \(\d+(\.\d)? s\)$", run.stderr, re.M), f"no timed step {step!r}"
    assert re.search(r"^ {4}\S+_raw +\d+\.\d s$", run.stderr, re.M), "no per-asset timings of the Dagster run"
    assert "MRM demo finished in" in run.stdout
    named = re.search(r"^Full log: (.+)$", run.stdout, re.M)
    assert named, run.stdout
    log = Path(named.group(1))
    assert log.parent == data / "logs"
    kept = log.read_text(encoding="utf-8")
    # The file holds what the terminal left out: dbt's node lines and Dagster's own console.
    assert "INFO dbt.output:" in kept and "INFO dagster.console:" in kept
    assert re.search(r"INFO alembic|INFO great_expectations|INFO fontTools", kept)
