"""Dagster resources: thin adapters that hand the libraries their clients and settings at run time.

Secrets never reach the UI: required platform credentials are `EnvVar` fields (resolved when a run starts);
optional secrets (LLM, Pinecone, SMTP password) are read from a named variable when used, because an unset
`EnvVar` fails the run even where offline defaults exist. Nothing here reads the environment at import time.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any, ClassVar

import dagster as dg
from pydantic import Field

from mrm import clock
from orchestration.partitions import MOSCOW


class WarehouseResource(dg.ConfigurableResource):
    """The ClickHouse warehouse. Empty `url` = the configured one (CLICKHOUSE_URL/HOST… or the embedded server)."""

    url: str = Field("", description="http(s)://user:pass@host:port; empty = warehouse settings from the environment")

    def settings(self) -> Any:
        from warehouse.settings import WarehouseSettings

        env = dict(os.environ)
        if self.url:
            env["CLICKHOUSE_URL"] = self.url
        return WarehouseSettings.from_env(env)

    def client(self, **kwargs: Any) -> Any:
        """A new clickhouse-connect client (one per thread: clients are not shared across threads)."""
        import warehouse

        return warehouse.connect(self.settings(), **kwargs)

    def endpoint(self) -> str:
        import warehouse

        return warehouse.endpoint(self.settings())

    def data_dir(self) -> Path:
        return Path(self.settings().data_dir)


class PlatformResource(dg.ConfigurableResource):
    """Base of the ad-platform resources: production credentials, or the local sandbox emulator."""

    sandbox: bool = Field(False, description="Use the local API emulator (ingestion.sandbox) instead of the real API")
    sandbox_url: str = Field("", description="Emulator base URL; empty = a running `mrm sandbox` or one in-process")
    today: str = Field("", description="ISO date treated as today (restatement window); empty = now in Moscow")
    max_parallel_accounts: int = Field(2, ge=1, le=16,
                                       description="Accounts loaded at once inside a step (the API's parallel quota)")

    # Subclasses set these.
    platform_name: ClassVar[str] = ""
    short_name: ClassVar[str] = ""

    def connector(self) -> Any:
        """The connector package (ingestion.<platform>) with `load` and `Settings`."""
        from ingestion.platforms import BY_PLATFORM

        module = BY_PLATFORM[self.platform_name].load_module()
        if module is None:
            raise dg.Failure(f"connector for {self.platform_name} is not available in this build", allow_retries=False)
        return module

    def _sandbox(self) -> tuple[str, dt.date | None]:
        if self.sandbox_url:
            return self.sandbox_url, None
        from ingestion.demo import sandbox_urls
        from ingestion.platforms import BY_PLATFORM

        urls, today = sandbox_urls()
        return urls[BY_PLATFORM[self.platform_name].sandbox_api], today

    def today_date(self) -> dt.date:
        if self.today:
            return dt.date.fromisoformat(self.today)
        if self.sandbox:
            _, sandbox_today = self._sandbox()
            if sandbox_today:
                return sandbox_today
        return clock.today(MOSCOW)

    def connector_settings(self) -> Any:
        module = self.connector()
        if self.sandbox:
            url, _ = self._sandbox()
            return module.Settings.for_sandbox(url)
        return module.Settings(**self.production_fields())

    def production_fields(self) -> dict[str, Any]:
        raise NotImplementedError


def _nonempty(**values: Any) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v not in ("", None)}


class _YandexOAuthResource(PlatformResource):
    """Yandex APIs share one OAuth: a token, and optionally what refreshes it."""

    token: str = ""
    refresh_token: str = ""
    client_id: str = ""
    client_secret: str = ""

    def production_fields(self) -> dict[str, Any]:
        return _nonempty(base_url=self.base_url, token=self.token, refresh_token=self.refresh_token,
                         client_id=self.client_id, client_secret=self.client_secret)


class YandexDirectResource(_YandexOAuthResource):
    """Yandex Direct API v5 (OAuth token of the agency; `Client-Login` per account)."""

    platform_name: ClassVar[str] = "yandex_direct"
    short_name: ClassVar[str] = "direct"
    base_url: str = "https://api.direct.yandex.com"


class YandexMetrikaResource(_YandexOAuthResource):
    """Yandex Metrika Reporting and Logs APIs (OAuth token; counter id per account)."""

    platform_name: ClassVar[str] = "yandex_metrika"
    short_name: ClassVar[str] = "metrika"
    base_url: str = "https://api-metrika.yandex.net"


class VkAdsResource(PlatformResource):
    """VK Ads API v2 (agency client credentials; one token per agency client)."""

    platform_name: ClassVar[str] = "vk_ads"
    short_name: ClassVar[str] = "vk"
    base_url: str = "https://ads.vk.com"
    client_id: str = ""
    client_secret: str = ""
    agency_mode: bool = True
    token_cache_path: str = ""

    def production_fields(self) -> dict[str, Any]:
        return _nonempty(base_url=self.base_url, client_id=self.client_id, client_secret=self.client_secret,
                         agency_mode=self.agency_mode, token_cache_path=self.token_cache_path)


class GarpunResource(PlatformResource):
    """Garpun DataHub (service-account JWT)."""

    platform_name: ClassVar[str] = "garpun"
    short_name: ClassVar[str] = "garpun"
    base_url: str = "https://datahub-api.garpun.com"
    service_account_key_json: str = ""
    service_account_key_path: str = ""

    def production_fields(self) -> dict[str, Any]:
        return _nonempty(base_url=self.base_url, service_account_key_json=self.service_account_key_json,
                         service_account_key_path=self.service_account_key_path)


class LlmResource(dg.ConfigurableResource):
    """The LLM gateway (Claude via the anthropic SDK); without a key the offline writer answers and says so."""

    api_key_env: str = Field("ANTHROPIC_API_KEY", description="Variable holding the API key (read when used)")
    model: str = Field("", description="Model id; empty = the gateway's default")

    def gateway(self, ch: Any) -> Any:
        from assistants.llm import Gateway

        overrides: dict[str, Any] = {"api_key": os.environ.get(self.api_key_env) or None}
        if self.model:
            overrides["model"] = self.model
        return Gateway.from_env(ch, **overrides)


class KnowledgeBaseResource(dg.ConfigurableResource):
    """Embeddings and vector store: offline hashed embedder into ClickHouse, or Pinecone when a key is set."""

    pinecone_api_key_env: str = Field("PINECONE_API_KEY", description="Variable holding a Pinecone key (optional)")
    doc_paths: list[str] = Field(default_factory=list,
                                 description="Extra documents to index for every tenant (the project docs by default)")

    def store(self, ch: Any) -> Any:
        from assistants.kb.store import ClickHouseStore, PineconeStore

        key = os.environ.get(self.pinecone_api_key_env)
        return PineconeStore(key) if key else ClickHouseStore(ch)

    def documents(self) -> list[Path]:
        if self.doc_paths:
            return [Path(p) for p in self.doc_paths]
        from assistants.demo import demo_doc_paths

        return demo_doc_paths()


class SmtpResource(dg.ConfigurableResource):
    """Outgoing mail for client reports."""

    host: str = "127.0.0.1"
    port: int = 25
    sender: str = "reports@mrm.local"
    username: str = ""
    password_env: str = Field("MRM_SMTP_PASSWORD", description="Variable holding the SMTP password (read when used)")
    starttls: bool = False
    timeout_s: float = 30.0

    def send_kwargs(self) -> dict[str, Any]:
        return {"smtp_host": self.host, "smtp_port": self.port, "sender": self.sender,
                "username": self.username or None, "password": os.environ.get(self.password_env) or None,
                "starttls": self.starttls, "timeout": self.timeout_s}


class ReportsResource(dg.ConfigurableResource):
    """Where report files go and what period a daily report covers."""

    out_dir: str = Field("", description="Folder for XLSX/PDF files; empty = <MRM_DATA_DIR>/reports")
    period_days: int = Field(7, ge=1, le=92, description="Trailing days a daily report covers, ending on the partition")

    def directory(self, data_dir: Path) -> Path:
        return Path(self.out_dir) if self.out_dir else data_dir / "reports"


PLATFORM_RESOURCES: dict[str, type[PlatformResource]] = {
    "yandex_direct": YandexDirectResource,
    "yandex_metrika": YandexMetrikaResource,
    "vk_ads": VkAdsResource,
    "garpun": GarpunResource,
}

# Production credentials per platform: EnvVar keeps values out of the UI and out of import time.
PRODUCTION_SECRETS: dict[str, dict[str, str]] = {
    "yandex_direct": {"token": "MRM_DIRECT_TOKEN"},
    "yandex_metrika": {"token": "MRM_METRIKA_TOKEN"},
    "vk_ads": {"client_id": "MRM_VK_ADS_CLIENT_ID", "client_secret": "MRM_VK_ADS_CLIENT_SECRET"},
    "garpun": {"service_account_key_json": "MRM_GARPUN_SERVICE_ACCOUNT_KEY_JSON"},
}


def platform_resource(platform: str, *, sandbox: bool, sandbox_url: str = "", today: str = "",
                      max_parallel_accounts: int = 2) -> PlatformResource:
    """The resource for one platform: the emulator in sandbox mode, EnvVar-backed credentials otherwise."""
    cls = PLATFORM_RESOURCES[platform]
    common: dict[str, Any] = {"sandbox": sandbox, "sandbox_url": sandbox_url, "today": today,
                              "max_parallel_accounts": max_parallel_accounts}
    if sandbox:
        return cls(**common)
    secrets = {field: dg.EnvVar(var) for field, var in PRODUCTION_SECRETS[platform].items()}
    return cls(**common, **secrets)
