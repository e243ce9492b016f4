"""Shared fixtures: one embedded warehouse per test session, in a temporary data directory."""

from __future__ import annotations

import os
import re
import socket
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

# Nothing a test does may touch the developer's ./.mrm: point the data directory at a temp dir before any import.
_SESSION_DIR = Path(tempfile.mkdtemp(prefix="mrm-test-"))
os.environ.setdefault("MRM_DATA_DIR", str(_SESSION_DIR / "data"))
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DAGSTER_DISABLE_TELEMETRY", "1")
os.environ.pop("ANTHROPIC_API_KEY", None)
os.environ.pop("PINECONE_API_KEY", None)
for _var in ("CLICKHOUSE_HOST", "CLICKHOUSE_PORT", "CLICKHOUSE_USER", "CLICKHOUSE_PASSWORD"):
    os.environ.pop(_var, None)

ARTIFACTS = Path(os.environ.get("MRM_TEST_ARTIFACTS", "test-artifacts")).resolve()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def http_head(url: str) -> bytes:
    """Host and credential header lines of a hand-written request to the warehouse at `url` (user:pass@host:port),
    for tests that speak raw HTTP over a socket."""
    import base64
    from urllib.parse import unquote, urlsplit

    parts = urlsplit(url)
    token = base64.b64encode(f"{unquote(parts.username or '')}:{unquote(parts.password or '')}".encode())
    return f"Host: {parts.hostname}:{parts.port}\r\n".encode() + b"Authorization: Basic " + token + b"\r\n"


@pytest.fixture(scope="session")
def warehouse_url() -> Iterator[str]:
    """URL of an embedded warehouse serving a fresh data directory for this test session. It carries the
    install's secret as user:password, so `dsn=warehouse_url` and CLICKHOUSE_URL authenticate as stock clients do."""
    from warehouse import embedded

    external = os.environ.get("MRM_TEST_CLICKHOUSE_URL")
    if external:  # run the suite against a real ClickHouse
        os.environ["CLICKHOUSE_URL"] = external
        yield external
        return
    data_dir = Path(os.environ["MRM_DATA_DIR"])
    info = embedded.start(data_dir, port=free_port())
    os.environ["CLICKHOUSE_URL"] = info.url
    try:
        yield info.url
    finally:
        os.environ.pop("CLICKHOUSE_URL", None)
        embedded.stop(data_dir)


@pytest.fixture(scope="session")
def ch(warehouse_url: str):
    """A clickhouse-connect client to the session warehouse (migrations applied)."""
    import clickhouse_connect

    client = clickhouse_connect.get_client(dsn=warehouse_url, send_receive_timeout=600)
    yield client
    client.close()


@contextmanager
def isolated_warehouse(data_dir: Path) -> Iterator:
    """A private embedded warehouse for suites that act on the whole warehouse (every account, every mart)."""
    import clickhouse_connect

    from warehouse import embedded

    info = embedded.start(data_dir, port=free_port())
    saved = os.environ.get("CLICKHOUSE_URL")
    os.environ["CLICKHOUSE_URL"] = info.url
    client = clickhouse_connect.get_client(dsn=info.url, send_receive_timeout=600)
    try:
        yield client
    finally:
        client.close()
        if saved is None:
            os.environ.pop("CLICKHOUSE_URL", None)
        else:
            os.environ["CLICKHOUSE_URL"] = saved
        embedded.stop(data_dir)


@pytest.fixture(scope="module")
def private_ch(tmp_path_factory: pytest.TempPathFactory):
    """Module-scoped `ch` on its own warehouse: other suites' tenants and accounts are not there."""
    with isolated_warehouse(tmp_path_factory.mktemp("private-warehouse")) as client:
        yield client


@pytest.fixture()
def artifacts_dir(request: pytest.FixtureRequest) -> Path:
    """A folder for files a test leaves for people to look at (screenshots, reports)."""
    path = ARTIFACTS / request.node.name
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="session")
def demo_after_run(tmp_path_factory: pytest.TempPathFactory):
    """`mrm demo --no-serve` run once for the session (tests/demo_run.py): its output, data directory and the
    credentials the sandbox issued to it."""
    from tests.demo_run import demo_once

    return demo_once(tmp_path_factory.mktemp("demo") / "data")


def pytest_configure(config: pytest.Config) -> None:
    """The third-party warnings the platform acknowledges (mrm.logsetup states each with its reason) stay out of the
    suite's summary as they stay out of the terminal; any other warning still shows."""
    from mrm.logsetup import ACKNOWLEDGED_WARNINGS

    for prefix, _why in ACKNOWLEDGED_WARNINGS:
        config.addinivalue_line("filterwarnings", f"ignore:{re.escape(prefix)}")
