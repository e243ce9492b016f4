"""The rates asset loads every day a non-rouble account needs: from the account's first raw day until a rate load
has covered it, then only the partition's window."""

from __future__ import annotations

import datetime as dt


def test_rates_window_reaches_back_to_the_first_day_a_foreign_account_has(ch):
    from orchestration.reference import needed_from
    from warehouse.migrate import migrate

    migrate(ch)
    first = dt.date(2026, 6, 10)
    assert needed_from(ch, first) <= first
    ch.insert("app.accounts", [["rt_t", "rt_c", "google_ads", "rt-usd", "USD"]],
              column_names=["tenant_id", "client_id", "platform", "account_id", "currency"])
    ch.insert("raw_google_ads.ad_stats_daily", [["rt_t", "rt-usd", dt.date(2026, 5, 20)]],
              column_names=["tenant_id", "account_id", "date_day"])
    assert needed_from(ch, first) == dt.date(2026, 5, 20)
    # once a rate load covered days before that, only the partition's own window is needed
    ch.insert("app.raw_window_versions", [["raw_cbr.fx_daily", "_shared", "cbr", dt.date(2026, 5, 1), "l1",
                                           dt.datetime(2026, 6, 1, tzinfo=dt.UTC)]],
              column_names=["table_name", "tenant_id", "account_id", "date_day", "load_id", "loaded_at"])
    assert needed_from(ch, first) == first
    for sql in ("ALTER TABLE app.raw_window_versions DELETE WHERE load_id = 'l1' AND tenant_id = '_shared'",
                "ALTER TABLE app.accounts DELETE WHERE tenant_id = 'rt_t'",
                "ALTER TABLE raw_google_ads.ad_stats_daily DELETE WHERE tenant_id = 'rt_t'"):
        ch.command(sql, settings={"mutations_sync": 2})
