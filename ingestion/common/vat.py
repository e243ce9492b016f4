"""Effective-dated VAT rates: read from app.vat_rates, with a pure fallback identical to the seeded table."""

from __future__ import annotations

import bisect
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from ingestion.common.errors import ConfigError

# Must stay identical to the rows seeded by warehouse/migrations/0001_app_core.sql (a test compares them).
FALLBACK_VAT_RATES: dict[str, tuple[tuple[date, Decimal], ...]] = {
    "RU": ((date(2019, 1, 1), Decimal("0.20")), (date(2026, 1, 1), Decimal("0.22"))),
}
_CENT6 = Decimal("0.000001")


class VatTable:
    """Lookup `rate(country, day)` over effective-dated rows (valid_from inclusive, until the next row)."""

    def __init__(self, rates: Mapping[str, Sequence[tuple[date, Decimal]]] | None = None) -> None:
        src = FALLBACK_VAT_RATES if rates is None else rates
        self._rates = {c.upper(): sorted((d, Decimal(r)) for d, r in rows) for c, rows in src.items()}

    @classmethod
    def from_warehouse(cls, client: Any) -> VatTable:
        """Read app.vat_rates (latest version of each row); falls back to nothing silently never — an empty table raises."""
        result = client.query(
            "SELECT country, valid_from, argMax(rate, updated_at) FROM app.vat_rates GROUP BY country, valid_from")
        rates: dict[str, list[tuple[date, Decimal]]] = {}
        for country, valid_from, rate in result.result_rows:
            rates.setdefault(str(country).upper(), []).append((valid_from, Decimal(str(rate))))
        if not rates:
            raise ConfigError("app.vat_rates is empty; migrations not applied?")
        return cls(rates)

    def as_dict(self) -> dict[str, tuple[tuple[date, Decimal], ...]]:
        return {c: tuple(rows) for c, rows in self._rates.items()}

    def rate(self, country: str, day: date) -> Decimal:
        rows = self._rates.get(country.upper())
        if not rows:
            raise ConfigError(f"no VAT rates for country {country!r}")
        i = bisect.bisect_right([d for d, _ in rows], day) - 1
        if i < 0:
            raise ConfigError(f"no VAT rate for {country} on {day} (first rate from {rows[0][0]})")
        return rows[i][1]

    def gross_net(self, amount: Decimal, *, includes_vat: bool, country: str, day: date) -> tuple[Decimal, Decimal]:
        """(gross, net) of VAT for an amount reported with or without VAT, on that day's rate."""
        rate = self.rate(country, day)
        if includes_vat:
            gross = amount
            net = (amount / (1 + rate)).quantize(_CENT6, rounding=ROUND_HALF_EVEN)
        else:
            net = amount
            gross = (amount * (1 + rate)).quantize(_CENT6, rounding=ROUND_HALF_EVEN)
        return gross, net
