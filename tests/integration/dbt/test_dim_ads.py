"""dim_ads: the names of ad groups and ads for the app's drill-down, one row per ad, covering the fact's ads."""

from __future__ import annotations

import pytest

from dbt_project import run as dbt_run
from tests.integration.dbt.test_dbt_build import target, wh  # noqa: F401 - fixtures by name

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def built(wh, target):  # noqa: F811
    # the names and the fact they name (with their tests), not the whole project
    dbt_run.run(["+dim_ads", "+fct_ad_performance_daily"], target_path=target)
    return dbt_run.build("dim_ads", target_path=target)  # with its grain test


def test_vk_banners_and_groups_carry_their_names(wh, built):  # noqa: F811
    rows = wh.query(
        "SELECT ad_id, ad_name, ad_group_id, ad_group_name, campaign_id, client_id FROM marts.dim_ads "
        "WHERE tenant_id = 't1' AND platform = 'vk_ads' ORDER BY ad_id"
    ).result_rows
    assert rows == [("9001", "B1", "901", "G", "900", "c1"), ("9002", "B2", "901", "G", "900", "c1")]


def test_every_ad_of_the_fact_has_one_dimension_row(wh, built):  # noqa: F811
    # Ads of the named platforms that the fact has and the dimension lacks (the app would show ids only).
    missing = wh.query(
        "SELECT DISTINCT tenant_id, client_id, platform, account_id, ad_group_id, ad_id FROM marts.fct_ad_performance_daily "
        "WHERE ad_id != '' AND platform IN ('yandex_direct', 'vk_ads', 'google_ads') "
        "AND (tenant_id, client_id, platform, account_id, ad_group_id, ad_id) NOT IN "
        "(SELECT tenant_id, client_id, platform, account_id, ad_group_id, ad_id FROM marts.dim_ads)"
    ).result_rows
    assert missing == []
    total, distinct = wh.query(
        "SELECT count(), uniqExact(tenant_id, platform, account_id, ad_group_id, ad_id) FROM marts.dim_ads"
    ).result_rows[0]
    assert total == distinct > 0
