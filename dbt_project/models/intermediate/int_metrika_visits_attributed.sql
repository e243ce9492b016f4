{#- One row per Metrika visit (Logs API) with its visitor id, attributed to an ad campaign like the traffic
    report. The user-level input of deduplicated reach and frequency. -#}
with visits as (
    select * from {{ ref('stg_yandex_metrika__visits') }}
),

with_client as (
    {{ with_account_client('visits', 'yandex_metrika', 'counter_id') }}
),

attributed as (
    {{ attribute_to_campaign('with_client', ref('int_campaign_match_keys'),
        ['tenant_id', 'client_id', 'counter_id', 'date_day', 'visit_id', 'user_id', 'visit_datetime', 'purchase_revenue', 'is_provisional']) }}
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
        visit_id,
        user_id,
        visit_datetime,
        purchase_revenue,
        is_provisional
    from attributed
)

select * from final
