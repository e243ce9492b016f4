"""Retention TTLs, backup → wipe → restore by fingerprints, and erasure of one client, on the embedded warehouse."""

from __future__ import annotations

import datetime as dt

import pytest

from warehouse import lifecycle as lc

T = "lc_t"
DB = "marts_lc_it"


@pytest.fixture(scope="module")
def data(ch):
    from assistants.insights import synthetic
    from warehouse.migrate import migrate

    migrate(ch)
    ch.command(f"DROP DATABASE IF EXISTS {DB}")
    synthetic.generate(ch, DB, T, ["gone", "stays"], dt.date(2026, 5, 1), 20, seed=5)
    # a mart of mergeable states (AggregateFunction columns), as dbt's reach states are
    ch.command(
        f"CREATE TABLE {DB}.states (tenant_id String, client_id String, date_day Date, "
        "users_state AggregateFunction(uniqCombined, UInt64)) ENGINE = MergeTree ORDER BY tenant_id"
    )
    ch.command(
        f"INSERT INTO {DB}.states SELECT {{t:String}}, c, toDate('2026-05-01'), uniqCombinedState(number) "
        "FROM numbers(500) ARRAY JOIN ['gone', 'stays'] AS c GROUP BY c",
        parameters={"t": T},
    )
    ch.insert(
        "app.clients",
        [[T, "gone", "Leaving client"], [T, "stays", "Staying client"]],
        column_names=["tenant_id", "client_id", "name"],
    )
    ch.insert(
        "app.accounts",
        [[T, "gone", "yandex_direct", "gone-acc"], [T, "stays", "yandex_direct", "stays-acc"]],
        column_names=["tenant_id", "client_id", "platform", "account_id"],
    )
    ch.insert(
        "raw_yandex_direct.ad_stats_daily",
        [[T, acc, dt.date(2026, 5, d)] for acc in ("gone-acc", "stays-acc") for d in range(1, 11)],
        column_names=["tenant_id", "account_id", "date_day"],
    )
    yield
    ch.command(f"DROP DATABASE IF EXISTS {DB}")


def _client_rows(ch, client: str) -> dict[str, int]:
    """Rows of the client in every table that names clients (scanning system tables), and its raw rows."""
    out = {}
    for t in lc.tables(ch):
        if t.has_client and "tenant_id" in t.columns:
            n = ch.query(
                f"SELECT count() FROM {t.fq} WHERE tenant_id = {{t:String}} AND client_id = {{c:String}}",
                parameters={"t": T, "c": client},
            ).result_rows[0][0]
            if n:
                out[f"{t.database}.{t.name}"] = n
    out["raw"] = ch.query(
        "SELECT count() FROM raw_yandex_direct.ad_stats_daily WHERE tenant_id = {t:String} "
        "AND account_id = {a:String}",
        parameters={"t": T, "a": f"{client}-acc"},
    ).result_rows[0][0]
    return out


def _fingerprints(ch, client: str) -> dict[str, tuple[int, str]]:
    return {
        f"{t.database}.{t.name}": lc.fingerprint(
            ch, t, "tenant_id = {t:String} AND client_id = {c:String}", {"t": T, "c": client}
        )
        for t in lc.tables(ch)
        if t.has_client and "tenant_id" in t.columns
    }


def test_backup_wipe_restore_equals_the_fingerprints(ch, data, tmp_path):
    before = {
        f"{t.database}.{t.name}": lc.fingerprint(ch, t, "tenant_id = {t:String}", {"t": T})
        for t in lc.tables(ch)
        if "tenant_id" in t.columns
    }
    manifest = lc.backup(ch, tmp_path / "b1", tenant=T)
    assert manifest["tables"][f"{DB}.fct_ad_performance_daily"]["rows"] == 2 * 20 * 4
    with pytest.raises(lc.LifecycleError, match="not empty"):
        lc.backup(ch, tmp_path / "b1", tenant=T)
    lc.erase(ch, T, dry_run=False, by="test")
    assert _client_rows(ch, "stays") == {"raw": 0}
    lc.restore(ch, tmp_path / "b1")
    after = {
        f"{t.database}.{t.name}": lc.fingerprint(ch, t, "tenant_id = {t:String}", {"t": T})
        for t in lc.tables(ch)
        if "tenant_id" in t.columns
    }
    assert {k: v for k, v in after.items() if v[0]} == {k: v for k, v in before.items() if v[0]}
    assert [b["tenant"] for b in lc.list_backups(tmp_path)] == [T]


def test_a_damaged_backup_file_is_refused(ch, data, tmp_path):
    lc.backup(ch, tmp_path / "b2", tenant=T)
    f = next((tmp_path / "b2").glob(f"{DB}.fct_channel_daily.native"))
    f.write_bytes(f.read_bytes()[:-10] + b"0123456789")
    with pytest.raises(lc.LifecycleError, match="damaged"):
        lc.restore(ch, tmp_path / "b2")


def test_erasing_one_client_leaves_nothing_of_it_and_the_other_untouched(ch, data):
    other = _fingerprints(ch, "stays")
    plan = lc.erase(ch, T, "gone", dry_run=True)
    assert plan[f"{DB}.fct_ad_performance_daily"] == 20 * 4 and plan["raw_yandex_direct.ad_stats_daily"] == 10
    assert _client_rows(ch, "gone")["raw"] == 10  # a dry run removes nothing
    lc.erase(ch, T, "gone", dry_run=False, by="admin@agency")
    assert _client_rows(ch, "gone") == {"raw": 0}
    assert _fingerprints(ch, "stays") == other
    audit = ch.query(
        "SELECT target, detail FROM app.audit_log WHERE tenant_id = {t:String} AND action = 'erase_client'",
        parameters={"t": T},
    ).result_rows
    assert len(audit) == 1 and "gone" not in audit[0][0] + audit[0][1]


def test_retention_ttl_removes_rows_past_their_class_and_honours_a_tenant_override(ch):
    ch.command("DROP DATABASE IF EXISTS raw_lc_ttl")
    ch.command("CREATE DATABASE raw_lc_ttl")
    ch.command(
        "CREATE TABLE raw_lc_ttl.visits (tenant_id String, date_day Date, n UInt32) "
        "ENGINE = MergeTree ORDER BY (tenant_id, date_day)"
    )
    ch.command(
        "CREATE TABLE raw_lc_ttl.ad_stats_daily (tenant_id String, date_day Date, n UInt32) "
        "ENGINE = MergeTree ORDER BY (tenant_id, date_day)"
    )
    today = ch.query("SELECT today()").result_rows[0][0]  # the server's clock decides TTLs
    ages = {"m11": 335, "m13": 400, "m25": 770}
    for table in ("visits", "ad_stats_daily"):
        ch.insert(
            f"raw_lc_ttl.{table}",
            [[t, today - dt.timedelta(days=d), 1] for t in ("plain", "keeper") for d in ages.values()],
            column_names=["tenant_id", "date_day", "n"],
        )
    lc.set_override(ch, "keeper", "raw_events", 24)
    try:
        assert sorted(lc.apply_retention(ch, ["raw_lc_ttl"])) == [
            "raw_lc_ttl.ad_stats_daily",
            "raw_lc_ttl.visits",
        ]
        for table in ("visits", "ad_stats_daily"):
            ch.command(f"ALTER TABLE raw_lc_ttl.{table} MATERIALIZE TTL", settings={"mutations_sync": 2})
            ch.command(f"OPTIMIZE TABLE raw_lc_ttl.{table} FINAL")

        def kept(table: str, tenant: str) -> list[int]:
            return sorted(
                (today - r[0]).days
                for r in ch.query(
                    f"SELECT date_day FROM raw_lc_ttl.{table} WHERE tenant_id = {{t:String}}",
                    parameters={"t": tenant},
                ).result_rows
            )

        assert kept("visits", "plain") == [335]  # raw events: 12 months
        assert kept("visits", "keeper") == [335, 400]  # the tenant keeps raw events 24 months
        assert kept("ad_stats_daily", "plain") == [335, 400]  # daily statistics: 24 months
    finally:
        ch.command("DROP DATABASE IF EXISTS raw_lc_ttl")
        ch.command(
            "ALTER TABLE app.retention_overrides DELETE WHERE tenant_id = 'keeper'",
            settings={"mutations_sync": 2},
        )
