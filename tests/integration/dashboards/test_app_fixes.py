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


def test_data_health_lists_each_load_once_with_its_final_status(ch):
    from dashboards import data
    from warehouse.loads import load_logged

    # The real logger writes `running` at the start and `ok` at the end: two rows of one load.
    with load_logged(ch, tenant_id="dash_t1", platform="vk_ads", report="c-collapse-check",
                     account_id="acme-acc-2") as log:
        log.rows += 42
    data.clear_caches()
    at = logged_in_app("it-pm@t1", page="app_pages/data_health.py", query={"client": "acme"})
    loads = at.dataframe[-1].value
    mine = loads[loads["report"] == "c-collapse-check"]
    assert len(mine) == 1, mine
    assert list(mine["status"]) == ["ok"] and list(mine["rows"]) == [42]
    assert not (loads["status"] == "running").any()
