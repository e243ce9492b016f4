{{ config(order_by='(tenant_id, client_id, date_day, channel)') }}
{#- One row per client, day and channel (the ad network: Direct, VK, or the network behind Garpun), KPIs through
    the metric layer. -#}
with daily as (
    select * from {{ ref('fct_campaign_daily') }}
),

summed as (
    select
        tenant_id,
        client_id,
        date_day,
        if(source_platform != '', source_platform, platform) as channel,
        anyIf(currency, currency != '') as currency,
        uniqExact(platform, account_id, campaign_id) as active_campaigns,
        sum(impressions) as impressions,
        sum(clicks) as clicks,
        sum(spend_gross) as spend_gross,
        sum(spend_net) as spend_net,
        sum(conversions) as conversions,
        sum(conversions_value) as conversions_value,
        sum(sessions) as sessions,
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
