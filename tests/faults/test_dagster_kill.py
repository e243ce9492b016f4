"""Scenario 3: SIGKILL of a Dagster run (a separate process materialising a partition) in the middle of it.

The clean reference is the same partition run to completion on an emptied warehouse. The killed run must not be
recorded as a success, and rerunning the partition must leave raw data and the load log equal to the reference.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg

from tests.faults.conftest import wait_dead
from tests.faults.dagster_partition import REACHED, materialise
from tests.faults.faultkit import LAST_DAY, TODAY, assert_same_as_clean, fingerprint

ROOT = Path(__file__).resolve().parents[2]
PARTITION = LAST_DAY.isoformat()


def test_kill_dagster_run_mid_partition_then_rerun_equals_clean(
    fresh, wh_env, fault_sandbox, tmp_path, monkeypatch
) -> None:
    from ingestion.demo import register

    with dg.instance_for_test() as scratch:
        ref = materialise(PARTITION, TODAY.isoformat(), wh_env.url, fault_sandbox.urls, scratch)
    assert ref.success
    clean = fingerprint(fresh)

    wh_env.reset(fresh)
    register(fresh, fault_sandbox.world)
    home = tmp_path / "dagster_home"
    home.mkdir()
    env = {**os.environ, "DAGSTER_HOME": str(home), "CLICKHOUSE_URL": wh_env.url}
    log_path = tmp_path / "run.log"
    barrier = tmp_path / "barrier"
    barrier.mkdir()
    with open(log_path, "wb") as log_fh:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.faults.dagster_partition",
                "--partition",
                PARTITION,
                "--today",
                TODAY.isoformat(),
                "--warehouse-url",
                wh_env.url,
                "--urls",
                json.dumps(fault_sandbox.urls),
                "--barrier",
                str(barrier),
            ],
            cwd=ROOT,
            env=env,
            stdout=log_fh,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        # The run announces the kill point itself (one window ok, the next one logged running) and waits there:
        # the kill lands mid-partition however slow or busy the machine is. The limit only bounds a broken run.
        deadline = time.monotonic() + 300
        while proc.poll() is None and not (barrier / REACHED).exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert (barrier / REACHED).exists(), (
            "the run never reached the barrier: " + log_path.read_text(errors="replace")[-2000:]
        )
        assert proc.poll() is None, (
            f"the run ended before the kill point (code {proc.returncode}): "
            + log_path.read_text(errors="replace")[-2000:]
        )
        os.killpg(proc.pid, signal.SIGKILL)  # the run's own process group: nothing else is touched
        proc.wait(30)
        wait_dead(proc.pid)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == -signal.SIGKILL

    killed_state = fingerprint(fresh)
    statuses = {s for s, _ in killed_state["load_log"].values()}
    assert "running" in statuses and statuses != {"ok"}, "the kill did not land mid-partition"

    monkeypatch.setenv("DAGSTER_HOME", str(home))
    with dg.DagsterInstance.get() as instance:
        killed_runs = instance.get_runs()
        assert len(killed_runs) == 1 and killed_runs[0].status != dg.DagsterRunStatus.SUCCESS
        rerun = materialise(PARTITION, TODAY.isoformat(), wh_env.url, fault_sandbox.urls, instance)
        assert rerun.success
        done = instance.get_materialized_partitions(dg.AssetKey(["raw_vk_ads", "banner_stats_daily"]))
        assert PARTITION in done
    assert_same_as_clean(fingerprint(fresh), clean)
