{{
    config(
        materialized='incremental',
        partition_by=fact_partition_by(),
        order_by='(tenant_id, platform, account_id, object_id, date_day)'
    )
}}
{#- Which campaigns (Direct, Garpun) and VK banners have statistics on which day, with the name seen that day:
    int_campaigns_conformed adds campaigns known only from statistics, and reading this (thousands of rows a day,
    incremental by week) instead of every ad row of history keeps the daily run flat. VK banners stay banners here:
    their campaign comes from the current ad-group and ad-plan snapshots when the conformed table is built. -#}
with direct_stats as (
    select * from {{ ref('stg_yandex_direct__ad_stats_daily') }}
    where {{ incremental_window_filter() }}
),

vk_stats as (
    select * from {{ ref('stg_vk_ads__banner_stats_daily') }}
    where {{ incremental_window_filter() }}
),

garpun_stats as (
    select * from {{ ref('stg_garpun__ad_stats_daily') }}
    where {{ incremental_window_filter() }}
),

google_ads_stats as (
    select * from {{ ref('stg_google_ads__ad_stats_daily') }}
    where {{ incremental_window_filter() }}
),

final as (
    select
        tenant_id,
        'yandex_direct' as platform,
        'yandex_direct' as source_platform,
        account_id,
        campaign_id as object_id,
        date_day,
        -- one load owns each account-day (current-load filter), so a campaign has one name a day
        any(campaign_name) as campaign_name
    from direct_stats
    group by tenant_id, account_id, campaign_id, date_day
    union all
    select
        tenant_id,
        'vk_ads' as platform,
        'vk_ads' as source_platform,
        account_id,
        banner_id as object_id,
        date_day,
        '' as campaign_name
    from vk_stats
    group by tenant_id, account_id, banner_id, date_day
    union all
    select
        tenant_id,
        'garpun' as platform,
        any(source_platform) as source_platform,
        account_id,
        campaign_id as object_id,
        date_day,
        any(campaign_name) as campaign_name
    from garpun_stats
    group by tenant_id, account_id, campaign_id, date_day
    union all
    select
        tenant_id,
        'google_ads' as platform,
        'google_ads' as source_platform,
        account_id,
        campaign_id as object_id,
        date_day,
        any(campaign_name) as campaign_name
    from google_ads_stats
    group by tenant_id, account_id, campaign_id, date_day
)

select * from final
