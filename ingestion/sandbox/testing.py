"""pytest fixtures for the sandbox: `from ingestion.sandbox.testing import sandbox, clean_faults  # noqa: F401`."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest

from ingestion.sandbox.generator import World
from ingestion.sandbox.server import SandboxServer

# Fixed "today" so tests are deterministic and cross the 2026-01-01 VAT change inside short windows.
SANDBOX_TODAY = date(2026, 1, 20)
SANDBOX_SEED = 7


@pytest.fixture(scope="session")
def sandbox() -> Iterator[SandboxServer]:
    """One sandbox server for the whole session (faults are cleared by `clean_faults`)."""
    server = SandboxServer(World(seed=SANDBOX_SEED, today=SANDBOX_TODAY, history_days=120)).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def clean_faults(sandbox: SandboxServer) -> Iterator[SandboxServer]:
    """The sandbox with no faults, empty emulator state (e.g. Direct's offline queue) and today reset."""
    sandbox.reset(today=SANDBOX_TODAY)
    try:
        yield sandbox
    finally:
        sandbox.reset(today=SANDBOX_TODAY)
