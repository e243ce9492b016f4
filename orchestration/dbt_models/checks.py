"""great-expectations suites on the marts that reports read; blocking, so a bad mart never reaches a client."""

import datetime as dt
from typing import Any

import dagster as dg

from metrics.ratios import ADDITIVE
from orchestration import quality
from orchestration.dbt_models.partitions import REBUILD_LOOKBACK_DAYS
from orchestration.partitions import days_from_tags
from orchestration.resources import WarehouseResource

# One row per tenant, client, day, platform, account, campaign, ad group, ad (campaign-level Metrika rows have
# empty ad group / ad): the grain every report sums over.
MART_RULES: dict[str, quality.TableRules] = {
    "fct_ad_performance_daily": quality.TableRules(
        grain=(
            "tenant_id",
            "client_id",
            "date_day",
            "platform",
            "account_id",
            "campaign_id",
            "ad_group_id",
            "ad_id",
        ),
        not_null=("tenant_id", "client_id", "date_day", "platform", "account_id", "campaign_id", "currency"),
        non_negative=ADDITIVE,
        flags=("is_provisional",),
    ),
}
# A mart day may lag the newest partition by one day for a client whose campaigns all paused; two is a miss.
MART_MAX_LAG_DAYS = 2


def check_mart(
    ch: Any, table: str, rules: quality.TableRules, first: dt.date, last: dt.date
) -> list[quality.Outcome]:
    """The five outcomes for one mart over the rebuilt window [first - lookback, last]."""
    fq = f"marts.{table}"
    start = first - dt.timedelta(days=REBUILD_LOOKBACK_DAYS)
    cols = list(dict.fromkeys([*rules.grain, *rules.not_null]))
    cols += [f"toFloat64({c}) AS {c}" for c in rules.non_negative if c not in cols]
    cols += [f"toUInt8({c}) AS {c}" for c in rules.flags if c not in cols]
    df = ch.query_df(
        f"SELECT {', '.join(cols)} FROM {fq} WHERE date_day BETWEEN {{f:Date}} AND {{t:Date}}",  # noqa: S608
        parameters={"f": start, "t": last},
    )
    name = f"marts_{table}"
    outcomes = quality.validate_rows(df, rules, name=name)
    count, ndays = ch.query(
        f"SELECT count(), uniqExact(date_day) FROM {fq} WHERE date_day BETWEEN {{bf:Date}} AND {{bt:Date}}",  # noqa: S608
        parameters={
            "bf": start - dt.timedelta(days=quality.BASELINE_DAYS),
            "bt": start - dt.timedelta(days=1),
        },
    ).result_rows[0]
    baseline = count / ndays if ndays else None
    days = (last - start).days + 1
    outcomes.append(
        quality.validate_volume(df, quality.volume_bounds(baseline, days), name=name, baseline=baseline)
    )
    # Freshness: every tenant with active accounts has mart rows up to (nearly) the run's last day.
    lag = ch.query_df(
        "SELECT a.tenant_id AS tenant_id, dateDiff('day', m.last_day, {t:Date}) AS lag_days "  # noqa: S608
        "FROM (SELECT DISTINCT tenant_id FROM app.accounts FINAL WHERE is_active = 1) AS a "
        f"LEFT JOIN (SELECT tenant_id, max(date_day) AS last_day FROM {fq} "
        "WHERE date_day <= {t:Date} GROUP BY tenant_id) AS m ON a.tenant_id = m.tenant_id",
        parameters={"t": last},
    )
    outcomes.append(
        quality.validate_freshness(lag, len(lag), name=name, column="lag_days", max_value=MART_MAX_LAG_DAYS)
    )
    return outcomes


def _check_specs() -> list[dg.AssetCheckSpec]:
    return [
        dg.AssetCheckSpec(
            name=n,
            asset=dg.AssetKey(["marts", t]),
            blocking=quality.BLOCKING[n],
            description=quality.CHECK_DESCRIPTIONS[n],
        )
        for t in MART_RULES
        for n in quality.CHECK_NAMES
    ]


@dg.multi_asset_check(specs=_check_specs(), name="marts_quality", can_subset=False)
def marts_quality(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource) -> Any:
    """GX suite per mart for the run's days; ERROR results block insights and reports downstream."""
    days = days_from_tags(context.run.tags)
    if days is None:  # run outside a partition (e.g. from the asset page): check the newest complete day
        from orchestration.partitions import yesterday_in_moscow

        days = (yesterday_in_moscow(),) * 2
    ch = warehouse.client()
    try:
        for table, rules in MART_RULES.items():
            for o in check_mart(ch, table, rules, *days):
                yield dg.AssetCheckResult(
                    asset_key=["marts", table],
                    check_name=o.name,
                    passed=o.passed,
                    metadata=o.metadata,
                    severity=dg.AssetCheckSeverity.ERROR if o.blocking else dg.AssetCheckSeverity.WARN,
                )
    finally:
        ch.close()
