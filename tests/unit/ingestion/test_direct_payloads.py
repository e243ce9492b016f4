"""Direct wire-format variants (fact sheet §1) parsed from recorded payloads."""

from datetime import date
from decimal import Decimal
from pathlib import Path

import httpx
import pyarrow as pa
import pytest

from ingestion.common import PayloadError
from ingestion.common.money import decimal_array_to_money
from ingestion.yandex_direct import Settings
from ingestion.yandex_direct.client import make_classifier, make_client
from ingestion.yandex_direct.fetch import fetch_campaigns, normalize_ad_stats
from ingestion.yandex_direct.parse import parse_report

PAYLOADS = Path(__file__).parents[2] / "fixtures" / "payloads" / "direct"
SETTINGS = Settings(
    base_url="http://direct",
    token="t",
    goals=["20001", "20002"],
    attribution_models=["LC", "LSC"],
    base_delay_s=0,
    max_delay_s=0,
)
TYPES = {
    "Date": pa.date32(),
    "CampaignId": pa.uint64(),
    "AdGroupId": pa.uint64(),
    "AdId": pa.uint64(),
    "Impressions": pa.uint64(),
    "Clicks": pa.uint64(),
    "Cost": pa.int64(),
    "Conversions": pa.float64(),
    "Revenue": pa.int64(),
    **{f"Conversions_{g}_{m}": pa.float64() for g in ("20001", "20002") for m in ("LC", "LSC")},
    **{f"Revenue_{g}_{m}": pa.int64() for g in ("20001", "20002") for m in ("LC", "LSC")},
}


def chunks(name: str, size: int = 7) -> list[bytes]:
    """The payload cut into tiny chunks, as a network would deliver it (lines split anywhere)."""
    data = (PAYLOADS / name).read_bytes()
    return [data[i : i + size] for i in range(0, len(data), size)]


def parse(name: str, **kw) -> pa.Table:
    batches = list(parse_report(chunks(name), column_types=kw.pop("types", TYPES), **kw))
    return pa.Table.from_batches(batches) if batches else pa.table({})


def test_custom_report_with_goals_normalises_micros_dashes_and_goal_map():
    table = parse("custom_report_goals_micros.tsv")
    assert table.num_rows == 3
    out = pa.Table.from_batches(
        [
            normalize_ad_stats(
                b, SETTINGS, tenant_id="t1", login="shoes", provisional_since=date(2026, 1, 11)
            )
            for b in table.to_batches()
        ]
    ).to_pylist()
    first, second, third = out
    assert first["cost"] == Decimal("975.597400") and first["campaign_name"] == "Бренд / Поиск «Весна» #1"
    assert first["goal_conversions"] == [
        ("20001_LC", Decimal("1")),
        ("20001_LSC", Decimal("0")),
        ("20002_LC", Decimal("2")),
        ("20002_LSC", Decimal("2")),
    ]
    assert first["conversions"] == Decimal("3") and first["revenue"] == Decimal(
        "2100.000000"
    )  # LC goals only
    assert first["is_provisional"] == 0 and third["is_provisional"] == 1
    # `--` means "no data", not zero: the map has no entries and the totals are NULL.
    assert second["goal_conversions"] == [] and second["conversions"] is None and second["revenue"] is None
    # Wizard campaigns have no ad group/ad ids.
    assert third["ad_group_id"] == 0 and third["ad_id"] == 0 and third["ad_group_name"] == ""
    assert third["goal_conversions"][0] == ("20001_LC", Decimal("0.5"))
    assert {r["tenant_id"] for r in out} == {"t1"} and {r["cost_includes_vat"] for r in out} == {1}


def test_decimal_money_variant_when_return_money_in_micros_is_false():
    table = parse("account_report_decimal_money.tsv", types={"Cost": pa.string(), "AvgCpc": pa.string()})
    assert decimal_array_to_money(table["Cost"]).to_pylist() == [Decimal("29018.42"), Decimal("0")]
    assert table["AvgCpc"].to_pylist() == ["52.66", None]
    assert table["Ctr"].to_pylist() == [2.14, None]


def test_report_without_title_and_summary_is_refused_because_completeness_cannot_be_checked():
    with pytest.raises(PayloadError, match="no 'Total rows' footer"):
        parse("report_skip_title_and_summary.tsv")


def test_empty_report_yields_no_rows_and_passes_the_footer_check():
    assert parse("report_empty.tsv").num_rows == 0


@pytest.mark.parametrize(
    "name, message",
    [
        ("report_truncated.tsv", "malformed TSV|no 'Total rows'"),
        ("report_truncated_at_line_end.tsv", "no 'Total rows' footer after 1 rows"),
        ("report_count_mismatch.tsv", "Total rows: 2 but 1 rows"),
        ("report_garbled.tsv", "malformed TSV"),
    ],
)
def test_damaged_reports_raise_retryable_payload_errors(name, message):
    with pytest.raises(PayloadError, match=message) as info:
        parse(name, request_id="rid-9")
    assert info.value.retryable and info.value.request_id == "rid-9"


def test_missing_expected_columns_is_a_non_retryable_error():
    with pytest.raises(PayloadError, match="lacks columns") as info:
        parse("report_empty.tsv", expect_columns=["Date", "AdId"])
    assert not info.value.retryable


def test_reach_report_keeps_reach_and_frequency():
    table = parse(
        "reach_report.tsv",
        types={"CampaignId": pa.uint64(), "ImpressionReach": pa.uint64(), "Cost": pa.int64()},
    )
    assert table["ImpressionReach"].to_pylist() == [76240, 64315]
    assert table["Cost"].to_pylist() == [42794867200, None]


def response(status: int, payload: str, **headers: str) -> httpx.Response:
    return httpx.Response(
        status,
        content=(PAYLOADS / payload).read_bytes() if payload.endswith(".json") else payload,
        headers={"Content-Type": "application/json", **headers},
    )


@pytest.mark.parametrize(
    "status, payload, action, code",
    [
        (200, "error_200_units_152.json", "retry", "152"),
        (400, "error_400_queue_9000.json", "retry", "9000"),
        (200, "error_53_auth.json", "refresh", "53"),
        (200, "error_54_no_rights.json", "fatal", "54"),
    ],
)
def test_error_codes_inside_http_200_and_400_are_classified(status, payload, action, code):
    verdict = make_classifier(SETTINGS)(response(status, payload))
    assert (verdict.action, verdict.code) == (action, code)
    assert verdict.request_id and verdict.error_text.startswith(code)


def test_offline_queue_statuses_and_502_are_classified():
    classify = make_classifier(SETTINGS)
    assert classify(httpx.Response(201, headers={"retryIn": "5"})).action == "ok"
    assert classify(httpx.Response(202)).action == "ok"
    assert classify(httpx.Response(502, text="")).action == "fatal"  # the fetch halves the period instead
    assert classify(httpx.Response(500, text="")).action == "retry"


def test_campaigns_get_follows_limited_by_pages():
    pages = iter(["campaigns_page1.json", "campaigns_page2.json"])
    seen = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.read())
        return response(200, next(pages), RequestId="r")

    api = make_client(SETTINGS, transport=httpx.MockTransport(handler))
    table = fetch_campaigns(api, SETTINGS, tenant_id="t1", login="shoes")
    assert table.column("campaign_id").to_pylist() == [74842928, 73690208, 70541029]
    assert table.column("daily_budget").to_pylist()[0] == Decimal("5000.000000")
    assert b'"Offset": 2' in seen[1] or b'"Offset":2' in seen[1]
