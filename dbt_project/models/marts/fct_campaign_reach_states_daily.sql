{{
    config(
        materialized='incremental',
        partition_by=fact_partition_by(),
        order_by='(tenant_id, client_id, date_day, platform, account_id, campaign_id)'
    )
}}
{#- Mergeable distinct-user sketches from user-level data (Metrika visitors attributed to campaigns; the same
    visitor id space across platforms, so states merge across campaigns and platforms). Deduplicated reach for
    ANY window and set of campaigns/platforms is
        select uniqCombinedMerge(users_state) from marts.fct_campaign_reach_states_daily
        where tenant_id = {t:String} and date_day between {a:Date} and {b:Date} and campaign_id in (...)
    Never sum `users` across rows: that is the mistake this table exists to prevent. -#}
with visits as (
    select * from {{ ref('int_metrika_visits_attributed') }}
    where campaign_id != '' and {{ incremental_window_filter() }}
),

final as (
    select
        {{ campaign_day_key() }},
        uniqCombinedState(user_id) as users_state,
        -- exact daily count kept beside the sketch so tests can see the sketch's error
        uniqExact(user_id) as users,
        count() as contacts,
        max(is_provisional) as is_provisional
    from visits
    group by {{ campaign_day_key() }}
)

select * from final
