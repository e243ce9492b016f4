-- Reach bounds between windows of the same campaign (user-level rows): a month's reach is at least its largest
-- day's reach (no one disappears by widening the window) and at most the sum of its days' reaches (summing
-- double-counts repeat visitors); the flight likewise against its months. Returns the violating windows.
with reach as (
    select * from {{ ref('fct_campaign_reach') }}
    where reach_source = 'user_level'
),

parts as (
    select
        {{ campaign_key() }},
        if(window_grain = 'day', 'month', 'flight') as parent_grain,
        if(window_grain = 'day', toStartOfMonth(window_start), toDate('1970-01-01')) as parent_key,
        max(reach) as max_part,
        sum(reach) as sum_parts
    from reach
    where window_grain in ('day', 'month') and platform != 'all'
    group by {{ campaign_key() }}, parent_grain, parent_key
),

parents as (
    select
        {{ campaign_key() }},
        window_grain as parent_grain,
        if(window_grain = 'month', window_start, toDate('1970-01-01')) as parent_key,
        reach
    from reach
    where window_grain in ('month', 'flight') and platform != 'all'
)

select
    p.tenant_id,
    p.campaign_id,
    p.parent_grain,
    p.parent_key,
    p.reach,
    c.max_part,
    c.sum_parts
from parents as p
inner join parts as c
    on {{ same_key('p', 'c', campaign_key_columns() + ['parent_grain', 'parent_key']) }}
-- sketches carry ~0.3 % error beyond a few thousand users; allow 1 % before calling it a violation
where p.reach < c.max_part * 0.99 or p.reach > c.sum_parts * 1.01
