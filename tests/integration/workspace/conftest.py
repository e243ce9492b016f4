"""A migrated session warehouse and an admin of a tenant of our own for the workspace tests."""

from __future__ import annotations

import pytest

from dashboards.auth import Principal

TENANT = "ws_it"
# Every workspace test encrypts with this one key (save_secret refuses a second key in one warehouse).
KEY = "k1-" + "x" * 40


@pytest.fixture(scope="session")
def ws(ch):
    from warehouse.migrate import migrate

    migrate(ch)
    return ch


@pytest.fixture
def admin() -> Principal:
    return Principal(TENANT, "ws-admin@it", "admin")
