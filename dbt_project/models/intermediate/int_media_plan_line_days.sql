{#- One row per media-plan line per day of its flight, with the plan spread evenly over the flight days (plans
    give line totals, not daily curves; an even spread is what buyers pace against unless told otherwise).
    Lines without both flight dates cannot be paced and are left out. is_linked says whether the line has any
    campaign to measure it by, so plan vs fact can say "not linked" rather than "not delivered". -#}
{%- set line = plan_line_key_columns() %}
with lines as (
    select * from {{ ref('stg_app__media_plan_lines') }}
    where flight_start is not null and flight_end is not null and flight_end >= flight_start
),

linked as (
    select distinct {{ plan_line_key() }}
    from {{ ref('int_media_plan_lines_mapped_to_campaigns') }}
),

lines_flagged as (
    select
        l.*,
        coalesce(k.line_id, '') != '' as is_linked
    from lines as l
    left join linked as k on {{ same_key('l', 'k', line) }}
),

expanded as (
    select
        {{ plan_line_key() }},
        channel,
        platform,
        currency,
        assumeNotNull(flight_start) as flight_start,
        assumeNotNull(flight_end) as flight_end,
        toUInt32(dateDiff('day', assumeNotNull(flight_start), assumeNotNull(flight_end)) + 1) as flight_days,
        arrayJoin(range(toUInt32(dateDiff('day', assumeNotNull(flight_start), assumeNotNull(flight_end)) + 1)))
            as day_index,
        budget_net,
        budget_gross,
        planned_impressions,
        planned_clicks,
        planned_conversions,
        planned_reach,
        planned_reach_persons,
        planned_frequency,
        is_linked
    from lines_flagged
),

final as (
    select
        {{ plan_line_key() }},
        channel,
        platform,
        currency,
        flight_start,
        flight_end,
        flight_days,
        addDays(flight_start, day_index) as date_day,
        day_index + 1 as flight_day_number,
        toFloat64(coalesce(budget_net, 0)) / flight_days as planned_spend_net,
        toFloat64(coalesce(budget_gross, 0)) / flight_days as planned_spend_gross,
        toFloat64(coalesce(planned_impressions, 0)) / flight_days as planned_impressions,
        toFloat64(coalesce(planned_clicks, 0)) / flight_days as planned_clicks,
        coalesce(planned_conversions, 0) / flight_days as planned_conversions,
        toFloat64(coalesce(budget_net, 0)) as line_budget_net,
        toFloat64(coalesce(budget_gross, 0)) as line_budget_gross,
        planned_reach_persons,
        planned_reach,
        planned_frequency,
        is_linked
    from expanded
)

select * from final
