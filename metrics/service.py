"""Run metric queries for a signed-in principal: scope check, the query, the comparison window, and a result
that states its units, currency, VAT treatment, period and filters (the API and MCP return it as is)."""

from __future__ import annotations

import datetime as dt
import math
import os
import re
from dataclasses import dataclass
from typing import Any

from dashboards.auth import Principal
from metrics.catalogue import METRICS
from metrics.query import METRIC_ALIAS, MetricError, MetricQuery, compile_query
from mrm.i18n import refusal

_DB_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
_ID_RE = re.compile(r"^[A-Za-z0-9_.:@+-]{1,128}$")


class ScopeError(PermissionError):
    """The principal may not read this client (or it does not exist in the principal's tenant)."""


def marts_db() -> str:
    """The dbt marts database (MRM_MARTS_DB, default `marts`); tests and benchmarks point it elsewhere."""
    name = os.environ.get("MRM_MARTS_DB", "marts")
    if not _DB_RE.match(name):
        raise MetricError("MRM_MARTS_DB", f"{name!r} is not a plain database name")
    return name


@dataclass(frozen=True)
class ScopedPrincipal(Principal):
    """A principal that carries the clients it may read, `(client_id, name, currency)` sorted by name, as read
    together with its API key (api.keys): the scope check then needs no further round trip."""

    readable: tuple[tuple[str, str, str], ...] = ()


def readable_clients(ch: Any, principal: Any, client_id: str = "") -> list[dict[str, str]]:
    """The clients this principal may read: a client user its own, staff every active client of the tenant
    (or only those assigned to them, where assignments exist). `client_id` narrows the answer to that one."""
    if isinstance(principal, ScopedPrincipal):
        return [
            {"client_id": c, "name": n, "currency": cur}
            for c, n, cur in principal.readable
            if not client_id or c == client_id
        ]
    only = principal.client_id if principal.role == "client" else ""
    rows = ch.query(
        "SELECT client_id, any(name), any(currency) FROM app.clients FINAL WHERE tenant_id = {t:String} "
        "AND is_active = 1 AND ({only:String} = '' OR client_id = {only:String}) "
        "AND ({c:String} = '' OR client_id = {c:String}) GROUP BY client_id ORDER BY any(name)",
        parameters={"t": principal.tenant_id, "only": only, "c": client_id},
    ).result_rows
    allowed = _assigned(ch, principal)
    return [
        {"client_id": r[0], "name": r[1], "currency": r[2] or "RUB"}
        for r in rows
        if allowed is None or r[0] in allowed
    ]


def _assigned(ch: Any, principal: Any) -> set[str] | None:
    """Clients assigned to a staff user (the workspace's rule); None means all of the tenant."""
    if principal.role == "client":
        return None  # its one client is already the query's filter
    from workspace.access import allowed_clients

    found = allowed_clients(ch, principal)
    return None if found is None else set(found)


def check_scope(ch: Any, principal: Any, client_id: str) -> dict[str, str]:
    if not _ID_RE.match(str(client_id)):
        raise MetricError("client_id", "not a valid client id")
    # Only the asked client is read (not the tenant's whole list): the scope check runs on every API request.
    for c in readable_clients(ch, principal, client_id):
        if c["client_id"] == client_id:
            return c
    raise refusal(ScopeError, "ws_no_client_access", client=repr(client_id))


def _clean(v: Any) -> Any:
    if isinstance(v, float) and (math.isnan(v) or math.isinf(v)):
        return None
    if isinstance(v, dt.date):
        return v.isoformat()
    return v


def _rows(
    ch: Any, q: MetricQuery, tenant_id: str, db: str | None = None, before: MetricQuery | None = None
) -> tuple[list[str], list[dict[str, Any]], list[dict[str, Any]]]:
    """The rows of `q` and (when `before` is given) of its comparison query, read in one statement."""
    c = compile_query(q, tenant_id=tenant_id, marts_db=db or marts_db())
    sql, params = c.sql, c.parameters
    if before is not None:
        b = compile_query(before, tenant_id=tenant_id, marts_db=db or marts_db(), prefix="prev_")
        order = ", ".join([_PART, *c.group])
        sql = (
            f"SELECT * FROM (SELECT 0 AS {_PART}, * FROM ({c.sql}) "  # noqa: S608 - compiled catalogue SQL only
            f"UNION ALL SELECT 1 AS {_PART}, * FROM ({b.sql})) ORDER BY {order}"
        )
        params = {**c.parameters, **b.parameters}
    res = ch.query(sql, parameters=params)
    names = [n.removeprefix(METRIC_ALIAS) for n in res.column_names]
    rows = [{k: _clean(v) for k, v in zip(names, r, strict=True)} for r in res.result_rows]
    if before is None:
        return names, rows, []
    names.remove(_PART)
    parts: tuple[list[dict[str, Any]], list[dict[str, Any]]] = ([], [])
    for r in rows:
        parts[r.pop(_PART)].append(r)
    return names, parts[0], parts[1]


_PART = "part__"


def run(
    ch: Any, principal: Any, q: MetricQuery, *, lang: str = "en", db: str | None = None
) -> dict[str, Any]:
    """Answer `q` for `principal`: rows (with `<metric>_previous` and `<metric>_change` when comparing) and the
    metadata a reader needs to use the numbers right. `db` overrides the marts database (a checked identifier)."""
    client = check_scope(ch, principal, q.client_id)
    if q.compare and q.granularity not in ("none", "day"):
        raise MetricError("compare", "comparison works with granularity none or day")
    prev_q = q.shifted(q.compare) if q.compare else None
    names, rows, prev = _rows(ch, q, principal.tenant_id, db, prev_q)
    compare_period = None
    if prev_q is not None:
        compare_period = {"date_from": prev_q.date_from.isoformat(), "date_to": prev_q.date_to.isoformat()}
        shift = q.date_from - prev_q.date_from
        keys = [d for d in q.dimensions]

        def key(r: dict[str, Any], moved: bool) -> tuple[Any, ...]:
            k = tuple(r.get(d) for d in keys)
            if q.granularity == "day" and r.get("period_start"):
                day = dt.date.fromisoformat(r["period_start"])
                k = ((day + shift).isoformat() if moved else day.isoformat(), *k)
            return k

        before = {key(r, True): r for r in prev}
        for r in rows:
            p = before.get(key(r, False), {})
            for m in q.metrics:
                old, new = p.get(m), r.get(m)
                r[f"{m}_previous"] = old
                r[f"{m}_change"] = (new - old) / abs(old) if old and new is not None else None
    meta = [
        {
            "name": m,
            "label": METRICS[m].label(lang),
            "unit": METRICS[m].unit,
            "currency": client["currency"] if METRICS[m].unit == "money" else None,
            "vat": q.vat if METRICS[m].vat_sensitive else None,
            "additive": METRICS[m].kind == "sum",
        }
        for m in q.metrics
    ]
    return {
        "client": {"id": client["client_id"], "name": client["name"]},
        "period": {"date_from": q.date_from.isoformat(), "date_to": q.date_to.isoformat()},
        "compare": q.compare,
        "compare_period": compare_period,
        "granularity": q.granularity,
        "dimensions": list(q.dimensions),
        "filters": {k: list(v) for k, v in q.filters},
        "vat": q.vat,
        "currency": client["currency"],
        "metrics": meta,
        "columns": names,
        "rows": rows,
        "next_offset": q.offset + q.limit if len(rows) == q.limit else None,
    }
