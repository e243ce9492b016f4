{{
    config(
        materialized='incremental',
        partition_by=fact_partition_by(),
        order_by='(tenant_id, client_id, platform, account_id, campaign_id, user_id, visit_number)'
    )
}}
{#- The day each visitor made their 1st … 5th visit from a campaign (one row per visitor, campaign and visit
    number, at most five). Counting rows with visit_number = k over any span of days from the flight's start gives
    the exact reach k+ to that day, so the flight frequency distribution needs no pass over every visit of the
    flight. A run numbers only the window's visits: it continues each visitor's count from the rows before the
    window (looked up for the window's visitors alone), so history is read as keys, never re-aggregated. The
    window is open-ended (a changed day renumbers every later visit of that visitor). -#}
{%- set visitor = campaign_key_columns() + ['user_id'] %}
with window_visits as (
    select * from {{ ref('int_metrika_visitor_days') }}
    where {{ incremental_window_filter(open_ended=true) }}
),

per_visitor as (
    select
        {{ campaign_key() }},
        user_id,
        arraySort(groupArray((date_day, visits))) as days,
        arrayMap(x -> x.1, days) as day_list,
        arrayMap(x -> toUInt64(x.2), days) as visit_list
    from window_visits
    group by {{ campaign_key() }}, user_id
),

earlier as (
    -- visits already numbered before the window (at most five per visitor), for the window's visitors only
    select
        {{ campaign_key() }},
        user_id,
        count() as visits_before
    {%- if is_incremental() %}
    from {{ this }}
    where
        not ({{ incremental_window_filter(open_ended=true) }})
        and (tenant_id, campaign_id, user_id) in (
            select
                w.tenant_id,
                w.campaign_id,
                w.user_id
            from window_visits as w
        )
    {%- else %}
    from window_visits
    where 0
    {%- endif %}
    group by {{ campaign_key() }}, user_id
),

counted as (
    select
        {{ campaign_key('v') }},
        v.user_id as user_id,
        v.day_list as day_list,
        v.visit_list as visit_list,
        toUInt64(e.visits_before) as visits_before
    from per_visitor as v
    left join earlier as e on {{ same_key('v', 'e', visitor) }}
    where visits_before < 5
),

steps as (
    -- visits to date after each day; day i adds the visit numbers (to date before it, to date after it] up to 5
    select
        {{ campaign_key() }},
        user_id,
        arrayJoin(
            arrayFlatten(
                arrayMap(
                    (d, upto, n) -> arrayMap(
                        k -> (toUInt8(k), d), range(toUInt64(upto - n + 1), toUInt64(least(upto, 5) + 1))
                    ),
                    day_list,
                    arrayMap(c -> c + visits_before, arrayCumSum(visit_list)),
                    visit_list
                )
            )
        ) as step
    from counted
),

final as (
    select
        {{ campaign_key() }},
        user_id,
        step.1 as visit_number,
        step.2 as date_day
    from steps
)

select * from final
