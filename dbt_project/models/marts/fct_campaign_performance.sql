{{
    config(
        materialized='incremental',
        partition_by='toYYYYMM(period_end)',
        order_by='(tenant_id, client_id, period_grain, period_start, platform, account_id, campaign_id)'
    )
}}
{#- KPIs per campaign for day, ISO week and calendar month, all through the metric layer (macros/metrics.sql):
    sums first, ratios of the sums after. For any other period, sum the additive columns of fct_campaign_daily
    (or fct_ad_performance_daily) and apply the same macros.
    Incremental by the month a period ends in: a run rebuilds every period ending in its window's months, from
    the Monday of the week the window starts in (a week ending in the window may begin in the month before), and
    on to the newest day (a changed day changes its week and month). -#}
{%- set window_start = incremental_window_start(period='month', this_column='last_day_with_data') %}
with campaign_days as (
    select * from {{ ref('fct_campaign_daily') }}
    {%- if is_incremental() %}
    where date_day >= toMonday({{ window_start }})
    {%- endif %}
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
        {{ campaign_attributes() }},
        {{ summed_fact_measures() }},
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
        {{ fact_measures() }},
        is_provisional,
        {{ all_metrics(aggregated=true) }}
    from summed
)

select * from final
{%- if is_incremental() %}
where period_end >= {{ window_start }}
{%- endif %}
