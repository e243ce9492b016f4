"""Benchmark: the daily Dagster run for 3 tenants × 3 platforms on the sandbox APIs, end to end, time per phase.

Run: `.venv/bin/python -m benchmarks.orchestration_bench [--history-days 28]`. A temporary warehouse and DAGSTER_HOME are
used (nothing touches ./.mrm). First an untimed-for-target history backfill (one single-run backfill of raw + dbt),
then the measured daily run: yesterday's partition of `daily_platform_job` — raw loads re-pulling each platform's
lookback window, dbt build + tests, great-expectations checks, insights, reports and their e-mail (to a local SMTP
sink), embeddings. Target: the daily run ≤ 180 s on a 2-core machine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import socket
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BENCH_TODAY = dt.date(2026, 1, 20)
PLATFORMS = ("yandex_direct", "yandex_metrika", "vk_ads")
THIRD_TENANT = (
    "bench-agency"  # a copy of demo-agency's clients and accounts: the sandbox serves by account id
)
TARGET_S = 180.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def register_three_tenants(ch: Any, world: Any) -> list[str]:
    """The sandbox's two tenants plus a third cloned from demo-agency (same accounts, its own tenant_id)."""
    from ingestion.demo import register

    register(ch, world)
    ch.command(
        "INSERT INTO app.tenants (tenant_id, name, timezone, default_currency) "
        "VALUES ({t:String}, 'Бенч Агентство / Bench Agency', 'Europe/Moscow', 'RUB')",
        parameters={"t": THIRD_TENANT},
    )
    ch.command(
        "INSERT INTO app.clients (tenant_id, client_id, name, currency, agency_commission) SELECT {t:String}, "
        "client_id, name, currency, agency_commission FROM app.clients FINAL WHERE tenant_id = 'demo-agency'",
        parameters={"t": THIRD_TENANT},
    )
    ch.command(
        "INSERT INTO app.accounts (tenant_id, client_id, platform, account_id, account_name, timezone, currency, "
        "spend_includes_vat, via_garpun) SELECT {t:String}, client_id, platform, account_id, account_name, "
        "timezone, currency, spend_includes_vat, via_garpun FROM app.accounts FINAL "
        "WHERE tenant_id = 'demo-agency'",
        parameters={"t": THIRD_TENANT},
    )
    # Every client gets a recipient so the e-mail phase sends one report per client.
    ch.command(
        "INSERT INTO app.clients (tenant_id, client_id, name, currency, agency_commission, report_recipients) "
        "SELECT tenant_id, client_id, name, currency, agency_commission, [concat(client_id, '@bench.example')] "
        "FROM app.clients FINAL"
    )
    return sorted(
        r[0]
        for r in ch.query(
            "SELECT DISTINCT tenant_id FROM app.accounts FINAL WHERE platform IN {p:Array(String)}",
            parameters={"p": list(PLATFORMS)},
        ).result_rows
    )


def phases(steps: dict[str, float]) -> dict[str, float]:
    """Step durations grouped into the phases people ask about."""
    out: dict[str, float] = {}
    for step, secs in steps.items():
        if step.endswith("_raw"):
            name = f"raw: {step[:-4]}"
        elif step == "mrm_dbt_models":
            name = "dbt build + tests"
        elif "check" in step or step.endswith("_quality") or "report_totals" in step:
            name = "checks (GX)"
        else:
            name = {
                "app__insights": "insights",
                "reports__client_reports": "reports (xlsx+pdf)",
                "reports__client_report_emails": "report e-mail",
                "app__kb_chunks": "embeddings",
            }.get(step, step)
        out[name] = round(out.get(name, 0.0) + secs, 2)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--history-days", type=int, default=28, help="days loaded before the measured run")
    parser.add_argument("--json", type=Path, default=None, help="also write the numbers to this file")
    args = parser.parse_args(argv)

    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    tmp = Path(tempfile.mkdtemp(prefix="mrm-dagster-bench-"))
    os.environ["MRM_DATA_DIR"] = str(tmp / "data")
    os.environ["DAGSTER_HOME"] = str(tmp / "dagster")
    for var in ("CLICKHOUSE_URL", "CLICKHOUSE_HOST"):
        os.environ.pop(var, None)

    import dagster as dg
    from aiosmtpd.controller import Controller

    from ingestion.sandbox.generator import World
    from ingestion.sandbox.server import SandboxServer
    from orchestration.definitions import build_definitions
    from orchestration.demo import range_tags, summarize
    from orchestration.home import prepare_home
    from orchestration.resources import SmtpResource
    from warehouse import embedded

    t0 = time.perf_counter()
    info = embedded.start(Path(os.environ["MRM_DATA_DIR"]), port=_free_port())
    os.environ["CLICKHOUSE_URL"] = info.url
    prepare_home()
    import warehouse

    ch = warehouse.connect()
    world = World(seed=7, today=BENCH_TODAY, history_days=args.history_days + 30)
    server = SandboxServer(world).start()
    mails: list[Any] = []

    class Sink:
        async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd hook name
            mails.append(envelope)
            return "250 OK"

    smtp_port = _free_port()
    smtp = Controller(Sink(), hostname="127.0.0.1", port=smtp_port)
    smtp.start()
    results: dict[str, Any] = {}
    try:
        tenants = register_three_tenants(ch, world)
        setup_s = time.perf_counter() - t0
        defs = build_definitions(
            sandbox=True,
            sandbox_urls=server.urls,
            today=BENCH_TODAY.isoformat(),
            platforms=PLATFORMS,
            reports_dir=str(tmp / "reports"),
            smtp=SmtpResource(host="127.0.0.1", port=smtp_port),
        )
        yesterday = BENCH_TODAY - dt.timedelta(days=1)
        history_first = yesterday - dt.timedelta(days=args.history_days)
        history_last = yesterday - dt.timedelta(days=1)
        graph = defs.resolve_asset_graph()
        raw_and_dbt = [
            k
            for k in graph.get_all_asset_keys()
            if graph.get(k).is_materializable
            and (k.path[0].startswith("raw_") or k.path[0] in ("staging", "intermediate", "marts"))
        ]
        with dg.DagsterInstance.get() as instance:
            t = time.perf_counter()
            hist = summarize(
                defs.resolve_job_def("platform_job").execute_in_process(
                    instance=instance,
                    tags=range_tags(history_first, history_last),
                    asset_selection=raw_and_dbt,
                    raise_on_error=False,
                )
            )
            hist_s = time.perf_counter() - t
            if not hist["success"]:
                raise RuntimeError(f"history backfill failed: {hist['failures']}")
            t = time.perf_counter()
            daily = summarize(
                defs.resolve_job_def("daily_platform_job").execute_in_process(
                    instance=instance, partition_key=yesterday.isoformat(), raise_on_error=False
                )
            )
            daily_s = time.perf_counter() - t
        if not daily["success"]:
            raise RuntimeError(f"daily run failed: {daily['failures']}")
        rows = {
            t: n
            for t, n in ch.query(
                "SELECT table, sum(rows) FROM (SELECT concat(database, '.', table) AS table, rows FROM system.parts "
                "WHERE active AND database LIKE 'raw\\_%') GROUP BY table ORDER BY table"
            ).result_rows
        }
        results = {
            "tenants": tenants,
            "platforms": list(PLATFORMS),
            "partition": yesterday.isoformat(),
            "setup_s": round(setup_s, 1),
            "history_backfill_days": args.history_days,
            "history_backfill_s": round(hist_s, 1),
            "history_phases": phases(hist["steps"]),
            "daily_run_s": round(daily_s, 1),
            "daily_phases": phases(daily["steps"]),
            "checks_passed": daily["checks"]["passed"],
            "checks_failed": daily["checks"]["failed"],
            "emails_sent": len(mails),
            "raw_rows_total": rows,
            "target_s": TARGET_S,
            "within_target": daily_s <= TARGET_S,
            "cpus": os.cpu_count(),
        }
    finally:
        smtp.stop()
        server.stop()
        ch.close()
        embedded.stop(Path(os.environ["MRM_DATA_DIR"]))
    print(json.dumps(results, indent=1, ensure_ascii=False))
    print("\n| phase | seconds |\n|---|---|")
    for name, secs in results["daily_phases"].items():
        print(f"| {name} | {secs} |")
    print(f"| **daily run, wall (3 tenants × 3 platforms)** | **{results['daily_run_s']}** |")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1, ensure_ascii=False))
    return 0 if results["within_target"] else 1


if __name__ == "__main__":
    sys.exit(main())
