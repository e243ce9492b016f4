"""`mrm api serve`, `mrm apikeys create|list|revoke` and `mrm mcp serve`."""

from __future__ import annotations

import os

import click

from mrm.i18n import cli_explain, cli_t

DEFAULT_API_PORT = 8600
DEFAULT_MCP_PORT = 8700


def _ch():  # type: ignore[no-untyped-def]
    import warehouse

    return warehouse.connect()


@click.group("api")
def api() -> None:
    """The REST API over the metric layer (OpenAPI at /openapi.json, docs at /docs)."""


@api.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    type=int,
    default=lambda: int(os.environ.get("MRM_API_PORT", DEFAULT_API_PORT)),
    show_default=f"MRM_API_PORT or {DEFAULT_API_PORT}",
    help="Port to listen on.",
)
@click.option(
    "--rate",
    type=float,
    default=lambda: float(os.environ.get("MRM_API_RATE", 20)),
    show_default="MRM_API_RATE or 20",
    help="Requests per second per API key.",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help="Server processes (each keeps its own key cache and rate limit: a key may reach N x the rate).",
)
def serve(host: str, port: int, rate: float, workers: int) -> None:
    """Serve the REST API (FastAPI on uvicorn) until interrupted."""
    import uvicorn

    click.echo(cli_t("cli_api_serving", url=f"http://{host}:{port}"))
    os.environ["MRM_API_RATE"] = str(rate)  # read by each worker's app_from_env
    uvicorn.run(
        "api.app:app_from_env", factory=True, host=host, port=port, workers=workers, log_level="warning"
    )


@click.group("apikeys")
def apikeys() -> None:
    """Create, list and revoke API keys (for the REST API and the MCP server)."""


@apikeys.command("create")
@click.option("--tenant", required=True, help="Tenant of the user.")
@click.option("--login", required=True, help="The user the key acts as (their role and client scope).")
@click.option("--scope", type=click.Choice(["read", "write"]), default="read", show_default=True)
@click.option("--expires", "expires_days", type=int, default=None, help="Days until the key expires.")
def create_cmd(tenant: str, login: str, scope: str, expires_days: int | None) -> None:
    """Create a key; it is printed once and stored only as a hash."""
    from api import keys

    try:
        key = keys.create(_ch(), tenant_id=tenant, login=login, scope=scope, expires_days=expires_days)
    except ValueError as exc:
        raise click.ClickException(cli_explain(exc)) from None
    click.echo(key)
    click.echo(cli_t("cli_apikeys_store_now"), err=True)


@apikeys.command("list")
@click.option("--tenant", required=True)
def list_cmd(tenant: str) -> None:
    """Keys of a tenant (ids, users, scopes, expiry, revocation; never the keys)."""
    from api import keys

    rows = keys.list_keys(_ch(), tenant)
    if not rows:
        click.echo(cli_t("cli_apikeys_none"))
    for r in rows:
        state = cli_t("cli_state_revoked" if r["revoked_at"] else "cli_state_active")
        expires = cli_t("cli_apikeys_expires", when=r["expires_at"] or "-")
        click.echo(f"{r['key_id']}  {r['login']:<24} {r['scope']:<5} {state:<7} {expires}")


@apikeys.command("revoke")
@click.argument("key_id")
@click.option("--tenant", required=True)
def revoke_cmd(key_id: str, tenant: str) -> None:
    """Revoke KEY_ID (takes effect on the next request)."""
    from api import keys

    try:
        keys.revoke(_ch(), tenant, key_id)
    except ValueError as exc:
        raise click.ClickException(cli_explain(exc)) from None
    click.echo(cli_t("cli_apikeys_revoked", key=key_id))


@click.group("mcp")
def mcp() -> None:
    """The MCP server for AI agents (stdio or streamable HTTP)."""


@mcp.command("serve")
@click.option("--http", "http", is_flag=True, help="Streamable HTTP instead of stdio.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=DEFAULT_MCP_PORT, show_default=True)
def mcp_serve(http: bool, host: str, port: int) -> None:
    """Serve the MCP tools. stdio: the key comes from MRM_API_KEY; HTTP: from each request's Bearer header."""
    from api.mcp_server import build_server

    if not http:
        if not os.environ.get("MRM_API_KEY"):
            raise click.ClickException(cli_t("cli_mcp_no_key"))
        build_server(transport="stdio").run("stdio")
        return
    import uvicorn

    click.echo(cli_t("cli_mcp_serving", url=f"http://{host}:{port}/mcp"), err=True)
    uvicorn.run(
        build_server(transport="http").streamable_http_app(host=host),
        host=host,
        port=port,
        log_level="warning",
    )
