"""VK Ads connector settings: credentials, requested fields, lookback window and API limits.

Every field can come from ``MRM_VK_ADS_<FIELD>`` (see ``ConnectorSettings.from_env``).
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import Field, SecretStr

from ingestion.common import ConnectorSettings
from ingestion.platforms import BY_PLATFORM

# Fields asked of the listing resources (query parameter `fields`); the parsers read exactly these.
AD_PLAN_FIELDS = (
    "id",
    "name",
    "status",
    "objective",
    "budget_limit",
    "budget_limit_day",
    "date_start",
    "date_end",
    "created",
    "updated",
)
AD_GROUP_FIELDS = ("id", "ad_plan_id", "name", "status", "package_id", "budget_limit_day", "updated")
BANNER_FIELDS = ("id", "ad_group_id", "name", "status", "moderation_status", "urls", "updated")
STATS_METRICS = ("base", "uniques")


class Settings(ConnectorSettings):
    """How to reach VK Ads and what to fetch. Limits default to the documented ceilings (docs/api_formats.md)."""

    platform: ClassVar[str] = "vk_ads"
    env_prefix: ClassVar[str] = "VK_ADS"

    base_url: str = "https://ads.vk.com"
    client_id: str
    client_secret: SecretStr
    # Agency mode: the credentials are an agency's; each account id is an agency client name and gets its own
    # token (grant_type=agency_client_credentials), so one settings object serves many client accounts.
    agency_mode: bool = False
    # An agency's own token from the OAuth authorization-code flow (workspace/oauth.py): with it each client
    # cabinet's token is asked for on that agency's behalf (agency_client_credentials + access_token), so the app's
    # credentials reach only the clients that agency granted. Implies agency mode.
    agency_token: SecretStr | None = None
    # Optional JSON file caching the token between runs: VK allows only five live tokens per client/user,
    # so issuing a fresh one per run would hit the cap by the sixth run.
    token_cache_path: str = ""
    # On the five-token cap (HTTP 403 from the token endpoint) delete this user's tokens and retry once.
    revoke_tokens_on_cap: bool = False
    # Token requests whose answer is lost in transit (truncated/garbled body, connection dropped mid-answer) may
    # still have minted a live token that counts against the cap: stop asking after this many such losses.
    max_unconfirmed_tokens: int = Field(3, ge=1, le=4)

    lookback_days: int = Field(BY_PLATFORM["vk_ads"].lookback_days, ge=0, le=90)
    # limit on list resources: docs say max 50 for some resources, clients page with 250 (unconfirmed ceiling).
    page_limit: int = Field(250, ge=1, le=250)
    # statistics: at most 200 object ids per request, day-split stats over at most 366 days.
    ids_per_request: int = Field(200, ge=1, le=200)
    max_days_per_request: int = Field(366, ge=1, le=366)
    attribution: str = Field("conversion", pattern="^(conversion|impression)$")
    # Statuses whose banners get statistics: deleted banners still carry spend on past days.
    banner_statuses: tuple[str, ...] = ("active", "blocked", "deleted")
    ad_group_plan_field: str = "ad_plan_id"
    # VK returns a row for every day of every requested banner; all-zero rows carry no information.
    skip_empty_rows: bool = True

    currency: str = "RUB"
    # VK Ads cabinet prices and statistics are shown excluding VAT (VAT is added to payments); unconfirmed by the
    # API docs, hence per account: the load takes app.accounts.spend_includes_vat, this is only the value for an
    # account that is not registered there.
    spent_includes_vat: bool = False
    timezone: str = "Europe/Moscow"

    # X-RateLimit-*: slow down when the per-second remainder falls to this value, and wait for an hourly/daily
    # quota to reset only if that takes at most `max_quota_wait_s` (otherwise fail loudly with the quota named).
    rps_reserve: int = Field(1, ge=0)
    max_quota_wait_s: float = Field(120.0, ge=0)

    # Against the local emulator (``server.url("vk")``): agency credentials, fast retries, and revoke-on-cap so
    # repeated demo runs never lock themselves out of the five-token cap.
    sandbox_tuning = {
        "agency_mode": True,
        "max_attempts": 5,
        "max_quota_wait_s": 5.0,
        "revoke_tokens_on_cap": True,
    }

    @classmethod
    def sandbox_values(cls, base_url: str) -> dict[str, Any]:
        from ingestion.sandbox.vk_ads import SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET

        credentials = {"client_id": SANDBOX_CLIENT_ID, "client_secret": SANDBOX_CLIENT_SECRET}
        return {**credentials, **super().sandbox_values(base_url)}
