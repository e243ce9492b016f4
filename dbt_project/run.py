"""Run the dbt project from Python (demo, CLI, tests); Dagster uses dagster-dbt on the same project and manifest.

`build()` points dbt at the configured warehouse: CLICKHOUSE_URL / CLICKHOUSE_HOST… when set, otherwise the
embedded server of MRM_DATA_DIR (started if needed). Artifacts land in `dbt_project/target/` unless told otherwise,
so `MANIFEST_PATH` is where dagster-dbt finds the manifest.
"""

from __future__ import annotations

import functools
import json
import os
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PROJECT_DIR = Path(__file__).resolve().parent
TARGET_DIR = PROJECT_DIR / "target"
MANIFEST_PATH = TARGET_DIR / "manifest.json"


class DbtRunError(RuntimeError):
    """A dbt command failed; the message names every failed node and the database's error."""


@dataclass
class NodeResult:
    unique_id: str
    status: str
    message: str
    seconds: float


@dataclass
class RunResult:
    """What a dbt invocation did: overall success, per-node outcome, wall time and where artifacts are."""

    command: str
    success: bool
    seconds: float
    target_path: Path
    nodes: list[NodeResult] = field(default_factory=list)
    error: str = ""

    @property
    def failures(self) -> list[NodeResult]:
        return [n for n in self.nodes if n.status in ("error", "fail", "runtime error")]

    @property
    def manifest_path(self) -> Path:
        return self.target_path / "manifest.json"

    def __str__(self) -> str:
        kinds: dict[str, int] = {}
        for n in self.nodes:
            kind = n.unique_id.split(".")[0]
            kinds[kind] = kinds.get(kind, 0) + 1
        counts = ", ".join(f"{v} {k}s" for k, v in sorted(kinds.items()))
        state = "ok" if self.success else f"FAILED ({len(self.failures)} failures)"
        return (
            f"dbt {self.command} {state} in {self.seconds:.1f}s ({counts}); artifacts in {self.target_path}"
        )


def profiles_dir() -> str:
    """DBT_PROFILES_DIR when set (e.g. deploy/dbt for the cluster target), else the project's own profiles.yml."""
    return os.environ.get("DBT_PROFILES_DIR") or str(PROJECT_DIR)


def warehouse_env(env: Mapping[str, str] | None = None) -> dict[str, str]:
    """Environment for dbt: the configured ClickHouse, or the embedded server's URL (starting it if needed)."""
    out = dict(os.environ if env is None else env)
    if not out.get("CLICKHOUSE_URL") and not out.get("CLICKHOUSE_HOST"):
        import warehouse  # only needed for the embedded default

        out["CLICKHOUSE_URL"] = warehouse.endpoint()
    out.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    return out


def _dbt(command: Sequence[str], target: Path) -> Any:
    """dbtRunner on this project with its profiles and the given artifact folder."""
    from dbt.cli.main import dbtRunner

    project = ["--project-dir", str(PROJECT_DIR), "--profiles-dir", profiles_dir()]
    return dbtRunner().invoke([*command, *project, "--target-path", str(target)])


def _invoke(
    command: str, args: Sequence[str], *, target_path: Path | str | None, raise_on_failure: bool
) -> RunResult:
    target = Path(target_path) if target_path else TARGET_DIR
    env = warehouse_env()
    # dbt reads the profile's env_var() from os.environ at invocation time.
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    started = time.perf_counter()
    try:
        res = _dbt([command, *args], target)
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    out = RunResult(
        command=command, success=bool(res.success), seconds=time.perf_counter() - started, target_path=target
    )
    for r in getattr(res.result, "results", None) or []:
        out.nodes.append(
            NodeResult(
                unique_id=r.node.unique_id,
                status=str(r.status),
                message=str(r.message or ""),
                seconds=float(r.execution_time or 0),
            )
        )
    if res.exception is not None:
        out.error = str(res.exception)
    if raise_on_failure and not out.success:
        lines = [f"dbt {command} failed after {out.seconds:.1f}s"]
        lines += [f"- {n.unique_id}: {n.status}: {n.message}" for n in out.failures]
        if out.error:
            lines.append(out.error)
        raise DbtRunError("\n".join(lines))
    return out


def _common_args(
    select: str | Sequence[str] | None, exclude: str | Sequence[str] | None, vars: Mapping[str, Any] | None
) -> list[str]:
    args: list[str] = []
    if select:
        args += ["--select", *([select] if isinstance(select, str) else select)]
    if exclude:
        args += ["--exclude", *([exclude] if isinstance(exclude, str) else exclude)]
    if vars:
        args += ["--vars", json.dumps(dict(vars), default=str)]
    return args


def _models(
    command: str,
    select: str | Sequence[str] | None = None,
    vars: Mapping[str, Any] | None = None,
    target_path: Path | str | None = None,
    *,
    exclude: str | Sequence[str] | None = None,
    full_refresh: bool = False,
    raise_on_failure: bool = True,
) -> RunResult:
    args = _common_args(select, exclude, vars) + (["--full-refresh"] if full_refresh else [])
    return _invoke(command, args, target_path=target_path, raise_on_failure=raise_on_failure)


#: `dbt build` (models, tests, unit tests). vars start_date/end_date (YYYY-MM-DD) rebuild just that window.
build = functools.partial(_models, "build")
#: `dbt run`: models only, no tests (the benchmark and quick rebuilds).
run = functools.partial(_models, "run")


def relation_checksums(
    ch: Any, databases: Sequence[str] = ("staging", "intermediate", "marts")
) -> dict[str, tuple[int, int]]:
    """(rows, order-independent content hash) of every relation the project builds, by `db`.`table`: equal
    checksums after an incremental run and after a full build mean equal content. Sketch states are compared
    finalized (a merged state may serialize differently and still hold the same users); bitmaps by their ids."""
    in_dbs = ", ".join(f"'{db}'" for db in databases)
    cols = ch.query(
        f"SELECT database, table, name, type FROM system.columns WHERE database IN ({in_dbs}) "  # noqa: S608
        "AND table NOT LIKE '%__dbt%' ORDER BY database, table, position"
    ).result_rows
    by_table: dict[str, list[str]] = {}
    for db, table, name, typ in cols:
        if typ.startswith("AggregateFunction(groupBitmap"):
            expr = f"arraySort(bitmapToArray(`{name}`))"  # the ids themselves (a small set keeps insertion order)
        elif typ.startswith("AggregateFunction"):
            expr = f"finalizeAggregation(`{name}`)"
        else:
            expr = f"`{name}`"
        by_table.setdefault(f"`{db}`.`{table}`", []).append(expr)
    out = {}
    for rel, exprs in by_table.items():
        row = ch.query(
            f"SELECT count(), sum(cityHash64(toString(tuple({', '.join(exprs)})))) FROM {rel}"  # noqa: S608
        ).result_rows[0]
        out[rel] = (int(row[0]), int(row[1]))
    return out


def docs_generate(target_path: Path | str | None = None, *, raise_on_failure: bool = True) -> RunResult:
    """`dbt docs generate`: catalog.json and index.html next to the manifest."""
    return _invoke("docs", ["generate"], target_path=target_path, raise_on_failure=raise_on_failure)


def parse(target_path: Path | str | None = None) -> Path:
    """Write the manifest without touching the warehouse (dagster-dbt needs it at definition load time)."""
    target = Path(target_path) if target_path else TARGET_DIR
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    res = _dbt(["parse"], target)
    if not res.success:
        raise DbtRunError(f"dbt parse failed: {res.exception}")
    return target / "manifest.json"


if __name__ == "__main__":  # python -m dbt_project.run [build|run|docs] [dbt selectors…]
    import argparse

    parser = argparse.ArgumentParser(description="Run dbt on the project against the configured warehouse.")
    parser.add_argument("command", nargs="?", choices=("build", "run", "docs"), default="build")
    parser.add_argument("select", nargs="*", help="dbt node selectors (all nodes when none)")
    args = parser.parse_args()
    fn = {"build": build, "run": run}[args.command] if args.command != "docs" else None
    result = docs_generate() if fn is None else fn(select=args.select or None)
    print(
        f"dbt {result.command}: {'ok' if result.success else 'FAILED'} in {result.seconds:.1f}s, "
        f"{len(result.nodes)} nodes"
    )
