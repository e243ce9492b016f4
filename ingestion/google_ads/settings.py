"""Google Ads API connector settings (env prefix MRM_GOOGLE_ADS_)."""

from __future__ import annotations

from typing import Any

from pydantic import Field, field_validator

from ingestion.common import ConnectorSettings
from ingestion.platforms import BY_PLATFORM

PLATFORM = "google_ads"


def customer_digits(value: str) -> str:
    """A customer id as the API wants it in paths and headers: ten digits, no dashes ("123-456-7890")."""
    digits = value.replace("-", "").strip()
    if not digits.isdigit():
        raise ValueError(f"customer id {value!r} is not digits (123-456-7890)")
    return digits


class Settings(ConnectorSettings):
    """OAuth installed-app credentials (refresh token), the developer token and the manager to log in through."""

    platform = PLATFORM
    env_prefix = "GOOGLE_ADS"

    base_url: str = "https://googleads.googleapis.com"
    api_version: str = Field("v22", pattern=r"^v\d+$")
    # Credentials stay out of repr(): settings objects end up in logs, tracebacks and error reports.
    developer_token: str = Field(repr=False, min_length=1)
    client_id: str = Field(min_length=1)
    client_secret: str = Field(repr=False, min_length=1)
    refresh_token: str = Field(repr=False, min_length=1)
    access_token: str | None = Field(None, repr=False)
    oauth_url: str = "https://oauth2.googleapis.com"
    # The manager (MCC) account the agency's accounts are reached through; sent as login-customer-id.
    login_customer_id: str | None = None
    # Conversions keep arriving for days after the click: re-pull a week, like Direct and VK.
    lookback_days: int = Field(BY_PLATFORM[PLATFORM].lookback_days, ge=0, le=90)
    # searchStream batches parsed at once (Arrow's JSON reader runs outside the GIL): 2 keeps two cores busy.
    decode_threads: int = Field(2, ge=1, le=16)

    @field_validator("login_customer_id")
    @classmethod
    def _digits(cls, value: str | None) -> str | None:
        return customer_digits(value) if value else None

    @classmethod
    def for_sandbox(cls, base_url: str, **overrides: Any) -> Settings:
        """Settings against the local sandbox (`server.url("google_ads")`), tuned for fast tests."""
        from ingestion.sandbox.google_oauth import SANDBOX_GOOGLE, sandbox_google_settings

        values: dict[str, Any] = {
            **sandbox_google_settings(base_url),
            "developer_token": SANDBOX_GOOGLE["developer_token"],
            "login_customer_id": SANDBOX_GOOGLE["manager_customer_id"],
        }
        values.update(overrides)
        return cls(**values)
