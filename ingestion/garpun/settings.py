"""Garpun DataHub settings: service-account key, METAQL queries and their column mapping, lookback.

Garpun's statistics tables are not publicly documented, so the statistics and campaign queries and the
mapping of their result columns onto raw_garpun.* are configuration. The defaults below describe the
table shape the sandbox serves (``adplatform.ad_stats_daily`` / ``adplatform.campaign``); point them at
your project's real tables with ``MRM_GARPUN_STATS_QUERY`` / ``MRM_GARPUN_STATS_COLUMNS`` (JSON).
"""

from __future__ import annotations

import json
from typing import Any, ClassVar

from pydantic import Field, SecretStr, field_validator

from ingestion.common import ConnectorSettings
from ingestion.platforms import BY_PLATFORM

# Placeholders {account_id}, {date_from}, {date_to} are replaced by quoted METAQL literals, never raw text.
DEFAULT_STATS_QUERY = (
    "SELECT date, platform, campaign_id, campaign_name, ad_group_id, ad_id, impressions, clicks, cost, "
    "vat_included, currency, conversions FROM adplatform.ad_stats_daily "
    "WHERE account_id = {account_id} AND date >= {date_from} AND date <= {date_to}"
)
DEFAULT_CAMPAIGNS_QUERY = "SELECT platform, campaign_id, campaign_name, status FROM adplatform.campaign WHERE account_id = {account_id}"
# raw_garpun.ad_stats_daily column → result column of the statistics query.
DEFAULT_STATS_COLUMNS = {
    "date_day": "date",
    "source_platform": "platform",
    "campaign_id": "campaign_id",
    "campaign_name": "campaign_name",
    "ad_group_id": "ad_group_id",
    "ad_id": "ad_id",
    "impressions": "impressions",
    "clicks": "clicks",
    "cost": "cost",
    "cost_includes_vat": "vat_included",
    "currency": "currency",
    "conversions": "conversions",
}
DEFAULT_CAMPAIGN_COLUMNS = {
    "source_platform": "platform",
    "campaign_id": "campaign_id",
    "campaign_name": "campaign_name",
    "status": "status",
}
# Raw columns the mapping must provide; the others fall back to settings (currency, VAT flag) or empty/null.
REQUIRED_STATS = ("date_day", "campaign_id", "impressions", "clicks", "cost")
REQUIRED_CAMPAIGNS = ("campaign_id",)


class Settings(ConnectorSettings):
    """How to reach DataHub, which queries to run and how to map their columns."""

    platform: ClassVar[str] = "garpun"
    env_prefix: ClassVar[str] = "GARPUN"

    base_url: str = "https://datahub-api.garpun.com"
    # The service-account JSON key (client_email, private_key, private_key_id, token_uri): a path or the JSON.
    service_account_key_path: str = ""
    service_account_key_json: SecretStr = SecretStr("")
    scope: str = "datahub"
    shard_key: str | None = None

    lookback_days: int = Field(BY_PLATFORM["garpun"].lookback_days, ge=0, le=90)
    stats_query: str = DEFAULT_STATS_QUERY
    stats_columns: dict[str, str] = Field(default_factory=lambda: dict(DEFAULT_STATS_COLUMNS))
    campaigns_query: str = DEFAULT_CAMPAIGNS_QUERY
    campaign_columns: dict[str, str] = Field(default_factory=lambda: dict(DEFAULT_CAMPAIGN_COLUMNS))
    # Used when the mapping has no currency / VAT column (Garpun mirrors each platform's own convention).
    currency: str = "RUB"
    # For rows without `vat_included`; the load takes the account's app.accounts.spend_includes_vat when registered.
    cost_includes_vat: bool = True
    batch_rows: int = Field(50_000, ge=1)

    @field_validator("stats_columns", "campaign_columns", mode="before")
    @classmethod
    def _json_mapping(cls, value: Any) -> Any:
        # From the environment the mapping arrives as a JSON string.
        return json.loads(value) if isinstance(value, str) else value

    @field_validator("stats_columns")
    @classmethod
    def _stats_required(cls, value: dict[str, str]) -> dict[str, str]:
        return _check_mapping(value, REQUIRED_STATS, DEFAULT_STATS_COLUMNS, "stats_columns")

    @field_validator("campaign_columns")
    @classmethod
    def _campaigns_required(cls, value: dict[str, str]) -> dict[str, str]:
        return _check_mapping(value, REQUIRED_CAMPAIGNS, DEFAULT_CAMPAIGN_COLUMNS, "campaign_columns")

    # Against the local sandbox: fewer attempts.
    sandbox_tuning = {"max_attempts": 5}

    @classmethod
    def sandbox_values(cls, base_url: str) -> dict[str, Any]:
        """Asks the emulator (``server.url("garpun")``) to issue a service-account key, as the Garpun console does."""
        from ingestion.sandbox.garpun import issue_sandbox_key

        return {
            "service_account_key_json": json.dumps(issue_sandbox_key(base_url)),
            **super().sandbox_values(base_url),
        }


def _check_mapping(
    value: dict[str, str], required: tuple[str, ...], known: dict[str, str], name: str
) -> dict[str, str]:
    unknown = sorted(set(value) - set(known))
    if unknown:
        raise ValueError(f"{name}: unknown raw columns {unknown}; known: {sorted(known)}")
    missing = [c for c in required if not value.get(c)]
    if missing:
        raise ValueError(f"{name}: no source column for required raw columns {missing}")
    return value
