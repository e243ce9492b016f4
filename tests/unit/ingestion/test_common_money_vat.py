import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pytest

from ingestion.common import VAT_RATES, PayloadError, micros_to_decimal, parse_decimal, vat_rate
from ingestion.common.money import MONEY_TYPE, decimal_array_to_money, micros_array_to_money

ROOT = Path(__file__).resolve().parents[3]


def test_parse_decimal_keeps_exact_value_and_maps_dashes_to_none():
    assert parse_decimal("23328.92") == Decimal("23328.920000")
    assert parse_decimal("--") is None
    assert parse_decimal("") is None


def test_parse_decimal_names_row_and_field_on_garbage():
    with pytest.raises(PayloadError, match=r"row 7, field 'spent'"):
        parse_decimal("12,5", field="spent", row=7)


def test_micros_become_exact_decimals():
    assert micros_to_decimal(2412500000) == Decimal("2412.500000")
    assert micros_to_decimal("--") is None
    assert micros_to_decimal(-1) == Decimal("-0.000001")


def test_micros_array_is_converted_without_float_rounding():
    arr = pa.array([2412500000, None, -1, 9_000_000_000_000_000_001 // 1000], pa.int64())
    out = micros_array_to_money(arr)
    assert out.type == MONEY_TYPE
    assert out.to_pylist() == [
        Decimal("2412.500000"),
        None,
        Decimal("-0.000001"),
        Decimal("9000000000.000000"),
    ]


def test_micros_array_of_a_slice_keeps_its_nulls():
    arr = pa.array([1, None, 3, None], pa.int64()).slice(1)
    assert micros_array_to_money(arr).to_pylist() == [None, Decimal("0.000003"), None]


def test_decimal_strings_and_floats_become_money():
    assert decimal_array_to_money(pa.array(["1.5", "--", None])).to_pylist() == [Decimal("1.5"), None, None]
    assert decimal_array_to_money(pa.array([0.1 + 0.2])).to_pylist() == [Decimal("0.300000")]


def test_vat_rate_changes_from_20_to_22_percent_on_2026_01_01():
    assert vat_rate("RU", date(2025, 12, 31)) == Decimal("0.20")
    assert vat_rate("ru", date(2026, 1, 1)) == Decimal("0.22")


def test_unknown_country_or_day_before_first_rate_is_a_loud_error():
    with pytest.raises(Exception, match="no VAT rates"):
        vat_rate("KZ", date(2026, 1, 1))
    with pytest.raises(Exception, match="no VAT rate for RU"):
        vat_rate("RU", date(2010, 1, 1))


def _seeded_rates(sql: str) -> dict[str, tuple[tuple[date, Decimal], ...]]:
    """The (country, valid_from, rate) rows an `INSERT INTO app.vat_rates` statement seeds."""
    insert = sql[sql.index("INSERT INTO app.vat_rates") :]
    insert = insert[: insert.index(";")]
    rows: dict[str, list[tuple[date, Decimal]]] = {}
    for country, since, rate in re.findall(r"\('([A-Z]{2})',\s*'(\d{4}-\d{2}-\d{2})',\s*([0-9.]+)", insert):
        rows.setdefault(country, []).append((date.fromisoformat(since), Decimal(rate)))
    return {c: tuple(sorted(r)) for c, r in rows.items()}


@pytest.mark.parametrize(
    "path", ["warehouse/migrations/0001_app_core.sql", "deploy/clickhouse/cluster_schema.sql"]
)
def test_the_seeded_vat_rates_are_the_code_rates(path: str):
    seeded = _seeded_rates((ROOT / path).read_text(encoding="utf-8"))
    assert seeded == VAT_RATES, f"{path} seeds {seeded}, code says {VAT_RATES}"


def test_plan_parsing_takes_the_same_rates():
    from planning.mediaplan.parse import vat_rate as plan_vat

    assert plan_vat(date(2026, 3, 1)) == vat_rate("RU", date(2026, 3, 1)) == Decimal("0.22")
    assert plan_vat(None) == VAT_RATES["RU"][-1][1]
    assert plan_vat(date(2001, 1, 1)) == VAT_RATES["RU"][0][1]
