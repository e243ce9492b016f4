"""Small helpers over query results that several packages share."""

from __future__ import annotations

from typing import Any


def one_row(ch: Any, sql: str, params: dict[str, Any], missing: Exception) -> tuple[Any, ...]:
    """The first row of a parameterised query; `missing` is raised when the query returns none."""
    rows = ch.query(sql, parameters=params).result_rows
    if not rows:
        raise missing
    return tuple(rows[0])
