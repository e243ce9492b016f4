{{ config(materialized='table', engine='MergeTree()', order_by='(tenant_id, platform, account_id, campaign_id)') }}
{#- Campaigns of every platform in one shape. Dimension snapshots give names/status/dates; campaigns that only
    appear in statistics (a snapshot not yet loaded, a deleted campaign) are added from the stats so every fact
    row has its dimension. A table, not a view: facts, attribution and plan mapping all read it, and as a view
    each of them would recompute the whole conformed union. Statistics are read through int_campaign_days_seen
    (one row per campaign or VK banner and day, kept incrementally), not every ad row of history. -#}
with direct_campaigns as (
    select * from {{ ref('stg_yandex_direct__campaigns') }}
),

vk_ad_plans as (
    select * from {{ ref('stg_vk_ads__ad_plans') }}
),

garpun_campaigns as (
    select * from {{ ref('stg_garpun__campaigns') }}
),

google_ads_campaigns as (
    select * from {{ ref('stg_google_ads__campaigns') }}
),

days_seen as (
    select * from {{ ref('int_campaign_days_seen') }}
),

vk_stats as (
    select
        tenant_id,
        account_id,
        object_id as banner_id,
        date_day
    from days_seen
    where platform = 'vk_ads'
),

vk_banners as (
    select * from {{ ref('stg_vk_ads__banners') }}
),

vk_ad_groups as (
    select * from {{ ref('stg_vk_ads__ad_groups') }}
),

accounts as (
    select * from {{ ref('stg_app__accounts') }}
),

from_dimensions as (
    select
        tenant_id,
        'yandex_direct' as platform,
        'yandex_direct' as source_platform,
        account_id,
        campaign_id,
        campaign_name,
        campaign_type,
        campaign_status,
        start_date,
        end_date,
        1 as from_dimension
    from direct_campaigns
    union all
    select
        tenant_id,
        'vk_ads' as platform,
        'vk_ads' as source_platform,
        account_id,
        ad_plan_id as campaign_id,
        ad_plan_name as campaign_name,
        objective as campaign_type,
        ad_plan_status as campaign_status,
        date_start as start_date,
        date_end as end_date,
        1 as from_dimension
    from vk_ad_plans
    union all
    select
        tenant_id,
        'garpun' as platform,
        source_platform,
        account_id,
        campaign_id,
        campaign_name,
        '' as campaign_type,
        campaign_status,
        cast(null as Nullable(Date)) as start_date,
        cast(null as Nullable(Date)) as end_date,
        1 as from_dimension
    from garpun_campaigns
    union all
    select
        tenant_id,
        'google_ads' as platform,
        'google_ads' as source_platform,
        account_id,
        campaign_id,
        campaign_name,
        channel_type as campaign_type,
        campaign_status,
        start_date,
        end_date,
        1 as from_dimension
    from google_ads_campaigns
),

-- Campaigns seen in statistics, from the per-day keys only: the conformed union would price every row (VAT,
-- accounts) just to learn campaign keys.
vk_banners_seen as (
    select
        tenant_id,
        account_id,
        banner_id,
        min(date_day) as first_day
    from vk_stats
    group by tenant_id, account_id, banner_id
),

from_stats as (
    -- Direct, Garpun and Google Ads name their campaigns in statistics; a Garpun row names its source platform
    select
        tenant_id,
        platform,
        any(source_platform) as source_platform,
        account_id,
        object_id as campaign_id,
        argMax(campaign_name, date_day) as campaign_name,
        '' as campaign_type,
        '' as campaign_status,
        cast(min(date_day) as Nullable(Date)) as start_date,
        cast(null as Nullable(Date)) as end_date,
        0 as from_dimension
    from days_seen
    where platform in ('yandex_direct', 'garpun', 'google_ads')
    group by tenant_id, platform, account_id, object_id
    union all
    select
        s.tenant_id as tenant_id,
        'vk_ads' as platform,
        'vk_ads' as source_platform,
        s.account_id as account_id,
        g.ad_plan_id as campaign_id,
        '' as campaign_name,
        '' as campaign_type,
        '' as campaign_status,
        cast(min(s.first_day) as Nullable(Date)) as start_date,
        cast(null as Nullable(Date)) as end_date,
        0 as from_dimension
    from vk_banners_seen as s
    left join vk_banners as b
        on s.tenant_id = b.tenant_id and s.account_id = b.account_id and s.banner_id = b.banner_id
    left join vk_ad_groups as g
        on b.tenant_id = g.tenant_id and b.account_id = g.account_id and b.ad_group_id = g.ad_group_id
    group by s.tenant_id, s.account_id, g.ad_plan_id
),

all_rows as (
    select * from from_dimensions
    union all
    select * from from_stats
),

combined as (
    select
        tenant_id,
        platform,
        account_id,
        campaign_id,
        -- the dimension snapshot wins over names seen in statistics
        argMax(source_platform, from_dimension) as source_platform,
        argMax(campaign_name, from_dimension) as campaign_name,
        argMax(campaign_type, from_dimension) as campaign_type,
        argMax(campaign_status, from_dimension) as campaign_status,
        argMax(start_date, from_dimension) as start_date,
        argMax(end_date, from_dimension) as end_date,
        max(from_dimension) as has_dimension_row
    from all_rows
    group by tenant_id, platform, account_id, campaign_id
),

final as (
    select
        c.tenant_id as tenant_id,
        a.client_id as client_id,
        c.platform as platform,
        c.source_platform as source_platform,
        c.account_id as account_id,
        c.campaign_id as campaign_id,
        c.campaign_name as campaign_name,
        c.campaign_type as campaign_type,
        c.campaign_status as campaign_status,
        c.start_date as start_date,
        c.end_date as end_date,
        c.has_dimension_row as has_dimension_row,
        a.currency as account_currency,
        a.timezone as account_timezone
    from combined as c
    left join accounts as a
        on c.tenant_id = a.tenant_id and c.platform = a.platform and c.account_id = a.account_id
)

select * from final
