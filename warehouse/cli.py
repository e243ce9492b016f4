"""`mrm warehouse …` and `mrm tenants …`."""

from __future__ import annotations

import sys

import click

from mrm.i18n import cli_explain, cli_num, cli_t
from warehouse import embedded
from warehouse.settings import WarehouseSettings


@click.group()
def warehouse() -> None:
    """Start, stop, inspect, migrate and query the warehouse (embedded chDB or a configured ClickHouse)."""


@warehouse.command()
@click.option(
    "--port", type=int, default=None, help="Port on 127.0.0.1 (default MRM_WAREHOUSE_PORT or 8123)."
)
@click.option("--foreground", is_flag=True, help="Serve in this process instead of a background one.")
def start(port: int | None, foreground: bool) -> None:
    """Start the embedded warehouse server for MRM_DATA_DIR."""
    s = WarehouseSettings.from_env()
    if not s.embedded:
        raise click.ClickException(cli_t("cli_warehouse_configured", url=s.url))
    port = port if port is not None else (s.port if s.port != 8123 else None)
    if foreground:
        from warehouse.server import main as serve_main

        sys.exit(
            serve_main(["--data-dir", str(s.data_dir), "--port", str(port if port is not None else 8123)])
        )
    try:
        info = embedded.start(s.data_dir, port=port)
    except embedded.WarehouseStartError as exc:
        raise click.ClickException(cli_explain(exc)) from exc
    click.echo(cli_t("cli_warehouse_running", address=info.address, pid=info.pid, data=s.data_dir))


@warehouse.command()
def stop() -> None:
    """Stop the embedded warehouse server for MRM_DATA_DIR."""
    s = WarehouseSettings.from_env()
    click.echo(cli_t("cli_warehouse_stopped" if embedded.stop(s.data_dir) else "cli_warehouse_not_running"))


@warehouse.command()
def status() -> None:
    """Print the warehouse endpoint URL and whether it answers (exit 1 if it does not)."""
    s = WarehouseSettings.from_env()
    if s.embedded:
        info = embedded.status(s.data_dir)
        if info is None:
            click.echo(cli_t("cli_warehouse_embedded_not_running", data=s.data_dir))
            sys.exit(1)
        click.echo(
            cli_t(
                "cli_warehouse_status_embedded",
                address=info.address,
                version=info.version,
                pid=info.pid,
                data=s.data_dir,
            )
        )
        return
    import warehouse as wh

    try:
        version = wh.connect(s).server_version
    except Exception as exc:
        click.echo(cli_t("cli_warehouse_not_answering", url=s.url, error=cli_explain(exc)))
        sys.exit(1)
    click.echo(f"{s.url} ClickHouse {version}")


@warehouse.command()
def migrate() -> None:
    """Apply pending migrations of the raw_* and app databases."""
    import warehouse as wh

    applied = wh.migrate(wh.connect())
    click.echo(
        cli_t("cli_warehouse_migrated", migrations=", ".join(applied))
        if applied
        else cli_t("cli_warehouse_up_to_date")
    )


@warehouse.command()
@click.argument("query")
@click.option(
    "--format",
    "fmt",
    default="PrettyCompactMonoBlock",
    show_default=True,
    help="Output format of statements that return rows (a FORMAT clause in QUERY wins).",
)
def sql(query: str, fmt: str) -> None:
    """Run any statement QUERY (SELECT, INSERT … VALUES, CREATE, ALTER…) and print what it returns."""
    import warehouse as wh

    client = wh.connect()
    try:
        # `default_format` (not an appended FORMAT clause) applies only to statements that return rows, so an
        # INSERT … VALUES or a DDL statement is sent exactly as written.
        result = client.raw_query(query, settings={"default_format": fmt})
    except Exception as exc:
        raise click.ClickException(cli_explain(exc)) from exc
    click.echo(result.decode(errors="replace"), nl=False)
    if not result:
        click.echo(cli_t("cli_warehouse_sql_ok"), err=True)


@click.group()
def tenants() -> None:
    """List and provision tenants."""


@tenants.command("list")
def list_tenants() -> None:
    """List tenants with their clients and accounts."""
    import warehouse as wh

    rows = (
        wh.connect()
        .query(
            "SELECT t.tenant_id, t.name, count(DISTINCT c.client_id) FROM app.tenants AS t FINAL "
            "LEFT JOIN app.clients AS c FINAL ON c.tenant_id = t.tenant_id GROUP BY t.tenant_id, t.name ORDER BY 1"
        )
        .result_rows
    )
    for tenant_id, name, n in rows:
        click.echo(f"{tenant_id}\t{name}\t{n} clients")


@tenants.command("provision")
@click.option(
    "--tenant",
    "tenant_ids",
    multiple=True,
    help="Tenant to provision (repeatable; default: every tenant in app.tenants).",
)
@click.option(
    "--dry-run/--apply",
    "dry_run",
    default=True,
    show_default=True,
    help="Print the SQL (default) or run it on the configured ClickHouse (refused on the embedded one).",
)
@click.option("--marts-db", default="marts", show_default=True, help="Database holding the dbt marts.")
@click.option(
    "--host",
    "host",
    default="ANY",
    show_default=True,
    help="Restrict the tenant users to this IP or subnet (e.g. 10.0.0.0/8).",
)
@click.option(
    "--passwords-out",
    type=click.Path(dir_okay=False, writable=True),
    default=None,
    help="Write the generated passwords (user<TAB>password) to this file, mode 0600; never printed.",
)
def provision(
    tenant_ids: tuple[str, ...], dry_run: bool, marts_db: str, host: str, passwords_out: str | None
) -> None:
    """Readonly ClickHouse users per tenant with row policies on every tenant_id table and no table functions.

    Prints the SQL by default; --apply runs it on a real ClickHouse (chDB has no access control).
    """
    import warehouse as wh
    from warehouse import provision as prov

    settings = WarehouseSettings.from_env()
    ch = wh.connect(settings)
    embedded = prov.engine_is_embedded(settings)
    if not dry_run and embedded:
        raise click.ClickException(cli_t("cli_tenants_apply_refused"))
    try:
        tenants_ = list(tenant_ids)
        if not tenants_:
            every = prov.known_tenants(ch)
            tenants_ = [t for t in every if prov.TENANT_RE.match(t)]
            skipped = sorted(set(every) - set(tenants_))
            if skipped:  # loud, but one odd id must not block the others
                click.echo(cli_t("cli_tenants_skipped", tenants=skipped), err=True)
        plan = prov.build_plan(
            tenants_, prov.tenant_tables(ch, marts_db=marts_db), marts_db=marts_db, host=host
        )
    except prov.ProvisionError as exc:
        raise click.ClickException(cli_explain(exc)) from exc
    if passwords_out:
        from mrm.private import PrivatePathError, write_private

        try:  # never through a planted symlink, and an existing file ends up 0600 too
            write_private(passwords_out, "".join(f"{u}\t{p}\n" for u, p in sorted(plan.passwords.items())))
        except PrivatePathError as exc:
            raise click.ClickException(cli_explain(exc)) from exc
        users = cli_num(len(plan.passwords))
        click.echo(cli_t("cli_tenants_passwords_written", users=users, path=passwords_out), err=True)
    tenant_count = cli_num(len(set(tenants_)))
    if dry_run:
        click.echo(plan.sql(), nl=False)
        click.echo(
            cli_t(
                "cli_tenants_dry_run",
                statements=cli_num(len(plan.statements)),
                tenants=tenant_count,
                tables=cli_num(len(plan.policy_tables)),
            ),
            err=True,
        )
        return
    try:
        n = prov.apply(ch, plan, embedded=embedded)
    except Exception as exc:
        raise click.ClickException(cli_t("cli_tenants_provision_failed", error=cli_explain(exc))) from exc
    click.echo(cli_t("cli_tenants_applied", statements=cli_num(n), tenants=tenant_count))


def _lifecycle() -> None:
    # `mrm tenants erase` (warehouse/lifecycle.py): erasure of a whole tenant.
    from warehouse.lifecycle_cli import erase_tenant

    tenants.add_command(erase_tenant)


_lifecycle()
