"""Bank of Russia daily rates emulator: `GET /cbr/scripts/XML_daily.asp?date_req=DD/MM/YYYY`.

Rates are a pure function of the world's seed and the day. Like the bank, rates are set only for business
days: asked about a weekend or a public holiday, the answer is the last rates set, under their own date; a day
after the sandbox's today gets the latest rates. Bodies are windows-1251 with decimal commas, as the bank sends.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime, timedelta
from decimal import Decimal
from xml.sax.saxutils import escape

from ingestion.sandbox.generator import _h
from ingestion.sandbox.server import EmulatorApi, Request, Response, Route

# (ID, NumCode, CharCode, Nominal, Name, roubles per Nominal around which the rate moves)
CURRENCIES = (
    ("R01235", "840", "USD", 1, "Доллар США", 78.5),
    ("R01239", "978", "EUR", 1, "Евро", 91.2),
    ("R01375", "156", "CNY", 1, "Китайский юань", 11.05),
    ("R01335", "398", "KZT", 100, "Казахстанских тенге", 15.3),
    ("R01820", "392", "JPY", 100, "Японских иен", 52.1),
    ("R01700J", "949", "TRY", 10, "Турецких лир", 22.6),
)
# Non-working public holidays (month, day) on which no rates are set.
HOLIDAYS = frozenset({(1, d) for d in range(1, 9)} | {(2, 23), (3, 8), (5, 1), (5, 9), (6, 12), (11, 4)})


def is_rate_day(day: date) -> bool:
    """True when the bank sets rates in force on `day` (a business day)."""
    return day.weekday() < 5 and (day.month, day.day) not in HOLIDAYS


def in_force(day: date, today: date) -> date:
    """The date of the rates in force on `day` (the last business day on or before it, capped at `today`)."""
    d = min(day, today)
    while not is_rate_day(d):
        d -= timedelta(days=1)
    return d


def rate_value(seed: int, char_code: str, day: date) -> Decimal:
    """Roubles per Nominal units of `char_code` set for business day `day`, 4 decimals like the bank."""
    base = next(c[5] for c in CURRENCIES if c[2] == char_code)
    wave = 0.04 * math.sin(day.toordinal() / 23 + len(char_code) + ord(char_code[0]))
    noise = (_h(seed, "cbr", char_code, day.toordinal()) % 2001 - 1000) / 100_000
    return Decimal(str(round(base * (1 + wave + noise), 4))).quantize(Decimal("0.0001"))


def render_daily(seed: int, day: date) -> bytes:
    """The XML_daily.asp document for the rates set for `day` (a business day)."""
    valutes = "".join(
        f'<Valute ID="{vid}"><NumCode>{num}</NumCode><CharCode>{code}</CharCode><Nominal>{nominal}</Nominal>'
        f"<Name>{escape(name)}</Name><Value>{str(rate_value(seed, code, day)).replace('.', ',')}</Value>"
        f"<VunitRate>{str((rate_value(seed, code, day) / nominal).quantize(Decimal('0.000001'))).replace('.', ',')}"
        "</VunitRate></Valute>"
        for vid, num, code, nominal, name, _base in CURRENCIES
    )
    doc = (
        f'<?xml version="1.0" encoding="windows-1251"?><ValCurs Date="{day:%d.%m.%Y}" '
        f'name="Foreign Currency Market">{valutes}</ValCurs>'
    )
    return doc.encode("cp1251")


class CbrApi(EmulatorApi):
    name = "cbr"

    def routes(self) -> list[Route]:
        return [Route("GET", r"/scripts/XML_daily\.asp", self.daily)]

    def error_response(
        self, status: int, kind: str, message: str, *, retry_after: float | None = None
    ) -> Response:
        headers = {"Content-Type": "text/html; charset=windows-1251"}
        if retry_after is not None:
            headers["Retry-After"] = str(retry_after)
        return Response(status, f"<html><body>{escape(message)}</body></html>".encode("cp1251"), headers)

    def daily(self, req: Request, _m: re.Match[str]) -> Response:
        raw = req.arg("date_req")
        try:
            asked = datetime.strptime(raw, "%d/%m/%Y").date() if raw else self.ctx.today
        except ValueError:
            # The bank answers malformed parameters with HTTP 200 and this bare element.
            error = b'<?xml version="1.0" encoding="windows-1251"?><ValCurs>Error in parameters</ValCurs>'
            return Response(200, error, {"Content-Type": "application/xml; charset=windows-1251"})
        body = render_daily(self.ctx.world.seed, in_force(asked, self.ctx.today))
        return Response(200, body, {"Content-Type": "application/xml; charset=windows-1251"})


def make_api(ctx) -> CbrApi:  # noqa: ANN001 - SandboxContext, avoids an import cycle at type level
    return CbrApi(ctx)
