"""The rates asset loads every day a non-rouble account needs: from the account's first raw day that no rate load
covered, then only the partition's window. Its own warehouse: other suites' foreign accounts must not count."""

from __future__ import annotations

import datetime as dt

import clickhouse_connect


def test_rates_window_reaches_back_to_the_first_uncovered_day_a_foreign_account_has(tmp_path):
    from orchestration.reference import needed_from
    from tests.conftest import free_port
    from warehouse import embedded
    from warehouse.migrate import migrate

    info = embedded.start(tmp_path / "data", port=free_port())
    ch = clickhouse_connect.get_client(dsn=info.url)
    try:
        migrate(ch)
        first = dt.date(2026, 6, 10)
        assert needed_from(ch, first) == first  # no foreign account: only the partition's window
        ch.insert(
            "app.accounts",
            [["rt_t", "rt_c", "google_ads", "rt-usd", "USD"]],
            column_names=["tenant_id", "client_id", "platform", "account_id", "currency"],
        )
        ch.insert(
            "raw_google_ads.ad_stats_daily",
            [["rt_t", "rt-usd", dt.date(2026, 5, 20)]],
            column_names=["tenant_id", "account_id", "date_day"],
        )
        assert needed_from(ch, first) == dt.date(2026, 5, 20)

        def cover(a: dt.date, b: dt.date) -> None:
            days = [a + dt.timedelta(days=i) for i in range((b - a).days + 1)]
            ch.insert(
                "app.raw_window_versions",
                [
                    ["raw_cbr.fx_daily", "_shared", "cbr", d, "l1", dt.datetime(2026, 6, 1, tzinfo=dt.UTC)]
                    for d in days
                ],
                column_names=["table_name", "tenant_id", "account_id", "date_day", "load_id", "loaded_at"],
            )

        cover(dt.date(2026, 5, 20), dt.date(2026, 5, 31))
        assert needed_from(ch, first) == dt.date(2026, 6, 1)  # the first day still without a rate
        cover(dt.date(2026, 6, 1), dt.date(2026, 6, 9))
        assert needed_from(ch, first) == first
    finally:
        ch.close()
        embedded.stop(tmp_path / "data")
