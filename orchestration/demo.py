"""`run_demo_job`: the platform's main job on the sandbox as a real Dagster run in DAGSTER_HOME (seen in the UI)."""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from typing import Any

log = logging.getLogger("mrm.orchestration.demo")


def summarize(result: Any) -> dict[str, Any]:
    """Step durations, materializations and check outcomes of an in-process run."""
    steps: dict[str, float] = {}
    failures: dict[str, str] = {}
    checks = {"passed": 0, "failed": []}  # type: dict[str, Any]
    materialized = 0
    for ev in result.all_events:
        kind = ev.event_type_value
        if kind == "STEP_SUCCESS":
            steps[ev.step_key] = round(ev.event_specific_data.duration_ms / 1000, 2)
        elif kind == "STEP_FAILURE":
            failures[ev.step_key] = ev.event_specific_data.error.message.strip()[:2000]
        elif kind == "ASSET_MATERIALIZATION":
            materialized += 1
        elif kind == "ASSET_CHECK_EVALUATION":
            e = ev.event_specific_data
            if e.passed:
                checks["passed"] += 1
            else:
                checks["failed"].append(f"{e.asset_key.to_user_string()}:{e.check_name} ({e.severity.value})")
    skipped = [ev.step_key for ev in result.all_events if ev.event_type_value == "STEP_SKIPPED"]
    return {
        "run_id": result.run_id,
        "success": result.success,
        "steps": steps,
        "failures": failures,
        "skipped": skipped,
        "materializations": materialized,
        "checks": checks,
    }


def range_tags(first: dt.date, last: dt.date) -> dict[str, str]:
    """Tags of a single-run backfill over [first, last] (what the Dagster backfill daemon puts on the run)."""
    from orchestration.partitions import RANGE_END_TAG, RANGE_START_TAG

    return {RANGE_START_TAG: first.isoformat(), RANGE_END_TAG: last.isoformat()}


def run_demo_job(
    days: int = 90,
    *,
    job_name: str = "platform_job",
    platforms: tuple[str, ...] | None = None,
    tenants: list[str] | None = None,
    after_raw: Callable[[Any], Any] | None = None,
) -> dict[str, Any]:
    """Sandbox → raw (every demo tenant/account) → dbt build + tests → checks → insights, reports, embeddings.

    One in-process run over the last `days` Moscow days, recorded in DAGSTER_HOME (<MRM_DATA_DIR>/dagster by
    default) so the UI shows it afterwards. With `after_raw(client)` (e.g. seeding demo media plans from the loaded
    campaigns) it is two runs: the raw loads, the hook, then everything downstream. Raises with every failed
    step's error when a run fails.
    """
    import dagster as dg

    import warehouse
    from ingestion.demo import register, sandbox_urls
    from ingestion.platforms import PLATFORM_NAMES
    from ingestion.sandbox.generator import World
    from orchestration import jobs
    from orchestration.definitions import build_definitions
    from orchestration.home import prepare_home

    if days < 1:
        raise ValueError("days must be >= 1")
    home = prepare_home()
    started = time.perf_counter()
    ch = warehouse.connect()
    urls, today = sandbox_urls(World())
    register(ch, World(today=today))
    ch.close()
    defs = build_definitions(
        sandbox=True, sandbox_urls=urls, today=today.isoformat(), platforms=platforms or PLATFORM_NAMES
    )
    job = defs.resolve_job_def(job_name)
    first, last = today - dt.timedelta(days=days), today - dt.timedelta(days=1)
    # Dagster's console logger prints every event at DEBUG by default: a terminal wants progress, not events.
    quiet: dict[str, Any] = {"loggers": {"console": {"config": {"log_level": "INFO"}}}}
    run_config: dict[str, Any] = dict(quiet)
    if tenants:
        run_config["ops"] = {
            f"{p}_raw": {"config": {"tenants": tenants}} for p in (platforms or PLATFORM_NAMES)
        }
    tags = {**range_tags(first, last), "mrm/demo": "1"}
    log.info("running %s for %s..%s in %s", job_name, first, last, home)
    graph = defs.resolve_asset_graph()
    in_job = {g for g in (*jobs.RAW_GROUPS, *jobs.DBT_GROUPS, *jobs.AI_GROUPS)}
    selectable = [
        k
        for k in graph.get_all_asset_keys()
        if graph.get(k).is_materializable and graph.get(k).group_name in in_job and k != jobs.EMAILS
    ]
    raw = [k for k in selectable if k.path[0].startswith("raw_")]
    batches = [None] if after_raw is None else [raw, [k for k in selectable if k not in raw]]
    summary: dict[str, Any] = {}
    with dg.DagsterInstance.get() as instance:
        for i, selection in enumerate(batches):
            if i == 1 and after_raw is not None:
                ch = warehouse.connect()
                summary["after_raw"] = after_raw(ch)
                ch.close()
            result = job.execute_in_process(
                instance=instance,
                tags=tags,
                run_config=run_config if i == 0 else quiet,
                asset_selection=selection,
                raise_on_error=False,
            )
            part = summarize(result)
            if not result.success:
                detail = "\n".join(f"- {s}: {e}" for s, e in part["failures"].items()) or "(no step failure)"
                raise RuntimeError(f"Dagster run {result.run_id} of {job_name} failed:\n{detail}")
            if not summary.get("run_id"):
                summary.update(part)
            else:  # merge the second run into one summary
                summary["run_ids"] = [summary["run_id"], part["run_id"]]
                summary["steps"].update(part["steps"])
                summary["materializations"] += part["materializations"]
                summary["checks"]["passed"] += part["checks"]["passed"]
                summary["checks"]["failed"] += part["checks"]["failed"]
                summary["skipped"] += part["skipped"]
    summary.update(
        {
            "job": job_name,
            "dagster_home": str(home),
            "first_day": first.isoformat(),
            "last_day": last.isoformat(),
            "seconds": round(time.perf_counter() - started, 1),
        }
    )
    return summary
