"""The drill-down path of the Campaigns page in and out of the URL's query."""

from __future__ import annotations

import pytest

from dashboards import drill


@pytest.mark.parametrize(
    ("query", "level"),
    [
        ({}, "client"),
        ({"platform": "vk_ads"}, "platform"),
        ({"platform": "vk_ads", "account": "5001", "campaign": "900"}, "campaign"),
        ({"platform": "vk_ads", "account": "5001", "campaign": "900", "group": "901"}, "ad_group"),
        ({"platform": "yandex_direct", "account": "a", "campaign": "1", "group": "-"}, "ad_group"),
    ],
)
def test_a_path_goes_into_the_query_and_back(query, level):
    path = drill.from_query(query)
    assert path.level == level
    assert path.query() == query
    assert drill.from_query(path.query()) == path


def test_the_campaign_level_group_is_the_empty_id_not_no_group():
    path = drill.from_query({"platform": "p", "account": "a", "campaign": "c", "group": "-"})
    assert path.ad_group_id == "" and path.up_to("campaign").ad_group_id is None


def test_breadcrumb_targets_cut_the_path_back():
    path = drill.Path("vk_ads", "5001", "900", "901")
    assert path.up_to("client") == drill.Path()
    assert path.up_to("platform") == drill.Path("vk_ads")
    assert path.up_to("campaign") == drill.Path("vk_ads", "5001", "900")
    assert path.up_to("ad_group") == path


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"campaign": "900"}, "without its platform and account"),
        ({"platform": "vk_ads", "campaign": "900"}, "without its platform and account"),
        ({"group": "901"}, "without its campaign"),
        ({"platform": "vk ads"}, "invalid platform"),
        ({"platform": "p", "account": "a", "campaign": "c", "group": "x' OR 1=1"}, "invalid group"),
    ],
)
def test_a_malformed_link_is_refused_naming_the_parameter(query, message):
    with pytest.raises(ValueError, match=message):
        drill.from_query(query)


def test_writing_a_path_drops_the_deeper_levels():
    qp = {"client": "acme", "platform": "vk_ads", "account": "5001", "campaign": "900", "group": "901"}
    drill.write_query(qp, drill.Path("vk_ads"))
    assert qp == {"client": "acme", "platform": "vk_ads"}
