"""Window loads replace exactly their window, idempotently, even with production insert deduplication on."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid

import pyarrow as pa
import pytest

from warehouse.loads import current_rows_sql, load_logged, replace_window

DDL = """
CREATE TABLE {t} (
    tenant_id LowCardinality(String), account_id String, date_day Date, ad_id UInt64,
    impressions UInt64, cost Decimal(18, 6), _load_id String, _loaded_at DateTime64(3, 'UTC')
) ENGINE = MergeTree ORDER BY (tenant_id, account_id, date_day, ad_id)
SETTINGS non_replicated_deduplication_window = 1000
"""
# non_replicated_deduplication_window makes plain MergeTree drop identical re-inserted blocks, as Replicated and
# Cloud tables do by default: the production trap of docs/domain.md, reproduced on the embedded engine.

DAYS = [dt.date(2026, 5, 1) + dt.timedelta(days=i) for i in range(3)]


def rows(days, ads=3, scale=1):
    return pa.table(
        {
            "date_day": pa.array([d for d in days for _ in range(ads)], pa.date32()),
            "ad_id": pa.array([a for _ in days for a in range(ads)], pa.uint64()),
            "impressions": pa.array([100 * scale] * len(days) * ads, pa.uint64()),
            "cost": pa.array([decimal.Decimal("10.5") * scale] * len(days) * ads, pa.decimal128(18, 6)),
        }
    )


@pytest.fixture()
def table(ch):
    name = f"default.stats_{uuid.uuid4().hex[:8]}"
    ch.command(DDL.format(t=name))
    yield name
    ch.command(f"DROP TABLE {name}")


def state(ch, table):
    return ch.query(
        f"SELECT count(), sum(impressions), sum(cost), "
        f"groupBitXor(cityHash64(tenant_id, account_id, date_day, ad_id, impressions, cost)) FROM {table}"
    ).result_rows[0]


def test_reload_twice_equals_one_clean_load(ch, table):
    replace_window(ch, table, rows(DAYS), tenant_id="t1", account_id="a1", days=DAYS)
    once = state(ch, table)
    for _ in range(2):  # identical data again: dedup must not swallow it, nothing may double
        replace_window(ch, table, rows(DAYS), tenant_id="t1", account_id="a1", days=DAYS)
        assert state(ch, table) == once
    assert once[0] == 9 and once[1] == 900


def test_window_replace_touches_only_its_window_tenant_and_account(ch, table):
    replace_window(ch, table, rows(DAYS), tenant_id="t1", account_id="a1", days=DAYS)
    replace_window(ch, table, rows(DAYS), tenant_id="t2", account_id="a1", days=DAYS)
    replace_window(ch, table, rows(DAYS), tenant_id="t1", account_id="a2", days=DAYS)
    # restated last day: fewer ads (one stopped) and new numbers
    replace_window(ch, table, rows(DAYS[2:], ads=2, scale=2), tenant_id="t1", account_id="a1", days=DAYS[2:])
    got = ch.query(
        f"SELECT tenant_id, account_id, date_day, count(), sum(impressions) FROM {table} "
        "GROUP BY ALL ORDER BY ALL"
    ).result_rows
    t1a1 = [r for r in got if r[:2] == ("t1", "a1")]
    assert [(r[2], r[3], r[4]) for r in t1a1] == [(DAYS[0], 3, 300), (DAYS[1], 3, 300), (DAYS[2], 2, 400)]
    assert sum(r[3] for r in got if r[:2] == ("t2", "a1")) == 9
    assert sum(r[3] for r in got if r[:2] == ("t1", "a2")) == 9


def test_empty_day_in_window_removes_stale_rows(ch, table):
    replace_window(ch, table, rows(DAYS), tenant_id="t1", account_id="a1", days=DAYS)
    replace_window(ch, table, rows(DAYS[:1]), tenant_id="t1", account_id="a1", days=DAYS)
    assert ch.query(f"SELECT DISTINCT date_day FROM {table}").result_rows == [(DAYS[0],)]


def test_bad_row_fails_loudly_and_leaves_previous_data(ch, table):
    replace_window(ch, table, rows(DAYS), tenant_id="t1", account_id="a1", days=DAYS)
    before = state(ch, table)

    def batches():
        yield rows(DAYS[:1], scale=5).to_batches()[0]  # lands, then must be removed
        yield rows([dt.date(2026, 6, 1)]).to_batches()[0]  # outside the window

    with pytest.raises(ValueError, match=r"row 3 has date_day=2026-06-01 outside the load window"):
        replace_window(ch, table, batches(), tenant_id="t1", account_id="a1", days=DAYS)
    assert state(ch, table) == before
    with pytest.raises(ValueError, match="tenant_id='t9'"):
        replace_window(
            ch,
            table,
            rows(DAYS).append_column("tenant_id", pa.array(["t9"] * 9)),
            tenant_id="t1",
            account_id="a1",
            days=DAYS,
        )
    assert state(ch, table) == before


def test_crash_before_switch_is_invisible_and_cleaned_by_next_load(ch, table):
    replace_window(ch, table, rows(DAYS), tenant_id="t1", account_id="a1", days=DAYS)
    clean = state(ch, table)
    # simulate a process killed after inserting rows but before the version switch
    orphan = rows(DAYS, scale=7)
    n = orphan.num_rows
    orphan = orphan.append_column("tenant_id", pa.array(["t1"] * n)).append_column(
        "account_id", pa.array(["a1"] * n)
    )
    orphan = orphan.append_column("_load_id", pa.array(["crashed"] * n))
    orphan = orphan.append_column("_loaded_at", pa.array([dt.datetime(2026, 5, 5)] * n, pa.timestamp("ms")))
    ch.insert_arrow(table, orphan)
    visible = ch.query(f"SELECT count(), sum(impressions) FROM ({current_rows_sql(table)})").result_rows[0]
    assert visible == (9, 900)
    replace_window(ch, table, rows(DAYS), tenant_id="t1", account_id="a1", days=DAYS)
    assert state(ch, table) == clean


def test_snapshot_replace(ch):
    name = f"default.dim_{uuid.uuid4().hex[:8]}"
    ch.command(
        f"CREATE TABLE {name} (tenant_id String, account_id String, id UInt64, name String, _load_id String, "
        "_loaded_at DateTime64(3, 'UTC')) ENGINE = MergeTree ORDER BY id"
    )
    replace_window(
        ch, name, pa.table({"id": [1, 2], "name": ["a", "b"]}), tenant_id="t", account_id="x", days=None
    )
    replace_window(ch, name, pa.table({"id": [2], "name": ["b2"]}), tenant_id="t", account_id="x", days=None)
    assert ch.query(f"SELECT id, name FROM {name}").result_rows == [(2, "b2")]
    assert ch.query(f"SELECT id FROM ({current_rows_sql(name, snapshot=True)})").result_rows == [(2,)]


def test_load_log_records_success_and_failure(ch):
    tenant = f"t-{uuid.uuid4().hex[:6]}"
    with load_logged(
        ch,
        tenant_id=tenant,
        platform="yandex_direct",
        report="ad_stats_daily",
        account_id="a",
        date_from=DAYS[0],
        date_to=DAYS[-1],
    ) as log:
        log.rows += 42
        log.request_ids.append("req-1")
    with pytest.raises(RuntimeError):
        with load_logged(
            ch, tenant_id=tenant, platform="vk_ads", report="banner_stats_daily", account_id="a"
        ):
            raise RuntimeError("ERR_INTERNAL: stats unavailable")
    got = ch.query(
        "SELECT platform, status, rows, request_ids, error FROM app.load_log WHERE tenant_id = {t:String} "
        "AND status != 'running' ORDER BY platform",
        parameters={"t": tenant},
    ).result_rows
    assert got == [
        ("vk_ads", "failed", 0, [], "RuntimeError: ERR_INTERNAL: stats unavailable"),
        ("yandex_direct", "ok", 42, ["req-1"], ""),
    ]


def test_load_streams_in_parts_and_keeps_every_row(ch, table, monkeypatch):
    from warehouse import loads

    monkeypatch.setattr(loads, "PART_ROWS", 4)  # 9 + 9 rows → several insert requests, split mid-batch stream

    def batches():
        yield from rows(DAYS).to_batches(max_chunksize=2)
        # Same columns, another order and a dictionary column: a new schema starts a new part.
        other = rows(DAYS, ads=6).slice(9)
        yield pa.table(
            {
                "ad_id": other["ad_id"],
                "date_day": other["date_day"],
                "impressions": other["impressions"],
                "cost": other["cost"],
            }
        ).to_batches()[0]

    n = replace_window(ch, table, batches(), tenant_id="t1", account_id="a1", days=DAYS)
    assert n == 18
    assert ch.query(
        f"SELECT count(), uniqExact(ad_id), sum(impressions), uniqExact(_load_id), any(tenant_id), "
        f"any(account_id) FROM {table}"
    ).result_rows[0] == (18, 6, 1800, 1, "t1", "a1")


def test_failure_in_a_later_part_leaves_previous_data(ch, table, monkeypatch):
    from warehouse import loads

    replace_window(ch, table, rows(DAYS), tenant_id="t1", account_id="a1", days=DAYS)
    before = state(ch, table)
    monkeypatch.setattr(loads, "PART_ROWS", 3)

    class Boom(Exception):
        pass

    def batches():
        yield from rows(DAYS, scale=3).to_batches(max_chunksize=2)  # parts 0..2 complete and are inserted
        raise Boom("producer died mid-stream")

    with pytest.raises(Boom):
        replace_window(ch, table, batches(), tenant_id="t1", account_id="a1", days=DAYS)
    assert state(ch, table) == before


def test_first_load_of_a_window_runs_no_delete(ch, table):
    def mutations():
        db, name = table.split(".")
        return ch.command(
            "SELECT count() FROM system.mutations WHERE database = {d:String} AND table = {t:String}",
            parameters={"d": db, "t": name},
        )

    replace_window(ch, table, rows(DAYS), tenant_id="t1", account_id="a1", days=DAYS)
    assert mutations() == 0  # nothing superseded: no mutation over the table's parts
    replace_window(ch, table, rows(DAYS), tenant_id="t1", account_id="a1", days=DAYS)
    assert mutations() >= 1  # the reload supersedes the first load's rows and deletes them
    assert ch.command(f"SELECT count() FROM {table}") == 9


class _LosingDeletes:
    """The warehouse client, except that the first `lose` DELETEs report success and remove nothing: what the
    engine does when two lightweight DELETEs of one table race and one loses its mask (docs/faults.md)."""

    def __init__(self, ch, lose: int) -> None:
        self._ch, self.lose, self.deletes = ch, lose, 0

    def __getattr__(self, name):
        return getattr(self._ch, name)

    def command(self, sql, *args, **kwargs):
        if sql.lstrip().upper().startswith("DELETE"):
            self.deletes += 1
            if self.deletes <= self.lose:
                return None
        return self._ch.command(sql, *args, **kwargs)


def test_a_delete_the_engine_lost_is_issued_again(ch, table):
    replace_window(ch, table, rows(DAYS), tenant_id="t1", account_id="a1", days=DAYS)
    once = state(ch, table)
    losing = _LosingDeletes(ch, lose=1)
    replace_window(losing, table, rows(DAYS), tenant_id="t1", account_id="a1", days=DAYS)
    assert losing.deletes == 2  # the lost one, then the one that removed the superseded rows
    assert state(ch, table) == once


def test_rows_no_delete_removes_fail_loudly_and_the_new_load_stays_current(ch, table):
    replace_window(ch, table, rows(DAYS), tenant_id="t1", account_id="a1", days=DAYS)
    losing = _LosingDeletes(ch, lose=99)
    with pytest.raises(
        RuntimeError, match=f"{table}: rows matching the DELETE are still there after 3 DELETEs"
    ):
        replace_window(losing, table, rows(DAYS, scale=2), tenant_id="t1", account_id="a1", days=DAYS)
    assert losing.deletes == 3
    current = ch.query(f"SELECT count(), sum(impressions) FROM ({current_rows_sql(table)})").result_rows[0]  # noqa: S608
    assert current == (9, 1800)  # switched before the clean-up: readers see the new load, not the stale rows
    assert ch.command(f"SELECT count() FROM {table}") == 18
