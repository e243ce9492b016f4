"""`dbt_project.run.relation_checksums`: equal content hashes equal, whatever the order rows and states were built
in; different content hashes differently, also when only the ids inside a bitmap or a sketch differ."""

from __future__ import annotations

import uuid

import pytest

from dbt_project import run as dbt_run


@pytest.fixture()
def db(ch):
    name = f"ck_{uuid.uuid4().hex[:8]}"
    ch.command(f"CREATE DATABASE {name}")
    yield name
    ch.command(f"DROP DATABASE {name}")


def _table(ch, db: str, name: str, batches: list[list[int]]) -> None:
    """One row per batch: the batch's ids as a bitmap and as a uniq sketch, each built in the batch's order."""
    ch.command(
        f"CREATE TABLE {db}.{name} (k UInt8, users AggregateFunction(groupBitmap, UInt64), "
        "sketch AggregateFunction(uniqCombined, UInt64)) ENGINE = MergeTree ORDER BY k"
    )
    for k, ids in enumerate(batches):
        ch.command(
            f"INSERT INTO {db}.{name} SELECT {k}, groupBitmapState(id), uniqCombinedState(id) "  # noqa: S608
            "FROM (SELECT arrayJoin({ids:Array(UInt64)}) AS id)",
            parameters={"ids": ids},
        )


def test_same_ids_in_another_order_hash_equal_and_other_ids_do_not(ch, db):
    _table(ch, db, "a", [[5, 1, 3], [7, 2]])
    _table(ch, db, "b", [[3, 5, 1], [2, 7]])  # the same sets, inserted in another order
    _table(ch, db, "c", [[5, 1, 4], [7, 2]])  # same sizes, one id differs
    sums = dbt_run.relation_checksums(ch, [db])
    assert set(sums) == {f"`{db}`.`{t}`" for t in "abc"}
    a, b, c = (sums[f"`{db}`.`{t}`"] for t in "abc")
    # A small bitmap serialises its ids in insertion order: hashing the states would tell a from b.
    states = [
        ch.command(f"SELECT sum(cityHash64(toString(users))) FROM {db}.{t}")  # noqa: S608
        for t in "ab"
    ]
    assert states[0] != states[1]
    assert a == b
    assert a[0] == c[0] == 2 and a[1] != c[1]
