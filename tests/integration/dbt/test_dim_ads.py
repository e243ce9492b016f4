"""dim_ads: the names of ad groups and ads for the app's drill-down, one row per ad, covering the fact's ads."""

from __future__ import annotations

import pyarrow as pa
import pytest

from dbt_project import run as dbt_run
from ingestion.yandex_direct.schema import ADS
from tests.integration.dbt.test_dbt_build import target, wh  # noqa: F401 - fixtures by name
from warehouse.loads import replace_window

pytestmark = pytest.mark.slow


def direct_ads(ch, rows: list[tuple[int, int, int, str, str, str]]) -> None:
    """A Direct Ads.get snapshot of t1's account: (campaign, group, ad, type, title, title2) per ad."""
    cols = list(zip(*rows, strict=True))
    names = [f.name for f in ADS][2:]
    table = pa.table({n: pa.array(c, ADS.field(n).type) for n, c in zip(names, cols, strict=True)})
    replace_window(ch, "raw_yandex_direct.ads", table, tenant_id="t1", account_id="c1-direct", days=None)


@pytest.fixture(scope="module")
def built(wh, target):  # noqa: F811
    # Direct titles: a first snapshot superseded by the current one; ad 2 has only a second title; t2's account
    # of the same id has no snapshot at all.
    direct_ads(wh, [(101, 11, 1, "TEXT_AD", "Old title", "")])
    direct_ads(
        wh, [(101, 11, 1, "TEXT_AD", "Кроссовки со скидкой", "Доставка"), (102, 12, 2, "TEXT_AD", "", "Т2")]
    )
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


def test_direct_ads_carry_their_titles_from_the_current_snapshot(wh, built):  # noqa: F811
    rows = wh.query(
        "SELECT tenant_id, ad_id, ad_name, ad_group_id, campaign_id FROM marts.dim_ads "
        "WHERE platform = 'yandex_direct' ORDER BY tenant_id, ad_id"
    ).result_rows
    assert rows == [
        ("t1", "1", "Кроссовки со скидкой", "11", "101"),
        ("t1", "2", "Т2", "12", "102"),
        ("t2", "1", "", "11", "101"),  # no snapshot of t2's ads: the name stays unknown, not t1's
    ]
