"""Metrika wire-format variants (fact sheet §2) parsed from recorded payloads."""

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import httpx
import pyarrow as pa
import pyarrow.csv as pacsv
import pytest

from ingestion.common import ApiError
from ingestion.yandex_metrika import Settings
from ingestion.yandex_metrika.client import classify, make_client
from ingestion.yandex_metrika.fetch import fetch_traffic, plan_log_windows
from ingestion.yandex_metrika.parse import LOG_TYPES, normalize_visits

PAYLOADS = Path(__file__).parents[2] / "fixtures" / "payloads" / "metrika"
SETTINGS = Settings(base_url="http://metrika", token="t", page_limit=2, base_delay_s=0, max_delay_s=0)


def api_with(*payloads: str):
    it = iter(payloads)
    return make_client(
        SETTINGS,
        transport=httpx.MockTransport(
            lambda r: httpx.Response(200, content=(PAYLOADS / next(it)).read_bytes())
        ),
    )


def test_stat_data_page_maps_dimensions_objects_and_recovers_bounces():
    table = fetch_traffic(
        api_with("stat_data_page.json"),
        SETTINGS,
        tenant_id="t1",
        counter="51000000",
        date_from=date(2026, 1, 10),
        date_to=date(2026, 1, 11),
        today=date(2026, 1, 12),
    )
    ad, organic = table.to_pylist()
    assert (ad["traffic_source"], ad["utm_campaign"], ad["direct_campaign_id"]) == (
        "ad",
        "ya_73870066",
        73870066,
    )
    assert ad["bounces"] == 5 and ad["revenue"] == Decimal("1500.500000")
    assert organic["direct_campaign_id"] is None and organic["utm_source"] == "" and organic["revenue"] == 0
    assert ad["sampled"] == 0 and ad["sample_share"] == 1.0 and ad["is_provisional"] == 1


def test_sampled_answers_are_recorded_on_every_row():
    table = fetch_traffic(
        api_with("stat_data_sampled.json"),
        SETTINGS,
        tenant_id="t1",
        counter="1",
        date_from=date(2026, 1, 10),
        date_to=date(2026, 1, 10),
        today=date(2026, 3, 1),
    )
    assert table.column("sampled").to_pylist() == [1] and table.column("sample_share").to_pylist() == [0.1]


def test_logs_tsv_part_keeps_client_id_arrays_and_converts_moscow_time():
    table = pacsv.read_csv(
        PAYLOADS / "logs_visits_part.tsv",
        parse_options=pacsv.ParseOptions(delimiter="\t", quote_char=False),
        convert_options=pacsv.ConvertOptions(
            column_types={**LOG_TYPES, "ym:s:lastsignDirectClickOrder": pa.uint64()},
            null_values=[""],
            strings_can_be_null=False,
        ),
    )
    out = normalize_visits(
        table.to_batches()[0], SETTINGS, tenant_id="t1", counter="51000000", since=date(2026, 1, 20)
    ).to_pylist()
    assert [r["client_id"] for r in out] == [250237211835736366, 150237211835736366, 150237211835736367]
    assert [r["goals_id"] for r in out] == [[20001, 20002], [], [20002]]
    assert [r["purchase_revenue"] for r in out] == [Decimal("1500"), Decimal("0"), Decimal("12.75")]
    assert [r["direct_click_order"] for r in out] == [73870066, None, None]
    assert out[0]["visit_datetime"] == datetime(2026, 1, 17, 0, 32, 49, tzinfo=UTC)
    assert out[1]["utm_source"] == "" and out[2]["utm_source"] == "telegram"


def test_evaluate_too_big_splits_into_the_days_metrika_accepts():
    windows = plan_log_windows(
        api_with("evaluate_too_big.json"),
        SETTINGS,
        counter="1",
        date_from=date(2026, 1, 1),
        date_to=date(2026, 1, 7),
    )
    assert windows == [
        (date(2026, 1, 1), date(2026, 1, 3)),
        (date(2026, 1, 4), date(2026, 1, 6)),
        (date(2026, 1, 7), date(2026, 1, 7)),
    ]


def test_evaluate_refusing_a_single_day_fails_loudly():
    with pytest.raises(ApiError, match="even one day at a time"):
        plan_log_windows(
            api_with("evaluate_too_big.json"),
            SETTINGS,
            counter="1",
            date_from=date(2026, 1, 1),
            date_to=date(2026, 1, 1),
        )


@pytest.mark.parametrize(
    "status, payload, action",
    [
        (429, "error_quota_429.json", "retry"),
        (420, "error_quota_429.json", "retry"),
        (403, "error_invalid_token_403.json", "refresh"),
        (403, "error_access_denied_403.json", "fatal"),
        (400, "error_query_400.json", "retry"),
    ],
)
def test_error_types_are_classified(status, payload, action):
    verdict = classify(httpx.Response(status, content=(PAYLOADS / payload).read_bytes()))
    assert verdict.action == action
    assert verdict.error_text.split(":")[0] == verdict.code
