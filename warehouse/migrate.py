"""Versioned, idempotent migrations for the raw_* and app databases (warehouse/migrations/NNNN_name.sql)."""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger("mrm.warehouse.migrate")

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")
_STATEMENT_END = re.compile(r";[ \t]*$", re.MULTILINE)

BOOTSTRAP = [
    "CREATE DATABASE IF NOT EXISTS app",
    """CREATE TABLE IF NOT EXISTS app.schema_migrations
    (version UInt32, name String, checksum String, applied_at DateTime64(3, 'UTC') DEFAULT now64(3))
    ENGINE = ReplacingMergeTree(applied_at) ORDER BY version""",
]


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    path: Path

    @property
    def sql(self) -> str:
        return self.path.read_text(encoding="utf-8")

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()

    def statements(self) -> list[str]:
        out = []
        for part in _STATEMENT_END.split(self.sql):
            lines = [ln for ln in part.splitlines() if ln.strip() and not ln.strip().startswith("--")]
            if lines:
                out.append(part.strip())
        return out


def discover(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    found: dict[int, Migration] = {}
    for path in sorted(directory.glob("*.sql")):
        m = _NAME.match(path.name)
        if not m:
            raise ValueError(f"migration file {path.name} must be named NNNN_lowercase_name.sql")
        version = int(m.group(1))
        if version in found:
            raise ValueError(
                f"two migrations share version {version:04d}: {found[version].path.name}, {path.name}"
            )
        found[version] = Migration(version, m.group(2), path)
    return [found[v] for v in sorted(found)]


def migrate(client: Any, directory: Path = MIGRATIONS_DIR) -> list[str]:
    """Apply every migration not yet recorded in app.schema_migrations; return the names applied."""
    for stmt in BOOTSTRAP:
        client.command(stmt)
    done = {
        int(r[0]): r[1]
        for r in client.query(
            "SELECT version, argMax(checksum, applied_at) FROM app.schema_migrations GROUP BY version"
        ).result_rows
    }
    applied = []
    for mig in discover(directory):
        if mig.version in done:
            if done[mig.version] != mig.checksum:
                log.warning(
                    "migration %04d_%s changed after it was applied; add a new migration instead",
                    mig.version,
                    mig.name,
                )
            continue
        for i, stmt in enumerate(mig.statements(), 1):
            try:
                client.command(stmt)
            except Exception as exc:
                raise RuntimeError(f"migration {mig.path.name}, statement {i} failed: {exc}") from exc
        client.insert(
            "app.schema_migrations",
            [[mig.version, mig.name, mig.checksum]],
            column_names=["version", "name", "checksum"],
        )
        applied.append(f"{mig.version:04d}_{mig.name}")
        log.info("applied migration %04d_%s", mig.version, mig.name)
    return applied


def migrate_url(url: str) -> list[str]:
    import clickhouse_connect

    client = clickhouse_connect.get_client(dsn=url, connect_timeout=10)
    try:
        return migrate(client)
    finally:
        client.close()
