"""Data lifecycle: retention TTLs, backup and restore (Native data plus schema), and erasure of a client or tenant.

Retention classes (months; per-tenant overrides in app.retention_overrides):
- raw events (Metrika visits, user-level rows): 12;
- daily statistics (raw daily stats and the marts' daily facts): 24;
- app data (clients, plans, users, reports): kept.
They are ClickHouse TTL rules (`TTL date_day + INTERVAL n MONTH DELETE WHERE ...`), so the engine removes
expired rows in its own merges. A dbt full refresh recreates a mart table without its TTL: `apply_retention`
runs again after builds (it is idempotent).

Backups write one file in ClickHouse's Native format and the CREATE statement per table (optionally one tenant's rows only) plus a
manifest with each table's fingerprint (row count and an order-independent hash of every row), so a restore can
prove it got back exactly what was saved. Erasure deletes every row of a client (or tenant) from every table that
carries its id, the client's raw rows through its ad accounts, and its report files, and looks again after each
table's DELETE (`warehouse.rows.delete_rows`: a row still there is deleted again, then an error); the audit record
keeps counts, not the data.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from warehouse.rows import delete_rows

SKIP_DATABASES = ("system", "INFORMATION_SCHEMA", "information_schema")
DEFAULT_MONTHS = {"raw_events": 12, "daily_stats": 24}
_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,127}$")


class LifecycleError(RuntimeError):
    """A lifecycle operation that cannot go ahead; the message names the table or file."""


@dataclass(frozen=True)
class Table:
    database: str
    name: str
    engine: str
    columns: tuple[str, ...]

    @property
    def fq(self) -> str:
        return f"`{self.database}`.`{self.name}`"

    @property
    def has_client(self) -> bool:
        """Rows name one of our clients. In raw tables `client_id` is the ad platform's own (a VK agency client),
        so raw rows belong to one of our clients through their `account_id` instead."""
        return "client_id" in self.columns and not self.database.startswith("raw_")


def tables(ch: Any, databases: Iterable[str] | None = None) -> list[Table]:
    """Every MergeTree-family table (views and dictionaries excluded), with its columns."""
    rows = ch.query(
        "SELECT database, name, engine FROM system.tables WHERE database NOT IN {skip:Array(String)} "
        "AND engine LIKE '%MergeTree%' ORDER BY database, name",
        parameters={"skip": list(SKIP_DATABASES)},
    ).result_rows
    columns_of: dict[tuple[str, str], list[str]] = {}
    for db, table, col in ch.query(
        "SELECT database, table, name FROM system.columns WHERE database NOT IN "
        "{skip:Array(String)} ORDER BY database, table, position",
        parameters={"skip": list(SKIP_DATABASES)},
    ).result_rows:
        columns_of.setdefault((db, table), []).append(col)
    rows = [(db, name, engine, columns_of.get((db, name), [])) for db, name, engine in rows]
    wanted = set(databases) if databases else None
    out = []
    for db, name, engine, cols in rows:
        if not (_NAME_RE.match(db) and _NAME_RE.match(name)):
            raise LifecycleError(f"unexpected table name {db}.{name}")
        if wanted is None or db in wanted:
            out.append(Table(db, name, engine, tuple(cols)))
    return out


# ------------------------------------------------------------------------------------------ retention


def retention_class(t: Table) -> str | None:
    if "date_day" not in t.columns:
        return None
    if t.database.startswith("raw_") and t.name in ("visits",):
        return "raw_events"
    if t.database.startswith("raw_") or (t.name.startswith("fct_") and t.name.endswith("_daily")):
        return "daily_stats"
    return None


def overrides(ch: Any) -> dict[tuple[str, str], int]:
    rows = ch.query(
        "SELECT tenant_id, table_class, argMax(months, updated_at) FROM app.retention_overrides "
        "GROUP BY tenant_id, table_class"
    ).result_rows
    return {(r[0], r[1]): int(r[2]) for r in rows}


def ttl_clause(cls: str, over: dict[tuple[str, str], int]) -> str:
    """The TTL of a class: the default for every tenant without an override, one rule per override."""
    special = {t: m for (t, c), m in over.items() if c == cls}
    base = DEFAULT_MONTHS[cls]
    for t in special:
        if not _NAME_RE.match(t.replace("-", "_")):
            raise LifecycleError(f"tenant id {t!r} cannot be written into a TTL rule")
    if not special:
        return f"date_day + INTERVAL {base} MONTH DELETE"
    names = ", ".join(f"'{t}'" for t in sorted(special))
    rules = [f"date_day + INTERVAL {base} MONTH DELETE WHERE tenant_id NOT IN ({names})"]
    rules += [
        f"date_day + INTERVAL {int(m)} MONTH DELETE WHERE tenant_id = '{t}'"
        for t, m in sorted(special.items())
    ]
    return ", ".join(rules)


def retention_plan(ch: Any, databases: Iterable[str] | None = None) -> list[tuple[Table, str, str]]:
    """(table, class, TTL clause) for every table a retention class covers."""
    over = overrides(ch)
    return [
        (t, cls, ttl_clause(cls, over))
        for t in tables(ch, databases)
        if (cls := retention_class(t)) is not None
    ]


def apply_retention(ch: Any, databases: Iterable[str] | None = None) -> list[str]:
    done = []
    for t, _cls, clause in retention_plan(ch, databases):
        # materialize_ttl_after_modify = 0: rows expire in the engine's own merges, not in one big rewrite now
        ch.command(f"ALTER TABLE {t.fq} MODIFY TTL {clause}", settings={"materialize_ttl_after_modify": 0})
        done.append(f"{t.database}.{t.name}")
    return done


def set_override(ch: Any, tenant_id: str, table_class: str, months: int) -> None:
    if table_class not in DEFAULT_MONTHS:
        raise LifecycleError(f"table class {table_class!r}: one of {', '.join(DEFAULT_MONTHS)}")
    if not 1 <= months <= 120:
        raise LifecycleError("months: 1 to 120")
    ch.insert(
        "app.retention_overrides",
        [[tenant_id, table_class, months]],
        column_names=["tenant_id", "table_class", "months"],
    )


# ------------------------------------------------------------------------------------------ fingerprints


def fingerprint(ch: Any, t: Table, where: str = "", params: dict[str, Any] | None = None) -> tuple[int, str]:
    """Row count and an order-independent hash of every row (aggregate states finalised: their bytes follow
    insertion order, their value does not)."""
    types = dict(
        ch.query(
            "SELECT name, type FROM system.columns WHERE database = {d:String} AND table = {t:String}",
            parameters={"d": t.database, "t": t.name},
        ).result_rows
    )
    cols = [
        f"finalizeAggregation(`{c}`)" if types[c].startswith("AggregateFunction") else f"`{c}`"
        for c in t.columns
        if c not in ("_loaded_at",)
    ]
    r = ch.query(
        f"SELECT count(), toString(sum(cityHash64({', '.join(cols)}))) FROM {t.fq} "  # noqa: S608
        f"{'WHERE ' + where if where else ''}",
        parameters=params or {},
    ).result_rows[0]
    return int(r[0]), str(r[1])


# ------------------------------------------------------------------------------------------ backup


def _scope(t: Table, tenant: str | None) -> tuple[str, dict[str, Any]]:
    if tenant is None:
        return "", {}
    if "tenant_id" not in t.columns:
        return "0", {}  # not tenant data: a tenant backup leaves it out
    return "tenant_id = {tenant:String}", {"tenant": tenant}


def backup(ch: Any, target: str | Path, *, tenant: str | None = None) -> dict[str, Any]:
    """Write every table (or one tenant's rows) in Native format plus its schema, and a manifest with fingerprints."""
    root = Path(target)
    if root.exists() and any(root.iterdir()):
        raise LifecycleError(f"{root} is not empty: a backup goes into a new folder")
    root.mkdir(parents=True, exist_ok=True)
    manifest: dict[str, Any] = {
        "created_at": dt.datetime.now(dt.UTC).isoformat(),
        "tenant": tenant,
        "tables": {},
    }
    for t in tables(ch):
        where, params = _scope(t, tenant)
        if where == "0":
            continue
        schema = ch.command(f"SHOW CREATE TABLE {t.fq}")
        # Native, the engine's own format, carries every column type (aggregate states included; Parquet cannot)
        path = root / f"{t.database}.{t.name}.native"
        sql = f"SELECT * FROM {t.fq} {'WHERE ' + where if where else ''}"  # noqa: S608 - identifiers from system
        with ch.raw_stream(sql, parameters=params, fmt="Native") as stream, path.open("wb") as fh:
            for chunk in stream:
                fh.write(chunk)
        count, digest = fingerprint(ch, t, where, params)
        manifest["tables"][f"{t.database}.{t.name}"] = {
            "schema": schema,
            "file": path.name,
            "rows": count,
            "hash": digest,
            "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
        }
    (root / "manifest.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=False), encoding="utf-8")
    return manifest


def list_backups(folder: str | Path) -> list[dict[str, Any]]:
    out = []
    for m in sorted(Path(folder).glob("*/manifest.json")):
        data = json.loads(m.read_text(encoding="utf-8"))
        out.append(
            {
                "path": str(m.parent),
                "created_at": data["created_at"],
                "tenant": data["tenant"],
                "tables": len(data["tables"]),
                "rows": sum(x["rows"] for x in data["tables"].values()),
            }
        )
    return out


def restore(ch: Any, source: str | Path) -> dict[str, tuple[int, str]]:
    """Recreate missing tables, replace their rows (a tenant backup replaces only that tenant's rows), and check
    every table's fingerprint against the manifest; LifecycleError names the first table that differs."""
    root = Path(source)
    manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    tenant = manifest["tenant"]
    got: dict[str, tuple[int, str]] = {}
    for fq, meta in manifest["tables"].items():
        db, name = fq.split(".", 1)
        if not (_NAME_RE.match(db) and _NAME_RE.match(name)):
            raise LifecycleError(f"manifest names an unexpected table {fq!r}")
        data = (root / meta["file"]).read_bytes()
        if hashlib.sha256(data).hexdigest() != meta["sha256"]:
            raise LifecycleError(f"{meta['file']} is damaged (checksum differs from the manifest)")
        ch.command(f"CREATE DATABASE IF NOT EXISTS `{db}`")
        if not ch.query(
            "SELECT count() FROM system.tables WHERE database = {d:String} AND name = {n:String}",
            parameters={"d": db, "n": name},
        ).result_rows[0][0]:
            ch.command(meta["schema"])
        t = next(x for x in tables(ch, [db]) if x.name == name)
        where, params = _scope(t, tenant)
        if where:
            delete_rows(ch, t.fq, where, params, lightweight=False)
        else:
            ch.command(f"TRUNCATE TABLE {t.fq}")
        if meta["rows"]:
            ch.raw_insert(f"{t.fq}", insert_block=data, fmt="Native")
        got[fq] = fingerprint(ch, t, where, params)
        if got[fq] != (meta["rows"], meta["hash"]):
            raise LifecycleError(
                f"{fq}: restored {got[fq][0]} rows with hash {got[fq][1]}, the backup has "
                f"{meta['rows']} rows with hash {meta['hash']}"
            )
    return got


# ------------------------------------------------------------------------------------------ erasure


def _erase_targets(ch: Any, tenant: str, client: str | None) -> list[tuple[Table, str, dict[str, Any]]]:
    accounts: list[str] = []
    if client is not None:
        accounts = [
            r[0]
            for r in ch.query(
                "SELECT DISTINCT account_id FROM app.accounts WHERE tenant_id = {t:String} AND client_id = {c:String}",
                parameters={"t": tenant, "c": client},
            ).result_rows
        ]
    out = []
    for t in tables(ch):
        if "tenant_id" not in t.columns or (t.database == "app" and t.name == "audit_log"):
            continue
        p: dict[str, Any] = {"tenant": tenant}
        if client is None:
            out.append((t, "tenant_id = {tenant:String}", p))
        elif t.has_client:
            out.append(
                (t, "tenant_id = {tenant:String} AND client_id = {client:String}", {**p, "client": client})
            )
        elif "account_id" in t.columns and accounts:
            out.append(
                (
                    t,
                    "tenant_id = {tenant:String} AND account_id IN {accounts:Array(String)}",
                    {**p, "accounts": accounts},
                )
            )
    return out


def erase(
    ch: Any, tenant: str, client: str | None = None, *, dry_run: bool = True, by: str = ""
) -> dict[str, int]:
    """Rows per table that belong to the client (or the whole tenant); removed unless `dry_run`. Report files
    listed in app.report_runs go too."""
    targets = _erase_targets(ch, tenant, client)
    counts: dict[str, int] = {}
    for t, where, params in targets:
        n = ch.query(f"SELECT count() FROM {t.fq} WHERE {where}", parameters=params).result_rows[0][0]  # noqa: S608
        if n:
            counts[f"{t.database}.{t.name}"] = int(n)
    files: list[str] = []
    if "app.report_runs" in counts:
        where = next(w for t, w, _ in targets if t.database == "app" and t.name == "report_runs")
        params = next(p for t, _, p in targets if t.database == "app" and t.name == "report_runs")
        for (paths,) in ch.query(
            f"SELECT files FROM app.report_runs WHERE {where}",  # noqa: S608 - `where` is built from our names
            parameters=params,
        ).result_rows:
            files += [p for p in paths if Path(p).is_file()]
    counts["report files"] = len(files)
    if dry_run:
        return counts
    for t, where, params in targets:
        if counts.get(f"{t.database}.{t.name}"):
            delete_rows(ch, t.fq, where, params, lightweight=False)
    for f in files:
        Path(f).unlink(missing_ok=True)
    from dashboards.auth import audit

    # Counts only: the audit trail says an erasure happened, not what the data was.
    subject = hashlib.sha256(f"{tenant}|{client or ''}".encode()).hexdigest()[:16]
    audit(
        ch,
        tenant,
        by or "system",
        "erase_client" if client else "erase_tenant",
        "ok",
        target=subject,
        detail=json.dumps(
            {
                "rows": sum(v for k, v in counts.items() if k != "report files"),
                "tables": len(counts) - 1,
                "files": len(files),
            }
        ),
    )
    return counts
