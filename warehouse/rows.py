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
