{{
    config(
        materialized='incremental',
        partition_by=fact_partition_by(),
        order_by='(tenant_id, client_id, platform, account_id, campaign_id, scope, date_day, visit_number)'
    )
}}
{#- Who made their 1st … 5th visit on each day, counted within a scope, as a bitmap of visitor ids per campaign,
    scope, visit number and day:
    - scope 'flight': visits of the campaign from its flight's start;
    - scope 'month': visits of the campaign within the calendar month, and of the whole client (platform 'all',
      account and campaign ''), across its campaigns;
    - scope 'day': visits of the campaign within the day (counts only: `users` is left empty, nothing continues
      a day).
    The visitors of rows with visit_number = k, summed over the days of a flight, month or day, are the exact
    reach k+ of that window, so the reach marts read these rows instead of the visits.
    A run numbers only its window's visits. It continues each visitor's count from the bitmaps of the rows
    before the window (the flight so far; the month so far when the window starts inside a month): the window's
    visitors are grouped per campaign and looked up in that campaign's bitmaps, so history is read as one bitmap
    per campaign and visit number, never as visits or visitors. The window is open-ended (a changed day
    renumbers every later visit of that visitor in the flight and month). -#}
{%- set levels = reach_frequency_levels() %}
{%- set grain = campaign_key_columns() + ['scope', 'period'] %}
{%- set before_window = 'not (' ~ incremental_window_filter(open_ended=true) ~ ')' %}
{#- the start of a scope's window that holds date_day (the flight's: 1970-01-01) #}
{%- set period_of_day = "if(scope = 'flight', toDate(0), toStartOfMonth(date_day))" %}
with window_visits as (
    select * from {{ ref('int_metrika_visitor_days') }}
    where {{ incremental_window_filter(open_ended=true) }}
),

scoped_days as (
    -- one row per counting unit and day: the campaign's visitor in its flight and month, and the client's
    -- visitor (all campaigns) in the month; period is the start of the unit's window (the flight: 1970-01-01)
    select
        {{ campaign_key() }},
        scope,
        {{ period_of_day }} as period,
        user_id,
        date_day,
        visits
    from window_visits
    array join ['flight', 'month'] as scope
    union all
    select
        tenant_id,
        client_id,
        'all' as platform,
        '' as account_id,
        '' as campaign_id,
        'month' as scope,
        toStartOfMonth(date_day) as period,
        user_id,
        date_day,
        sum(visits) as visits
    from window_visits
    group by tenant_id, client_id, user_id, date_day
),

per_visitor as (
    select
        {{ key_columns(grain) }},
        user_id,
        arraySort(groupArray((date_day, visits))) as days
    from scoped_days
    group by {{ key_columns(grain) }}, user_id
),

{% if is_incremental() %}
before_sets as (
    -- the visitors who had made their k-th visit of the unit before the window: the flight so far, and the month
    -- so far where the window starts inside a month (a day lies wholly inside the window)
    select
        {{ campaign_key() }},
        scope,
        {{ period_of_day }} as period,
        {{ for_each_level('groupBitmapMergeStateIf(users, visit_number = {k}) as had_{k}') }}
    from {{ this }}
    where
        {{ before_window }}
        and (
            scope = 'flight'
            or (scope = 'month' and date_day >= toStartOfMonth({{ incremental_window_start() }}))
        )
        and ({{ campaign_key() }}) in (
            select {{ campaign_key() }}
            from scoped_days
        )
    group by {{ campaign_key() }}, scope, period
),

per_unit as (
    select
        {{ key_columns(grain) }},
        groupArray((user_id, days)) as visitors
    from per_visitor
    group by {{ key_columns(grain) }}
),

unit_sets as (
    -- a unit's visitors meet its bitmaps once per unit (one join row), not once per visitor
    select
        {{ key_columns(grain, 'u') }},
        u.visitors as visitors,
        {{ for_each_level('b.had_{k} as had_{k}') }}
    from per_unit as u
    left join before_sets as b on {{ same_key('u', 'b', grain) }}
),

counted as (
    select
        {{ key_columns(grain) }},
        arrayJoin(
            arrayMap(
                v -> (v.1, v.2, {{ for_each_level('bitmapContains(had_{k}, v.1)', ' + ') }}),
                visitors
            )
        ) as visitor,
        visitor.1 as user_id,
        visitor.2 as days,
        toUInt64(visitor.3) as visits_before
    from unit_sets
    where visits_before < {{ levels | length }}
),
{% else %}
counted as (
    select
        {{ key_columns(grain) }},
        user_id,
        days,
        toUInt64(0) as visits_before
    from per_visitor
),
{% endif %}

steps as (
    -- visits to date after each day; day i adds the visit numbers (to date before it, to date after it],
    -- up to the last level
    select
        {{ key_columns(grain) }},
        user_id,
        arrayJoin(
            arrayFlatten(
                arrayMap(
                    (d, upto, n) -> arrayMap(
                        k -> (toUInt8(k), d),
                        range(toUInt64(upto - n + 1), toUInt64(least(upto, {{ levels | length }}) + 1))
                    ),
                    arrayMap(x -> x.1, days),
                    arrayMap(c -> c + visits_before, arrayCumSum(arrayMap(x -> toUInt64(x.2), days) as visit_list)),
                    visit_list
                )
            )
        ) as step
    from counted
    union all
    -- a day is one visitor-day row: its visit numbers are 1 … its visits (up to the last level)
    select
        {{ campaign_key() }},
        'day' as scope,
        date_day as period,
        user_id,
        arrayJoin(
            arrayMap(k -> (toUInt8(k), date_day), range(1, toUInt64(least(visits, {{ levels | length }})) + 1))
        ) as step
    from window_visits
),

final as (
    select
        {{ campaign_key() }},
        scope,
        step.1 as visit_number,
        step.2 as date_day,
        groupBitmapStateIf(user_id, scope != 'day') as users,
        count() as visitors
    from steps
    group by {{ campaign_key() }}, scope, visit_number, date_day
)

select * from final
