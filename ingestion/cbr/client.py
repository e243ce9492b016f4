"""Bank of Russia HTTP plumbing: the common ApiClient with its generic classification (no credentials)."""

from __future__ import annotations

import httpx

from ingestion.cbr.settings import PLATFORM, Settings
from ingestion.common import ApiClient
from ingestion.common.http import default_classifier


def make_client(settings: Settings, *, transport: httpx.BaseTransport | None = None) -> ApiClient:
    # 429/5xx and transport faults are retried with backoff; any other error status is a loud failure.
    return ApiClient(
        PLATFORM,
        settings.base_url,
        classify=default_classifier,
        policy=settings.retry_policy(),
        timeout=settings.timeout_s,
        transport=transport,
    )
