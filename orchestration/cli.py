"""`mrm dagster`: the Dagster UI and daemon on 127.0.0.1:3000 beside the embedded warehouse."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from mrm.i18n import cli_t

REPO_ROOT = Path(__file__).resolve().parents[1]


def dagster_dev_command(host: str, port: int, *, log_level: str = "warning") -> list[str]:
    """`dagster dev` of this venv for our code location (webserver + daemon in one supervisor).

    Dagster's own INFO lines (service start-up, code-server chatter) stay off the terminal unless --verbose.
    """
    exe = Path(sys.executable).parent / "dagster"
    base = [str(exe)] if exe.exists() else [sys.executable, "-m", "dagster"]
    return [
        *base,
        "dev",
        "-m",
        "orchestration.definitions",
        "-h",
        host,
        "-p",
        str(port),
        "--log-level",
        log_level,
        "--code-server-log-level",
        log_level,
    ]


def dagster_env(home: Path, *, sandbox: bool, platforms: str | None) -> dict[str, str]:
    from mrm import logsetup

    env = logsetup.child_env()  # PYTHONWARNINGS: the acknowledged Dagster warnings, in every Dagster process
    env["DAGSTER_HOME"] = str(home)
    env["DAGSTER_DISABLE_TELEMETRY"] = "1"  # belt and braces: dagster.yaml also disables it
    env.setdefault("GX_ANALYTICS_ENABLED", "false")
    env.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    if sandbox:
        env["MRM_DAGSTER_SANDBOX"] = "1"
    if platforms:
        env["MRM_PLATFORMS"] = platforms
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO_ROOT), env.get("PYTHONPATH", "")) if p)
    return env


def _platform_list(value: str | None) -> str | None:
    """Validate a comma list against the platform registry, so a typo fails here rather than in the UI."""
    if not value:
        return None
    from ingestion.platforms import PLATFORM_NAMES

    chosen = [p.strip() for p in value.split(",") if p.strip()]
    unknown = [p for p in chosen if p not in PLATFORM_NAMES]
    if unknown:
        raise click.BadParameter(
            cli_t(
                "cli_dagster_unknown_platforms", unknown=", ".join(unknown), known=", ".join(PLATFORM_NAMES)
            )
        )
    return ",".join(chosen)


@click.command("dagster")
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Interface for the web UI (loopback only by default: the UI has no login).",
)
@click.option(
    "--port",
    default=3000,
    show_default=True,
    type=int,
    envvar="MRM_DAGSTER_PORT",
    help="Web UI port (env MRM_DAGSTER_PORT).",
)
@click.option(
    "--dagster-home",
    type=click.Path(file_okay=False),
    default=None,
    help="Instance folder (default: $DAGSTER_HOME, else <MRM_DATA_DIR>/dagster).",
)
@click.option(
    "--sandbox/--no-sandbox",
    default=False,
    show_default=True,
    help="Point the platform resources at the local API emulators instead of the real APIs.",
)
@click.option(
    "--platforms",
    default=None,
    callback=lambda ctx, param, value: _platform_list(value),
    help="Comma list of registered platforms to load (default: every one in ingestion.platforms).",
)
@click.option(
    "--postgres", is_flag=True, help="Create DAGSTER_HOME with the Postgres instance yaml (compose stack)."
)
def dagster_cmd(
    host: str, port: int, dagster_home: str | None, sandbox: bool, platforms: str | None, postgres: bool
) -> None:
    """Start the Dagster UI (webserver + daemon) for the platform's assets, schedules and sensors.

    Starts the embedded warehouse first when no ClickHouse is configured, so runs launched from the UI find it.
    Ctrl+C stops Dagster (the warehouse keeps running; `mrm warehouse stop` stops it).
    Runs launched from the UI need platform credentials (MRM_DIRECT_TOKEN…) unless --sandbox is given.
    """
    from orchestration.home import prepare_home

    home = prepare_home(dagster_home, postgres=postgres)
    if not os.environ.get("CLICKHOUSE_URL") and not os.environ.get("CLICKHOUSE_HOST"):
        import warehouse

        click.echo(cli_t("cli_dagster_warehouse", url=warehouse.redact(warehouse.endpoint())), err=True)
    from mrm import logsetup, procs

    cmd = dagster_dev_command(host, port, log_level="debug" if logsetup.is_verbose() else "warning")
    click.echo(f"DAGSTER_HOME={home}", err=True)
    click.echo(cli_t("cli_dagster_ui", url=f"http://{host}:{port}", command=" ".join(cmd)), err=True)
    # A child we wait on (not exec): a stop signal to this command is passed to `dagster dev`, which stops the
    # webserver, daemon and code servers; anything left in its process group is ended after it exits.
    raise SystemExit(
        procs.run_foreground(
            cmd,
            env=dagster_env(home, sandbox=sandbox, platforms=platforms),
            cwd=REPO_ROOT,
            grace_s=procs.DAGSTER_DEV_STOP_S,
        )
    )
