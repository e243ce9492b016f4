{{
    config(
        materialized='incremental',
        partition_by=fact_partition_by(),
        order_by='(tenant_id, client_id, platform, account_id, campaign_id, user_id, date_day)'
    )
}}
{#- Attributed visits counted per visitor, campaign and day: the input of exact reach frequency. Attribution (a
    join per visit) runs once per loaded week here instead of over the whole visit log on every run; the sort key
    starts with the campaign and visitor, so the whole-flight count per visitor in fct_campaign_reach streams in
    key order instead of holding every visitor in memory. -#}
with visits as (
    select * from {{ ref('int_metrika_visits_attributed') }}
    where campaign_id != '' and {{ incremental_window_filter() }}
),

final as (
    select
        {{ campaign_key() }},
        user_id,
        date_day,
        count() as visits
    from visits
    group by {{ campaign_key() }}, user_id, date_day
)

select * from final
