"""Yandex Metrika connector settings (env prefix MRM_METRIKA_)."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from ingestion.common import ConnectorSettings
from ingestion.platforms import BY_PLATFORM

PLATFORM = "yandex_metrika"


class Settings(ConnectorSettings):
    """Counter access via a Yandex OAuth token (scope metrika:read)."""

    platform = PLATFORM
    env_prefix = "METRIKA"

    base_url: str = "https://api-metrika.yandex.net"
    # Credentials stay out of repr(): settings objects end up in logs, tracebacks and error reports.
    token: str = Field(repr=False)
    refresh_token: str | None = Field(None, repr=False)
    client_id: str | None = None
    client_secret: str | None = Field(None, repr=False)
    oauth_url: str = "https://oauth.yandex.ru"
    lookback_days: int = Field(BY_PLATFORM[PLATFORM].lookback_days, ge=0, le=90)
    # Reporting API
    page_limit: int = Field(10_000, ge=1, le=100_000)
    accuracy: str = "full"
    attribution: str = "lastsign"
    # Logs API: Airbyte polls every 30 s up to 240 times; our default polls every 10 s for up to 40 minutes.
    log_poll_interval_s: float = Field(10.0, ge=0)
    max_log_polls: int = Field(240, ge=1)
    log_recreate_attempts: int = Field(1, ge=0, le=5)
    currency: str = "RUB"
    timezone: str = "Europe/Moscow"
    block_size: int = Field(4 << 20, ge=1 << 16)

    @classmethod
    def for_sandbox(cls, base_url: str, **overrides: Any) -> Settings:
        """Settings against the local sandbox (`server.url("metrika")`), tuned for fast tests."""
        from ingestion.sandbox.server import SANDBOX_TOKENS

        root = base_url.rstrip("/").rsplit("/", 1)[0]
        values: dict[str, Any] = {
            "base_url": base_url,
            "token": SANDBOX_TOKENS["metrika"],
            "refresh_token": SANDBOX_TOKENS["yandex_refresh"],
            "client_id": SANDBOX_TOKENS["yandex_client_id"],
            "client_secret": SANDBOX_TOKENS["yandex_client_secret"],
            "oauth_url": f"{root}/oauth",
            "timeout_s": 5.0,
            "base_delay_s": 0.05,
            "max_delay_s": 0.5,
            "max_server_delay_s": 2.0,
            "log_poll_interval_s": 0.02,
            "max_log_polls": 20,
            "page_limit": 500,
        }
        values.update(overrides)
        return cls(**values)
