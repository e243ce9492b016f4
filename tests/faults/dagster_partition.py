"""Materialise one daily partition of every raw asset as a Dagster run (the process scenario 3 SIGKILLs).

python -m tests.faults.dagster_partition --partition 2026-01-19 --today 2026-01-20 --warehouse-url URL --urls JSON
Uses the instance in $DAGSTER_HOME, so the killed run stays in the run storage the rerun uses.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

RAW_TABLES = {
    "raw_yandex_direct": ["campaigns", "ad_stats_daily", "reach_frequency"],
    "raw_yandex_metrika": ["traffic_daily", "visits"],
    "raw_vk_ads": ["ad_plans", "ad_groups", "banners", "banner_stats_daily"],
    "raw_garpun": ["ad_stats_daily", "campaigns"],
}


def raw_keys() -> list[Any]:
    import dagster as dg

    return [dg.AssetKey([db, t]) for db, ts in RAW_TABLES.items() for t in ts]


def materialise(partition: str, today: str, warehouse_url: str, urls: dict[str, str], instance: Any) -> Any:
    """Run platform_job's raw assets for the partition in this process; returns the Dagster result."""
    from orchestration.definitions import build_definitions

    defs = build_definitions(sandbox=True, sandbox_urls=urls, today=today, warehouse_url=warehouse_url)
    return defs.resolve_job_def("platform_job").execute_in_process(
        partition_key=partition, instance=instance, asset_selection=raw_keys(), raise_on_error=False)


def main(argv: list[str] | None = None) -> int:
    import dagster as dg

    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--partition", required=True)
    p.add_argument("--today", required=True)
    p.add_argument("--warehouse-url", required=True)
    p.add_argument("--urls", required=True, help="JSON {api: base url} of the sandbox")
    a = p.parse_args(argv)
    with dg.DagsterInstance.get() as instance:
        result = materialise(a.partition, a.today, a.warehouse_url, json.loads(a.urls), instance)
    print(f"run {result.run_id} success={result.success}", flush=True)
    return 0 if result.success else 1


if __name__ == "__main__":
    sys.exit(main())
