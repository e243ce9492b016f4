{{ config(order_by='(tenant_id, client_id, period_grain, period_start, platform, account_id, campaign_id)') }}
{#- KPIs per campaign for day, ISO week and calendar month, all through the metric layer (macros/metrics.sql):
    sums first, ratios of the sums after. For any other period, sum the additive columns of fct_campaign_daily
    (or fct_ad_performance_daily) and apply the same macros. -#}
with campaign_days as (
    select * from {{ ref('fct_campaign_daily') }}
),

periods as (
    select
        'day' as period_grain,
        *
    from campaign_days
    union all
    select
        'week' as period_grain,
        *
    from campaign_days
    union all
    select
        'month' as period_grain,
        *
    from campaign_days
),

with_period as (
    select
        *,
        multiIf(
            period_grain = 'day', date_day,
            period_grain = 'week', toMonday(date_day),
            toStartOfMonth(date_day)
        ) as period_start
    from periods
),

summed as (
    select
        tenant_id,
        client_id,
        period_grain,
        period_start,
        max(date_day) as last_day_with_data,
        platform,
        account_id,
        campaign_id,
        anyIf(campaign_name, campaign_name != '') as campaign_name,
        anyIf(source_platform, source_platform != '') as source_platform,
        anyIf(currency, currency != '') as currency,
        sum(impressions) as impressions,
        sum(clicks) as clicks,
        sum(spend_gross) as spend_gross,
        sum(spend_net) as spend_net,
        sum(conversions) as conversions,
        sum(conversions_value) as conversions_value,
        sum(sessions) as sessions,
        max(is_provisional) as is_provisional
    from with_period
    group by tenant_id, client_id, period_grain, period_start, platform, account_id, campaign_id
),

final as (
    select
        tenant_id,
        client_id,
        period_grain,
        period_start,
        multiIf(
            period_grain = 'day', period_start,
            period_grain = 'week', addDays(period_start, 6),
            toLastDayOfMonth(period_start)
        ) as period_end,
        last_day_with_data,
        platform,
        source_platform,
        account_id,
        campaign_id,
        campaign_name,
        currency,
        impressions,
        clicks,
        spend_gross,
        spend_net,
        conversions,
        conversions_value,
        sessions,
        is_provisional,
        {{ all_metrics(aggregated=true) }}
    from summed
)

select * from final
