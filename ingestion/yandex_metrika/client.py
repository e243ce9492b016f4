"""Metrika HTTP plumbing: `errors[].error_type` classification and the OAuth-aware ApiClient."""

from __future__ import annotations

import json

import httpx

from ingestion.common import ApiClient, Verdict
from ingestion.common.http import parse_retry_after, unreadable_json
from ingestion.common.yandex_oauth import yandex_api_client
from ingestion.yandex_metrika.settings import Settings

# Transient by the error table (fact sheet §2.7): backend errors, timeouts, quotas, "query too complicated".
RETRY_TYPES = {"backend_error", "timeout", "query_error"}
REFRESH_TYPES = {"invalid_token", "unauthorized"}


def classify(resp: httpx.Response) -> Verdict:
    status = resp.status_code
    rid = resp.headers.get("X-Request-Id")
    if 200 <= status < 300:
        return Verdict("ok", request_id=rid)
    etype, text = "", resp.text[:500]
    try:
        payload = json.loads(resp.content)
        err = (payload.get("errors") or [{}])[0]
        etype = str(err.get("error_type") or "")
        text = f"{etype}: {err.get('message') or payload.get('message') or ''}"
    except (ValueError, AttributeError, TypeError):
        pass
    hint = parse_retry_after(resp.headers.get("Retry-After"))
    if status in (420, 429) or status >= 500 or etype.startswith("quota_") or etype in RETRY_TYPES:
        return Verdict("retry", hint, text, etype or str(status), rid)
    if status == 401 or etype in REFRESH_TYPES:
        return Verdict("refresh", None, text, etype or str(status), rid)
    if unreadable_json(resp):
        # A mangled error body hides what Metrika meant (an expired token comes as 403 invalid_token): ask again
        # instead of failing on the status alone; the retry budget still bounds it.
        return Verdict("retry", None, f"unreadable error answer: {text}", str(status), rid)
    return Verdict("fatal", None, text, etype or str(status), rid)


def make_client(settings: Settings, *, transport: httpx.BaseTransport | None = None) -> ApiClient:
    return yandex_api_client(settings, classify, scheme="OAuth", transport=transport)
