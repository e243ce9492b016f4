"""`mrm sandbox start` lists the Bank of Russia, Google OAuth, Google Ads and GA4 emulators, and the credentials
it prints are the ones they accept (read back from the printed text, not from the constants)."""

from __future__ import annotations

import re

import httpx

from ingestion.cli import UNDESCRIBED, sandbox_credentials
from ingestion.sandbox.testing import sandbox  # noqa: F401


def test_printed_credentials_open_the_google_and_cbr_emulators(sandbox) -> None:  # noqa: F811
    printed = {
        api: " ".join(sandbox_credentials(api, url, sandbox.world)) for api, url in sandbox.urls.items()
    }
    assert {"cbr", "google_oauth", "google_ads", "ga4"} <= set(printed)
    assert not [api for api in ("cbr", "google_oauth", "google_ads", "ga4") if UNDESCRIBED in printed[api]]

    def field(api: str, pattern: str) -> str:
        found = re.search(pattern, printed[api])
        assert found, f"{api}: {pattern} not in {printed[api]!r}"
        return found.group(1)

    rates = httpx.get(field("cbr", r"GET (\S+)\?"), params={"date_req": "05/01/2026"})
    assert rates.status_code == 200 and b"ValCurs" in rates.content
    token = httpx.post(
        f"{sandbox.url('google_oauth')}/token",
        data={
            "grant_type": "refresh_token",
            "refresh_token": field("google_oauth", r"refresh_token=(\S+)"),
            "client_id": field("google_oauth", r"client_id=(\S+)"),
            "client_secret": field("google_oauth", r"client_secret=(\S+)"),
        },
    ).json()["access_token"]
    customer = field("google_ads", r"customers: (\d+)")
    ads = httpx.post(
        f"{sandbox.url('google_ads')}/v22/customers/{customer}/googleAds:search",
        json={"query": "SELECT customer.currency_code FROM customer"},
        headers={
            "Authorization": f"Bearer {token}",
            "developer-token": field("google_ads", r"developer-token: (\S+)"),
            "login-customer-id": field("google_ads", r"login-customer-id: (\d+)"),
        },
    )
    assert ads.status_code == 200, ads.text
    assert ads.json()["results"][0]["customer"]["currencyCode"] in ("USD", "EUR")
    prop = field("ga4", r"properties: (\d+)")
    report = httpx.post(
        f"{sandbox.url('ga4')}/v1beta/properties/{prop}:runReport",
        headers={"Authorization": f"Bearer {token}"},
        json={
            "dateRanges": [{"startDate": "2026-01-05", "endDate": "2026-01-06"}],
            "metrics": [{"name": "sessions"}],
        },
    )
    assert report.status_code == 200 and int(report.json()["rows"][0]["metricValues"][0]["value"]) > 0
