"""Yandex OAuth token holder shared by Direct and Metrika: one refresh at a time, loud failures."""

from __future__ import annotations

import threading

import httpx

from ingestion.common.errors import AuthError, ConfigError


class YandexOAuth:
    """Current access token plus the refresh_token grant against `oauth_url/token`."""

    def __init__(self, *, platform: str, token: str, refresh_token: str | None = None, client_id: str | None = None,
                 client_secret: str | None = None, oauth_url: str = "https://oauth.yandex.ru", timeout: float = 30.0,
                 transport: httpx.BaseTransport | None = None) -> None:
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
        self.refreshes = 0
        self._lock = threading.Lock()

    def bearer(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def oauth(self) -> dict[str, str]:
        return {"Authorization": f"OAuth {self.token}"}

    def refresh(self) -> None:
        """Exchange the refresh token for a new access token (raises AuthError with Yandex's text)."""
        if not (self.refresh_token and self.client_id and self.client_secret):
            raise AuthError("token rejected and no refresh_token/client_id/client_secret configured to renew it",
                            platform=self.platform)
        with self._lock, httpx.Client(timeout=self.timeout, transport=self.transport) as http:
            try:
                resp = http.post(f"{self.oauth_url}/token", data={
                    "grant_type": "refresh_token", "refresh_token": self.refresh_token,
                    "client_id": self.client_id, "client_secret": self.client_secret})
            except httpx.HTTPError as exc:
                raise AuthError(f"token refresh failed: {type(exc).__name__}: {exc}", platform=self.platform) from exc
            try:
                payload = resp.json()
            except ValueError:
                payload = {}
            if resp.status_code != 200 or "access_token" not in payload:
                text = payload.get("error_description") or payload.get("error") or resp.text[:300]
                raise AuthError(f"token refresh rejected (HTTP {resp.status_code}): {text}", platform=self.platform,
                                status=resp.status_code, code=str(payload.get("error") or ""), error_text=str(text))
            self.token = payload["access_token"]
            self.refresh_token = payload.get("refresh_token") or self.refresh_token
            self.refreshes += 1
