"""`mrm warehouse …` and `mrm tenants …`."""

from __future__ import annotations

import sys

import click

from warehouse import embedded
from warehouse.settings import WarehouseSettings


@click.group()
def warehouse() -> None:
    """Start, stop, inspect, migrate and query the warehouse (embedded chDB or a configured ClickHouse)."""


@warehouse.command()
@click.option("--port", type=int, default=None, help="Port on 127.0.0.1 (default MRM_WAREHOUSE_PORT or 8123).")
@click.option("--foreground", is_flag=True, help="Serve in this process instead of a background one.")
def start(port: int | None, foreground: bool) -> None:
    """Start the embedded warehouse server for MRM_DATA_DIR."""
    s = WarehouseSettings.from_env()
    if not s.embedded:
        raise click.ClickException(f"a ClickHouse is configured ({s.url}); nothing to start")
    port = port if port is not None else (s.port if s.port != 8123 else None)
    if foreground:
        from warehouse.server import main as serve_main

        sys.exit(serve_main(["--data-dir", str(s.data_dir), "--port", str(port if port is not None else 8123)]))
    try:
        info = embedded.start(s.data_dir, port=port)
    except embedded.WarehouseStartError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"warehouse running: {info.url} (pid {info.pid}, data {s.data_dir})")


@warehouse.command()
def stop() -> None:
    """Stop the embedded warehouse server for MRM_DATA_DIR."""
    s = WarehouseSettings.from_env()
    click.echo("stopped" if embedded.stop(s.data_dir) else "not running")


@warehouse.command()
def status() -> None:
    """Print the warehouse endpoint URL and whether it answers (exit 1 if it does not)."""
    s = WarehouseSettings.from_env()
    if s.embedded:
        info = embedded.status(s.data_dir)
        if info is None:
            click.echo(f"embedded warehouse not running (data {s.data_dir})")
            sys.exit(1)
        click.echo(f"{info.url} embedded ClickHouse {info.version} pid {info.pid} data {s.data_dir}")
        return
    import warehouse as wh

    try:
        version = wh.connect(s).server_version
    except Exception as exc:
        click.echo(f"{s.url} not answering: {exc}")
        sys.exit(1)
    click.echo(f"{s.url} ClickHouse {version}")


@warehouse.command()
def migrate() -> None:
    """Apply pending migrations of the raw_* and app databases."""
    import warehouse as wh

    applied = wh.migrate(wh.connect())
    click.echo("applied: " + ", ".join(applied) if applied else "up to date")


@warehouse.command()
@click.argument("query")
@click.option("--format", "fmt", default="PrettyCompactMonoBlock", show_default=True, help="Output format.")
def sql(query: str, fmt: str) -> None:
    """Run QUERY against the warehouse and print the result."""
    import warehouse as wh

    client = wh.connect()
    try:
        result = client.raw_query(query, fmt=fmt)
    except Exception as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(result.decode(errors="replace"), nl=False)


@click.group()
def tenants() -> None:
    """List and provision tenants."""


@tenants.command("list")
def list_tenants() -> None:
    """List tenants with their clients and accounts."""
    import warehouse as wh

    rows = wh.connect().query(
        "SELECT t.tenant_id, t.name, count(DISTINCT c.client_id) FROM app.tenants AS t FINAL "
        "LEFT JOIN app.clients AS c FINAL ON c.tenant_id = t.tenant_id GROUP BY t.tenant_id, t.name ORDER BY 1"
    ).result_rows
    for tenant_id, name, n in rows:
        click.echo(f"{tenant_id}\t{name}\t{n} clients")
