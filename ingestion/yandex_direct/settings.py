"""Yandex Direct connector settings (env prefix MRM_DIRECT_)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ingestion.common.yandex_oauth import YandexOAuthSettings
from ingestion.platforms import BY_PLATFORM

PLATFORM = "yandex_direct"


class Settings(YandexOAuthSettings):
    """Credentials and report options. `token` is a Yandex OAuth token of the agency (or advertiser)."""

    platform = PLATFORM
    env_prefix = "DIRECT"

    base_url: str = "https://api.direct.yandex.com"
    api_version: Literal["v5", "v501"] = "v5"
    lookback_days: int = Field(BY_PLATFORM[PLATFORM].lookback_days, ge=0, le=90)
    # Metrika goal ids → per-goal columns `Conversions_<goal>_<model>`; empty = the aggregated columns.
    goals: list[str] = Field(default_factory=list, max_length=10)
    attribution_models: list[str] = Field(default_factory=lambda: ["LC"], min_length=1)
    # IncludeVAT of the reports; the load takes the account's app.accounts.spend_includes_vat when registered.
    include_vat: bool = True
    processing_mode: Literal["auto", "online", "offline"] = "auto"
    # Offline reports: polls of 201/202 before giving up, and a cap on the server's retryIn.
    max_report_polls: int = Field(360, ge=1)
    max_retry_in_s: float = Field(60.0, ge=0)
    # Waits suggested by the error table: 9000/506/56 (queue/concurrency) and 152 (units refill hourly).
    queue_wait_s: float = Field(10.0, ge=0)
    units_wait_s: float = Field(300.0, ge=0)
    campaigns_page_limit: int = Field(10000, ge=1, le=10000)
    block_size: int = Field(4 << 20, ge=1 << 16)
    language: str = "ru"
    currency: str = "RUB"
    timezone: str = "Europe/Moscow"

    sandbox_token = "direct"
    # Against the local sandbox: short waits, two goals and two attribution models.
    sandbox_tuning = {
        "max_retry_in_s": 0.2,
        "queue_wait_s": 0.1,
        "units_wait_s": 0.2,
        "goals": ["20001", "20002"],
        "attribution_models": ["LC", "LSC"],
    }
