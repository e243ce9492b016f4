{{
    config(
        materialized='incremental',
        partition_by=fact_partition_by(),
        order_by='(tenant_id, client_id, date_day, platform, account_id, campaign_id)'
    )
}}
{#- The ad fact rolled up to campaign x day, incrementally over the same month window. Campaign KPIs, channels
    and plan-vs-fact read this (thousands of rows a day) instead of re-scanning the ad-level fact every run. -#}
with ad_days as (
    select * from {{ ref('fct_ad_performance_daily') }}
    where {{ incremental_window_filter() }}
),

final as (
    select
        tenant_id,
        client_id,
        date_day,
        platform,
        account_id,
        campaign_id,
        anyIf(campaign_name, campaign_name != '') as campaign_name,
        anyIf(source_platform, source_platform != '') as source_platform,
        anyIf(currency, currency != '') as currency,
        {{ summed_fact_measures() }},
        max(is_provisional) as is_provisional
    from ad_days
    group by tenant_id, client_id, date_day, platform, account_id, campaign_id
)

select * from final
