"""One factory for every platform's raw assets, so each platform folder keeps the identical shape.

A platform's raw tables come from one `ingestion.<platform>.load()` call per account, so they are one multi-asset
(one step): per run it loads every active account of the platform in `app.accounts` (optionally a subset of
tenants/accounts) for the partition's days, re-pulling the platform's lookback window, then validates each table.
"""

import datetime as dt
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import dagster as dg

from orchestration import quality
from orchestration.freshness import DAILY
from orchestration.partitions import context_days, daily_partitions
from orchestration.retries import TRANSIENT_RETRY, fail_unless_transient
from workspace.credentials import account_settings


@dataclass(frozen=True)
class RawTable:
    """A raw table of a platform: where it comes from, its grain and its quality rules."""

    name: str
    endpoint: str
    rules: quality.TableRules


# The ad grain below the account and day that the ad platforms share.
AD_KEY = ("campaign_id", "ad_group_id", "ad_id")
# The 0/1 columns of an ad platform's statistics: provisional days and whether the cost includes VAT.
COST_FLAGS = ("is_provisional", "cost_includes_vat")


def daily_table(
    name: str,
    endpoint: str,
    key: tuple[str, ...],
    *,
    required: tuple[str, ...] = (),
    measures: tuple[str, ...] = (),
    flags: tuple[str, ...] = ("is_provisional",),
    version_per_day: bool = True,
) -> RawTable:
    """A table with one row per account, day and `key`: tenant, account and day are required, then `required`;
    `measures` may not be negative, `flags` hold 0 or 1."""
    lead = ("tenant_id", "account_id", "date_day")
    rules = quality.TableRules(
        grain=(*lead, *key),
        not_null=(*lead, *required),
        non_negative=measures,
        flags=flags,
        daily=True,
        version_per_day=version_per_day,
    )
    return RawTable(name=name, endpoint=endpoint, rules=rules)


def ad_stats_table(
    endpoint: str, measures: tuple[str, ...], key: tuple[str, ...] = (*AD_KEY, "ad_network_type")
) -> RawTable:
    """An ad platform's `ad_stats_daily`: a row per account, day and ad; campaign and currency required."""
    return daily_table(
        "ad_stats_daily",
        endpoint,
        key,
        required=("campaign_id", "currency"),
        measures=measures,
        flags=COST_FLAGS,
    )


def snapshot_table(
    name: str,
    endpoint: str,
    key: tuple[str, ...],
    *,
    required: tuple[str, ...] | None = None,
    measures: tuple[str, ...] = (),
) -> RawTable:
    """A whole-account table (no day) with one row per account and `key`; tenant, account and `required`
    (by default the key) may not be empty, `measures` may not be negative."""
    lead = ("tenant_id", "account_id")
    rules = quality.TableRules(
        grain=(*lead, *key),
        not_null=(*lead, *(key if required is None else required)),
        non_negative=measures,
        flags=(),
        daily=False,
    )
    return RawTable(name=name, endpoint=endpoint, rules=rules)


@dataclass(frozen=True)
class Account:
    tenant_id: str
    account_id: str


class RawLoadConfig(dg.Config):
    """Narrow a run to some tenants or accounts (default: every active account of the platform)."""

    tenants: list[str] = []
    accounts: list[str] = []


def active_accounts(
    ch: Any, platform: str, tenants: list[str] | None = None, accounts: list[str] | None = None
) -> list[Account]:
    """Active accounts of a platform from app.accounts, optionally limited to tenants/account ids."""
    rows = ch.query(
        "SELECT tenant_id, account_id FROM app.accounts FINAL WHERE platform = {p:String} AND is_active = 1 "
        "AND (length({t:Array(String)}) = 0 OR has({t:Array(String)}, tenant_id)) "
        "AND (length({a:Array(String)}) = 0 OR has({a:Array(String)}, account_id)) "
        "ORDER BY tenant_id, account_id",
        parameters={"p": platform, "t": list(tenants or []), "a": list(accounts or [])},
    ).result_rows
    return [Account(str(t), str(a)) for t, a in rows]


def fetched_window(
    first: dt.date, last: dt.date, *, today: dt.date, lookback_days: int
) -> tuple[dt.date, dt.date]:
    """The days a load actually replaces for a requested window (the restatement window is re-pulled too)."""
    from ingestion.common.windows import repull_window

    window = repull_window(first, last, today=today, lookback_days=lookback_days)
    if window is None:
        raise dg.Failure(f"nothing to load: {first}..{last} is not before today {today}", allow_retries=False)
    return window


def _pairs_filter() -> str:
    return "has({pairs:Array(Tuple(String, String))}, (tenant_id, account_id))"


def check_table(
    ch: Any, database: str, table: RawTable, accounts: list[Account], window: tuple[dt.date, dt.date]
) -> list[quality.Outcome]:
    """Run the table's GX suite over the current rows of the loaded accounts and window."""
    from warehouse.loads import current_rows_sql

    fq = f"{database}.{table.name}"
    rules = table.rules
    pairs = [(a.tenant_id, a.account_id) for a in accounts]
    cols = list(dict.fromkeys([*rules.grain, *rules.not_null]))
    cols += [f"toFloat64({c}) AS {c}" for c in rules.non_negative if c not in cols]
    cols += [f"toUInt8({c}) AS {c}" for c in rules.flags if c not in cols]
    params: dict[str, Any] = {"pairs": pairs, "f": window[0], "t": window[1]}
    where = _pairs_filter() + (" AND date_day BETWEEN {f:Date} AND {t:Date}" if rules.daily else "")
    df = ch.query_df(
        f"SELECT {', '.join(cols)} FROM ({current_rows_sql(fq, snapshot=not rules.daily)}) "  # noqa: S608
        f"WHERE {where}",
        parameters=params,
    )
    name = f"{database}_{table.name}"
    outcomes = quality.validate_rows(df, rules, name=name)
    days = (window[1] - window[0]).days + 1
    if rules.daily:
        base = ch.query(
            f"SELECT count() / greatest(uniqExact(date_day), 1), uniqExact(date_day) "  # noqa: S608
            f"FROM ({current_rows_sql(fq)}) WHERE {_pairs_filter()} "
            "AND date_day BETWEEN {bf:Date} AND {bt:Date}",
            parameters={
                "pairs": pairs,
                "bf": window[0] - dt.timedelta(days=quality.BASELINE_DAYS),
                "bt": window[0] - dt.timedelta(days=1),
            },
        ).result_rows[0]
        baseline = float(base[0]) if base[1] else None
        outcomes.append(
            quality.validate_volume(df, quality.volume_bounds(baseline, days), name=name, baseline=baseline)
        )
    versions = ch.query_df(
        "SELECT account_id, date_day, dateDiff('millisecond', max(loaded_at), now64(6)) / 3600000 AS age_hours "
        "FROM app.raw_window_versions WHERE table_name = {tn:String} AND "
        + _pairs_filter()
        + (
            " AND date_day = '1970-01-01'"
            if not rules.daily
            else " AND date_day BETWEEN {f:Date} AND {t:Date}"
            if rules.version_per_day
            else " AND date_day = {t:Date}"
        )
        + " GROUP BY tenant_id, account_id, date_day",
        parameters={**params, "tn": fq},
    )
    expected = len(accounts) * (days if rules.daily and rules.version_per_day else 1)
    outcomes.append(quality.validate_freshness(versions, expected, name=name))
    return outcomes


def check_names(rules: quality.TableRules) -> list[str]:
    return [n for n in quality.CHECK_NAMES if rules.daily or n != "volume_vs_baseline"]


def build_raw_assets(
    *, platform: str, database: str, tables: list[RawTable], description: str, pool: str | None = None
) -> dg.AssetsDefinition:
    """The multi-asset for one platform: every raw table, with its checks, partitioned by Moscow day."""
    specs = [
        dg.AssetSpec(
            key=[database, t.name],
            group_name=database,
            kinds={"clickhouse", "python"},
            description=f"{t.endpoint} → {database}.{t.name}; grain: {', '.join(t.rules.grain)}.",
            metadata={
                "table": f"{database}.{t.name}",
                "grain": ", ".join(t.rules.grain),
                "endpoint": t.endpoint,
            },
            freshness_policy=DAILY.dagster_policy(),
            tags={"platform": platform},
        )
        for t in tables
    ]
    check_specs = [
        dg.AssetCheckSpec(
            name=name,
            asset=dg.AssetKey([database, t.name]),
            blocking=quality.BLOCKING[name],
            description=quality.CHECK_DESCRIPTIONS[name],
        )
        for t in tables
        for name in check_names(t.rules)
    ]
    by_name: Mapping[str, RawTable] = {t.name: t for t in tables}

    @dg.multi_asset(
        name=f"{platform}_raw",
        specs=specs,
        check_specs=check_specs,
        partitions_def=daily_partitions,
        backfill_policy=dg.BackfillPolicy.single_run(),
        retry_policy=TRANSIENT_RETRY,
        pool=pool or platform,
        required_resource_keys={"warehouse", platform},
        description=description,
    )
    def _raw(context: dg.AssetExecutionContext, config: RawLoadConfig) -> Any:
        res = getattr(context.resources, platform)
        wh = context.resources.warehouse
        first, last = context_days(context)
        try:
            ch = wh.client()
            accounts = active_accounts(ch, platform, config.tenants, config.accounts)
            module = res.connector()
            settings = res.connector_settings()
            today = res.today_date()
        except dg.Failure:
            raise
        except Exception as exc:
            raise fail_unless_transient(exc, f"{platform}: preparing the load") from exc
        window = fetched_window(first, last, today=today, lookback_days=settings.lookback_days)
        if not accounts:
            context.log.warning(
                f"{platform}: no active accounts in app.accounts for this selection; nothing loaded"
            )
        context.log.info(
            f"{platform}: {len(accounts)} accounts, requested {first}..{last}, fetching "
            f"{window[0]}..{window[1]} (lookback {settings.lookback_days} d, today {today})"
        )

        def load_one(acc: Account) -> dict[str, int]:
            client = wh.client()
            try:
                # The account's own stored credentials (workspace) win over the deployment-wide ones.
                own = account_settings(client, settings, acc.tenant_id, platform, acc.account_id)
                return dict(
                    module.load(
                        client,
                        own,
                        tenant_id=acc.tenant_id,
                        account_id=acc.account_id,
                        date_from=first,
                        date_to=last,
                        today=today,
                    )
                )
            finally:
                client.close()

        totals: dict[str, int] = {}
        failures: list[tuple[Account, BaseException]] = []
        with ThreadPoolExecutor(
            max_workers=max(1, min(res.max_parallel_accounts, len(accounts) or 1)),
            thread_name_prefix=f"load-{platform}",
        ) as pool_:
            futures = {pool_.submit(load_one, acc): acc for acc in accounts}
            for fut, acc in futures.items():
                try:
                    for table, n in fut.result().items():
                        totals[table] = totals.get(table, 0) + int(n)
                except Exception as exc:  # collected so every failed account is named, then raised below
                    context.log.error(f"{platform} {acc.tenant_id}/{acc.account_id} failed: {exc}")
                    failures.append((acc, exc))
        if failures:
            named = "; ".join(f"{a.tenant_id}/{a.account_id}: {e}" for a, e in failures)
            failure = fail_unless_transient(
                failures[0][1],
                f"{platform}: {len(failures)} of {len(accounts)} accounts failed ({named[:1500]})",
            )
            # Transient only if every failure is: one auth error must not be retried three times.
            if not all(fail_unless_transient(e, "").allow_retries for _, e in failures):
                failure = dg.Failure(
                    description=failure.description, metadata=failure.metadata, allow_retries=False
                )
            raise failure
        tenants = sorted({a.tenant_id for a in accounts})
        for name in by_name:
            yield dg.MaterializeResult(
                asset_key=[database, name],
                metadata={
                    "rows": totals.get(f"{database}.{name}", 0),
                    "accounts": len(accounts),
                    "tenants": ", ".join(tenants),
                    "requested": f"{first}..{last}",
                    "fetched": f"{window[0]}..{window[1]}",
                    "today": str(today),
                },
            )
        for name, t in by_name.items():
            for outcome in check_table(ch, database, t, accounts, window):
                yield dg.AssetCheckResult(
                    asset_key=[database, name],
                    check_name=outcome.name,
                    passed=outcome.passed,
                    severity=dg.AssetCheckSeverity.ERROR if outcome.blocking else dg.AssetCheckSeverity.WARN,
                    metadata=outcome.metadata,
                )
        ch.close()

    return _raw


def platform_raw_assets(platform: str) -> dg.AssetsDefinition:
    """The raw multi-asset of a registered platform: its quality rules from `orchestration.<platform>.checks`."""
    import importlib

    from ingestion.platforms import BY_PLATFORM

    info = BY_PLATFORM[platform]
    tables: list[RawTable] = importlib.import_module(f"orchestration.{platform}.checks").TABLES
    return build_raw_assets(
        platform=platform,
        database=info.raw_database,
        tables=tables,
        description=f"{info.title} statistics and entities for every active account in app.accounts, re-pulling "
        "the restatement window; loads are idempotent window replaces (warehouse.loads.replace_window).",
    )
