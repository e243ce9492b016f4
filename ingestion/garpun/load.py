"""``load``: one Garpun account's window into raw_garpun.{campaigns, ad_stats_daily}, each through ``run_load``."""

from __future__ import annotations

from contextlib import nullcontext
from typing import Any, Unpack

from ingestion.common import with_registered_vat
from ingestion.common.loading import AccountLoad, LoadRequest, LoadSpec
from ingestion.garpun import fetch
from ingestion.garpun.client import GarpunClient
from ingestion.garpun.settings import Settings

PLATFORM = "garpun"


def load(
    client: Any, settings: Settings, *, garpun: GarpunClient | None = None, **request: Unpack[LoadRequest]
) -> dict[str, int]:
    """Replace the account's campaigns (snapshot) and ad statistics for the re-pull window; rows per table."""
    ask = AccountLoad.of(request, PLATFORM, require_ids=True)
    tenant_id, account_id, today = ask.tenant_id, ask.account_id, ask.today
    start, end = ask.window(settings.lookback_days)
    # Rows without DataHub's own `vat_included` take the account's registered convention.
    settings = with_registered_vat(
        client, settings, "cost_includes_vat", tenant_id=tenant_id, platform=PLATFORM, account_id=account_id
    )
    # A client the caller passed stays open for the caller; one made here is closed here.
    with nullcontext(garpun) if garpun is not None else GarpunClient(settings) as gp:
        loads = [
            LoadSpec.snapshot(
                "campaigns",
                "raw_garpun.campaigns",
                lambda: fetch.fetch_campaigns(gp, settings, tenant_id=tenant_id, account_id=account_id),
            ),
            LoadSpec.window(
                "ad_stats_daily",
                "raw_garpun.ad_stats_daily",
                start,
                end,
                lambda: fetch.fetch_ad_stats(
                    gp,
                    settings,
                    tenant_id=tenant_id,
                    account_id=account_id,
                    date_from=start,
                    date_to=end,
                    today=today,
                ),
            ),
        ]
        return ask.run(client, settings, gp.api, loads)
