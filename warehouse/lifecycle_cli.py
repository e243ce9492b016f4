"""`mrm retention show|apply|set`, `mrm backup create|list|restore`, `mrm clients erase`, `mrm tenants erase`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import click

from mrm.i18n import cli_explain, cli_num, cli_t
from warehouse import lifecycle as lc


def _ch() -> Any:
    import warehouse

    return warehouse.connect()


@click.group("retention")
def retention() -> None:
    """How long data is kept: raw events 12 months, daily statistics 24, app data kept (TTL rules)."""


@retention.command("show")
def retention_show() -> None:
    """The TTL each covered table gets."""
    for t, cls, clause in lc.retention_plan(_ch()):
        click.echo(f"{t.database}.{t.name:<28} {cls:<12} TTL {clause}")


@retention.command("apply")
def retention_apply() -> None:
    """Write the TTL rules into the tables (idempotent; rows expire in the engine's merges)."""
    done = lc.apply_retention(_ch())
    click.echo(cli_t("cli_retention_applied", tables=cli_num(len(done))))


@retention.command("set")
@click.option("--tenant", required=True)
@click.option("--class", "table_class", type=click.Choice(sorted(lc.DEFAULT_MONTHS)), required=True)
@click.option("--months", type=click.IntRange(1, 120), required=True)
def retention_set(tenant: str, table_class: str, months: int) -> None:
    """Keep one tenant's data of a class for another number of months (then run `mrm retention apply`)."""
    lc.set_override(_ch(), tenant, table_class, months)
    click.echo(cli_t("cli_retention_set", tenant=tenant, table_class=table_class, months=cli_num(months)))


@click.group("backup")
def backup() -> None:
    """Back up and restore the warehouse (or one tenant): data in Native format plus schema, with fingerprints."""


@backup.command("create")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("--tenant", default=None, help="Only this tenant's rows.")
def backup_create(folder: Path, tenant: str | None) -> None:
    """Write a backup into FOLDER/<timestamp>."""
    target = folder / dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    try:
        m = lc.backup(_ch(), target, tenant=tenant)
    except lc.LifecycleError as exc:
        raise click.ClickException(cli_explain(exc)) from None
    rows = sum(t["rows"] for t in m["tables"].values())
    click.echo(cli_t("cli_backup_created", path=target, tables=cli_num(len(m["tables"])), rows=cli_num(rows)))


@backup.command("list")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
def backup_list(folder: Path) -> None:
    """Backups under FOLDER."""
    found = lc.list_backups(folder)
    if not found:
        click.echo(cli_t("cli_backup_none", folder=folder))
    for b in found:
        tenant = b["tenant"] or cli_t("cli_backup_all_tenants")
        tables, rows = cli_num(b["tables"]), cli_num(b["rows"])
        click.echo(
            f"{b['path']}  {b['created_at']}  "
            + cli_t("cli_backup_row", tenant=tenant, tables=tables, rows=rows)
        )


@backup.command("restore")
@click.argument("path", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask: the restore replaces the rows it covers.")
def backup_restore(path: Path, yes: bool) -> None:
    """Restore a backup and check every table's fingerprint."""
    if not yes:
        click.confirm(cli_t("cli_backup_restore_confirm", path=path), abort=True)
    try:
        got = lc.restore(_ch(), path)
    except lc.LifecycleError as exc:
        raise click.ClickException(cli_explain(exc)) from None
    click.echo(cli_t("cli_backup_restored", tables=cli_num(len(got))))


def _erase(tenant: str, client: str | None, yes: bool) -> None:
    ch = _ch()
    plan = lc.erase(ch, tenant, client, dry_run=True)
    what = (
        cli_t("cli_erase_what_client", client=client, tenant=tenant)
        if client
        else cli_t("cli_erase_what_tenant", tenant=tenant)
    )
    for table, n in sorted(plan.items()):
        click.echo(f"  {table:<45} {n}")
    if not yes:
        click.echo(cli_t("cli_erase_dry_run", what=what))
        return
    lc.erase(ch, tenant, client, dry_run=False, by="cli")
    rows = cli_num(sum(v for k, v in plan.items() if k != "report files"))
    click.echo(cli_t("cli_erased", what=what, rows=rows, files=cli_num(plan.get("report files", 0))))


@click.command("erase")
@click.argument("client_id")
@click.option("--tenant", required=True)
@click.option("--yes", is_flag=True, help="Erase (without it: a dry run listing what would go).")
def erase_client(client_id: str, tenant: str, yes: bool) -> None:
    """Erase every row of CLIENT_ID (152-FZ / GDPR erasure request); a dry run unless --yes."""
    _erase(tenant, client_id, yes)


@click.command("erase")
@click.argument("tenant_id")
@click.option("--yes", is_flag=True, help="Erase (without it: a dry run listing what would go).")
def erase_tenant(tenant_id: str, yes: bool) -> None:
    """Erase every row of TENANT_ID; a dry run unless --yes."""
    _erase(tenant_id, None, yes)
