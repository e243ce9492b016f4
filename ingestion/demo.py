"""`load_demo`: start the sandbox (if needed), register demo tenants/clients/accounts, load 90 days of everything."""

from __future__ import annotations

import logging
from datetime import date, timedelta
from typing import Any

from ingestion.platforms import BY_PLATFORM
from ingestion.sandbox import state
from ingestion.sandbox.generator import World
from ingestion.sandbox.server import SandboxServer

log = logging.getLogger("mrm.ingestion.demo")
_SERVER: SandboxServer | None = None


def sandbox_urls(world: World | None = None) -> tuple[dict[str, str], date]:
    """Base URLs of a running sandbox (state file), else of one started in this process; and its today."""
    global _SERVER
    info = state.running()
    if info is not None:
        return info["apis"], date.fromisoformat(info["today"])
    if _SERVER is None:
        _SERVER = SandboxServer(world or World()).start()
    return _SERVER.urls, _SERVER.world.today


def register(client: Any, world: World) -> dict[str, int]:
    """Upsert the sandbox's tenants, clients and accounts into app.tenants/clients/accounts."""
    client.insert(
        "app.tenants",
        [[t.tenant_id, t.name, t.timezone, t.currency] for t in world.tenants if t.tenant_id != "bench"],
        column_names=["tenant_id", "name", "timezone", "default_currency"],
    )
    client.insert(
        "app.clients",
        [
            [c.tenant_id, c.client_id, c.name, c.currency, c.agency_commission]
            for c in world.clients
            if c.tenant_id != "bench"
        ],
        column_names=["tenant_id", "client_id", "name", "currency", "agency_commission"],
    )
    client.insert(
        "app.accounts",
        [
            [
                a.tenant_id,
                a.client_id,
                a.platform,
                a.account_id,
                a.name,
                a.timezone,
                a.currency,
                int(a.spend_includes_vat),
                int(a.via_garpun),
            ]
            for a in world.accounts
            if a.tenant_id != "bench"
        ],
        column_names=[
            "tenant_id",
            "client_id",
            "platform",
            "account_id",
            "account_name",
            "timezone",
            "currency",
            "spend_includes_vat",
            "via_garpun",
        ],
    )
    return {"tenants": len(world.tenants), "clients": len(world.clients), "accounts": len(world.accounts)}


def load_demo(
    client: Any, days: int = 90, progress: bool = True, platforms: tuple[str, ...] | None = None
) -> dict[str, int]:
    """Load the last `days` days of every sandbox platform whose connector exists; returns rows per table.

    `platforms` (names as in app.accounts) limits the load, e.g. ("yandex_direct",); default: all.

    Fails loudly (raises) if any account's load fails: a demo that silently skips a platform hides bugs.
    """
    from tqdm import tqdm

    world = World()
    urls, today = sandbox_urls(world)
    if _SERVER is None:
        world = World(today=today)  # a separately running sandbox: same seed, its clock
    register(client, world)
    date_to = today - timedelta(days=1)
    date_from = today - timedelta(days=days)
    summary: dict[str, int] = {}
    jobs = []
    for account in world.accounts:
        info = BY_PLATFORM.get(account.platform)
        if account.tenant_id == "bench" or info is None or (platforms and account.platform not in platforms):
            continue
        module = info.load_module()
        if module is None or info.sandbox_api not in urls:
            log.warning("skipping %s: connector or emulator not available", account.platform)
            continue
        jobs.append((account, module, urls[info.sandbox_api]))
    bar = tqdm(total=len(jobs), desc="demo load", unit="account", disable=not progress)
    rows_bar = tqdm(desc="rows", unit="row", disable=not progress, position=1, leave=False)
    try:
        for account, module, url in jobs:
            bar.set_postfix_str(f"{account.platform} {account.account_id}")
            settings = module.Settings.for_sandbox(url)
            result = module.load(
                client,
                settings,
                tenant_id=account.tenant_id,
                account_id=account.account_id,
                date_from=date_from,
                date_to=date_to,
                today=today,
                progress=rows_bar.update,
            )
            for table, n in result.items():
                summary[table] = summary.get(table, 0) + n
            bar.update(1)
    finally:
        bar.close()
        rows_bar.close()
    if "cbr" in urls:
        # Accounts billing abroad (Google Ads in USD/EUR) convert to roubles at the Bank of Russia rate of the day:
        # without the rates of the whole window the dbt build fails, as it must.
        from ingestion import cbr

        rates = cbr.load(
            client, cbr.Settings.for_sandbox(urls["cbr"]), date_from=date_from, date_to=today, today=today
        )
        for table, n in rates.items():
            summary[table] = summary.get(table, 0) + n
    return summary
