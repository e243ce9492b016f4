{{
    config(
        materialized='incremental',
        partition_by=fact_partition_by(),
        order_by='(tenant_id, client_id, date_day, platform, account_id, campaign_id, ad_group_id, ad_id)'
    )
}}
{#- Additive facts only (no ratios, no reach). Metrika sessions are known per campaign, not per ad, so they sit on
    a campaign-level row (ad_group_id = '', ad_id = '') of the same grain; summing any subset of rows stays right. -#}
with ad_stats as (
    select * from {{ ref('int_ad_performance_unioned') }}
    where {{ incremental_window_filter() }}
),

-- Sessions of both web analytics sources attributed to a campaign (Metrika; GA4 for Google Ads and any campaign
-- its UTM names). A site counted by both would count twice: a client registers one web analytics source per site.
sessions as (
    {%- for sessions_model in [ref('int_metrika_sessions_attributed'), ref('int_ga4_sessions_attributed')] %}
    select
        {{ campaign_day_key() }},
        sessions,
        goal_reaches,
        is_provisional
    from {{ sessions_model }}
    where campaign_id != '' and {{ incremental_window_filter() }}
    {{- '\n    union all' if not loop.last }}
    {%- endfor %}
),

campaigns as (
    select * from {{ ref('int_campaigns_conformed') }}
),

ad_rows as (
    select
        tenant_id,
        client_id,
        date_day,
        platform,
        source_platform,
        account_id,
        campaign_id,
        campaign_name,
        ad_group_id,
        ad_id,
        impressions,
        clicks,
        spend_gross,
        spend_net,
        currency,
        conversions,
        conversions_value,
        toUInt64(0) as sessions,
        toUInt64(0) as session_goal_reaches,
        is_provisional,
        timezone
    from ad_stats
),

session_rows as (
    select
        s.tenant_id as tenant_id,
        s.client_id as client_id,
        s.date_day as date_day,
        s.platform as platform,
        c.source_platform as source_platform,
        s.account_id as account_id,
        s.campaign_id as campaign_id,
        c.campaign_name as campaign_name,
        '' as ad_group_id,
        '' as ad_id,
        toUInt64(0) as impressions,
        toUInt64(0) as clicks,
        toDecimal64(0, 6) as spend_gross,
        toDecimal64(0, 6) as spend_net,
        c.account_currency as currency,
        toDecimal64(0, 6) as conversions,
        toDecimal64(0, 6) as conversions_value,
        s.sessions as sessions,
        s.goal_reaches as session_goal_reaches,
        s.is_provisional as is_provisional,
        c.account_timezone as timezone
    from sessions as s
    left join campaigns as c
        on
            s.tenant_id = c.tenant_id and s.platform = c.platform and s.account_id = c.account_id
            and s.campaign_id = c.campaign_id
),

-- Ad rows are already unique at this grain (tested on the union); only campaign-level rows (sessions, and any
-- campaign-level platform rows) can share a key, so only they are aggregated: a GROUP BY over every ad row
-- costs minutes and gigabytes on a 10 M-row fact.
campaign_level as (
    select * from ad_rows
    where ad_id = '' and ad_group_id = ''
    union all
    select * from session_rows
),

campaign_level_merged as (
    select
        tenant_id,
        client_id,
        date_day,
        platform,
        anyIf(source_platform, source_platform != '') as source_platform,
        account_id,
        campaign_id,
        anyIf(campaign_name, campaign_name != '') as campaign_name,
        ad_group_id,
        ad_id,
        sum(impressions) as impressions,
        sum(clicks) as clicks,
        sum(spend_gross) as spend_gross,
        sum(spend_net) as spend_net,
        anyIf(currency, currency != '') as currency,
        sum(conversions) as conversions,
        sum(conversions_value) as conversions_value,
        sum(sessions) as sessions,
        sum(session_goal_reaches) as session_goal_reaches,
        max(is_provisional) as is_provisional,
        anyIf(timezone, timezone != '') as timezone
    from campaign_level
    group by tenant_id, client_id, date_day, platform, account_id, campaign_id, ad_group_id, ad_id
),

final as (
    select * from ad_rows
    where not (ad_id = '' and ad_group_id = '')
    union all
    select * from campaign_level_merged
)

select * from final
