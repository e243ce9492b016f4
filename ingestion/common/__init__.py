"""Shared ingestion plumbing: HTTP with retries, typed errors, settings, money, VAT, windows, loads."""

from ingestion.common.errors import (
    ApiError,
    AuthError,
    ConfigError,
    IngestionError,
    PayloadError,
    RetryExhausted,
)
from ingestion.common.http import ApiClient, RetryPolicy, Verdict
from ingestion.common.loading import run_load
from ingestion.common.money import MONEY_TYPE, micros_to_decimal, parse_decimal
from ingestion.common.settings import ConnectorSettings
from ingestion.common.vat import VAT_RATES, registered_spend_includes_vat, vat_rate, with_registered_vat
from ingestion.common.windows import (
    days_between,
    is_provisional,
    provisional_days,
    repull_window,
    split_window,
)

__all__ = [
    "ApiClient",
    "ApiError",
    "AuthError",
    "ConfigError",
    "ConnectorSettings",
    "IngestionError",
    "MONEY_TYPE",
    "PayloadError",
    "RetryExhausted",
    "RetryPolicy",
    "Verdict",
    "days_between",
    "is_provisional",
    "micros_to_decimal",
    "parse_decimal",
    "provisional_days",
    "registered_spend_includes_vat",
    "repull_window",
    "run_load",
    "split_window",
    "VAT_RATES",
    "vat_rate",
    "with_registered_vat",
]
