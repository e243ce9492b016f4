"""The load generator against a real app server on the sample marts: three simulated users, one full visit each."""

from __future__ import annotations

import asyncio
import os

import pytest

from benchmarks import streamlit_load
from benchmarks.app_server import streamlit_app
from tests.integration.dashboards.conftest import PASSWORD
from tests.machine import load_factor


@pytest.fixture(scope="module")
def app_url(dash, warehouse_url, tmp_path_factory):
    env = {**os.environ, "CLICKHOUSE_URL": warehouse_url, "MRM_MARTS_DB": dash["db"]}
    log = tmp_path_factory.mktemp("streamlit") / "server.log"
    with streamlit_app(env, timeout_s=120 * load_factor(), log=log) as url:
        yield url


def three_users(url: str, logins: list[str]) -> streamlit_load.Results:
    """Three short visits at once (little think time), with limits that grow with the machine's load."""
    return asyncio.run(
        streamlit_load.run_load(
            url, 3, logins, PASSWORD, think_s=0.1, ramp_s=0.5, timeout_s=120 * load_factor()
        )
    )


def test_three_users_complete_a_visit_with_every_step_timed(app_url):
    res = three_users(app_url, ["it-pm@t1", "it-analyst@t1"])
    assert res.errors == []
    assert res.sessions_done == 3
    steps = ["Open (sign-in form)"] + [name for name, _, _ in streamlit_load.STEPS]
    assert {k: len(v) for k, v in res.ms.items()} == {k: 3 for k in steps}
    assert all(ms > 0 for xs in res.ms.values() for ms in xs)
    summary = streamlit_load.summarize(res, 3, 1.0, streamlit_load.cpu_seconds())
    assert summary["errors"] == 0 and set(summary["pages"]) == set(steps)


def test_a_wrong_password_is_reported_as_an_error_not_timed_as_a_page(app_url):
    res = asyncio.run(
        streamlit_load.run_load(
            app_url, 1, ["it-pm@t1"], "not-the-password", think_s=0, ramp_s=0, timeout_s=120 * load_factor()
        )
    )
    assert res.sessions_done == 1 or res.errors
    assert any("Sign in" in e for e in res.errors), res.errors
