"""The fault suite's world: its own embedded warehouse (killable, restartable) and its own sandbox.

Every scenario starts from an empty warehouse (`FaultWarehouse.reset`), breaks something real — sandbox faults,
SIGKILL of the warehouse server or a Dagster run, a full disk, a dropped SMTP session — recovers the way an
operator would, and compares a `fingerprint` (totals, a hash of the rows, the latest app.load_log status per window,
sent reports) with the one a clean run of the same work leaves. `MRM_FAULT_SCALE=small|large` picks the size.
"""

from __future__ import annotations

import os
import signal
import socket
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.faults.faultkit import DBT_DATABASES, SEED, SIZE, TODAY

APP_TABLES = ("app.load_log", "app.raw_window_versions", "app.report_runs")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, IndexError):
        return False


def wait_dead(pid: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:  # reap it if it is our child (the embedded server is started from this process)
            os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            pass
        if not pid_alive(pid):
            return
        time.sleep(0.05)
    raise AssertionError(f"process {pid} still alive {timeout}s after SIGKILL")


class FaultWarehouse:
    """An embedded warehouse on a fixed port and data directory that a test may SIGKILL and start again."""

    def __init__(self, data_dir: Path, port: int):
        self.data_dir = data_dir
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.pid = 0
        self.starts = 0
        # Expensive states a later scenario may reuse (the clean marts); any reset or kill forgets them.
        self.cache: dict[str, Any] = {}

    def start(self) -> None:
        from warehouse import embedded

        info = embedded.start(self.data_dir, port=self.port)
        assert info.port == self.port, f"warehouse came up on {info.port}, expected {self.port}"
        self.url = info.url  # carries the install's secret (kept in the data directory, so restarts reuse it)
        self.pid = info.pid
        self.starts += 1

    def kill(self) -> int:
        """SIGKILL the server process (no shutdown hooks, no flush) and wait until it is gone."""
        pid = self.pid
        self.cache.clear()
        os.kill(pid, signal.SIGKILL)
        wait_dead(pid)
        return pid

    def stop(self) -> None:
        from warehouse import embedded

        embedded.stop(self.data_dir)

    def client(self, **kwargs: Any) -> Any:
        import clickhouse_connect

        kwargs.setdefault("send_receive_timeout", 600)
        return clickhouse_connect.get_client(dsn=self.url, compress=False, **kwargs)

    def reset(self, ch: Any) -> None:
        """Empty raw tables, app logs/reports and dbt's databases: the next scenario starts from nothing."""
        self.cache.clear()
        for (name,) in ch.query(
            "SELECT concat(database, '.', name) FROM system.tables WHERE database LIKE 'raw\\_%' "
            "AND engine LIKE '%MergeTree'"
        ).result_rows:
            ch.command(f"TRUNCATE TABLE {name}")
        for name in APP_TABLES:
            ch.command(f"TRUNCATE TABLE {name}")
        for db in DBT_DATABASES:
            ch.command(f"DROP DATABASE IF EXISTS {db} SYNC")


@pytest.fixture(scope="session")
def fault_wh() -> Iterator[FaultWarehouse]:
    """The suite's own warehouse (never the session one other tests share: scenarios kill it)."""
    root = Path(tempfile.mkdtemp(prefix="mrm-faults-"))
    wh = FaultWarehouse(root / "data", free_port())
    wh.start()
    try:
        yield wh
    finally:
        wh.stop()


@pytest.fixture(scope="session")
def fault_sandbox() -> Iterator[Any]:
    from ingestion.sandbox.generator import World
    from ingestion.sandbox.server import SandboxServer

    server = SandboxServer(
        World(seed=SEED, today=TODAY, history_days=max(60, SIZE.backfill_days + 20))
    ).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def wh_env(fault_wh: FaultWarehouse, monkeypatch: pytest.MonkeyPatch) -> FaultWarehouse:
    """Point CLICKHOUSE_URL (dbt, Dagster resources, warehouse.connect) at the fault warehouse for one test."""
    monkeypatch.setenv("CLICKHOUSE_URL", fault_wh.url)
    monkeypatch.setenv("MRM_DATA_DIR", str(fault_wh.data_dir))
    return fault_wh


@pytest.fixture
def fresh(wh_env: FaultWarehouse, fault_sandbox: Any) -> Iterator[Any]:
    """A client to an emptied fault warehouse with the sandbox's tenants/clients/accounts registered."""
    from ingestion.demo import register

    fault_sandbox.reset(today=TODAY)
    if not _answers(wh_env.url):  # a previous scenario may have left it killed
        wh_env.start()
    ch = wh_env.client()
    wh_env.reset(ch)
    register(ch, fault_sandbox.world)
    try:
        yield ch
    finally:
        fault_sandbox.reset(today=TODAY)
        ch.close()


def _answers(url: str) -> bool:
    import httpx

    try:
        return httpx.get(f"{url}/ping", timeout=2).text.startswith("Ok")
    except httpx.HTTPError:
        return False


@pytest.fixture
def clean_marts(
    wh_env: FaultWarehouse, fault_sandbox: Any, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Any]:
    """The clean backfill built into marts by dbt; reused while the warehouse still holds exactly that state."""
    from dbt_project.run import build
    from ingestion.demo import register
    from tests.faults.faultkit import accounts, backfill, fingerprint, marts_fingerprint

    cached = wh_env.cache.get("clean_marts")
    if cached is not None and _answers(wh_env.url):
        return cached
    fault_sandbox.reset(today=TODAY)
    if not _answers(wh_env.url):
        wh_env.start()
    ch = wh_env.client()
    wh_env.reset(ch)
    register(ch, fault_sandbox.world)
    failures = backfill(ch, fault_sandbox, accounts(fault_sandbox.world))
    assert failures == {}, f"the clean backfill failed: {failures}"
    target = tmp_path_factory.mktemp("dbt-clean")
    result = build(target_path=target)
    state = {
        "raw": fingerprint(ch),
        "marts": marts_fingerprint(ch),
        "build_seconds": result.seconds,
        "target": target,
    }
    assert state["marts"].get("fct_ad_performance_daily", {}).get("rows"), (
        f"clean build left no marts: {state}"
    )
    ch.close()
    wh_env.cache["clean_marts"] = state
    return state
