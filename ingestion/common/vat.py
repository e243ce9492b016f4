"""Effective-dated VAT rates and whether an account's reported spend includes VAT.

`VAT_RATES` is the one statement of the rates in code; the warehouse holds the same rows in `app.vat_rates`
(seeded by migration 0001, which dbt joins per day), and a test keeps the two identical. Whether an account's spend
includes VAT is a per-account fact registered in `app.accounts.spend_includes_vat`; the loaders read it from there
(`registered_spend_includes_vat`), and a connector setting only covers accounts that are not registered.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

from pydantic import BaseModel

from ingestion.common.errors import ConfigError

_S = TypeVar("_S", bound=BaseModel)

# RU: 20 % from 2019-01-01, 22 % from 2026-01-01. Keep identical to app.vat_rates (tests compare them).
VAT_RATES: dict[str, tuple[tuple[date, Decimal], ...]] = {
    "RU": ((date(2019, 1, 1), Decimal("0.20")), (date(2026, 1, 1), Decimal("0.22"))),
}


def vat_rate(country: str, day: date, rates: Sequence[tuple[date, Decimal]] | None = None) -> Decimal:
    """The rate effective on `day` (valid_from inclusive, until the next row); a loud error outside the table."""
    rows = sorted(VAT_RATES.get(country.upper(), ()) if rates is None else rates)
    if not rows:
        raise ConfigError(f"no VAT rates for country {country!r}")
    current = [rate for since, rate in rows if since <= day]
    if not current:
        raise ConfigError(f"no VAT rate for {country} on {day} (first rate from {rows[0][0]})")
    return current[-1]


def registered_spend_includes_vat(
    client: Any, *, tenant_id: str, platform: str, account_id: str
) -> bool | None:
    """The account's registered VAT convention from app.accounts, or None when the account is not registered."""
    rows = client.query(
        "SELECT spend_includes_vat FROM app.accounts FINAL "
        "WHERE tenant_id = {t:String} AND platform = {p:String} AND account_id = {a:String}",
        parameters={"t": tenant_id, "p": platform, "a": account_id},
    ).result_rows
    return bool(rows[0][0]) if rows else None


def with_registered_vat(
    client: Any, settings: _S, field: str, *, tenant_id: str, platform: str, account_id: str
) -> _S:
    """`settings` with its VAT-convention `field` set from the account's registration (unchanged when the account
    is not registered), so the raw rows' VAT flag and app.accounts always agree."""
    registered = registered_spend_includes_vat(
        client, tenant_id=tenant_id, platform=platform, account_id=account_id
    )
    return settings if registered is None else settings.model_copy(update={field: registered})
