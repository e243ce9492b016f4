"""The Bank of Russia daily rates XML (XML_daily.asp) → rows.

The document is windows-1251 encoded: `<ValCurs Date="DD.MM.YYYY" name="Foreign Currency Market">` holding one
`<Valute ID="R01235">` per currency with NumCode, CharCode, Nominal, Name and Value, the value written with a
decimal comma ("78,2313" roubles per Nominal units). `Date` is the day the rates are in force; asked for a day
on which no rates were set (a weekend or holiday), the bank answers with the last rates it set, under their own
date. Any damage is a PayloadError naming the Valute and the field.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from ingestion.cbr.settings import PLATFORM
from ingestion.common.errors import PayloadError

# The bank's XML never declares a DTD; refusing one keeps entity tricks (expansion, external files) out.
_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_VALUE = re.compile(r"^\d{1,12}(?:,\d{1,6})?$")


@dataclass(frozen=True)
class DailyRate:
    valute_id: str
    num_code: str
    char_code: str
    nominal: int
    name: str
    value: Decimal  # roubles per `nominal` units

    @property
    def per_unit(self) -> Decimal:
        return self.value / self.nominal


@dataclass(frozen=True)
class DailyRates:
    """One XML_daily.asp answer: the day its rates are in force and the rates."""

    date: date
    rates: tuple[DailyRate, ...]


def parse_daily(body: bytes, *, request_id: str | None = None) -> DailyRates:
    """Parse one XML_daily.asp body (bytes as sent: the XML declaration names the encoding)."""
    if _DTD.search(body[:4096]):
        raise _damaged("rates XML declares a DTD or entities; refused", request_id)
    try:
        root = ET.fromstring(body)
    except ET.ParseError as exc:
        raise PayloadError(
            f"rates XML does not parse: {exc}", platform=PLATFORM, request_id=request_id
        ) from exc
    if root.tag != "ValCurs":
        raise _damaged(f"root element is <{root.tag}>, expected <ValCurs>", request_id, field="ValCurs")
    raw_date = root.get("Date")
    if not raw_date:
        # The bank answers a bad request with a bare <ValCurs>Error in parameters</ValCurs>.
        text = (root.text or "").strip()[:200]
        raise _damaged(f"rates XML has no ValCurs Date ({text!r})", request_id, field="ValCurs.Date")
    try:
        day = datetime.strptime(raw_date, "%d.%m.%Y").date()
    except ValueError:
        raise _damaged(
            f"ValCurs Date {raw_date!r} is not DD.MM.YYYY", request_id, field="ValCurs.Date"
        ) from None
    rates = []
    seen: set[str] = set()
    for i, valute in enumerate(root.findall("Valute"), start=1):
        rate = _rate(valute, i, request_id)
        if rate.char_code in seen:
            raise _damaged(f"currency {rate.char_code} listed twice", request_id, field="CharCode", row=i)
        seen.add(rate.char_code)
        rates.append(rate)
    if not rates:
        raise PayloadError(f"rates XML of {day} lists no currency", platform=PLATFORM, request_id=request_id)
    return DailyRates(day, tuple(rates))


def _damaged(
    message: str, request_id: str | None, *, field: str | None = None, row: int | None = None
) -> PayloadError:
    """A readable answer with wrong content: fetching it again would bring the same, so not retryable."""
    return PayloadError(
        message, platform=PLATFORM, request_id=request_id, row=row, field=field, retryable=False
    )


def _text(valute: ET.Element, name: str, row: int, request_id: str | None) -> str:
    node = valute.find(name)
    text = (node.text or "").strip() if node is not None else ""
    if not text:
        raise _damaged(f"Valute {valute.get('ID')!r} has no {name}", request_id, field=name, row=row)
    return text


def _rate(valute: ET.Element, row: int, request_id: str | None) -> DailyRate:
    char_code = _text(valute, "CharCode", row, request_id)
    if not re.fullmatch(r"[A-Z]{3}", char_code):
        raise _damaged(
            f"CharCode {char_code!r} is not an ISO 4217 code", request_id, field="CharCode", row=row
        )
    nominal_text = _text(valute, "Nominal", row, request_id)
    if not nominal_text.isdigit() or int(nominal_text) == 0:
        raise _damaged(
            f"{char_code} Nominal {nominal_text!r} is not a positive integer",
            request_id,
            field="Nominal",
            row=row,
        )
    value_text = _text(valute, "Value", row, request_id)
    if not _VALUE.match(value_text):
        raise _damaged(
            f"{char_code} Value {value_text!r} is not a decimal with a comma",
            request_id,
            field="Value",
            row=row,
        )
    try:
        value = Decimal(value_text.replace(",", "."))
    except InvalidOperation:  # pragma: no cover - the pattern above admits only valid decimals
        raise _damaged(f"{char_code} Value {value_text!r}", request_id, field="Value", row=row) from None
    if value <= 0:
        raise _damaged(
            f"{char_code} Value {value_text!r} is not positive", request_id, field="Value", row=row
        )
    return DailyRate(
        valute_id=valute.get("ID") or "",
        num_code=_text(valute, "NumCode", row, request_id),
        char_code=char_code,
        nominal=int(nominal_text),
        name=_text(valute, "Name", row, request_id),
        value=value,
    )
