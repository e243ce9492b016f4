{{
    config(
        materialized='incremental',
        partition_by='toYYYYMM(date_day)',
        order_by='(tenant_id, client_id, platform, account_id, campaign_id, date_day)'
    )
}}
{#- Flight-to-date reach per campaign: one row per campaign and calendar month in which it had user-level data,
    as of its last such day in that month (date_day), holding the distinct users from the flight's start
    (flight_start, the first day with data) to that day as a uniqCombined state, and the exact reach 1+ … 5+.
    A run carries the newest row before its window forward and merges the window's daily states into it
    (this month's state = last month's state + this month's days), so it reads only the window's days and one
    earlier row per campaign. Whole-flight reach of a campaign is its newest row:
        select campaign_id, argMax(reach, date_day) from marts.fct_campaign_reach_flight_states
        where tenant_id = {t:String} group by campaign_id
    (merge users_state of the newest rows for a flight reach across several campaigns). -#}
with daily as (
    select * from {{ ref('fct_campaign_reach_states_daily') }}
    where {{ incremental_window_filter(period='month', open_ended=true) }}
),

steps as (
    select * from {{ ref('fct_campaign_reach_frequency_steps') }}
    where scope = 'flight' and {{ incremental_window_filter(period='month', open_ended=true) }}
),

monthly_states as (
    select
        {{ campaign_key() }},
        toStartOfMonth(date_day) as month,
        min(date_day) as first_day,
        max(date_day) as last_day,
        uniqCombinedMergeState(users_state) as users_state,
        sum(contacts) as contacts
    from daily
    group by {{ campaign_key() }}, month
),

monthly_steps as (
    select
        {{ campaign_key() }},
        toStartOfMonth(date_day) as month,
        {{ reach_distribution_from_steps() }}
    from steps
    group by {{ campaign_key() }}, month
),

monthly as (
    select
        {{ campaign_key('s') }},
        s.month as month,
        0 as carried,
        s.first_day as first_day,
        s.last_day as last_day,
        s.users_state as users_state,
        toUInt64(s.contacts) as contacts,
        {{ for_each_level('toUInt64(n.reach_{k}plus) as new_{k}plus') }}
    from monthly_states as s
    left join monthly_steps as n
        on {{ same_key('s', 'n', campaign_key_columns() + ['month']) }}
),

{% if is_incremental() %}
carried_days as (
    -- each campaign's newest row before the window: its flight to date when the window starts
    select
        {{ campaign_key() }},
        max(date_day) as last_day
    from {{ this }}
    where not ({{ incremental_window_filter(period='month', open_ended=true) }})
    group by {{ campaign_key() }}
),

carried as (
    select
        {{ campaign_key() }},
        toStartOfMonth(date_day) as month,
        1 as carried,
        flight_start as first_day,
        date_day as last_day,
        users_state,
        contacts,
        {{ for_each_level('reach_{k}plus as new_{k}plus') }}
    from {{ this }}
    where ({{ campaign_key() }}, date_day) in (
        select
            {{ campaign_key('c') }},
            c.last_day as last_day
        from carried_days as c
    )
),
{% endif %}

running as (
    select
        {{ campaign_key() }},
        carried,
        last_day as date_day,
        min(first_day) over flight as flight_start,
        uniqCombinedMergeState(users_state) over flight as users_state,
        sum(contacts) over flight as contacts,
        {{ for_each_level('sum(new_{k}plus) over flight as reach_{k}plus') }}
    from (
        select * from monthly
        {%- if is_incremental() %}
        union all
        select * from carried
        {%- endif %}
    )
    window flight as (
        partition by {{ campaign_key() }} order by month
        rows between unbounded preceding and current row
    )
),

final as (
    select
        {{ campaign_key() }},
        date_day,
        flight_start,
        users_state,
        finalizeAggregation(users_state) as reach,
        toUInt64(contacts) as contacts,
        {{ for_each_level('toUInt64(reach_{k}plus) as reach_{k}plus') }}
    from running
    where carried = 0
)

select * from final
