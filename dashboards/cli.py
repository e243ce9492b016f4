"""`mrm users …` (app accounts and roles) and `mrm dashboards` (serve the Streamlit app on loopback)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from mrm.i18n import cli_explain, cli_t
from workspace.permissions import ROLES

APP = Path(__file__).resolve().parent / "streamlit_app.py"
# Migrations run through warehouse.migrate.migrate (the function): after the submodule is imported,
# the attribute `warehouse.migrate` is the module, not the function.


@click.group(name="users")
def users() -> None:
    """Manage users of the analyst app: local accounts (salted scrypt hashes) or OIDC identities, with roles."""


@users.command(name="add")
@click.argument("login")
@click.option("--tenant", "tenant_id", required=True, help="Tenant (agency) the user belongs to.")
@click.option(
    "--role",
    required=True,
    type=click.Choice(list(ROLES)),
    help="Role (see docs/permissions.md): admin administers the tenant; client is read-only.",
)
@click.option("--client", "client_id", default="", help="For role client: the only client this user may see.")
@click.option("--name", "display_name", default="", help="Display name.")
@click.option(
    "--oidc", is_flag=True, help="Sign-in through the identity provider (LOGIN is the e-mail); no password."
)
@click.option(
    "--password",
    envvar="MRM_USER_PASSWORD",
    default=None,
    help="Password (8+ characters); prompted if omitted. Env: MRM_USER_PASSWORD.",
)
def add_cmd(
    login: str, tenant_id: str, role: str, client_id: str, display_name: str, oidc: bool, password: str | None
) -> None:
    """Create or update user LOGIN."""
    import warehouse
    from dashboards.auth import AuthError, add_user
    from warehouse.migrate import migrate

    if not oidc and password is None:
        password = click.prompt(cli_t("cli_users_password"), hide_input=True, confirmation_prompt=True)
    ch = warehouse.connect()
    migrate(ch)
    try:
        p = add_user(
            ch,
            tenant_id=tenant_id,
            login=login,
            role=role,
            password=password,
            client_id=client_id,
            display_name=display_name,
            auth_source="oidc" if oidc else "local",
        )
    except (AuthError, ValueError) as exc:
        raise click.ClickException(cli_explain(exc)) from exc
    scope = cli_t("cli_users_saved_client", client=p.client_id) if p.client_id else ""
    click.echo(cli_t("cli_users_saved", login=p.login, tenant=p.tenant_id, role=p.role, scope=scope))


@users.command(name="list")
@click.option("--tenant", "tenant_id", default=None, help="Only this tenant.")
def list_cmd(tenant_id: str | None) -> None:
    """List users (never their password hashes)."""
    import warehouse
    from dashboards.auth import list_users
    from warehouse.migrate import migrate

    ch = warehouse.connect()
    migrate(ch)
    rows = list_users(ch, tenant_id)
    if not rows:
        click.echo(cli_t("cli_users_none"))
    for r in rows:
        state = cli_t("cli_state_active" if r["is_active"] else "cli_state_disabled")
        click.echo(
            f"{r['tenant_id']:<16} {r['login']:<32} {r['role']:<16} {r['client_id'] or '-':<16} "
            f"{r['auth_source']:<6} {state}"
        )


@click.command(name="dashboards")
@click.option(
    "--port",
    default=8501,
    show_default=True,
    type=int,
    envvar="MRM_APP_PORT",
    help="Port on 127.0.0.1 (env MRM_APP_PORT).",
)
@click.option(
    "--address", default="127.0.0.1", show_default=True, help="Listen address (loopback by default)."
)
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    envvar="MRM_APP_WORKERS",
    help="App processes behind a sticky balancer on --port (env MRM_APP_WORKERS; see docs/scaling.md).",
)
def dashboards_cmd(port: int, address: str, workers: int) -> None:
    """Serve the Streamlit analyst app (sign in with `mrm users add` or `mrm demo` accounts)."""
    import warehouse
    from mrm import logsetup, procs
    from warehouse.migrate import migrate

    # Start the embedded warehouse (if that is the configuration) before Streamlit, and hand its URL down, so
    # every app session talks to one server instead of racing to start it.
    env = logsetup.child_env()
    if not env.get("CLICKHOUSE_URL") and not env.get("CLICKHOUSE_HOST"):
        env["CLICKHOUSE_URL"] = warehouse.endpoint()
    migrate(warehouse.connect())
    # Streamlit's own INFO lines and welcome banner are third-party chatter on this terminal (the URL is printed
    # below) unless --verbose asked for everything.
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(APP),
        "--server.address",
        address,
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--logger.level",
        "debug" if logsetup.is_verbose() else "warning",
        "--logger.hideWelcomeMessage",
        "false" if logsetup.is_verbose() else "true",
    ]
    click.echo(cli_t("cli_dashboards_serving", url=f"http://{address}:{port}"))
    if workers == 1:
        # A child we wait on (not exec): SIGTERM/Ctrl-C to this command are forwarded and the port is free on exit.
        raise SystemExit(procs.run_foreground(cmd, env=env, cwd=APP.parents[1]))
    raise SystemExit(
        procs.run_group_foreground(
            _worker_cmds(cmd, address, port, workers), env=_shared_secret(env), cwd=APP.parents[1]
        )
    )


def _worker_cmds(cmd: list[str], address: str, port: int, workers: int) -> list[list[str]]:
    """N app processes on free loopback ports, and the balancer on --port in front of them."""
    import socket

    at = cmd.index("--server.port") + 1
    apps, backends = [], []
    for _ in range(workers):
        with socket.socket() as s:  # a port free now; the app binds it a moment later
            s.bind(("127.0.0.1", 0))
            free = s.getsockname()[1]
        app = list(cmd)
        app[cmd.index("--server.address") + 1] = "127.0.0.1"  # only the balancer is reachable from outside
        app[at] = str(free)
        apps.append(app)
        backends += ["--backend", f"127.0.0.1:{free}"]
    return [[sys.executable, "-m", "dashboards.balancer", "--listen", f"{address}:{port}", *backends], *apps]


def _shared_secret(env: dict[str, str]) -> dict[str, str]:
    """The workers' environment. One cookie secret for every process: Streamlit signs its XSRF and auth cookies with it, and a browser pinned
    to one process must not be rejected by another after a restart re-pins it. Never printed."""
    import secrets

    if not env.get("STREAMLIT_SERVER_COOKIE_SECRET"):
        env = {**env, "STREAMLIT_SERVER_COOKIE_SECRET": secrets.token_urlsafe(32)}
    from dashboards.balancer import BEHIND_ENV

    return {
        **env,
        BEHIND_ENV: "1",
    }  # the app trusts the balancer's client-address header (loopback-only ports)
