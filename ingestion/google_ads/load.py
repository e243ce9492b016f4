"""``load``: one Google Ads customer's campaigns (snapshot) and ad statistics (re-pull window), each through
``run_loads`` so both tables switch together; idempotent like every connector."""

from __future__ import annotations

from typing import Any, Unpack

from ingestion.common import ConfigError, days_between
from ingestion.common.loading import AccountLoad, LoadRequest, LoadSpec, run_loads
from ingestion.google_ads import fetch
from ingestion.google_ads.client import make_client
from ingestion.google_ads.settings import PLATFORM, Settings, customer_digits


def load(client: Any, settings: Settings, **request: Unpack[LoadRequest]) -> dict[str, int]:
    """Replace the customer's campaign snapshot and its ad × day statistics for the re-pull window."""
    ask = AccountLoad.of(request, PLATFORM, require_ids=True)
    tenant_id, account_id, today = ask.tenant_id, ask.account_id, ask.today
    try:
        customer_id = customer_digits(account_id)
    except ValueError as exc:
        raise ConfigError(str(exc), platform=PLATFORM) from exc
    start, end = ask.window(settings.lookback_days)
    with make_client(settings) as api:
        known: list[tuple[str, str]] = []

        def customer() -> tuple[str, str]:
            # Asked inside each table's fetch, so a cut answer is retried with it (run_loads' payload attempts).
            if not known:
                known.append(fetch.customer_info(api, settings, customer_id))
            return known[0]

        specs = [
            LoadSpec(
                "campaigns",
                "raw_google_ads.campaigns",
                None,
                None,
                None,
                lambda: fetch.fetch_campaigns(
                    api, settings, tenant_id=tenant_id, customer_id=customer_id, currency=customer()[0]
                ),
            ),
            LoadSpec(
                "ad_stats_daily",
                "raw_google_ads.ad_stats_daily",
                start,
                end,
                days_between(start, end),
                lambda: fetch.fetch_ad_stats(
                    api,
                    settings,
                    tenant_id=tenant_id,
                    customer_id=customer_id,
                    date_from=start,
                    date_to=end,
                    today=today,
                    currency=customer()[0],
                    timezone=customer()[1],
                ),
            ),
        ]
        results = run_loads(
            client,
            tenant_id=tenant_id,
            platform=PLATFORM,
            account_id=customer_id,
            loads=specs,
            api=api,
            payload_attempts=settings.payload_attempts,
            on_rows=ask.progress,
        )
    return {r.table: r.rows for r in results}
