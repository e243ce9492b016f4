"""`load_demo`: registers the sandbox's tenants/clients/accounts and loads every platform through the connectors."""

from ingestion.demo import load_demo


def test_load_demo_registers_accounts_and_loads_direct_and_metrika(ch):
    summary = load_demo(ch, days=2, progress=False, platforms=("yandex_direct", "yandex_metrika"))
    for table in (
        "raw_yandex_direct.ad_stats_daily",
        "raw_yandex_direct.campaigns",
        "raw_yandex_metrika.visits",
        "raw_yandex_metrika.traffic_daily",
    ):
        assert summary[table] > 0, table
    accounts = ch.query(
        "SELECT platform, count() FROM app.accounts FINAL WHERE tenant_id IN ('demo-agency', "
        "'north-media') GROUP BY platform ORDER BY platform"
    ).result_rows
    assert dict(accounts)["yandex_direct"] == 4 and dict(accounts)["yandex_metrika"] == 5
    ok = ch.query(
        "SELECT countIf(status = 'ok'), countIf(status = 'failed') FROM app.load_log "
        "WHERE tenant_id IN ('demo-agency', 'north-media')"
    ).result_rows[0]
    assert ok[0] >= 9 * 2 and ok[1] == 0
