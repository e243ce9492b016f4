"""Dagster resources: thin adapters that hand the libraries their clients and settings at run time.

Secrets never reach the UI: required platform credentials are `EnvVar` fields (resolved when a run starts);
optional secrets (LLM, Pinecone, SMTP password) are read from a named variable when used, because an unset
`EnvVar` fails the run even where offline defaults exist. Nothing here reads the environment at import time.

Run config cannot redirect a secret (see orchestration.endpoints): platform base URLs come from the deployment
(`MRM_<PLATFORM>_BASE_URL` or the connector's default) and run config may only choose loopback or an official
host; the warehouse password is attached only for the configured warehouse; the SMTP password only for the
configured mail host; secret variable names are limited to their own family; knowledge-base paths stay inside
MRM_KB_DOC_ROOT.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any, ClassVar

import dagster as dg
from pydantic import Field

from ingestion.platforms import BY_PLATFORM
from mrm import clock
from orchestration.endpoints import check_host, check_loopback, confine, is_loopback, refused, url_host
from orchestration.partitions import MOSCOW


class WarehouseResource(dg.ConfigurableResource):
    """The ClickHouse warehouse. Empty `url` = the configured one (CLICKHOUSE_URL/HOST… or the embedded server)."""

    url: str = Field(
        "",
        description="http(s)://host:port of the configured warehouse or a loopback one; empty = "
        "warehouse settings from the environment",
    )

    def settings(self) -> Any:
        """Settings for `url`; the environment's credentials go only to the endpoint the environment configured."""
        from warehouse.settings import WarehouseSettings

        env = dict(os.environ)
        if not self.url:
            return WarehouseSettings.from_env(env)
        configured = WarehouseSettings.from_env(env)
        extra = [h.strip() for h in env.get("MRM_WAREHOUSE_ALLOWED_HOSTS", "").split(",")]
        check_host(self.url, [*extra, "" if configured.embedded else configured.host], "warehouse.url")
        wanted = WarehouseSettings.from_env(
            {"CLICKHOUSE_URL": self.url, "MRM_DATA_DIR": str(configured.data_dir)}
        )
        same = not configured.embedded and (wanted.host.lower(), wanted.port, wanted.secure) == (
            configured.host.lower(),
            configured.port,
            configured.secure,
        )
        if not same:
            # Another endpoint: only the credentials written into `url` itself, never CLICKHOUSE_PASSWORD.
            for key in ("CLICKHOUSE_URL", "CLICKHOUSE_HOST", "CLICKHOUSE_USER", "CLICKHOUSE_PASSWORD"):
                env.pop(key, None)
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

    sandbox: bool = Field(
        False, description="Use the local API emulator (ingestion.sandbox) instead of the real API"
    )
    sandbox_url: str = Field(
        "", description="Emulator base URL on loopback; empty = a running `mrm sandbox` or one in-process"
    )
    base_url: str = Field(
        "",
        description="API base URL: empty = MRM_<PLATFORM>_BASE_URL or the official endpoint; "
        "run config may only choose loopback or an official host",
    )
    today: str = Field(
        "", description="ISO date treated as today (restatement window); empty = now in Moscow"
    )
    max_parallel_accounts: int = Field(
        2, ge=1, le=16, description="Accounts loaded at once inside a step (the API's parallel quota)"
    )

    # Subclasses set these.
    platform_name: ClassVar[str] = ""

    def connector(self) -> Any:
        """The connector package (ingestion.<platform>) with `load` and `Settings`."""
        module = BY_PLATFORM[self.platform_name].load_module()
        if module is None:
            raise dg.Failure(
                f"connector for {self.platform_name} is not available in this build", allow_retries=False
            )
        return module

    def _sandbox(self) -> tuple[str, dt.date | None]:
        if self.sandbox_url:
            return check_loopback(self.sandbox_url, f"{self.platform_name}.sandbox_url"), None
        from ingestion.demo import sandbox_urls

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
        return module.Settings(**self.production_fields(), base_url=self.api_base_url(module))

    def api_base_url(self, module: Any) -> str:
        """The deployment's endpoint, or a run-config one that is loopback or official (checked before use)."""
        info = BY_PLATFORM[self.platform_name]
        if self.base_url:
            return check_host(self.base_url, info.official_hosts, f"{self.platform_name}.base_url")
        env_name = f"MRM_{module.Settings.env_prefix or module.Settings.platform.upper()}_BASE_URL"
        from_env = os.environ.get(env_name, "").strip()
        if from_env:
            url_host(from_env, env_name)
            return from_env
        return str(module.Settings.model_fields["base_url"].default)

    def production_fields(self) -> dict[str, Any]:
        """Credentials and options for the connector's Settings (the base URL is added by `api_base_url`): the
        fields a platform's resource class declares beyond the shared ones, those that are set."""
        own = [name for name in type(self).model_fields if name not in PlatformResource.model_fields]
        return _nonempty(**{name: getattr(self, name) for name in own})

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.platform_name:
            PLATFORM_RESOURCES[cls.platform_name] = cls


# Filled by each platform's resource class as it is defined (keyed by the registry's platform name).
PLATFORM_RESOURCES: dict[str, type[PlatformResource]] = {}


def _nonempty(**values: Any) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v not in ("", None)}


class _YandexOAuthResource(PlatformResource):
    """Yandex APIs share one OAuth: a token, and optionally what refreshes it."""

    token: str = ""
    refresh_token: str = ""
    client_id: str = ""
    client_secret: str = ""


class YandexDirectResource(_YandexOAuthResource):
    """Yandex Direct API v5 (OAuth token of the agency; `Client-Login` per account)."""

    platform_name: ClassVar[str] = "yandex_direct"


class YandexMetrikaResource(_YandexOAuthResource):
    """Yandex Metrika Reporting and Logs APIs (OAuth token; counter id per account)."""

    platform_name: ClassVar[str] = "yandex_metrika"


class VkAdsResource(PlatformResource):
    """VK Ads API v2 (agency client credentials; one token per agency client)."""

    platform_name: ClassVar[str] = "vk_ads"
    client_id: str = ""
    client_secret: str = ""
    agency_mode: bool = True
    token_cache_path: str = ""


class GarpunResource(PlatformResource):
    """Garpun DataHub (service-account JWT)."""

    platform_name: ClassVar[str] = "garpun"
    service_account_key_json: str = ""
    service_account_key_path: str = ""


class _GoogleOAuthResource(PlatformResource):
    """Google APIs share one OAuth: the app's client id and secret and a refresh token of a Google login."""

    client_id: str = ""
    client_secret: str = ""
    refresh_token: str = ""


class GoogleAdsResource(_GoogleOAuthResource):
    """Google Ads API (OAuth refresh token of the agency's Google login, developer token, manager account)."""

    platform_name: ClassVar[str] = "google_ads"
    developer_token: str = ""
    login_customer_id: str = ""


class Ga4Resource(_GoogleOAuthResource):
    """Google Analytics 4 Data API (OAuth refresh token with analytics.readonly; property id per account)."""

    platform_name: ClassVar[str] = "ga4"


class LlmResource(dg.ConfigurableResource):
    """The LLM gateway (Claude via the anthropic SDK); without a key the offline writer answers and says so."""

    api_key_env: str = Field("ANTHROPIC_API_KEY", description="Variable holding the API key (read when used)")
    model: str = Field("", description="Model id; empty = the gateway's default")

    def gateway(self, ch: Any) -> Any:
        from assistants.llm import Gateway

        overrides: dict[str, Any] = {
            "api_key": secret_env(self.api_key_env, ("ANTHROPIC_",), "llm.api_key_env")
        }
        if self.model:
            overrides["model"] = self.model
        return Gateway.from_env(ch, **overrides)


def kb_doc_root() -> Path:
    """The only folder run config may index from: MRM_KB_DOC_ROOT, else the project's docs folder (never the
    project root: it holds the data directory and local secret files)."""
    explicit = os.environ.get("MRM_KB_DOC_ROOT", "").strip()
    return Path(explicit) if explicit else Path(__file__).resolve().parent.parent / "docs"


def _files_inside(path: Path, root: Path) -> list[Path]:
    """A file, or a folder's indexable files, keeping only those that really lie inside `root`: a link inside
    the folder must not bring a file from elsewhere into every tenant's knowledge base."""
    if not path.is_dir():
        return [path]
    from assistants.kb.loaders import SUPPORTED

    return [
        f
        for f in sorted(path.rglob("*"))
        if f.is_file()
        and f.suffix.lower() in SUPPORTED
        and f.resolve().is_relative_to(root)
        and not any(part.startswith(".") for part in f.relative_to(path).parts)
    ]


class KnowledgeBaseResource(dg.ConfigurableResource):
    """Embeddings and vector store: offline hashed embedder into ClickHouse, or Pinecone when a key is set."""

    pinecone_api_key_env: str = Field(
        "PINECONE_API_KEY", description="Variable holding a Pinecone key (optional)"
    )
    doc_paths: list[str] = Field(
        default_factory=list,
        description="Documents to index for every tenant, inside MRM_KB_DOC_ROOT (default: "
        "the project's docs folder); empty = the project docs",
    )

    def store(self, ch: Any) -> Any:
        from assistants.kb.store import ClickHouseStore, PineconeStore

        key = secret_env(self.pinecone_api_key_env, ("PINECONE_",), "knowledge_base.pinecone_api_key_env")
        return PineconeStore(key) if key else ClickHouseStore(ch)

    def documents(self) -> list[Path]:
        """The files and folders to index; run-config paths must lie inside the configured root."""
        if self.doc_paths:
            root = kb_doc_root().resolve()
            return [
                f
                for p in confine(self.doc_paths, root, "knowledge_base.doc_paths")
                for f in _files_inside(p, root)
            ]
        from assistants.demo import demo_doc_paths

        return demo_doc_paths()


class SmtpResource(dg.ConfigurableResource):
    """Outgoing mail for client reports."""

    host: str = "127.0.0.1"
    port: int = 25
    sender: str = "reports@mrm.local"
    username: str = ""
    password_env: str = Field(
        "MRM_SMTP_PASSWORD", description="Variable holding the SMTP password (read when used)"
    )
    starttls: bool = False
    timeout_s: float = 30.0

    def send_kwargs(self) -> dict[str, Any]:
        """Arguments for the mailer; the password only for the mail host the deployment configured."""
        password = secret_env(self.password_env, ("MRM_SMTP_",), "smtp.password_env")
        if password is not None:
            configured = os.environ.get("MRM_SMTP_HOST", "").strip().lower()
            host = self.host.strip().lower()
            if host != configured and not (not configured and is_loopback(host)):
                raise refused(
                    "smtp.host",
                    f"the SMTP password is only sent to MRM_SMTP_HOST "
                    f"({configured or 'unset: loopback only'}), not to {self.host!r}",
                )
        return {
            "smtp_host": self.host,
            "smtp_port": self.port,
            "sender": self.sender,
            "username": self.username or None,
            "password": password,
            "starttls": self.starttls,
            "timeout": self.timeout_s,
        }


class ReportsResource(dg.ConfigurableResource):
    """Where report files go and what period a daily report covers."""

    out_dir: str = Field("", description="Folder for XLSX/PDF files; empty = <MRM_DATA_DIR>/reports")
    period_days: int = Field(
        7, ge=1, le=92, description="Trailing days a daily report covers, ending on the partition"
    )

    def directory(self, data_dir: Path) -> Path:
        return Path(self.out_dir) if self.out_dir else data_dir / "reports"


def platform_resource(
    platform: str, *, sandbox: bool, sandbox_url: str = "", today: str = ""
) -> PlatformResource:
    """The resource for one registered platform: the emulator in sandbox mode, otherwise the registry's
    credentials as `EnvVar` (values stay out of the UI and out of import time)."""
    info = BY_PLATFORM[platform]
    cls = PLATFORM_RESOURCES.get(platform)
    if cls is None:
        raise LookupError(
            f"platform {platform!r} is registered but has no resource class in orchestration.resources"
        )
    common: dict[str, Any] = {
        "sandbox": sandbox,
        "sandbox_url": sandbox_url,
        "today": today,
        "max_parallel_accounts": info.max_parallel_accounts,
    }
    if sandbox:
        return cls(**common)
    secrets: dict[str, Any] = {field: dg.EnvVar(var) for field, var in info.secrets.items()}
    return cls(**common, **secrets)


def secret_env(name: str, family: tuple[str, ...], what: str) -> str | None:
    """The value of a secret variable named in run config, if the name belongs to its family (prefixes):
    otherwise run config could hand one service's secret (say CLICKHOUSE_PASSWORD) to another."""
    if not name.startswith(family):
        raise refused(what, f"{name!r} is not one of the {'/'.join(p + '*' for p in family)} variables")
    return os.environ.get(name) or None
