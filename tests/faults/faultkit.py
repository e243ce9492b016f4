"""Shared pieces of the fault suite: sizes, the backfill driver and the fingerprint a clean run is compared with."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from tests.machine import load_factor

SCALE = os.environ.get("MRM_FAULT_SCALE", "small").strip().lower() or "small"
if SCALE not in ("small", "large"):
    raise ValueError(f"MRM_FAULT_SCALE must be 'small' or 'large', got {SCALE!r}")


@dataclass(frozen=True)
class Size:
    backfill_days: int  # days of the multi-day backfill (every account of every platform)
    bulk_rows: int  # rows of the large insert that is killed mid-way
    bulk_days: int


SIZES = {
    "small": Size(backfill_days=3, bulk_rows=1_500_000, bulk_days=5),
    "large": Size(backfill_days=30, bulk_rows=20_000_000, bulk_days=30),
}
SIZE = SIZES[SCALE]

SEED = 7
TODAY = dt.date(2026, 1, 20)
LAST_DAY = TODAY - dt.timedelta(days=1)
FIRST_DAY = LAST_DAY - dt.timedelta(days=SIZE.backfill_days - 1)
DBT_DATABASES = ("staging", "intermediate", "marts")
# Short client timeouts so the sandbox's `timeout` fault (a stalled answer) costs seconds, not minutes; longer on a
# busy machine, where an ordinary answer may take seconds too (a spurious timeout is not the fault under test).
CLIENT_TIMEOUT_S = round(min(10.0, 2.0 * load_factor()), 1)
META_COLUMNS = ("_load_id", "_loaded_at")


# --------------------------------------------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------------------------------------------
def connector(platform: str) -> Any:
    from ingestion.platforms import BY_PLATFORM

    module = BY_PLATFORM[platform].load_module()
    assert module is not None, f"connector for {platform} is not importable"
    return module


def accounts(world: Any, platforms: Iterable[str] | None = None) -> list[Any]:
    wanted = set(platforms) if platforms else None
    return [a for a in world.accounts if a.tenant_id != "bench" and (wanted is None or a.platform in wanted)]


def sandbox_settings(server: Any, platform: str) -> Any:
    """Connector settings for the sandbox (Garpun's issues a service-account key over HTTP: build before faults)."""
    from ingestion.platforms import BY_PLATFORM

    module = connector(platform)
    return module.Settings.for_sandbox(
        server.url(BY_PLATFORM[platform].sandbox_api), timeout_s=CLIENT_TIMEOUT_S
    )


def load_account(
    ch: Any,
    server: Any,
    account: Any,
    date_from: dt.date,
    date_to: dt.date,
    settings: Any = None,
    progress: Callable[[int], None] | None = None,
) -> dict[str, int]:
    """One account's window through its real connector against the sandbox."""
    settings = settings or sandbox_settings(server, account.platform)
    return connector(account.platform).load(
        ch,
        settings,
        tenant_id=account.tenant_id,
        account_id=account.account_id,
        date_from=date_from,
        date_to=date_to,
        today=TODAY,
        progress=progress,
    )


def backfill(
    ch: Any,
    server: Any,
    accounts_: Iterable[Any],
    date_from: dt.date = FIRST_DAY,
    date_to: dt.date = LAST_DAY,
    before: Callable[[Any], None] | None = None,
    progress: Callable[[Any, int], None] | None = None,
) -> dict[str, str]:
    """Load every account's window; an account that fails is named (with its error) and the backfill goes on.
    When an account bills in another currency, the Bank of Russia rates of the window are loaded too (the dbt
    build refuses foreign spend without them)."""
    failures: dict[str, str] = {}
    accounts_ = list(accounts_)
    for account in accounts_:
        settings = sandbox_settings(server, account.platform)
        if before is not None:
            before(account)
        try:
            load_account(
                ch,
                server,
                account,
                date_from,
                date_to,
                settings,
                None if progress is None else (lambda n, a=account: progress(a, n)),
            )
        except Exception as exc:  # noqa: BLE001 - collected: the scenario reruns exactly these accounts
            failures[f"{account.platform}/{account.account_id}"] = f"{type(exc).__name__}: {exc}"
    if any(a.currency != "RUB" for a in accounts_):
        from ingestion import cbr

        try:
            # connectors re-pull a lookback before the window (Google Ads: 7 days): the rates cover those days too
            cbr.load(
                ch,
                cbr.Settings.for_sandbox(server.url("cbr"), timeout_s=CLIENT_TIMEOUT_S),
                date_from=date_from - dt.timedelta(days=31),
                date_to=date_to,
                today=TODAY,
            )
        except Exception as exc:  # noqa: BLE001 - reported like an account
            failures["cbr/rates"] = f"{type(exc).__name__}: {exc}"
    return failures


# --------------------------------------------------------------------------------------------------------------
# Fingerprints
# --------------------------------------------------------------------------------------------------------------
def _columns(ch: Any, table: str) -> list[tuple[str, str]]:
    db, name = table.split(".", 1)
    return [
        (c, t)
        for c, t in ch.query(
            "SELECT name, type FROM system.columns WHERE database = {d:String} AND table = {t:String} ORDER BY position",
            parameters={"d": db, "t": name},
        ).result_rows
    ]


def _metric(col: str, typ: str) -> bool:
    base = typ.removeprefix("Nullable(").removeprefix("LowCardinality(")
    numeric = base.startswith(("UInt", "Int", "Float", "Decimal"))
    return numeric and not col.endswith("_id") and col not in ("id", "is_provisional")


def raw_tables(ch: Any) -> list[str]:
    return [
        r[0]
        for r in ch.query(
            "SELECT concat(database, '.', name) FROM system.tables WHERE database LIKE 'raw\\_%' "
            "AND engine LIKE '%MergeTree' ORDER BY 1"
        ).result_rows
    ]


def table_fingerprint(
    ch: Any,
    table: str,
    where: str = "1",
    parameters: dict[str, Any] | None = None,
    current_sql: str | None = None,
) -> dict[str, Any]:
    """Rows, an order-free hash of every row (load ids excluded), metric totals, and rows of the current load."""
    cols = [(c, t) for c, t in _columns(ch, table) if c not in META_COLUMNS]
    # Aggregate states serialise in insertion order (uniqCombined keeps a small set as a list): hash what they mean.
    names = ", ".join(
        f"finalizeAggregation(`{c}`)" if t.startswith("AggregateFunction") else f"`{c}`" for c, t in cols
    )
    metrics = [c for c, t in cols if _metric(c, t)]
    # Float sums depend on the summation order (parts, threads): compare them rounded; the row hash is exact.
    totals = "".join(
        f", toString(round(sum(`{c}`), 6))" if "Float" in t else f", toString(sum(`{c}`))"
        for c, t in cols
        if c in metrics
    )
    # sum() of 64-bit row hashes is a multiset hash: a duplicated row changes it (XOR would cancel out).
    row = ch.query(
        f"SELECT count(), toString(sum(cityHash64({names}))){totals} FROM {table} WHERE {where}",  # noqa: S608
        parameters=parameters or {},
    ).result_rows[0]
    out: dict[str, Any] = {
        "rows": int(row[0]),
        "hash": row[1],
        "totals": dict(zip(metrics, row[2:], strict=True)),
    }
    if current_sql is not None:
        out["current_rows"] = int(
            ch.query(
                f"SELECT count() FROM ({current_sql}) WHERE {where}",  # noqa: S608
                parameters=parameters or {},
            ).result_rows[0][0]
        )
    return out


def raw_fingerprint(
    ch: Any, tables: Iterable[str] | None = None, tenants: Iterable[str] | None = None
) -> dict[str, dict[str, Any]]:
    from warehouse.loads import current_rows_sql

    out = {}
    where, params = "1", {}
    if tenants is not None:
        where, params = "tenant_id IN {tenants:Array(String)}", {"tenants": sorted(tenants)}
    for table in tables or raw_tables(ch):
        snapshot = "date_day" not in {c for c, _ in _columns(ch, table)}
        out[table] = table_fingerprint(ch, table, where, params, current_rows_sql(table, snapshot=snapshot))
    return out


def load_log_state(ch: Any, tenants: Iterable[str] | None = None) -> dict[tuple[Any, ...], tuple[str, int]]:
    """The latest app.load_log status (and rows) per window: what an operator's `status` page shows."""
    where, params = "1", {}
    if tenants is not None:
        where, params = "tenant_id IN {tenants:Array(String)}", {"tenants": sorted(tenants)}
    rows = ch.query(
        "SELECT tenant_id, platform, report, account_id, date_from, date_to, "
        "argMax(status, (started_at, ifNull(finished_at, toDateTime64(0, 3, 'UTC')), status != 'running')) AS s, "
        "argMax(rows, (started_at, ifNull(finished_at, toDateTime64(0, 3, 'UTC')), status != 'running')) "
        f"FROM app.load_log WHERE {where} GROUP BY ALL",
        parameters=params,
    ).result_rows  # noqa: S608
    return {tuple(r[:6]): (r[6], int(r[7])) for r in rows}


def sent_reports(ch: Any) -> list[tuple[Any, ...]]:
    return [
        tuple(r)
        for r in ch.query(
            "SELECT tenant_id, client_id, date_from, date_to, lang, run_id, status FROM app.report_runs FINAL "
            "WHERE status = 'sent' ORDER BY ALL"
        ).result_rows
    ]


def fingerprint(
    ch: Any, tables: Iterable[str] | None = None, tenants: Iterable[str] | None = None
) -> dict[str, Any]:
    """Everything a scenario must leave equal to a clean run."""
    return {
        "raw": raw_fingerprint(ch, tables, tenants),
        "load_log": load_log_state(ch, tenants),
        "sent_reports": sent_reports(ch),
    }


def assert_same_as_clean(got: dict[str, Any], clean: dict[str, Any]) -> None:
    """Totals, row hashes and the latest load status per window equal the clean run's; no orphans, no duplicates."""
    assert clean["raw"], "the clean run loaded nothing: the comparison would be empty"
    assert any(fp["rows"] for fp in clean["raw"].values()), "the clean run loaded no rows"
    for table, fp in got["raw"].items():
        # Physical rows = rows of the current load: no duplicates and no orphans of a killed load remain.
        assert fp["rows"] == fp["current_rows"], (
            f"{table}: {fp['rows']} rows stored, {fp['current_rows']} current"
        )
    diff = {
        t: (got["raw"].get(t), clean["raw"].get(t))
        for t in set(got["raw"]) | set(clean["raw"])
        if got["raw"].get(t) != clean["raw"].get(t)
    }
    assert not diff, f"raw tables differ from the clean run (got, clean): {diff}"
    assert clean["load_log"], "the clean run wrote no app.load_log rows"
    bad = {k: v for k, v in got["load_log"].items() if v[0] != "ok"}
    assert not bad, f"windows whose latest app.load_log status is not ok: {bad}"
    log_diff = {
        k: (got["load_log"].get(k), clean["load_log"].get(k))
        for k in set(got["load_log"]) | set(clean["load_log"])
        if got["load_log"].get(k) != clean["load_log"].get(k)
    }
    assert not log_diff, (
        f"app.load_log (latest per window) differs from the clean run (got, clean): {log_diff}"
    )
    assert got["sent_reports"] == clean["sent_reports"], "a report was recorded as sent by a faulted run"


def marts_fingerprint(ch: Any, database: str = "marts") -> dict[str, dict[str, Any]]:
    """Every table of the marts database: rows, row hash and metric totals (views are covered by their tables)."""
    tables = [
        r[0]
        for r in ch.query(
            "SELECT name FROM system.tables WHERE database = {d:String} AND engine NOT LIKE '%View' ORDER BY name",
            parameters={"d": database},
        ).result_rows
    ]
    return {t: table_fingerprint(ch, f"{database}.{t}") for t in tables}
