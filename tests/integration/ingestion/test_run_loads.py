"""`run_loads`: several tables of one account inserted, switched together, logged per table."""

from __future__ import annotations

import datetime as dt
import uuid

import pyarrow as pa
import pytest

from ingestion.common import PayloadError
from ingestion.common.loading import LoadSpec, run_loads
from warehouse.loads import current_rows_sql

DDL = """
CREATE TABLE {t} (
    tenant_id LowCardinality(String), account_id String, date_day Date, id UInt64, v UInt64,
    _load_id String, _loaded_at DateTime64(3, 'UTC')
) ENGINE = MergeTree ORDER BY (tenant_id, account_id, date_day, id)
"""
DAYS = [dt.date(2026, 4, 1), dt.date(2026, 4, 2)]


@pytest.fixture()
def tables(ch):
    names = [f"default.rl_{uuid.uuid4().hex[:8]}" for _ in range(2)]
    for name in names:
        ch.command(DDL.format(t=name))
    yield names
    for name in names:
        ch.command(f"DROP TABLE {name}")


def data(v: int) -> pa.Table:
    return pa.table(
        {
            "date_day": pa.array(DAYS * 2, pa.date32()),
            "id": pa.array([1, 1, 2, 2], pa.uint64()),
            "v": pa.array([v] * 4, pa.uint64()),
        }
    )


def visible(ch, table) -> tuple:
    return tuple(ch.query(f"SELECT count(), sum(v) FROM ({current_rows_sql(table)})").result_rows[0])


def logs(ch, tenant) -> list[tuple]:
    return ch.query(
        "SELECT report, status, rows, error FROM app.load_log WHERE tenant_id = {t:String} "
        "AND status != 'running' ORDER BY finished_at, report",
        parameters={"t": tenant},
    ).result_rows


def specs(tables, a, b) -> list[LoadSpec]:
    return [
        LoadSpec(report="first", table=tables[0], date_from=DAYS[0], date_to=DAYS[-1], days=DAYS, produce=a),
        LoadSpec(report="second", table=tables[1], date_from=DAYS[0], date_to=DAYS[-1], days=DAYS, produce=b),
    ]


def test_batch_switches_every_table_and_logs_each(ch, tables):
    tenant = f"rl-{uuid.uuid4().hex[:6]}"
    out = run_loads(
        ch,
        tenant_id=tenant,
        platform="test",
        account_id="acc",
        loads=specs(tables, lambda: data(1), lambda: data(2)),
    )
    assert [r.rows for r in out] == [4, 4]
    run_loads(
        ch,
        tenant_id=tenant,
        platform="test",
        account_id="acc",
        loads=specs(tables, lambda: data(10), lambda: data(20)),
    )
    assert visible(ch, tables[0]) == (4, 40) and visible(ch, tables[1]) == (4, 80)
    for t in tables:  # the reload removed what it superseded
        assert ch.command(f"SELECT count() FROM {t}") == 4
    assert [(r, s, n) for r, s, n, _ in logs(ch, tenant)] == [("first", "ok", 4), ("second", "ok", 4)] * 2


def test_a_failing_table_switches_none_and_logs_all_failed(ch, tables):
    tenant = f"rl-{uuid.uuid4().hex[:6]}"
    run_loads(
        ch,
        tenant_id=tenant,
        platform="test",
        account_id="acc",
        loads=specs(tables, lambda: data(1), lambda: data(2)),
    )

    def broken() -> pa.Table:
        raise PayloadError("garbled answer", platform="test", retryable=False)

    with pytest.raises(PayloadError, match="garbled answer"):
        run_loads(
            ch,
            tenant_id=tenant,
            platform="test",
            account_id="acc",
            loads=specs(tables, lambda: data(7), broken),
        )
    assert visible(ch, tables[0]) == (4, 4) and visible(ch, tables[1]) == (4, 8)
    assert ch.command(f"SELECT count() FROM {tables[0]}") == 4  # the first table's new rows were discarded
    last = logs(ch, tenant)[-2:]
    assert [(r, s) for r, s, _, _ in last] == [("first", "failed"), ("second", "failed")]
    assert "not switched: second of this batch failed" in last[0][3] and "garbled answer" in last[1][3]


def test_retryable_payload_error_reruns_only_that_table(ch, tables):
    tenant = f"rl-{uuid.uuid4().hex[:6]}"
    calls = {"a": 0, "b": 0}

    def a() -> pa.Table:
        calls["a"] += 1
        return data(1)

    def b() -> pa.Table:
        calls["b"] += 1
        if calls["b"] == 1:
            raise PayloadError("truncated", platform="test")
        return data(2)

    out = run_loads(ch, tenant_id=tenant, platform="test", account_id="acc", loads=specs(tables, a, b))
    assert calls == {"a": 1, "b": 2} and [r.attempts for r in out] == [1, 2]
    assert visible(ch, tables[1]) == (4, 8) and ch.command(f"SELECT count() FROM {tables[1]}") == 4
