"""Materialise one daily partition of every raw asset as a Dagster run (the process scenario 3 SIGKILLs).

python -m tests.faults.dagster_partition --partition 2026-01-19 --today 2026-01-20 --warehouse-url URL --urls JSON
Uses the instance in $DAGSTER_HOME, so the killed run stays in the run storage the rerun uses.
With --barrier DIR the run stops at a fixed point and says so (see `hold_at_second_window`): the test kills it
there, so where the kill lands does not depend on how fast the machine is.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

RAW_TABLES = {
    "raw_yandex_direct": ["campaigns", "ads", "ad_stats_daily", "reach_frequency"],
    "raw_yandex_metrika": ["traffic_daily", "visits"],
    "raw_vk_ads": ["ad_plans", "ad_groups", "banners", "banner_stats_daily"],
    "raw_garpun": ["ad_stats_daily", "campaigns"],
}


def raw_keys() -> list[Any]:
    import dagster as dg

    return [dg.AssetKey([db, t]) for db, ts in RAW_TABLES.items() for t in ts]


REACHED, RELEASE = "reached", "release"


def hold_at_second_window(barrier: Path, limit_s: float = 900.0) -> None:
    """Stop the run right after it logs a window `running` while an earlier window is already `ok`.

    Every load-log write goes through `warehouse.loads.write_logs`; wrapping it here (in the run's own process)
    makes the real loaders announce the point by writing `barrier/reached`, then wait until `barrier/release`
    appears or the process is killed. Waiting longer than `limit_s` is an error, so a lost test cannot hang it.
    """
    from warehouse import loads

    real_write_logs = loads.write_logs
    state = {"ok": False, "held": False}

    def write_logs(client: Any, entries: list[Any], finished: list[Any]) -> None:
        real_write_logs(client, entries, finished)
        statuses = {e.status for e in entries}
        if "ok" in statuses:
            state["ok"] = True
        elif state["ok"] and "running" in statuses and not state["held"]:
            state["held"] = True
            (barrier / REACHED).write_text(
                ",".join(f"{e.platform}/{e.report}" for e in entries), encoding="utf-8"
            )
            deadline = time.monotonic() + limit_s
            while not (barrier / RELEASE).exists():
                if time.monotonic() > deadline:
                    raise RuntimeError(
                        f"barrier {barrier} held {limit_s:.0f}s: nobody killed or released the run"
                    )
                time.sleep(0.05)

    loads.write_logs = write_logs


def materialise(partition: str, today: str, warehouse_url: str, urls: dict[str, str], instance: Any) -> Any:
    """Run platform_job's raw assets for the partition in this process; returns the Dagster result."""
    from orchestration.definitions import build_definitions

    defs = build_definitions(sandbox=True, sandbox_urls=urls, today=today, warehouse_url=warehouse_url)
    return defs.resolve_job_def("platform_job").execute_in_process(
        partition_key=partition, instance=instance, asset_selection=raw_keys(), raise_on_error=False
    )


def main(argv: list[str] | None = None) -> int:
    import dagster as dg

    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--partition", required=True)
    p.add_argument("--today", required=True)
    p.add_argument("--warehouse-url", required=True)
    p.add_argument("--urls", required=True, help="JSON {api: base url} of the sandbox")
    p.add_argument("--barrier", type=Path, help="directory: stop at the second window and announce it there")
    a = p.parse_args(argv)
    if a.barrier is not None:
        hold_at_second_window(a.barrier)
    with dg.DagsterInstance.get() as instance:
        result = materialise(a.partition, a.today, a.warehouse_url, json.loads(a.urls), instance)
    print(f"run {result.run_id} success={result.success}", flush=True)
    return 0 if result.success else 1


if __name__ == "__main__":
    sys.exit(main())
