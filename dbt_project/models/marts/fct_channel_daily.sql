{{
    config(
        materialized='incremental',
        partition_by=fact_partition_by(),
        order_by='(tenant_id, client_id, date_day, channel)'
    )
}}
{#- One row per client, day and channel (the ad network: Direct, VK, or the network behind Garpun), KPIs through
    the metric layer. Every row is one day's, so a run rebuilds just the days of its window. -#}
with daily as (
    select * from {{ ref('fct_campaign_daily') }}
    where {{ incremental_window_filter() }}
),

summed as (
    select
        tenant_id,
        client_id,
        date_day,
        if(source_platform != '', source_platform, platform) as channel,
        anyIf(currency, currency != '') as currency,
        uniqExact(platform, account_id, campaign_id) as active_campaigns,
        {{ summed_fact_measures() }},
        max(is_provisional) as is_provisional
    from daily
    group by tenant_id, client_id, date_day, channel
),

final as (
    select
        tenant_id,
        client_id,
        date_day,
        channel,
        currency,
        active_campaigns,
        {{ fact_measures() }},
        is_provisional,
        {{ all_metrics(aggregated=true) }}
    from summed
)

select * from final
