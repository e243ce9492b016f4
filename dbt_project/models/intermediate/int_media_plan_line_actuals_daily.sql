{#- Actual delivery per media-plan line and flight day: the additive facts of every campaign mapped to the line,
    counted only inside the line's flight, and the line's deduplicated user reach from flight start to that day.
    Reads the campaign-day fact (not the ad-level fact or the union view) so plan-vs-fact stays cheap, and only
    the rows of the campaigns mapped to lines: the facts are filtered by the mapped campaigns before the join, whose
    right (in-memory) side is the plan lines, not the fact. -#}
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
        tenant_id,
        client_id,
        plan_id,
        plan_version,
        line_id,
        flight_start,
        flight_end
    from line_days
),

line_campaigns as (
    select
        f.tenant_id as tenant_id,
        f.client_id as client_id,
        f.plan_id as plan_id,
        f.plan_version as plan_version,
        f.line_id as line_id,
        f.flight_start as flight_start,
        f.flight_end as flight_end,
        m.platform as platform,
        m.account_id as account_id,
        m.campaign_id as campaign_id
    from line_flights as f
    inner join mapped as m
        on
            f.tenant_id = m.tenant_id and f.client_id = m.client_id and f.plan_id = m.plan_id
            and f.plan_version = m.plan_version and f.line_id = m.line_id
),

delivery as (
    select
        lc.tenant_id as tenant_id,
        lc.client_id as client_id,
        lc.plan_id as plan_id,
        lc.plan_version as plan_version,
        lc.line_id as line_id,
        x.date_day as date_day,
        sum(x.spend_net) as actual_spend_net,
        sum(x.spend_gross) as actual_spend_gross,
        sum(x.impressions) as actual_impressions,
        sum(x.clicks) as actual_clicks,
        sum(x.conversions) as actual_conversions,
        max(x.is_provisional) as is_provisional
    from facts as x
    inner join line_campaigns as lc
        on
            x.tenant_id = lc.tenant_id and x.client_id = lc.client_id and x.platform = lc.platform
            and x.account_id = lc.account_id and x.campaign_id = lc.campaign_id
    where
        x.date_day between lc.flight_start and lc.flight_end
        -- only the mapped campaigns' rows reach the join (the plan lines are the small side, built in memory)
        and (x.tenant_id, x.client_id, x.platform, x.account_id, x.campaign_id) in (
            select
                m.tenant_id,
                m.client_id,
                m.platform,
                m.account_id,
                m.campaign_id
            from line_campaigns as m
        )
    group by lc.tenant_id, lc.client_id, lc.plan_id, lc.plan_version, lc.line_id, x.date_day
),

reach_states as (
    select
        lc.tenant_id as tenant_id,
        lc.client_id as client_id,
        lc.plan_id as plan_id,
        lc.plan_version as plan_version,
        lc.line_id as line_id,
        s.date_day as date_day,
        uniqCombinedMergeState(s.users_state) as users_state
    from states as s
    inner join line_campaigns as lc
        on
            s.tenant_id = lc.tenant_id and s.client_id = lc.client_id and s.platform = lc.platform
            and s.account_id = lc.account_id and s.campaign_id = lc.campaign_id
    where
        s.date_day between lc.flight_start and lc.flight_end
        and (s.tenant_id, s.client_id, s.platform, s.account_id, s.campaign_id) in (
            select
                m.tenant_id,
                m.client_id,
                m.platform,
                m.account_id,
                m.campaign_id
            from line_campaigns as m
        )
    group by lc.tenant_id, lc.client_id, lc.plan_id, lc.plan_version, lc.line_id, s.date_day
),

reach_to_date as (
    select
        tenant_id,
        client_id,
        plan_id,
        plan_version,
        line_id,
        date_day,
        -- merging the sketches of every day so far = distinct users from flight start to this day
        toUInt64(uniqCombinedMerge(users_state) over (
            partition by tenant_id, client_id, plan_id, plan_version, line_id
            order by date_day rows between unbounded preceding and current row
        )) as actual_reach_to_date,
        -- marks a matched row: without join_use_nulls a missing right side reads as 0, not NULL
        1 as has_reach
    from reach_states
),

final as (
    select
        d.tenant_id as tenant_id,
        d.client_id as client_id,
        d.plan_id as plan_id,
        d.plan_version as plan_version,
        d.line_id as line_id,
        d.date_day as date_day,
        coalesce(x.actual_spend_net, toDecimal64(0, 6)) as actual_spend_net,
        coalesce(x.actual_spend_gross, toDecimal64(0, 6)) as actual_spend_gross,
        coalesce(x.actual_impressions, 0) as actual_impressions,
        coalesce(x.actual_clicks, 0) as actual_clicks,
        coalesce(x.actual_conversions, toDecimal64(0, 6)) as actual_conversions,
        coalesce(x.is_provisional, 0) as is_provisional,
        if(r.has_reach = 1, r.actual_reach_to_date, null) as actual_reach_to_date
    from line_days as d
    left join delivery as x
        on
            d.tenant_id = x.tenant_id and d.client_id = x.client_id and d.plan_id = x.plan_id
            and d.plan_version = x.plan_version and d.line_id = x.line_id and d.date_day = x.date_day
    left join reach_to_date as r
        on
            d.tenant_id = r.tenant_id and d.client_id = r.client_id and d.plan_id = r.plan_id
            and d.plan_version = r.plan_version and d.line_id = r.line_id and d.date_day = r.date_day
)

select * from final
