"""Bank of Russia daily rates connector settings (env prefix MRM_CBR_). The rates are public: no credentials."""

from __future__ import annotations

from pydantic import Field

from ingestion.common import ConnectorSettings

PLATFORM = "cbr"
# Rates are reference data shared by every tenant. The window loader keys every raw table by tenant and account,
# so the rates live under this one reserved pair (never a real tenant id: those are slugs without underscores
# at the start).
SHARED_TENANT = "_shared"
SOURCE_ACCOUNT = "cbr"
RAW_TABLE = "raw_cbr.fx_daily"


class Settings(ConnectorSettings):
    """Where the daily rates XML lives and which currencies to keep (empty = every currency published)."""

    platform = PLATFORM
    env_prefix = "CBR"

    base_url: str = "https://www.cbr.ru"
    daily_path: str = "/scripts/XML_daily.asp"
    # A published rate never changes afterwards, so nothing is re-pulled.
    lookback_days: int = Field(0, ge=0, le=90)
    currencies: list[str] = Field(default_factory=list)
