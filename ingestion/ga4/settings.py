"""Google Analytics 4 Data API connector settings (env prefix MRM_GA4_)."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from ingestion.common import ConnectorSettings
from ingestion.platforms import BY_PLATFORM

PLATFORM = "ga4"


class Settings(ConnectorSettings):
    """OAuth installed-app credentials (refresh token) with the analytics.readonly scope; report paging."""

    platform = PLATFORM
    env_prefix = "GA4"

    base_url: str = "https://analyticsdata.googleapis.com"
    api_version: str = Field("v1beta", pattern=r"^v1(alpha|beta)?$")
    client_id: str = Field(min_length=1)
    # Credentials stay out of repr(): settings objects end up in logs, tracebacks and error reports.
    client_secret: str = Field(repr=False, min_length=1)
    refresh_token: str = Field(repr=False, min_length=1)
    access_token: str | None = Field(None, repr=False)
    oauth_url: str = "https://oauth2.googleapis.com"
    lookback_days: int = Field(BY_PLATFORM[PLATFORM].lookback_days, ge=0, le=90)
    # Rows per runReport page (the API allows up to 250 000); paging is by offset.
    page_limit: int = Field(10_000, ge=1, le=250_000)
    # "keyEvents" on current properties; older ones still answer "conversions".
    key_event_metric: str = Field("keyEvents", pattern=r"^(keyEvents|conversions)$")

    @classmethod
    def for_sandbox(cls, base_url: str, **overrides: Any) -> Settings:
        """Settings against the local sandbox (`server.url("ga4")`), tuned for fast tests."""
        from ingestion.sandbox.google_oauth import sandbox_google_settings

        values: dict[str, Any] = {**sandbox_google_settings(base_url), "page_limit": 50}
        values.update(overrides)
        return cls(**values)
