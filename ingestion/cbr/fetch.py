"""Daily rates for a window: one XML_daily.asp request per day, each answer kept under the day it is in force."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import pyarrow as pa

from ingestion.cbr import schema
from ingestion.cbr.parse import DailyRates, parse_daily
from ingestion.cbr.settings import SHARED_TENANT, SOURCE_ACCOUNT, Settings
from ingestion.common import ApiClient, PayloadError
from ingestion.common.http import request_id_of


def fetch_day(api: ApiClient, settings: Settings, day: date) -> DailyRates:
    """The rates in force on `day`, as the bank answers: a day without new rates gets the last ones, dated."""
    # A small, whole document: a body cut or garbled in transit is simply asked for again.
    for attempt in range(1, settings.payload_attempts + 1):
        resp = api.request("GET", settings.daily_path, params={"date_req": day.strftime("%d/%m/%Y")})
        try:
            return parse_daily(resp.content, request_id=request_id_of(resp))
        except PayloadError as exc:
            if not exc.retryable or attempt == settings.payload_attempts:
                raise
    raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises


def fetch_rates(api: ApiClient, settings: Settings, *, days: Iterable[date]) -> pa.Table:
    """Rows of raw_cbr.fx_daily for the publications dated inside `days` (each publication once)."""
    wanted = set(days)
    keep = {c.upper() for c in settings.currencies}
    published: dict[date, DailyRates] = {}
    for day in sorted(wanted):
        if day in published:
            continue
        answer = fetch_day(api, settings, day)
        # Asked about a weekend or holiday, the bank repeats the last publication: stored once, under its date.
        if answer.date in wanted:
            published.setdefault(answer.date, answer)
    rows = [
        {
            "tenant_id": SHARED_TENANT,
            "account_id": SOURCE_ACCOUNT,
            "date_day": pub.date,
            "valute_id": r.valute_id,
            "num_code": r.num_code,
            "char_code": r.char_code,
            "nominal": r.nominal,
            "name": r.name,
            "value": r.value,
        }
        for pub in published.values()
        for r in pub.rates
        if not keep or r.char_code in keep
    ]
    return pa.Table.from_pylist(rows, schema=schema.FX_DAILY)
