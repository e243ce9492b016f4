"""Small helpers over query results that several packages share."""

from __future__ import annotations

from typing import Any


def one_row(ch: Any, sql: str, params: dict[str, Any], missing: Exception) -> tuple[Any, ...]:
    """The first row of a parameterised query; `missing` is raised when the query returns none."""
    rows = ch.query(sql, parameters=params).result_rows
    if not rows:
        raise missing
    return tuple(rows[0])


def insert_dicts(ch: Any, table: str, rows: list[dict[str, Any]]) -> None:
    """Insert rows given as column -> value (every row names the same columns, in the same order)."""
    if rows:
        columns = list(rows[0])
        ch.insert(table, [[row[c] for c in columns] for row in rows], column_names=columns)


# How many times `delete_rows` issues its DELETE before rows that are still there become an error.
DELETE_ATTEMPTS = 3


def delete_rows(
    ch: Any,
    table: str,
    where: str,
    params: dict[str, Any],
    *,
    target: str | None = None,
    settings: dict[str, Any] | None = None,
    lightweight: bool = True,
) -> None:
    """Lightweight-DELETE the rows of `table` that match `where` (our SQL, values only as parameters), and make
    sure they are gone.

    The engine runs a lightweight DELETE as a mutation that clears `_row_exists`. When two such mutations of one
    table run at the same moment, one of them can lose its mask and still report success: five accounts loading
    in parallel left one account's superseded 160 rows behind in CI, and five concurrent DELETEs of disjoint rows
    under CPU load left one DELETE's rows in 1 of 200 rounds (docs/faults.md). So every DELETE is followed by a
    look for one remaining row, and repeated while there is one; rows left after `DELETE_ATTEMPTS` DELETEs raise
    an error naming the table. `target` is where the DELETE goes when that is not `table` itself (the local
    tables of a sharded cluster). `lightweight=False` rewrites the parts (`ALTER TABLE … DELETE`): erasure and
    restore, where the rows must leave the disk, not only the results.
    """
    wait = {"lightweight_deletes_sync": 2, "mutations_sync": 2} | (settings or {})
    verb = "DELETE FROM {}" if lightweight else "ALTER TABLE {} DELETE"
    sql = f"{verb.format(target or table)} WHERE {where}"
    for _ in range(DELETE_ATTEMPTS):
        ch.command(sql, parameters=params, settings=wait)
        if not ch.query(f"SELECT 1 FROM {table} WHERE {where} LIMIT 1", parameters=params).result_rows:  # noqa: S608
            return
    raise RuntimeError(f"{table}: rows matching the DELETE are still there after {DELETE_ATTEMPTS} DELETEs")
