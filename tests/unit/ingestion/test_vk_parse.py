"""VK Ads payload parsing on recorded payloads (api_fact_sheet §3): day.json variants, listings, errors."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from ingestion.common import PayloadError
from ingestion.vk_ads import parse, schema
from ingestion.vk_ads.auth import error_of

PAYLOADS = Path(__file__).parents[2] / "fixtures" / "payloads" / "vk_ads"


def payload(name: str) -> object:
    return json.loads((PAYLOADS / name).read_text("utf-8"), parse_float=Decimal)


def day_rows(name: str, ids: list[int], *, skip_empty: bool = True, provisional_from: date = date(2024, 5, 3),
             date_to: date = date(2024, 5, 31)) -> list[dict]:
    return parse.banner_day_rows(
        payload(name), tenant_id="t1", account_id="acc", requested_ids=ids, date_from=date(2024, 5, 1),
        date_to=date_to, currency="RUB", spent_includes_vat=False, timezone="Europe/Moscow",
        is_provisional=lambda d: d >= provisional_from, skip_empty=skip_empty)


def test_doc_example_day_json_flattens_base_and_uniques_and_ignores_deprecated_fields() -> None:
    rows = day_rows("banners_day_doc_example.json", [8372481])
    assert [r["date_day"] for r in rows] == [date(2024, 5, 1), date(2024, 5, 3)]  # the all-zero day is skipped
    first, third = rows
    assert (first["shows"], first["clicks"], first["goals"], first["vk_goals"]) == (75881, 270, 0, 0)
    assert first["spent"] == Decimal("23328.920000")
    assert (first["uniques_total"], first["uniques_increment"], first["uniques_initial_total"]) == (786752, 53327, 733425)
    assert first["uniques_frequency"] == pytest.approx(1.1433)
    assert third["spent"] == Decimal("1520.500000") and third["vk_goals"] == 3
    assert [r["is_provisional"] for r in rows] == [0, 1]
    assert all(r["tenant_id"] == "t1" and r["currency"] == "RUB" and r["spent_includes_vat"] == 0 for r in rows)
    table = parse.stats_table(rows)
    assert table.schema == schema.BANNER_STATS_DAILY


def test_zero_days_are_kept_when_asked() -> None:
    rows = day_rows("banners_day_doc_example.json", [8372481], skip_empty=False)
    assert len(rows) == 3 and rows[1]["shows"] == 0


def test_integers_and_floats_sent_as_strings_are_accepted() -> None:
    (row,) = day_rows("banners_day_string_ints.json", [8372482])
    assert (row["banner_id"], row["shows"], row["clicks"], row["uniques_total"]) == (8372482, 1000, 12, 900)
    assert row["spent"] == Decimal("100") and row["vk_goals"] == 0  # no `vk` group → 0


def test_rows_that_do_not_add_up_to_the_item_total_fail_loudly() -> None:
    with pytest.raises(PayloadError, match=r"banner 8372481 total.*shows=10.*says 20"):
        day_rows("banners_day_total_mismatch.json", [8372481])


def test_unrequested_banner_and_out_of_window_day_are_refused() -> None:
    with pytest.raises(PayloadError, match="banner 8372481 was not requested"):
        day_rows("banners_day_doc_example.json", [1])
    with pytest.raises(PayloadError, match="day 2024-05-03 is outside 2024-05-01..2024-05-02"):
        day_rows("banners_day_doc_example.json", [8372481], date_to=date(2024, 5, 2))


def test_money_as_binary_float_or_missing_groups_is_an_error_naming_banner_day_and_field() -> None:
    body = payload("banners_day_string_ints.json")
    body["items"][0]["rows"][0]["base"]["spent"] = 100.5  # decoded without Decimal
    with pytest.raises(PayloadError, match=r"banner 8372482 day 2024-05-01: field 'base.spent'"):
        parse.banner_day_rows(body, tenant_id="t", account_id="a", requested_ids=[8372482],
                              date_from=date(2024, 5, 1), date_to=date(2024, 5, 1), currency="RUB",
                              spent_includes_vat=False, timezone="Europe/Moscow", is_provisional=lambda d: False)
    body = payload("banners_day_string_ints.json")
    del body["items"][0]["rows"][0]["uniques"]
    with pytest.raises(PayloadError, match="'uniques' is missing"):
        parse.banner_day_rows(body, tenant_id="t", account_id="a", requested_ids=[8372482],
                              date_from=date(2024, 5, 1), date_to=date(2024, 5, 1), currency="RUB",
                              spent_includes_vat=False, timezone="Europe/Moscow", is_provisional=lambda d: False)
    body = payload("banners_day_string_ints.json")
    body["items"][0]["rows"][0]["base"]["shows"] = "12a"
    with pytest.raises(PayloadError, match=r"field 'base.shows' is not an integer"):
        parse.banner_day_rows(body, tenant_id="t", account_id="a", requested_ids=[8372482],
                              date_from=date(2024, 5, 1), date_to=date(2024, 5, 1), currency="RUB",
                              spent_includes_vat=False, timezone="Europe/Moscow", is_provisional=lambda d: False)


def test_listing_pages_parse_with_every_documented_variant() -> None:
    count, items = parse.collection_items(payload("ad_plans_page.json"), "ad_plans")
    plans = parse.ad_plan_rows(items, tenant_id="t", account_id="a").to_pylist()
    assert count == 2 and [p["ad_plan_id"] for p in plans] == [1001, 1002]
    assert plans[0]["budget_limit"] is None and plans[0]["budget_limit_day"] == Decimal("1500.5")
    assert plans[0]["date_end"] is None and plans[1]["date_end"] == date(2023, 2, 10)
    assert plans[0]["created"].isoformat() == "2024-02-28T10:11:12+03:00"

    _, items = parse.collection_items(payload("ad_groups_page.json"), "ad_groups")
    (group,) = parse.ad_group_rows(items, tenant_id="t", account_id="a").to_pylist()
    assert (group["ad_group_id"], group["ad_plan_id"], group["package_id"]) == (6617841, 1001, 83)
    assert group["updated"].isoformat() == "2022-07-04T17:36:16+03:00"  # from `last_updated`

    _, items = parse.collection_items(payload("banners_page.json"), "banners")
    banners = parse.banner_rows(items, tenant_id="t", account_id="a").to_pylist()
    assert [b["url"] for b in banners] == ["https://example.ru/a", "https://example.ru/b", ""]
    assert banners[2]["status"] == "" and banners[2]["updated"] is None


def test_listing_shape_and_duplicates_are_checked() -> None:
    with pytest.raises(PayloadError, match="not a collection response"):
        parse.collection_items({"items": []}, "GET /api/v2/banners.json offset=0")
    _, items = parse.collection_items(payload("banners_page.json"), "banners")
    with pytest.raises(PayloadError, match="duplicate banner_id 23826937"):
        parse.banner_rows(items + items[:1], tenant_id="t", account_id="a")
    with pytest.raises(PayloadError, match="ad_group 6617841.*'ad_plan_id' is missing"):
        parse.ad_group_rows([{"id": 6617841}], tenant_id="t", account_id="a")


@pytest.mark.parametrize(("name", "status", "code", "text"), [
    ("error_limit_exceeded.json", 400, "ERR_LIMIT_EXCEEDED", "Too many ids in request"),
    ("error_expired_token.json", 401, "expired_token", "Access token is expired"),
    ("error_validation.json", 400, "validation_failed", "Validation failed"),
])
def test_error_bodies_yield_code_and_message(name: str, status: int, code: str, text: str) -> None:
    response = httpx.Response(status, content=(PAYLOADS / name).read_bytes())
    assert error_of(response) == (code, text)


def test_oauth_style_and_non_json_error_bodies() -> None:
    assert error_of(httpx.Response(403, json={"error": "token_limit", "error_description": "too many"})) == (
        "token_limit", "too many")
    assert error_of(httpx.Response(502, content=b"<html>Bad gateway</html>")) == ("502", "<html>Bad gateway</html>")
