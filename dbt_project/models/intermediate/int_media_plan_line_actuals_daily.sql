{#- Actual delivery per media-plan line and flight day: the additive facts of every campaign mapped to the line,
    counted only inside the line's flight, and the line's deduplicated user reach from flight start to that day.
    Reads the campaign-day fact (not the ad-level fact or the union view) so plan-vs-fact stays cheap, and only
    the rows of the campaigns mapped to lines: the facts are filtered by the mapped campaigns before the join, whose
    right (in-memory) side is the plan lines, not the fact. -#}
{%- set line = plan_line_key_columns() %}
with line_days as (
    select * from {{ ref('int_media_plan_line_days') }}
),

mapped as (
    select * from {{ ref('int_media_plan_lines_mapped_to_campaigns') }}
),

facts as (
    select * from {{ ref('fct_campaign_daily') }}
),

states as (
    select * from {{ ref('fct_campaign_reach_states_daily') }}
),

line_flights as (
    select distinct
        {{ plan_line_key() }},
        flight_start,
        flight_end
    from line_days
),

line_campaigns as (
    select
        {{ plan_line_key('f') }},
        f.flight_start as flight_start,
        f.flight_end as flight_end,
        m.platform as platform,
        m.account_id as account_id,
        m.campaign_id as campaign_id
    from line_flights as f
    inner join mapped as m on {{ same_key('f', 'm', line) }}
),

delivery as (
    select
        {{ plan_line_key('lc') }},
        x.date_day as date_day,
        sum(x.spend_net) as actual_spend_net,
        sum(x.spend_gross) as actual_spend_gross,
        sum(x.impressions) as actual_impressions,
        sum(x.clicks) as actual_clicks,
        sum(x.conversions) as actual_conversions,
        max(x.is_provisional) as is_provisional
    {{ from_line_campaign_days('facts', 'x', 'line_campaigns') }}
),

reach_states as (
    select
        {{ plan_line_key('lc') }},
        s.date_day as date_day,
        uniqCombinedMergeState(s.users_state) as users_state
    {{ from_line_campaign_days('states', 's', 'line_campaigns') }}
),

reach_to_date as (
    select
        {{ plan_line_key() }},
        date_day,
        -- merging the sketches of every day so far = distinct users from flight start to this day
        toUInt64(uniqCombinedMerge(users_state) over (
            partition by {{ plan_line_key() }}
            order by date_day rows between unbounded preceding and current row
        )) as actual_reach_to_date,
        -- marks a matched row: without join_use_nulls a missing right side reads as 0, not NULL
        1 as has_reach
    from reach_states
),

final as (
    select
        {{ plan_line_key('d') }},
        d.date_day as date_day,
        coalesce(x.actual_spend_net, toDecimal64(0, 6)) as actual_spend_net,
        coalesce(x.actual_spend_gross, toDecimal64(0, 6)) as actual_spend_gross,
        coalesce(x.actual_impressions, 0) as actual_impressions,
        coalesce(x.actual_clicks, 0) as actual_clicks,
        coalesce(x.actual_conversions, toDecimal64(0, 6)) as actual_conversions,
        coalesce(x.is_provisional, 0) as is_provisional,
        if(r.has_reach = 1, r.actual_reach_to_date, null) as actual_reach_to_date
    from line_days as d
    left join delivery as x on {{ same_key('d', 'x', line + ['date_day']) }}
    left join reach_to_date as r on {{ same_key('d', 'r', line + ['date_day']) }}
)

select * from final
