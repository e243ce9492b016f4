"""`mrm ingest` and `mrm sandbox …`."""

from __future__ import annotations

import os
import signal
import sys
from datetime import date, datetime
from typing import Any

import click

from ingestion.platforms import PLATFORMS
from mrm.i18n import cli_lang, cli_t, t


def _date(ctx: click.Context, param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        raise click.BadParameter(cli_t("cli_bad_date", value=repr(value))) from None


@click.command()
@click.option(
    "--platform", "-p", required=True, type=click.Choice(sorted(PLATFORMS)), help="Connector to run."
)
@click.option("--tenant", "-t", required=True, help="Tenant id (app.tenants).")
@click.option("--from", "date_from", required=True, callback=_date, help="First day, YYYY-MM-DD.")
@click.option(
    "--to", "date_to", required=True, callback=_date, help="Last day, YYYY-MM-DD (clipped to yesterday)."
)
@click.option(
    "--account",
    "-a",
    "accounts",
    multiple=True,
    help="Account id(s) (Direct Client-Login, Metrika counter, ...). Default: the tenant's active "
    "accounts of that platform in app.accounts.",
)
@click.option(
    "--sandbox/--live",
    default=False,
    help="--sandbox: use the local emulators (a running `mrm sandbox start`, else started in-process). "
    "--live (default): real APIs with credentials from MRM_<PLATFORM>_* variables.",
)
@click.option("--today", callback=_date, default=None, help="Override today (restatement window arithmetic).")
def ingest(
    platform: str,
    tenant: str,
    date_from: date,
    date_to: date,
    accounts: tuple[str, ...],
    sandbox: bool,
    today: date | None,
) -> None:
    """Load a platform's statistics for a tenant and date window into raw tables (idempotent per window).

    Every account's load is logged in app.load_log; the last days (the platform's lookback window) are
    re-fetched and flagged provisional. Exits non-zero with the platform's error if any account fails.
    """
    import logging

    from tqdm import tqdm

    import warehouse

    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request would drown the progress bar
    if date_from > date_to:
        raise click.BadParameter(cli_t("cli_ingest_from_after_to"))
    info = PLATFORMS[platform]
    module = info.load_module()
    if module is None:
        raise click.ClickException(cli_t("cli_ingest_no_connector", platform=platform, module=info.module))
    client = warehouse.connect()
    if sandbox:
        from ingestion.demo import sandbox_urls

        urls, sandbox_today = sandbox_urls()
        today = today or sandbox_today
        if info.sandbox_api not in urls:
            raise click.ClickException(cli_t("cli_ingest_no_emulator", platform=platform))
        settings = module.Settings.for_sandbox(urls[info.sandbox_api])
    else:
        settings = module.Settings.from_env()
    if not accounts:
        rows = client.query(
            "SELECT account_id FROM app.accounts FINAL WHERE tenant_id = {t:String} AND platform = {p:String} "
            "AND is_active = 1 ORDER BY account_id",
            parameters={"t": tenant, "p": info.platform},
        ).result_rows
        accounts = tuple(r[0] for r in rows)
        if not accounts:
            raise click.ClickException(
                cli_t("cli_ingest_no_accounts", tenant=repr(tenant), platform=info.platform)
            )
    from workspace.credentials import account_settings

    failures = []
    totals: dict[str, int] = {}
    with tqdm(desc=f"{platform} {tenant}", unit="row") as bar:
        for account in accounts:
            bar.set_postfix_str(account)
            try:
                own = account_settings(
                    client, settings, tenant, info.platform, account
                )  # stored credentials win
                result = module.load(
                    client,
                    own,
                    tenant_id=tenant,
                    account_id=account,
                    date_from=date_from,
                    date_to=date_to,
                    today=today,
                    progress=bar.update,
                )
            except Exception as exc:  # report every account, then fail the command
                failures.append(f"{account}: {exc}")
                continue
            for table, n in result.items():
                totals[table] = totals.get(table, 0) + n
    for table, n in sorted(totals.items()):
        click.echo(f"{table}\t{n} rows")
    if failures:
        raise click.ClickException(cli_t("cli_ingest_failed") + "\n  " + "\n  ".join(failures))


UNDESCRIBED = t("sandbox_undescribed", "en")


def sandbox_credentials(api: str, url: str, world: Any, lang: str = "en") -> list[str]:
    """What a client of one emulator needs: tokens, client id/secret and the accounts (logins) to try; the words
    in `lang` (ru|en), the tokens, ids, URLs and parameter names as they are."""
    from ingestion.sandbox.server import SANDBOX_TOKENS

    def ids(platform: str) -> str:
        return ", ".join(a.account_id for a in world.accounts_for(platform))

    def say(key: str, /, **values: Any) -> str:
        return t(key, lang, **values)

    if api == "direct":
        return [
            f"Authorization: Bearer {SANDBOX_TOKENS['direct']}",
            say("sandbox_direct_logins", ids=ids("yandex_direct")),
        ]
    if api == "metrika":
        return [
            f"Authorization: OAuth {SANDBOX_TOKENS['metrika']}",
            say("sandbox_metrika_counters", ids=ids("yandex_metrika")),
        ]
    if api == "oauth":
        return [
            f"POST {url}/token grant_type=refresh_token refresh_token={SANDBOX_TOKENS['yandex_refresh']}",
            say(
                "sandbox_yandex_client",
                client_id=SANDBOX_TOKENS["yandex_client_id"],
                secret=SANDBOX_TOKENS["yandex_client_secret"],
            ),
        ]
    if api == "vk":
        from ingestion.sandbox.vk_ads import SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET

        return [
            f"POST {url}/api/v2/oauth2/token.json client_id={SANDBOX_CLIENT_ID} "
            f"client_secret={SANDBOX_CLIENT_SECRET}",
            say("sandbox_vk_grant", ids=ids("vk_ads")),
        ]
    if api == "garpun":
        return [say("sandbox_garpun_key", url=url), say("sandbox_garpun_token", url=url, ids=ids("garpun"))]
    if api == "telegram":
        from ingestion.sandbox.telegram import BOT_TOKEN

        return [say("sandbox_tg_bot", token=BOT_TOKEN, url=url), say("sandbox_tg_chat", url=url)]
    if api == "sheets":
        from ingestion.sandbox.sheets import SERVICE_EMAIL

        return [
            say("sandbox_sheets_key", url=url),
            say("sandbox_sheets_spreadsheet", url=url, email=SERVICE_EMAIL),
        ]
    if api == "pinecone":
        from ingestion.sandbox.pinecone import API_KEY

        return [say("sandbox_pinecone_key", key=API_KEY, url=url), say("sandbox_pinecone_indexes", url=url)]
    if api == "cbr":
        return [say("sandbox_cbr", url=url)]
    if api in ("google_oauth", "google_ads", "ga4"):
        from ingestion.sandbox.google_oauth import SANDBOX_GOOGLE

        if api == "google_oauth":
            return [
                f"POST {url}/token grant_type=refresh_token refresh_token={SANDBOX_GOOGLE['refresh_token']}",
                say(
                    "sandbox_google_client",
                    client_id=SANDBOX_GOOGLE["client_id"],
                    secret=SANDBOX_GOOGLE["client_secret"],
                ),
            ]
        if api == "google_ads":
            return [
                say("sandbox_google_ads_token", token=SANDBOX_GOOGLE["developer_token"]),
                say(
                    "sandbox_google_ads_customers",
                    manager=SANDBOX_GOOGLE["manager_customer_id"],
                    ids=ids("google_ads"),
                ),
            ]
        return [say("sandbox_ga4", ids=ids("ga4"))]
    return [say("sandbox_undescribed")]


@click.group()
def sandbox() -> None:
    """Serve the API emulators on 127.0.0.1: the ad platforms (Direct, Metrika, VK Ads, Garpun, Google Ads, GA4),
    their OAuth, Bank of Russia rates, Telegram, Google Sheets and Pinecone."""


@sandbox.command()
@click.option("--port", type=int, default=0, show_default=True, help="Port on 127.0.0.1 (0 = a free one).")
@click.option("--seed", type=int, default=7, show_default=True, help="Generator seed (same seed, same data).")
@click.option("--today", callback=_date, default=None, help="The sandbox's today (default: the real one).")
def start(port: int, seed: int, today: date | None) -> None:
    """Serve every emulator in the foreground and print each base URL (Ctrl-C stops)."""
    from ingestion.sandbox import state
    from ingestion.sandbox.generator import World
    from ingestion.sandbox.server import SandboxServer

    server = SandboxServer(World(seed=seed, today=today), port=port)
    state.write_state({"pid": os.getpid(), "base_url": server.base_url, "apis": server.urls})
    click.echo(cli_t("cli_sandbox_on", url=server.base_url, seed=seed, today=server.world.today))
    lang = cli_lang()
    click.echo(cli_t("cli_sandbox_credentials"))
    for api, url in server.urls.items():
        click.echo(f"  {api:8s} {url}")
        for line in sandbox_credentials(api, url, server.world, lang):
            click.echo(f"           {line}")
    click.echo(cli_t("cli_sandbox_control", url=server.base_url))
    sys.stdout.flush()
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        state.clear_state(os.getpid())


@sandbox.command()
def status() -> None:
    """Show the running sandbox's URLs, today and active faults."""
    from ingestion.sandbox import state

    info = state.running()
    if info is None:
        raise click.ClickException(cli_t("cli_sandbox_not_running"))
    click.echo(cli_t("cli_sandbox_on", url=info["base_url"], seed=info["seed"], today=info["today"]))
    for api, url in info["apis"].items():
        click.echo(f"  {api:8s} {url}")
    for fault in info["faults"]:
        click.echo(f"  fault {fault['api']} {fault['kind']} count={fault['count']} params={fault['params']}")
