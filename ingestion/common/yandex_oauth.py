"""Yandex OAuth token holder shared by Direct and Metrika: one refresh at a time, loud failures."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from typing import Any, ClassVar, Literal

import httpx
from pydantic import Field, PrivateAttr

from ingestion.common.errors import AuthError, ConfigError
from ingestion.common.http import ApiClient, Classifier, RetryPolicy
from ingestion.common.settings import ConnectorSettings
from ingestion.common.token_endpoint import post_token_form

TokenSaver = Callable[[Mapping[str, Any]], None]


class YandexOAuthSettings(ConnectorSettings):
    """Settings of a connector that signs in with a Yandex OAuth token (Direct, Metrika)."""

    # Credentials stay out of repr(): settings objects end up in logs, tracebacks and error reports.
    token: str = Field(repr=False)
    refresh_token: str | None = Field(None, repr=False)
    client_id: str | None = None
    client_secret: str | None = Field(None, repr=False)
    oauth_url: str = "https://oauth.yandex.ru"
    # Called with the token answer when the connector renews the token itself (a 401 mid-load), so whoever owns
    # the credential keeps the new one (workspace/credentials.py sets it for accounts loading with an OAuth grant).
    _on_refresh: TokenSaver | None = PrivateAttr(None)

    def saving_refreshes(self, save: TokenSaver) -> YandexOAuthSettings:
        """A copy whose client hands every token it renews to `save` (the answer: access and refresh token)."""
        copy = self.model_copy()
        copy._on_refresh = save
        return copy

    # The sandbox's token of this connector (a key of `ingestion.sandbox.server.SANDBOX_TOKENS`).
    sandbox_token: ClassVar[str] = ""

    @classmethod
    def sandbox_values(cls, base_url: str) -> dict[str, Any]:
        """Signed in with the sandbox's token and OAuth app, whose token endpoint sits beside the API."""
        from ingestion.sandbox.server import SANDBOX_TOKENS

        root = base_url.rstrip("/").rsplit("/", 1)[0]
        return {
            "token": SANDBOX_TOKENS[cls.sandbox_token],
            "refresh_token": SANDBOX_TOKENS["yandex_refresh"],
            "client_id": SANDBOX_TOKENS["yandex_client_id"],
            "client_secret": SANDBOX_TOKENS["yandex_client_secret"],
            "oauth_url": f"{root}/oauth",
            **super().sandbox_values(base_url),
        }


def yandex_api_client(
    settings: YandexOAuthSettings,
    classify: Classifier,
    *,
    scheme: Literal["Bearer", "OAuth"],
    oauth: YandexOAuth | None = None,
    transport: httpx.BaseTransport | None = None,
    headers: Mapping[str, str] | None = None,
) -> ApiClient:
    """The connector's `ApiClient`: its requests carry `Authorization: <scheme> <token>`, renewed on `refresh`."""
    oauth = oauth or YandexOAuth.of_settings(
        settings, settings.token, transport, on_refresh=settings._on_refresh
    )
    return ApiClient(
        settings.platform,
        settings.base_url,
        classify=classify,
        auth_headers=oauth.bearer if scheme == "Bearer" else oauth.oauth,
        refresh=oauth.refresh,
        policy=settings.retry_policy(),
        timeout=settings.timeout_s,
        transport=transport,
        headers=headers or {},
    )


class YandexOAuth:
    """Current access token plus the refresh_token grant against `oauth_url/token`."""

    def __init__(
        self,
        *,
        platform: str,
        token: str,
        refresh_token: str | None = None,
        client_id: str | None = None,
        client_secret: str | None = None,
        oauth_url: str = "https://oauth.yandex.ru",
        timeout: float = 30.0,
        transport: httpx.BaseTransport | None = None,
        policy: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        on_refresh: TokenSaver | None = None,
    ) -> None:
        if not token:
            raise ConfigError("a Yandex OAuth token is required", platform=platform)
        self.platform = platform
        self.token = token
        self.refresh_token = refresh_token
        self.client_id = client_id
        self.client_secret = client_secret
        self.oauth_url = oauth_url.rstrip("/")
        self.timeout = timeout
        self.transport = transport
        self.policy = policy or RetryPolicy()
        self.sleep = sleep
        self.on_refresh = on_refresh
        self.refreshes = 0
        self._lock = threading.Lock()

    @classmethod
    def of_settings(
        cls,
        settings: Any,
        token: str,
        transport: httpx.BaseTransport | None = None,
        *,
        on_refresh: TokenSaver | None = None,
    ) -> YandexOAuth:
        """The grant of a connector's settings (platform, refresh_token, client_id/client_secret, oauth_url,
        timeout_s, retry policy) starting from the access token `token`."""
        return cls(
            platform=settings.platform,
            token=token,
            refresh_token=settings.refresh_token,
            client_id=settings.client_id,
            client_secret=settings.client_secret,
            oauth_url=settings.oauth_url,
            timeout=settings.timeout_s,
            transport=transport,
            policy=settings.retry_policy(),
            on_refresh=on_refresh,
        )

    def bearer(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def oauth(self) -> dict[str, str]:
        return {"Authorization": f"OAuth {self.token}"}

    def refresh(self) -> None:
        """Exchange the refresh token for a new access token.

        A refusal (bad client, dead refresh token) raises AuthError with Yandex's text. An answer lost on the way
        (timeout, reset, 429/5xx, truncated or garbled body) is retried under `policy` (Yandex may hand back the
        same token, so asking again is harmless) and raises RetryExhausted naming the request when attempts run out.
        The new tokens go to `on_refresh` (when set) before the request is repeated; a failure to keep them stops
        the load rather than leaving a stored token behind that the platform may no longer accept.
        """
        if not (self.refresh_token and self.client_id and self.client_secret):
            raise AuthError(
                "token rejected and no refresh_token/client_id/client_secret configured to renew it",
                platform=self.platform,
            )
        with self._lock, httpx.Client(timeout=self.timeout, transport=self.transport) as http:
            payload = post_token_form(
                http,
                f"{self.oauth_url}/token",
                {
                    "grant_type": "refresh_token",
                    "refresh_token": self.refresh_token,
                    "client_id": self.client_id,
                    "client_secret": self.client_secret,
                },
                platform=self.platform,
                what="token refresh",
                policy=self.policy,
                sleep=self.sleep,
            )
            self.token = payload["access_token"]
            self.refresh_token = payload.get("refresh_token") or self.refresh_token
            self.refreshes += 1
            if self.on_refresh is not None:
                self.on_refresh({**payload, "refresh_token": self.refresh_token})
