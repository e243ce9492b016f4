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
        {{ campaign_day_key() }},
        {{ campaign_attributes() }},
        {{ summed_fact_measures() }},
        max(is_provisional) as is_provisional
    from ad_days
    group by {{ campaign_day_key() }}
)

select * from final
