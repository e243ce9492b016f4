"""`mrm demo`: the platform's main job on the embedded defaults, then the UIs.

The job: embedded warehouse → migrations → sandbox APIs → raw loads (every platform, last N days) → demo media
plans → dbt marts → insights, reports and the knowledge base. When the Dagster definitions are present the job runs
as a Dagster run (so it shows in the UI); otherwise the same steps run directly.
"""

from __future__ import annotations

import importlib
import json
import logging
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
import httpx

from mrm.i18n import cli_num, cli_t

log = logging.getLogger("mrm.demo")

DAGSTER_PORT = 3000
STREAMLIT_PORT = 8501


def _optional(module: str, attr: str) -> Callable[..., Any] | None:
    """A function of a platform package, or None when that package is not part of this build."""
    try:
        return getattr(importlib.import_module(module), attr)  # type: ignore[no-any-return]
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.split(".")[0] == module.split(".")[0]:
            return None
        raise
    except AttributeError:
        return None


class Steps:
    """Runs named steps, timing each; a failed step stops the demo loudly."""

    def __init__(self) -> None:
        self.results: dict[str, Any] = {}
        self.timings: dict[str, float] = {}

    def run(self, name: str, fn: Callable[[], Any]) -> Any:
        click.echo(f"▶ {name} …", err=True)
        t0 = time.monotonic()
        try:
            out = fn()
        except Exception as exc:
            raise click.ClickException(
                cli_t("cli_demo_step_failed", step=name, error=f"{type(exc).__name__}: {exc}")
            ) from exc
        self.timings[name] = round(time.monotonic() - t0, 1)
        self.results[name] = out
        click.echo(f"✔ {name} ({self.timings[name]} s)", err=True)
        return out


# Dagster's console line: "<time> - dagster - <LEVEL> - <job> - <run id> - <step key> - <message>".
_DAGSTER_STEP = re.compile(
    r" - dagster - [A-Z]+ - [\w.-]+ - [0-9a-f]{8}-[0-9a-f-]{27} - (?P<step>[\w.\[\]-]+) - "
)


class StepProgress:
    """Live progress of a Dagster run whose console goes to the log file: one line when a step first speaks."""

    def __init__(self) -> None:
        self.started = time.monotonic()
        self.seen: set[str] = set()

    def __call__(self, line: str) -> None:
        found = _DAGSTER_STEP.search(line)
        if found and found["step"] not in self.seen:
            self.seen.add(found["step"])
            log.info("  · %s (at %.0f s)", found["step"], time.monotonic() - self.started)


def run_job(days: int, out_dir: Path) -> Steps:
    import warehouse

    steps = Steps()
    client = steps.run("warehouse", lambda: warehouse.connect())
    steps.run("migrations", lambda: warehouse.migrate(client) or "up to date")
    dagster_job = _optional("orchestration.demo", "run_demo_job")
    if dagster_job is not None and os.environ.get("MRM_DEMO_DIRECT") != "1":
        from mrm import logsetup

        def job() -> Any:
            with logsetup.printed_output_to_log(watch=StepProgress()):
                return dagster_job(days=days, after_raw=seed_plans_from_raw)

        run = steps.run("dagster job (sandbox → raw → plans → dbt → checks → insights/reports)", job)
        for step, seconds in sorted(run.get("steps", {}).items(), key=lambda kv: -kv[1]):
            click.echo(f"    {step:<48} {seconds:>7.1f} s", err=True)
    else:
        run_direct(steps, client, days, out_dir)
    users = _optional("dashboards.demo", "create_demo_users")
    if users is not None:
        created = steps.run("demo users", lambda: users(client))
        release = _optional("dashboards.demo", "release_demo_reports")
        if release is not None:
            steps.run("reports released to the demo client users", lambda: release(client, created))
    return steps


def run_direct(steps: Steps, client: Any, days: int, out_dir: Path) -> None:
    """The job without Dagster: the same library calls the assets make."""
    load_demo = _optional("ingestion.demo", "load_demo")
    if load_demo is None:
        raise click.ClickException(cli_t("cli_demo_no_ingestion"))
    steps.run(
        f"sandbox → raw ({days} days, every platform)", lambda: load_demo(client, days=days, progress=True)
    )
    if _optional("planning.demo", "seed_demo_plans") is not None:
        steps.run("demo media plans", lambda: seed_plans_from_raw(client))
    dbt_build = _optional("dbt_project.run", "build")
    if dbt_build is not None:
        steps.run("dbt build (staging → intermediate → marts)", lambda: dbt_build())
    assistants_demo = _optional("assistants.demo", "run_demo")
    if assistants_demo is not None:
        steps.run("insights, reports, knowledge base", lambda: assistants_demo(client, out_dir / "reports"))


# Demo plan budgets follow each campaign's recent spend rate times a stable factor in 0.8–1.2, so plan vs fact shows
# a realistic mix of under-, on- and over-delivering lines (a campaign's own daily cap would make every line "under").
CAMPAIGNS_SQL = """
WITH direct_rate AS (
    SELECT tenant_id, account_id, campaign_id, sum(cost) / 28 AS daily
    FROM raw_yandex_direct.ad_stats_daily
    WHERE date_day >= today() - 28
    GROUP BY tenant_id, account_id, campaign_id
), vk_rate AS (
    SELECT s.tenant_id AS tenant_id, s.account_id AS account_id, g.ad_plan_id AS ad_plan_id, sum(s.spent) / 28 AS daily
    FROM raw_vk_ads.banner_stats_daily AS s
    INNER JOIN raw_vk_ads.banners AS b ON b.tenant_id = s.tenant_id AND b.account_id = s.account_id
        AND b.banner_id = s.banner_id
    INNER JOIN raw_vk_ads.ad_groups AS g ON g.tenant_id = b.tenant_id AND g.account_id = b.account_id
        AND g.ad_group_id = b.ad_group_id
    WHERE s.date_day >= today() - 28
    GROUP BY s.tenant_id, s.account_id, g.ad_plan_id
)
SELECT a.tenant_id, a.client_id, 'yandex_direct', toString(c.campaign_id), c.campaign_name, c.account_id,
       toFloat64(r.daily) * (0.8 + (cityHash64(c.campaign_id) % 41) / 100)
FROM raw_yandex_direct.campaigns AS c
INNER JOIN (SELECT * FROM app.accounts FINAL WHERE platform = 'yandex_direct') AS a
    ON a.tenant_id = c.tenant_id AND a.account_id = c.account_id
INNER JOIN direct_rate AS r ON r.tenant_id = c.tenant_id AND r.account_id = c.account_id AND r.campaign_id = c.campaign_id
UNION ALL
SELECT a.tenant_id, a.client_id, 'vk_ads', toString(p.ad_plan_id), p.name, p.account_id,
       toFloat64(r.daily) * (0.8 + (cityHash64(p.ad_plan_id) % 41) / 100)
FROM raw_vk_ads.ad_plans AS p
INNER JOIN (SELECT * FROM app.accounts FINAL WHERE platform = 'vk_ads') AS a
    ON a.tenant_id = p.tenant_id AND a.account_id = p.account_id
INNER JOIN vk_rate AS r ON r.tenant_id = p.tenant_id AND r.account_id = p.account_id AND r.ad_plan_id = p.ad_plan_id
"""


def seed_plans_from_raw(client: Any) -> dict[str, int]:
    """One demo media plan per client whose lines are the client's loaded campaigns (for plan vs fact)."""
    from planning.demo import seed_demo_plans

    per_tenant: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for tenant, client_id, platform, cid, name, account, budget in client.query(CAMPAIGNS_SQL).result_rows:
        per_tenant.setdefault(tenant, {}).setdefault(client_id, []).append(
            {
                "platform": platform,
                "campaign_id": cid,
                "campaign_name": name,
                "account_id": account,
                "daily_budget": budget or None,
            }
        )
    imported = 0
    for tenant, campaigns in per_tenant.items():
        result = seed_demo_plans(client, tenant, sorted(campaigns), campaigns)
        imported += sum(1 for r in result.values() if r is not None)
    return {"plans_imported": imported, "clients": sum(len(c) for c in per_tenant.values())}


def _summary(client: Any) -> dict[str, Any]:
    tables = client.query(
        "SELECT database, name, total_rows FROM system.tables WHERE database IN "
        "('raw_yandex_direct','raw_yandex_metrika','raw_vk_ads','raw_garpun','marts') AND total_rows > 0 "
        "ORDER BY database, name"
    ).result_rows
    return {f"{db}.{name}": rows for db, name, rows in tables}


def _wait_http(
    url: str, timeout: float, proc: subprocess.Popen[bytes] | None = None, stop: list[int] | None = None
) -> bool:
    """Poll `url` until it answers (True), the child exits or a stop is requested (False), or `timeout` passes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not stop and (proc is None or proc.poll() is None):
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return True
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    return False


def serve(app_port: int = STREAMLIT_PORT, dagster_port: int = DAGSTER_PORT) -> None:
    """Start the Dagster UI and the Streamlit app, print their URLs, and keep them up until Ctrl-C or SIGTERM.

    Each UI runs as a child in its own process group; a stop signal to this process is passed on to them and the
    command returns only after they have exited, so their ports are free again.
    """
    from mrm import logsetup, procs

    services = [
        (cli_t("cli_demo_dagster_ui"), "dagster", dagster_port, "/server_info"),
        (cli_t("cli_demo_streamlit_app"), "dashboards", app_port, "/_stcore/health"),
    ]
    children: list[subprocess.Popen[bytes]] = []
    with procs.forwarding_stop_signals(children) as stop_requested:
        try:
            for label, cmd, port, health in services:
                module = {
                    "dagster": ("orchestration.cli", "dagster_cmd"),
                    "dashboards": ("dashboards.cli", "dashboards_cmd"),
                }[cmd]
                if _optional(*module) is None:
                    click.echo(cli_t("cli_demo_not_in_build", service=label))
                    continue
                # The demo UI runs against the sandboxes: runs launched from it need no platform credentials.
                extra = ["--sandbox"] if cmd == "dagster" else []
                children.append(
                    procs.start(
                        [sys.executable, "-m", "mrm.cli", cmd, "--port", str(port), *extra],
                        env=logsetup.child_env(),
                    )
                )
                url = f"http://127.0.0.1:{port}"
                ok = _wait_http(url + health, 180, children[-1], stop_requested)
                if stop_requested:
                    return
                click.echo(f"  {label}: {url}" + ("" if ok else cli_t("cli_demo_not_answering")))
            click.echo(cli_t("cli_demo_press_ctrl_c"))
            while children and not stop_requested and all(p.poll() is None for p in children):
                time.sleep(0.5)  # a poll of the children, not a deadline: a stop signal ends the loop
        finally:
            for p in children:  # `mrm dagster` is given the time its own stop of `dagster dev` may take
                procs.stop(p, grace_s=procs.DAGSTER_DEV_STOP_S + 20)


def _port_option(flag: str, default: int, env: str, what: str) -> Any:
    """A loopback port option with an environment fallback."""
    return click.option(
        flag,
        type=click.IntRange(1, 65535),
        default=default,
        show_default=True,
        envvar=env,
        help=f"Port of {what} on 127.0.0.1 (env {env}).",
    )


@click.command()
@click.option("--no-serve", is_flag=True, help="Run the job, print a summary and exit (no UIs).")
@click.option("--days", default=90, show_default=True, help="Days of sandbox history to load.")
@click.option(
    "--json-summary",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also write the summary as JSON to this file.",
)
@_port_option("--app-port", STREAMLIT_PORT, "MRM_APP_PORT", "the Streamlit app")
@_port_option("--dagster-port", DAGSTER_PORT, "MRM_DAGSTER_PORT", "the Dagster UI")
def demo(no_serve: bool, days: int, json_summary: Path | None, app_port: int, dagster_port: int) -> None:
    """Run the platform's main job on the embedded defaults (warehouse, API sandboxes, offline AI).

    Then keep the Dagster UI and the Streamlit app serving and print their URLs; with --no-serve print a summary
    and exit 0.
    """
    from warehouse.settings import WarehouseSettings

    if app_port == dagster_port and not no_serve:
        raise click.BadParameter(
            cli_t("cli_demo_same_port", port=app_port),
            param_hint="--app-port / --dagster-port",
        )

    settings = WarehouseSettings.from_env()
    out_dir = settings.data_dir / "demo"
    out_dir.mkdir(parents=True, exist_ok=True)
    t0 = time.monotonic()
    steps = run_job(days, out_dir)
    client = steps.results["warehouse"]
    summary: dict[str, Any] = {
        "warehouse": settings.url
        if not settings.embedded
        else __import__("warehouse").redact(__import__("warehouse").endpoint(settings)),
        "data_dir": str(settings.data_dir),
        "seconds": round(time.monotonic() - t0, 1),
        "step_seconds": steps.timings,
        "tables": _summary(client),
        "log_file": str(click.get_current_context().meta.get("mrm.log_file") or ""),
    }
    users = steps.results.get("demo users")
    finished = cli_t(
        "cli_demo_finished",
        seconds=cli_num(summary["seconds"], 1),
        warehouse=summary["warehouse"],
        data=summary["data_dir"],
    )
    click.echo("\n" + finished)
    if summary["log_file"]:
        click.echo(cli_t("cli_demo_full_log", path=summary["log_file"]))
    for name, rows in summary["tables"].items():
        click.echo(cli_t("cli_demo_table_rows", table=f"{name:<55}", rows=f"{cli_num(rows):>12}"))
    if users:
        click.echo("\n" + cli_t("cli_demo_logins"))
        for u in users:
            click.echo("  " + " / ".join(str(x) for x in u))
    if json_summary:
        json_summary.write_text(json.dumps(summary, indent=2, default=str))
    if not no_serve:
        click.echo("\n" + cli_t("cli_demo_serving"))
        serve(app_port=app_port, dagster_port=dagster_port)
