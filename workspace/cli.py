"""`mrm clients …`, `mrm secrets …` and the lifecycle commands added to `mrm users` (invite, suspend, reactivate,
reset-password, assign). Each command acts as a principal (the shell operator = tenant admin, or `--as LOGIN`) and goes through the
same checked functions as the app.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import click

from dashboards.auth import AuthError
from dashboards.cli import users
from ingestion.platforms import PLATFORM_NAMES
from mrm.i18n import cli_explain, cli_num, cli_t
from workspace.invitations import INVITE_DAYS
from workspace.permissions import ROLES

_ERRORS: tuple[type[Exception], ...] = (ValueError, LookupError, PermissionError, RuntimeError, AuthError)


def _tenant_and_actor(f: Callable[..., Any]) -> Callable[..., Any]:
    """--tenant and --as options; the command receives (ch, actor, …) and every expected failure becomes a message."""

    @click.option("--tenant", "tenant_id", required=True, help="Tenant (agency) to act in.")
    @click.option(
        "--as",
        "as_login",
        default=None,
        envvar="MRM_ACT_AS",
        help="Act as this app user (its role and client scope apply); default: the operator as admin. "
        "Env: MRM_ACT_AS.",
    )
    @functools.wraps(f)
    def wrapper(tenant_id: str, as_login: str | None, **kwargs: Any) -> Any:
        import warehouse
        from warehouse.migrate import migrate
        from workspace.access import cli_principal

        ch = warehouse.connect()
        migrate(ch)
        try:
            return f(ch, cli_principal(ch, tenant_id, as_login), **kwargs)
        except _ERRORS as exc:
            raise click.ClickException(cli_explain(exc)) from None

    return wrapper


# ---------------------------------------------------------------- clients


@click.group(name="clients")
def clients() -> None:
    """Clients of an agency: add, list, edit, archive (archiving keeps history and stops loads)."""


def _client_options(f: Callable[..., Any]) -> Callable[..., Any]:
    # Defaults are None so `edit` changes only the options given; `add` fills the model's defaults.
    opts = [
        click.option("--name", default=None, help="Display name."),
        click.option("--legal-name", default=None, help="Legal name (ООО «…»)."),
        click.option("--inn", default=None, help="INN, 10 or 12 digits, checksum-validated (optional)."),
        click.option("--currency", default=None, help="ISO currency code [default: RUB]."),
        click.option(
            "--vat-mode",
            type=click.Choice(["included", "excluded", "exempt"]),
            default=None,
            help="How budgets and reports treat VAT [default: included].",
        ),
        click.option(
            "--commission", "commission_pct", default=None, help="Agency commission, percent (0-100)."
        ),
        click.option("--language", type=click.Choice(["ru", "en"]), default=None, help="Report language."),
        click.option("--timezone", default=None, help="IANA time zone [default: Europe/Moscow]."),
        click.option(
            "--recipient",
            "report_recipients",
            multiple=True,
            help="Report recipient e-mail; repeat for several (on edit: replaces the list).",
        ),
    ]
    for opt in reversed(opts):
        f = opt(f)
    return f


def _given(**options: Any) -> dict[str, Any]:
    out = {k: v for k, v in options.items() if v is not None and k != "report_recipients"}
    if options.get("report_recipients"):
        out["report_recipients"] = tuple(options["report_recipients"])
    return out


def _show(c: Any) -> str:
    return f"{c.client_id:<20} {c.name:<30} {c.currency:<4} " + cli_t(
        "cli_clients_row",
        vat=f"{c.vat_mode:<9}",
        commission=f"{cli_num(c.commission_pct, 2):>6}",
        language=c.language,
        timezone=f"{c.timezone:<16}",
        inn=f"{c.inn or '-':<12}",
        recipients=cli_num(len(c.report_recipients)),
        state=cli_t("cli_state_active" if c.is_active else "cli_state_archived"),
    )


@clients.command(name="add")
@click.argument("client_id")
@_client_options
@_tenant_and_actor
def clients_add(ch: Any, actor: Any, client_id: str, **options: Any) -> None:
    """Create client CLIENT_ID (a duplicate id is refused)."""
    from workspace.clients import Client, add_client

    fields = _given(**options)
    if "name" not in fields:
        raise click.UsageError(cli_t("cli_clients_name_required"))
    click.echo(_show(add_client(ch, actor, Client(client_id=client_id, **fields))))


@clients.command(name="edit")
@click.argument("client_id")
@_client_options
@_tenant_and_actor
def clients_edit(ch: Any, actor: Any, client_id: str, **options: Any) -> None:
    """Change the given fields of client CLIENT_ID."""
    from workspace.clients import edit_client

    fields = _given(**options)
    if not fields:
        raise click.UsageError(cli_t("cli_clients_nothing_to_change"))
    click.echo(_show(edit_client(ch, actor, client_id, **fields)))


@clients.command(name="list")
@click.option("--archived", is_flag=True, help="Include archived clients.")
@_tenant_and_actor
def clients_list(ch: Any, actor: Any, archived: bool) -> None:
    """List the clients you may see."""
    from workspace.clients import list_clients

    rows = list_clients(ch, actor, include_archived=archived)
    if not rows:
        click.echo(cli_t("cli_clients_none"))
    for c in rows:
        click.echo(_show(c))


@clients.command(name="archive")
@click.argument("client_id")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@_tenant_and_actor
def clients_archive(ch: Any, actor: Any, client_id: str, yes: bool) -> None:
    """Archive CLIENT_ID: its accounts stop loading; loaded data and reports stay."""
    from workspace.clients import archive_client

    if not yes:
        click.confirm(cli_t("cli_clients_archive_confirm", client=client_id), abort=True)
    stopped = archive_client(ch, actor, client_id)
    click.echo(cli_t("cli_clients_archived", client=client_id, accounts=cli_num(stopped)))


# ---------------------------------------------------------------- secrets


@click.group(name="secrets")
def secrets_cmd() -> None:
    """Ad-account credentials, encrypted with MRM_SECRET_KEY: save, list (never the values), delete, rotate the key."""


@secrets_cmd.command(name="set")
@click.argument("platform", type=click.Choice(PLATFORM_NAMES))
@click.argument("account_id")
@click.option(
    "--kind",
    default="token",
    show_default=True,
    type=click.Choice(["token", "refresh_token", "client_id", "client_secret", "service_account_key"]),
    help="Which credential of the account.",
)
@click.option(
    "--from-file",
    "from_file",
    type=click.File("r", encoding="utf-8"),
    default=None,
    help="Read the secret from this file (e.g. a Garpun service-account key); else it is prompted.",
)
@_tenant_and_actor
def secrets_set(ch: Any, actor: Any, platform: str, account_id: str, kind: str, from_file: Any) -> None:
    """Save a credential of ad account ACCOUNT_ID; it is never shown again."""
    from workspace.credentials import save_secret

    # Never an option or an argument: those end up in shell history and the process list.
    secret = from_file.read() if from_file else click.prompt(cli_t("cli_secrets_prompt"), hide_input=True)
    save_secret(ch, actor, platform=platform, account_id=account_id, kind=kind, secret=secret)
    click.echo(cli_t("cli_secrets_saved", kind=kind, account=f"{platform}/{account_id}"))


@secrets_cmd.command(name="list")
@_tenant_and_actor
def secrets_list(ch: Any, actor: Any) -> None:
    """Which accounts have stored credentials (kinds, key id, who and when — never the values)."""
    from workspace.credentials import list_secrets

    rows = list_secrets(ch, actor)
    if not rows:
        click.echo(cli_t("cli_secrets_none"))
    for r in rows:
        click.echo(
            f"{r['platform']:<15} {r['account_id']:<24} {r['kind']:<20} "
            + cli_t("cli_secrets_key", key=r["key_id"])
            + f" {r['updated_by']} {r['updated_at']:%Y-%m-%d %H:%M}"
        )


@secrets_cmd.command(name="delete")
@click.argument("platform", type=click.Choice(PLATFORM_NAMES))
@click.argument("account_id")
@click.option("--kind", default="token", show_default=True, help="Which credential of the account.")
@_tenant_and_actor
def secrets_delete(ch: Any, actor: Any, platform: str, account_id: str, kind: str) -> None:
    """Forget a stored credential (the account falls back to the deployment-wide variable, if any)."""
    from workspace.credentials import delete_secret

    done = delete_secret(ch, actor, platform=platform, account_id=account_id, kind=kind)
    click.echo(cli_t("cli_secrets_deleted" if done else "cli_secrets_nothing_stored"))


@secrets_cmd.command(name="rotate-key")
def secrets_rotate() -> None:
    """Re-encrypt every stored credential from MRM_SECRET_KEY to MRM_SECRET_KEY_NEW (all or nothing).

    Afterwards set MRM_SECRET_KEY to the new key everywhere (app, Dagster, CLI) and drop MRM_SECRET_KEY_NEW.
    """
    import warehouse
    from warehouse.migrate import migrate
    from workspace.credentials import SecretsError, rotate_key

    ch = warehouse.connect()
    migrate(ch)
    try:
        n = rotate_key(ch)
    except SecretsError as exc:
        raise click.ClickException(cli_explain(exc)) from None
    click.echo(cli_t("cli_secrets_rotated", n=cli_num(n)))


# ---------------------------------------------------------------- users (added to dashboards.cli's group)


@users.command(name="suspend")
@click.argument("login")
@_tenant_and_actor
def users_suspend(ch: Any, actor: Any, login: str) -> None:
    """Suspend LOGIN: no new sign-in; an open app session ends at its next rerun."""
    from workspace.users import set_active

    changed = set_active(ch, actor, login, False)
    click.echo(cli_t("cli_users_suspended" if changed else "cli_users_already_suspended", login=login))


@users.command(name="reactivate")
@click.argument("login")
@_tenant_and_actor
def users_reactivate(ch: Any, actor: Any, login: str) -> None:
    """Reactivate a suspended LOGIN."""
    from workspace.users import set_active

    changed = set_active(ch, actor, login, True)
    click.echo(cli_t("cli_users_reactivated" if changed else "cli_users_already_active", login=login))


@users.command(name="reset-password")
@click.argument("login")
@click.option(
    "--password",
    envvar="MRM_USER_PASSWORD",
    default=None,
    help="New password (8+ characters); prompted if omitted. Env: MRM_USER_PASSWORD.",
)
@_tenant_and_actor
def users_reset_password(ch: Any, actor: Any, login: str, password: str | None) -> None:
    """Set a new password for local user LOGIN (never echoed)."""
    from workspace.users import reset_password

    if password is None:
        password = click.prompt(cli_t("cli_users_new_password"), hide_input=True, confirmation_prompt=True)
    reset_password(ch, actor, login, password)
    click.echo(cli_t("cli_users_password_changed", login=login))


@users.command(name="invite")
@click.argument("email")
@click.option("--role", required=True, type=click.Choice(ROLES), help="Role the invited person gets.")
@click.option(
    "--client",
    "client_ids",
    multiple=True,
    help="Role client: its one client. Staff: a client they will serve (repeat; none = every client).",
)
@click.option(
    "--days",
    default=INVITE_DAYS,
    show_default=True,
    type=click.IntRange(1, 90),
    help="Days the link is valid.",
)
@_tenant_and_actor
def users_invite(ch: Any, actor: Any, email: str, role: str, client_ids: tuple[str, ...], days: int) -> None:
    """E-mail EMAIL a one-time link to join the tenant (SMTP settings MRM_SMTP_*; link base MRM_APP_URL)."""
    from workspace.invitations import invite

    inv = invite(ch, actor, email, role, client_ids=client_ids, days=days)
    click.echo(cli_t("cli_users_invited", email=inv.email, role=inv.role, until=inv.expires_on.isoformat()))


@users.command(name="revoke-invite")
@click.argument("email")
@_tenant_and_actor
def users_revoke_invite(ch: Any, actor: Any, email: str) -> None:
    """Withdraw the pending invitation(s) of EMAIL: the links stop working."""
    from workspace.invitations import revoke

    n = revoke(ch, actor, email)
    click.echo(cli_t("cli_users_invites_revoked", email=email, n=cli_num(n)))


@users.command(name="assign")
@click.argument("login")
@click.option("--client", "client_ids", multiple=True, help="A client LOGIN may see; repeat for several.")
@click.option(
    "--all-clients", is_flag=True, help="LOGIN sees every client of the tenant (removes the limit)."
)
@_tenant_and_actor
def users_assign(ch: Any, actor: Any, login: str, client_ids: tuple[str, ...], all_clients: bool) -> None:
    """Limit staff user LOGIN to the given clients, or give back all clients."""
    from workspace.access import set_client_scope

    if not client_ids and not all_clients:
        raise click.UsageError(cli_t("cli_users_assign_usage"))
    set_client_scope(ch, actor, login, all_clients=all_clients, client_ids=client_ids)
    scope = cli_t("cli_users_all_clients") if all_clients else ", ".join(sorted(set(client_ids)))
    click.echo(f"{login}: {scope}")


def _lifecycle() -> None:
    # Erasure lives with the data lifecycle (warehouse/lifecycle.py), under the group people look in.
    from warehouse.lifecycle_cli import erase_client

    clients.add_command(erase_client)


_lifecycle()
