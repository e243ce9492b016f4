"""Google Ads HTTP plumbing: the API's error shape → retry / refresh / fatal, and the OAuth-aware ApiClient."""

from __future__ import annotations

import json
from typing import Any

import httpx

from ingestion.common import ApiClient, Verdict
from ingestion.common.http import parse_retry_after, unreadable_json

# The refresh_token grant (RFC 6749 §6) is the same form POST at Google as at Yandex: one implementation.
from ingestion.common.yandex_oauth import YandexOAuth as OAuthRefresh
from ingestion.google_ads.settings import Settings

# authenticationError codes a new access token cures; any other authentication error (developer token, client
# customer id, 2-step verification) is a configuration problem and fails loudly.
REFRESHABLE = {"OAUTH_TOKEN_EXPIRED", "OAUTH_TOKEN_INVALID", "OAUTH_TOKEN_REVOKED"}
RETRY_STATUSES = {"RESOURCE_EXHAUSTED", "UNAVAILABLE", "INTERNAL", "DEADLINE_EXCEEDED", "ABORTED"}


def failure_of(payload: Any) -> tuple[str, str, str, float | None, str | None]:
    """(grpc status, error code "kind:VALUE", message, retryDelay seconds, request id) of an error body."""
    err = payload.get("error") if isinstance(payload, dict) else None
    if not isinstance(err, dict):
        return "", "", "", None, None
    status, message = str(err.get("status") or ""), str(err.get("message") or "")
    code, delay, rid = "", None, None
    for detail in err.get("details") or []:
        if not isinstance(detail, dict):
            continue
        rid = rid or detail.get("requestId")
        for e in detail.get("errors") or []:
            kind, value = next(iter((e.get("errorCode") or {}).items()), ("", ""))
            code = code or f"{kind}:{value}"
            message = str(e.get("message") or message)
            raw = ((e.get("details") or {}).get("quotaErrorDetails") or {}).get("retryDelay")
            if isinstance(raw, str) and raw.endswith("s"):
                try:
                    delay = float(raw[:-1])
                except ValueError:
                    delay = None
    return status, code, message, delay, rid


def classify(resp: httpx.Response) -> Verdict:
    status = resp.status_code
    rid = resp.headers.get("request-id")
    if 200 <= status < 300:
        return Verdict("ok", request_id=rid)
    if unreadable_json(resp):
        return Verdict("retry", None, f"HTTP {status}: truncated or garbled error body", str(status), rid)
    try:
        payload = json.loads(resp.content)
    except (ValueError, UnicodeDecodeError):
        payload = None
    grpc, code, message, delay, body_rid = failure_of(payload)
    rid = rid or body_rid
    text = f"{grpc} {code}: {message}".strip() if grpc else resp.text[:300]
    if status == 429 or grpc in RETRY_STATUSES or status >= 500:
        # RESOURCE_EXHAUSTED carries its own wait (quotaErrorDetails.retryDelay); else Retry-After or backoff
        hint = delay if delay is not None else parse_retry_after(resp.headers.get("Retry-After"))
        return Verdict("retry", hint, text, code or grpc or str(status), rid)
    if status == 401 and (code.split(":", 1)[-1] in REFRESHABLE or not code):
        return Verdict("refresh", None, text, code or "UNAUTHENTICATED", rid)
    return Verdict("fatal", None, text, code or grpc or str(status), rid)


def google_api_client(
    settings: Any, *, headers: dict[str, str], transport: httpx.BaseTransport | None = None
) -> ApiClient:
    """An ApiClient for a Google API (Ads, Analytics Data) on one installed-app OAuth grant: the first access token
    is minted from the refresh token, and again on 401. `settings` has client_id/client_secret/refresh_token/
    access_token/oauth_url/base_url/timeout_s and a `platform`."""
    platform = settings.platform
    oauth = OAuthRefresh.of_settings(settings, settings.access_token or "unset", transport)
    if not settings.access_token:
        oauth.refresh()
    return ApiClient(
        platform,
        settings.base_url,
        classify=classify,
        auth_headers=oauth.bearer,
        refresh=oauth.refresh,
        policy=settings.retry_policy(),
        timeout=settings.timeout_s,
        transport=transport,
        headers=headers,
    )


def make_client(settings: Settings, *, transport: httpx.BaseTransport | None = None) -> ApiClient:
    headers = {"developer-token": settings.developer_token}
    if settings.login_customer_id:
        headers["login-customer-id"] = settings.login_customer_id
    return google_api_client(settings, headers=headers, transport=transport)
