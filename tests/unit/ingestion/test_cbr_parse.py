"""Bank of Russia XML_daily.asp parsing: windows-1251, decimal commas, nominals, and loud errors naming the field."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from ingestion.cbr.parse import parse_daily
from ingestion.common import PayloadError
from ingestion.sandbox.cbr import in_force, is_rate_day, rate_value, render_daily


def doc(valutes: str, date_attr: str = 'Date="06.12.2026" ') -> bytes:
    return (
        f'<?xml version="1.0" encoding="windows-1251"?><ValCurs {date_attr}name="Foreign Currency Market">'
        f"{valutes}</ValCurs>"
    ).encode("cp1251")


USD = (
    '<Valute ID="R01235"><NumCode>840</NumCode><CharCode>USD</CharCode><Nominal>1</Nominal>'
    "<Name>Доллар США</Name><Value>78,2313</Value></Valute>"
)
KZT = (
    '<Valute ID="R01335"><NumCode>398</NumCode><CharCode>KZT</CharCode><Nominal>100</Nominal>'
    "<Name>Казахстанских тенге</Name><Value>15,3456</Value></Valute>"
)


def test_the_official_shape_parses_with_commas_nominals_and_cyrillic_names() -> None:
    parsed = parse_daily(doc(USD + KZT))
    assert parsed.date == date(2026, 12, 6)
    usd, kzt = parsed.rates
    assert (usd.valute_id, usd.num_code, usd.char_code, usd.nominal, usd.name, usd.value) == (
        "R01235",
        "840",
        "USD",
        1,
        "Доллар США",
        Decimal("78.2313"),
    )
    assert kzt.nominal == 100 and kzt.per_unit == Decimal("0.153456")


@pytest.mark.parametrize(
    ("body", "field", "text"),
    [
        (doc(USD.replace("78,2313", "78.2313")), "Value", "not a decimal with a comma"),
        (doc(USD.replace("78,2313", "")), "Value", "has no Value"),
        (doc(USD.replace("<Nominal>1<", "<Nominal>0<")), "Nominal", "not a positive integer"),
        (doc(USD.replace("USD", "US$")), "CharCode", "not an ISO 4217 code"),
        (doc(USD + USD), "CharCode", "listed twice"),
        (doc(USD, date_attr='Date="2026-12-06" '), "ValCurs.Date", "not DD.MM.YYYY"),
        (
            b'<?xml version="1.0" encoding="windows-1251"?><ValCurs>Error in parameters</ValCurs>',
            "ValCurs.Date",
            "Error in parameters",
        ),
    ],
)
def test_bad_answers_fail_naming_the_field(body: bytes, field: str, text: str) -> None:
    with pytest.raises(PayloadError, match=text) as err:
        parse_daily(body)
    assert err.value.field == field and not err.value.retryable


def test_a_cut_body_is_a_retryable_payload_error_and_a_dtd_is_refused() -> None:
    body = doc(USD + KZT)
    with pytest.raises(PayloadError, match="does not parse") as err:
        parse_daily(body[: len(body) // 2])
    assert err.value.retryable
    evil = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><ValCurs Date="06.12.2026">&a;</ValCurs>'
    with pytest.raises(PayloadError, match="DTD"):
        parse_daily(evil)


def test_the_emulator_publishes_business_days_only_and_round_trips() -> None:
    # 2026-01-01..08 are holidays and 03/04 Jan a weekend: the rates of 31 Dec stay in force until 9 Jan.
    assert [is_rate_day(date(2026, 1, d)) for d in (1, 8, 9, 10, 12)] == [False, False, True, False, True]
    assert in_force(date(2026, 1, 5), today=date(2026, 2, 1)) == date(2025, 12, 31)
    assert in_force(date(2026, 3, 1), today=date(2026, 2, 1)) == date(2026, 1, 30)  # after today: the latest
    parsed = parse_daily(render_daily(7, date(2025, 12, 31)))
    assert parsed.date == date(2025, 12, 31)
    assert {r.char_code: r.value for r in parsed.rates}["USD"] == rate_value(7, "USD", date(2025, 12, 31))
    assert rate_value(7, "USD", date(2025, 12, 31)) != rate_value(7, "USD", date(2025, 12, 30))
