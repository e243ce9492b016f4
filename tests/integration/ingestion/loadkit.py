"""What the connectors' end-to-end tests share: one call of a connector's `load` for a sandbox account over a
window, the fingerprint of the rows a load left visible, and a transient fault that must leave them unchanged."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

from ingestion.sandbox.testing import SANDBOX_TODAY
from warehouse.loads import current_rows_sql


def run_window(
    load: Callable[..., dict[str, int]],
    ch: Any,
    settings: Any,
    account: Any,
    window: tuple[date, date],
    account_id: str | None = None,
    **kw: Any,
) -> dict[str, int]:
    """`load` for the account's tenant and id (or `account_id` in its place) over `window`, as of the sandbox's
    today; rows per table."""
    return load(
        ch,
        settings,
        tenant_id=account.tenant_id,
        account_id=account.account_id if account_id is None else account_id,
        date_from=window[0],
        date_to=window[1],
        today=SANDBOX_TODAY,
        **kw,
    )


def fingerprint(ch: Any, table: str, fields: Iterable[Any], sums: str, account: Any) -> tuple:
    """Row count, the `sums` and an order-independent hash of the account's visible rows of `table` (load
    metadata excluded); fails when rows of a superseded or failed load were left behind."""
    cols = ", ".join(f.name for f in fields)
    where = {"t": account.tenant_id, "a": account.account_id}
    visible = ch.query(
        f"SELECT count(), {sums}, "  # noqa: S608 - our identifiers
        f"cityHash64(arraySort(groupArray(cityHash64({cols})))) FROM ({current_rows_sql(table)}) "
        "WHERE tenant_id = {t:String} AND account_id = {a:String}",
        parameters=where,
    ).result_rows[0]
    stored = ch.query(
        f"SELECT count() FROM {table} WHERE tenant_id = {{t:String}} AND account_id = {{a:String}}",  # noqa: S608
        parameters=where,
    ).result_rows[0][0]
    assert stored == visible[0], "rows of a superseded or failed load were left behind"
    return tuple(visible)


def survives_fault(
    server: Any, api: str, kind: str, params: dict, path: str | None, reload: Callable[[], Any]
) -> None:
    """Inject a transient fault into the emulator of `api` (an expired token once: the client refreshes at most
    once per request; anything else twice) and run `reload`, which must succeed; the fault must have fired."""
    server.faults.add(api, kind, count=1 if kind == "expired_token" else 2, path=path, **params)
    reload()
    assert not server.faults.list(), "the fault never fired"
