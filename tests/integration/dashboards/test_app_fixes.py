"""Issue 20's misleading-state fixes, each checked through the real app (AppTest) on the sample marts."""

from __future__ import annotations

import pytest

from tests.integration.dashboards.conftest import logged_in_app

pytestmark = pytest.mark.usefixtures("dash")


def _campaign_names(at) -> list[str]:
    return list(at.dataframe[0].value["Campaign name"])


def test_picking_another_client_keeps_it_across_runs_and_pages():
    at = logged_in_app("it-pm@t1", page="app_pages/campaigns.py", query={"client": "acme"})
    assert all(n.startswith("dash_t1/acme: ") for n in _campaign_names(at))
    at.selectbox(key="client_sel").select("romashka").run()
    assert at.selectbox(key="client_sel").value == "romashka"
    assert all(n.startswith("dash_t1/romashka: ") for n in _campaign_names(at))
    assert at.query_params["client"] in ("romashka", ["romashka"])
    # Another widget's run (not the selector's) must not bring the first client back.
    at.text_input(key="camp_search").input("Search").run()
    assert at.selectbox(key="client_sel").value == "romashka"
    assert _campaign_names(at) and all(n.startswith("dash_t1/romashka: ") for n in _campaign_names(at))
    at.switch_page("app_pages/overview.py").run()
    assert at.selectbox(key="client_sel").value == "romashka"
