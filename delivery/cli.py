"""`mrm report schedule add|list|remove`, `mrm alerts list|ack|run`, `mrm telegram link|poll`."""

from __future__ import annotations

import datetime as dt
from typing import Any

import click

from delivery import alerts as al
from delivery import schedules as sc
from mrm import clock
from mrm.i18n import cli_explain, cli_lang, cli_num, cli_t


def _ch() -> Any:
    import warehouse

    return warehouse.connect()


def _fail(exc: Exception) -> click.ClickException:
    return click.ClickException(cli_explain(exc))


def _clients(ch: Any, tenant: str, client_id: str = "") -> list[str]:
    """The one client asked for, else every active client of the tenant."""
    if client_id:
        return [client_id]
    return [
        r[0]
        for r in ch.query(
            "SELECT client_id FROM app.clients FINAL WHERE tenant_id = {t:String} AND is_active = 1 "
            "ORDER BY client_id",
            parameters={"t": tenant},
        ).result_rows
    ]


@click.group("schedule")
def schedule() -> None:
    """Per-client report schedules (daily, weekly, monthly, end of flight), in the client's time zone."""


@schedule.command("add")
@click.option("--tenant", required=True)
@click.option("--client", "client_id", required=True)
@click.option("--type", "report_type", type=click.Choice(sc.REPORT_TYPES), required=True)
@click.option("--layout", type=click.Choice(sc.LAYOUTS), default="performance", show_default=True)
@click.option(
    "--at", "local_time", default="09:00", show_default=True, help="Local time HH:MM (client's zone)."
)
@click.option(
    "--weekday", type=click.IntRange(1, 7), default=1, show_default=True, help="Weekly: 1 = Monday."
)
@click.option(
    "--day",
    "month_day",
    type=click.IntRange(1, 31),
    default=1,
    show_default=True,
    help="Monthly: day of month (31 = last day).",
)
@click.option(
    "--channel",
    "channels",
    multiple=True,
    type=click.Choice(sc.CHANNELS),
    default=("email",),
    show_default=True,
)
@click.option("--lang", "language", type=click.Choice(["ru", "en"]), default="ru", show_default=True)
@click.option("--vat", type=click.Choice(["net", "gross"]), default="net", show_default=True)
@click.option("--commission", is_flag=True, help="Show the agency commission.")
@click.option("--to", "recipients", multiple=True, help="E-mail recipients (default: the client's).")
@click.option(
    "--sheet",
    "spreadsheet_id",
    default="",
    help="Google Sheets channel: the id of the client's spreadsheet (shared with MRM's service account).",
)
@click.option("--id", "schedule_id", default=None, help="Schedule id (default: generated).")
def add_cmd(
    tenant: str,
    client_id: str,
    report_type: str,
    layout: str,
    local_time: str,
    weekday: int,
    month_day: int,
    channels: tuple[str, ...],
    language: str,
    vat: str,
    commission: bool,
    recipients: tuple[str, ...],
    spreadsheet_id: str,
    schedule_id: str | None,
) -> None:
    """Add (or replace, with --id) a report schedule."""
    s = sc.Schedule(
        tenant,
        schedule_id or sc.new_id(),
        client_id,
        report_type,
        layout,
        local_time,
        weekday,
        month_day,
        tuple(channels),
        language,
        vat,
        commission,
        tuple(recipients),
        spreadsheet_id,
    )
    try:
        sc.save(_ch(), s, by="cli")
    except sc.ScheduleError as exc:
        raise _fail(exc) from None
    click.echo(
        cli_t(
            "cli_schedule_saved",
            schedule=s.schedule_id,
            type=report_type,
            client=client_id,
            time=local_time,
            channels=", ".join(channels),
        )
    )


@schedule.command("list")
@click.option("--tenant", required=True)
@click.option("--client", "client_id", default="")
def list_cmd(tenant: str, client_id: str) -> None:
    """List report schedules."""
    rows = sc.load(_ch(), tenant, client_id)
    if not rows:
        click.echo(cli_t("cli_schedule_none"))
    for s in rows:
        when = {
            "weekly": cli_t("cli_schedule_weekday", day=s.weekday),
            "monthly": cli_t("cli_schedule_month_day", day=s.month_day),
        }.get(s.report_type, "")
        click.echo(
            f"{s.schedule_id}  {s.client_id:<16} {s.report_type:<13} {s.local_time} {when:<10} "
            f"{','.join(s.channels):<20} {s.language} {s.vat}"
            + (cli_t("cli_schedule_sheet", sheet=s.spreadsheet_id) if s.spreadsheet_id else "")
        )


@schedule.command("remove")
@click.argument("schedule_id")
@click.option("--tenant", required=True)
def remove_cmd(schedule_id: str, tenant: str) -> None:
    """Remove a schedule."""
    try:
        sc.remove(_ch(), tenant, schedule_id, by="cli")
    except sc.ScheduleError as exc:
        raise _fail(exc) from None
    click.echo(cli_t("cli_removed", id=schedule_id))


@click.group("alerts")
def alerts() -> None:
    """Alert rules: pacing, anomalies, stopped spend, stale data, failed loads, expiring or revoked tokens."""


@alerts.command("list")
@click.option("--tenant", required=True)
@click.option("--client", "client_id", default="")
@click.option("--all", "include_resolved", is_flag=True, help="Include resolved alerts.")
def alerts_list(tenant: str, client_id: str, include_resolved: bool) -> None:
    """Open (or all) alerts."""
    rows = al.open_alerts(_ch(), tenant, client_id, include_resolved=include_resolved)
    if not rows:
        click.echo(cli_t("cli_alerts_none"))
    lang = cli_lang()
    for a in rows:
        ack = cli_t("cli_alerts_acked_by", by=a["acked_by"]) if a["acked_by"] else ""
        click.echo(f"[{a['state']}] {a['client_id']} {a['alert_key']}: {a[f'message_{lang}']}{ack}")


@alerts.command("ack")
@click.argument("alert_key")
@click.option("--tenant", required=True)
@click.option("--client", "client_id", required=True)
@click.option("--by", default="cli", show_default=True)
def alerts_ack(alert_key: str, tenant: str, client_id: str, by: str) -> None:
    """Acknowledge an alert."""
    try:
        al.acknowledge(_ch(), tenant, client_id, alert_key, by=by)
    except ValueError as exc:
        raise _fail(exc) from None
    click.echo(cli_t("cli_alerts_acknowledged", key=alert_key))


@alerts.command("run")
@click.option("--tenant", required=True)
@click.option("--client", "client_id", default="", help="One client (default: every active client).")
@click.option(
    "--as-of", "as_of", type=click.DateTime(["%Y-%m-%d"]), default=None, help="Data day (default: yesterday)."
)
@click.option("--send/--no-send", default=True, show_default=True, help="Deliver the notices.")
def alerts_run(tenant: str, client_id: str, as_of: dt.datetime | None, send: bool) -> None:
    """Evaluate the rules, store the alerts and deliver what changed."""
    from delivery import dispatch
    from delivery import telegram as tg
    from metrics.service import marts_db

    ch = _ch()
    day = as_of.date() if as_of else clock.yesterday()
    clients = _clients(ch, tenant, client_id)
    now = dt.datetime.now(dt.UTC)
    total = 0
    for c in clients:
        notices = al.reconcile(ch, tenant, c, al.evaluate(ch, tenant, c, day, now, marts_db=marts_db()))
        total += len(notices)
        for n in notices:
            click.echo(f"{c}: {n.text(cli_lang())}")
        if send and notices:
            try:
                bot = tg.TelegramBot.from_env()
            except tg.DeliveryError:
                bot = None
            out = dispatch.deliver_notices(ch, tenant, notices, bot=bot)
            for f in out.problems(cli_lang()):
                click.echo(cli_t("cli_alerts_not_delivered", what=f), err=True)
    click.echo(cli_t("cli_alerts_run_total", notices=cli_num(total), clients=cli_num(len(clients))))


@alerts.group("rules")
def alert_rules() -> None:
    """Per-client alert thresholds (pacing %, flight day, stale hours, token days); unset clients get defaults."""


@alert_rules.command("list")
@click.option("--tenant", required=True)
@click.option("--client", "client_id", default="", help="One client (default: every client of the tenant).")
def rules_list(tenant: str, client_id: str) -> None:
    """Show each client's thresholds (defaults where none were set)."""
    from delivery import thresholds as th

    ch = _ch()
    clients = _clients(ch, tenant, client_id)
    click.echo(f"{cli_t('cli_client'):<17} " + "  ".join(th.FIELDS))
    for c in clients:
        cur = th.get(ch, tenant, c)
        click.echo(f"{c:<17} " + "  ".join(f"{getattr(cur, f):>{len(f)}g}" for f in th.FIELDS))


@alert_rules.command("set")
@click.option("--tenant", required=True)
@click.option("--client", "client_id", required=True)
@click.option(
    "--pacing-off-pct", default=None, help="Alert when a plan line is off plan by more than this %."
)
@click.option("--pacing-from-day", default=None, help="Judge pacing from this day of the flight (1 = first).")
@click.option("--stale-hours", default=None, help="Data is stale when the last good load is older (hours).")
@click.option("--token-days", default=None, help="Announce a credential expiring within this many days.")
def rules_set(
    tenant: str,
    client_id: str,
    pacing_off_pct: str | None,
    pacing_from_day: str | None,
    stale_hours: str | None,
    token_days: str | None,
) -> None:
    """Set a client's thresholds (the options given; the others keep their value)."""
    from delivery import thresholds as th

    given = {
        "pacing_off_pct": pacing_off_pct,
        "pacing_from_day": pacing_from_day,
        "stale_hours": stale_hours,
        "token_days": token_days,
    }
    values = {k: v for k, v in given.items() if v is not None}
    if not values:
        raise click.UsageError(cli_t("cli_alerts_rules_usage"))
    ch = _ch()
    try:
        new = th.save(ch, tenant, client_id, th.parse(values, th.get(ch, tenant, client_id)), by="cli")
    except th.ThresholdError as exc:
        raise _fail(exc) from None
    click.echo(f"{client_id}: " + ", ".join(f"{f}={getattr(new, f):g}" for f in th.FIELDS))


@alerts.command("tokens")
@click.option("--tenant", required=True)
@click.option(
    "--sandbox-url",
    default=None,
    help="Check against a running sandbox (its base URL) instead of the MRM_GOOGLE_ADS_* / MRM_GA4_* settings.",
)
def alerts_tokens(tenant: str, sandbox_url: str | None) -> None:
    """Ask Google's OAuth whether each Google Ads / GA4 account's grant still works; a revoked one feeds the
    token rule (mrm alerts run announces it). Nothing secret is printed."""
    from delivery import tokens
    from ingestion.common import ConfigError

    settings: dict[str, Any] = {}
    for platform in tokens.REFRESH_GRANT_PLATFORMS:
        module = __import__(f"ingestion.{platform}.settings", fromlist=["Settings"])
        try:
            settings[platform] = (
                module.Settings.for_sandbox(f"{sandbox_url.rstrip('/')}/{platform}")
                if sandbox_url
                else module.Settings.from_env()
            )
        except ConfigError as exc:
            click.echo(
                cli_t("cli_alerts_tokens_skipped", platform=platform, error=cli_explain(exc)), err=True
            )
    found = tokens.check_accounts(_ch(), tenant, settings)
    for account, state in found.items():
        click.echo(f"{account}: {state}")
    click.echo(cli_t("cli_alerts_tokens_checked", n=cli_num(len(found))))


@click.group("telegram")
def telegram() -> None:
    """Link Telegram chats and process the bot's updates (links, acknowledgements)."""


@telegram.command("link")
@click.option("--tenant", required=True)
@click.option("--client", "client_id", default=None, help="Link a chat to a client (its reports).")
@click.option("--user", "login", default=None, help="Link a chat to a user (their alerts).")
def telegram_link(tenant: str, client_id: str | None, login: str | None) -> None:
    """Print a one-time code: send `/start <code>` to the bot from the chat to link."""
    from delivery import telegram as tg

    if bool(client_id) == bool(login):
        raise click.UsageError(cli_t("cli_telegram_link_usage"))
    code = tg.start_link(_ch(), tenant, "client" if client_id else "user", client_id or login or "")
    click.echo(f"/start {code}")
    click.echo(cli_t("cli_telegram_link_hint"), err=True)


@telegram.command("poll")
def telegram_poll() -> None:
    """Handle pending updates once (chat links, alert acknowledgements)."""
    from delivery import telegram as tg

    ch = _ch()
    try:
        bot = tg.TelegramBot.from_env()
    except tg.DeliveryError as exc:
        raise _fail(exc) from None

    def ack(tenant: str, client: str, key: str, by: str) -> None:
        al.acknowledge(ch, tenant, client, key, by=by)

    counts = tg.process_updates(ch, bot, on_ack=ack)
    click.echo(", ".join(f"{k} {v}" for k, v in counts.items()))
