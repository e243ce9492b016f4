"""Reference data in Dagster: the Bank of Russia daily exchange rates (ingestion.cbr) as the asset
`raw_cbr/fx_daily`, materialised in the daily job before dbt.

The conformed model converts every non-rouble account's money at the rate of the day and fails the build when a
day has no rate (never converting at 1), so this asset loads every day that such an account has data for and no
load has covered yet: the partition's window, and on the first run the whole history of those accounts.
"""

# No `from __future__ import annotations`: Dagster reads the asset's annotations at definition.
import datetime as dt
from typing import Any

import dagster as dg
from pydantic import Field

from mrm import clock
from orchestration.endpoints import check_loopback
from orchestration.partitions import MOSCOW, context_days, daily_partitions
from orchestration.retries import TRANSIENT_RETRY, fail_unless_transient


class CbrResource(dg.ConfigurableResource):
    """Where the Bank of Russia rates come from: the official site, or the local emulator."""

    sandbox: bool = Field(False, description="Use the local emulator (ingestion.sandbox) instead of cbr.ru")
    sandbox_url: str = Field(
        "", description="Emulator base URL on loopback; empty = a running `mrm sandbox` or one in-process"
    )

    def settings_and_today(self) -> tuple[Any, dt.date]:
        from ingestion import cbr

        if not self.sandbox:
            return cbr.Settings(), clock.today(MOSCOW)
        if self.sandbox_url:
            return cbr.Settings.for_sandbox(check_loopback(self.sandbox_url, "cbr.sandbox_url")), clock.today(
                MOSCOW
            )
        from ingestion.demo import sandbox_urls

        urls, today = sandbox_urls()
        return cbr.Settings.for_sandbox(urls["cbr"]), today


def needed_from(ch: Any, first: dt.date) -> dt.date:
    """The earliest day a non-rouble account has raw data for and no rate load has covered (else `first`)."""
    from ingestion.cbr.settings import RAW_TABLE, SHARED_TENANT
    from warehouse.lifecycle import tables

    accounts = ch.query(
        "SELECT DISTINCT tenant_id, account_id FROM app.accounts FINAL "
        "WHERE currency != '' AND currency != 'RUB'"
    ).result_rows
    if not accounts:
        return first
    pairs = [tuple(p) for p in accounts]
    start = first
    for t in tables(ch):
        if not t.database.startswith("raw_") or t.database == "raw_cbr":
            continue
        if not {"tenant_id", "account_id", "date_day"} <= set(t.columns):
            continue
        row = ch.query(
            f"SELECT min(date_day) FROM {t.fq} WHERE (tenant_id, account_id) IN "  # noqa: S608 - system names
            "{pairs:Array(Tuple(String, String))}",
            parameters={"pairs": pairs},
        ).result_rows
        day = row[0][0] if row else None
        if day and day.year > 1970 and day < start:
            start = day
    if start == first:
        return first
    # the first day of [start, first) that no rate load covered yet (a later partition then loads only its window)
    covered = {
        r[0]
        for r in ch.query(
            "SELECT DISTINCT date_day FROM app.raw_window_versions FINAL WHERE table_name = {t:String} "
            "AND tenant_id = {s:String} AND date_day >= {a:Date} AND date_day < {b:Date}",
            parameters={"t": RAW_TABLE, "s": SHARED_TENANT, "a": start, "b": first},
        ).result_rows
    }
    day = start
    while day < first and day in covered:
        day += dt.timedelta(days=1)
    return day


@dg.asset(
    key=["raw_cbr", "fx_daily"],
    group_name="raw_cbr",
    partitions_def=daily_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    retry_policy=TRANSIENT_RETRY,
    kinds={"clickhouse", "python"},
    required_resource_keys={"warehouse", "cbr"},
    description="Bank of Russia daily exchange rates (roubles per unit, nominal applied in dbt), shared by every "
    "tenant; weekends and holidays carry the last published rate. Loads every day a non-rouble "
    "account needs that no load has covered yet.",
)
def cbr_fx_daily(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    from ingestion import cbr

    first, last = context_days(context)
    ch = context.resources.warehouse.client()
    try:
        settings, today = context.resources.cbr.settings_and_today()
        start = needed_from(ch, first)
        rows = cbr.load(ch, settings, date_from=start, date_to=min(last, today), today=today)
    except Exception as exc:  # a network hiccup is retried; a bug or a refusal fails at once, named
        raise fail_unless_transient(exc, "Bank of Russia rates") from exc
    finally:
        ch.close()
    context.log.info(f"rates {start}..{last}: {sum(rows.values())} rows")
    return dg.MaterializeResult(metadata={"rows": sum(rows.values()), "from": str(start), "to": str(last)})
