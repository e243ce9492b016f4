{#- Metrika Reporting API traffic attributed to ad campaigns (see macro attribute_to_campaign). Sessions are the
    figure the Metrika UI shows; the counter belongs to a client through app.accounts. Unattributed traffic stays
    (platform = '') so site totals still reconcile with Metrika. -#}
with traffic as (
    select * from {{ ref('stg_yandex_metrika__traffic_daily') }}
),

with_client as (
    {{ with_account_client('traffic', 'yandex_metrika', 'counter_id') }}
),

attributed as (
    {{ attribute_to_campaign('with_client', ref('int_campaign_match_keys'),
        ['tenant_id', 'client_id', 'counter_id', 'date_day', 'sessions', 'bounces', 'pageviews', 'goal_reaches', 'revenue', 'sampled', 'is_provisional']) }}
),

final as (
    select
        tenant_id,
        client_id,
        counter_id,
        date_day,
        platform,
        account_id,
        campaign_id,
        attribution_method,
        sum(sessions) as sessions,
        sum(bounces) as bounces,
        sum(pageviews) as pageviews,
        sum(goal_reaches) as goal_reaches,
        sum(revenue) as revenue,
        max(sampled) as sampled,
        max(is_provisional) as is_provisional
    from attributed
    group by tenant_id, client_id, counter_id, date_day, platform, account_id, campaign_id, attribution_method
)

select * from final
