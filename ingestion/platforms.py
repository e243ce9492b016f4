"""The platform registry: the one list of ad platforms that ingestion, orchestration, the sandbox and the CLI read.

Adding a platform means its connector package `ingestion/<platform>/` (settings, client, fetch, parse, schema,
load, README), its emulator `ingestion/sandbox/<platform>.py`, its quality rules `orchestration/<platform>/checks.py`,
its Dagster resource class, and one `PlatformInfo` entry below. Everything else (CLI choices, Dagster assets,
resources, secrets, parallelism, restatement windows, the sandbox's API prefixes) is derived from the entry.
This module imports nothing from the packages it names, so every layer may import it.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType, ModuleType


@dataclass(frozen=True)
class PlatformInfo:
    """One ad platform and the facts every layer needs about it."""

    short: str  # CLI name and the sandbox's URL prefix (`/direct/...`)
    platform: str  # name in app.accounts / app.load_log, the connector package and raw_<platform> database
    title: str  # product name shown to people
    # Days re-pulled on every run and flagged provisional (restatements).
    lookback_days: int
    # Accounts loaded at once inside one Dagster step (the API's parallel quota).
    max_parallel_accounts: int
    # Hosts a production base URL may point at (besides loopback); anything else is refused before a
    # credential is attached (see orchestration.resources).
    official_hosts: tuple[str, ...]
    # Dagster resource field → environment variable holding the production credential.
    secrets: Mapping[str, str] = field(default_factory=dict)

    @property
    def module(self) -> str:
        return f"ingestion.{self.platform}"

    @property
    def sandbox_api(self) -> str:
        return self.short

    @property
    def sandbox_module(self) -> str:
        return f"ingestion.sandbox.{self.platform}"

    @property
    def raw_database(self) -> str:
        return f"raw_{self.platform}"

    def load_module(self) -> ModuleType | None:
        """The connector package, or None when it is not part of this build."""
        try:
            module = importlib.import_module(self.module)
        except ModuleNotFoundError as exc:
            if exc.name and (exc.name == self.module or self.module.startswith(exc.name + ".")):
                return None
            raise
        return module if hasattr(module, "load") and hasattr(module, "Settings") else None


_ENTRIES = (
    # Stats settle in ~3 days, but Metrika-attributed goal conversions keep arriving for ~a week. Reports API:
    # at most 5 offline reports queued per advertiser and 20 requests per 10 s.
    PlatformInfo(
        "direct",
        "yandex_direct",
        "Yandex Direct",
        lookback_days=7,
        max_parallel_accounts=5,
        official_hosts=("api.direct.yandex.com", "api-sandbox.direct.yandex.com"),
        secrets=MappingProxyType({"token": "MRM_DIRECT_TOKEN"}),
    ),
    # ~99 % of visits are final within 3 days (Logs API documentation); 3 parallel requests per user.
    PlatformInfo(
        "metrika",
        "yandex_metrika",
        "Yandex Metrika",
        lookback_days=3,
        max_parallel_accounts=3,
        official_hosts=("api-metrika.yandex.net",),
        secrets=MappingProxyType({"token": "MRM_METRIKA_TOKEN"}),
    ),
    # Goal conversions are reported late. Quotas are per second/hour/day per user (X-RateLimit-*): two accounts
    # at once stay under the per-second cap.
    PlatformInfo(
        "vk",
        "vk_ads",
        "VK Ads",
        lookback_days=7,
        max_parallel_accounts=2,
        official_hosts=("ads.vk.com",),
        secrets=MappingProxyType(
            {"client_id": "MRM_VK_ADS_CLIENT_ID", "client_secret": "MRM_VK_ADS_CLIENT_SECRET"}
        ),
    ),
    # Mirrors the underlying platforms, so the widest of their windows. METAQL queries are heavy server-side.
    PlatformInfo(
        "garpun",
        "garpun",
        "Garpun DataHub",
        lookback_days=7,
        max_parallel_accounts=2,
        official_hosts=("datahub-api.garpun.com",),
        secrets=MappingProxyType({"service_account_key_json": "MRM_GARPUN_SERVICE_ACCOUNT_KEY_JSON"}),
    ),
    # Conversions are attributed back to the click day for weeks; a week of re-pulls catches most of it (the
    # dbt rebuild window is the widest lookback, kept equal to 7). Basic access allows a few parallel streams.
    PlatformInfo(
        "google_ads",
        "google_ads",
        "Google Ads",
        lookback_days=7,
        max_parallel_accounts=2,
        official_hosts=("googleads.googleapis.com",),
        secrets=MappingProxyType(
            {
                "developer_token": "MRM_GOOGLE_ADS_DEVELOPER_TOKEN",
                "client_secret": "MRM_GOOGLE_ADS_CLIENT_SECRET",
                "refresh_token": "MRM_GOOGLE_ADS_REFRESH_TOKEN",
            }
        ),
    ),
    # GA4 finishes processing a day within ~2 days (standard properties); re-pull 3 like Metrika. Each property
    # has 10 concurrent requests, but tokens per hour run out first: two properties at once.
    PlatformInfo(
        "ga4",
        "ga4",
        "Google Analytics 4",
        lookback_days=3,
        max_parallel_accounts=2,
        official_hosts=("analyticsdata.googleapis.com",),
        secrets=MappingProxyType(
            {"client_secret": "MRM_GA4_CLIENT_SECRET", "refresh_token": "MRM_GA4_REFRESH_TOKEN"}
        ),
    ),
)

PLATFORMS: dict[str, PlatformInfo] = {p.short: p for p in _ENTRIES}
BY_PLATFORM: dict[str, PlatformInfo] = {p.platform: p for p in _ENTRIES}
PLATFORM_NAMES: tuple[str, ...] = tuple(p.platform for p in _ENTRIES)


def platform_info(platform: str) -> PlatformInfo:
    """The entry for a platform name (as in app.accounts) or its short name; a clear error for anything else."""
    info = BY_PLATFORM.get(platform) or PLATFORMS.get(platform)
    if info is None:
        raise KeyError(f"unknown platform {platform!r}; known: {', '.join(PLATFORM_NAMES)}")
    return info
