{#- GA4 traffic attributed to ad campaigns the same way as Metrika's (macro attribute_to_campaign): the UTM campaign
    is a campaign id, ends in one after a prefix (gads_123), or is a campaign name. The property belongs to a client
    through app.accounts. The "(other)" bucket is never attributed (its campaign is unknown); unattributed traffic
    stays (platform = '') so property totals still reconcile with GA4. -#}
with traffic as (
    select
        t.tenant_id as tenant_id,
        t.property_id as property_id,
        t.date_day as date_day,
        t.utm_source as utm_source,
        if(t.is_other_row = 1, '', t.utm_campaign) as utm_campaign,
        '' as direct_campaign_id,
        t.sessions as sessions,
        t.key_events as key_events,
        t.total_revenue as total_revenue,
        toUInt8(t.is_sampled or t.is_thresholded or t.is_other_row) as is_approximate,
        t.is_provisional as is_provisional
    from {{ ref('stg_ga4__traffic_daily') }} as t
),

with_client as (
    {{ with_account_client('traffic', 'ga4', 'property_id') }}
),

attributed as (
    {{ attribute_to_campaign('with_client', ref('int_campaign_match_keys'),
        ['tenant_id', 'client_id', 'property_id', 'date_day', 'sessions', 'key_events', 'total_revenue', 'is_approximate', 'is_provisional']) }}
),

final as (
    select
        tenant_id,
        client_id,
        property_id,
        date_day,
        platform,
        account_id,
        campaign_id,
        attribution_method,
        sum(sessions) as sessions,
        -- GA4 counts key events as a float; the fact's goal reaches are whole events
        toUInt64(round(sum(key_events))) as goal_reaches,
        sum(total_revenue) as total_revenue,
        max(is_approximate) as is_approximate,
        max(is_provisional) as is_provisional
    from attributed
    group by tenant_id, client_id, property_id, date_day, platform, account_id, campaign_id, attribution_method
)

select * from final
