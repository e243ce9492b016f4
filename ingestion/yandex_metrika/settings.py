"""Yandex Metrika connector settings (env prefix MRM_METRIKA_)."""

from __future__ import annotations

from pydantic import Field

from ingestion.common.yandex_oauth import YandexOAuthSettings
from ingestion.platforms import BY_PLATFORM

PLATFORM = "yandex_metrika"


class Settings(YandexOAuthSettings):
    """Counter access via a Yandex OAuth token (scope metrika:read)."""

    platform = PLATFORM
    env_prefix = "METRIKA"

    base_url: str = "https://api-metrika.yandex.net"
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

    sandbox_token = "metrika"
    # Against the local sandbox: quick Logs API polls and small pages.
    sandbox_tuning = {
        "log_poll_interval_s": 0.02,
        "max_log_polls": 20,
        "page_limit": 500,
    }
