"""GA4 Data API HTTP plumbing: Google's error shape (shared with Google Ads) on the shared Google OAuth grant."""

from __future__ import annotations

import httpx

from ingestion.common import ApiClient
from ingestion.ga4.settings import Settings
from ingestion.google_ads.client import google_api_client


def make_client(settings: Settings, *, transport: httpx.BaseTransport | None = None) -> ApiClient:
    # 429 RESOURCE_EXHAUSTED (property tokens, concurrent requests) and 5xx back off and retry within the
    # policy's wait budget; 401 mints a new access token; 403 PERMISSION_DENIED and 400 fail loudly.
    return google_api_client(settings, headers={}, transport=transport)
