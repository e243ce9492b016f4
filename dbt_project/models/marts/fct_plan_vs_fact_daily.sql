{{ config(order_by='(tenant_id, client_id, plan_id, plan_version, line_id, date_day)') }}
{#- Pacing per plan line and flight day. Spend compares net with net (plans carry net budgets; VAT is not
    delivery). Days after the newest day with data for the tenant are 'future': planned only, no status.
    Pacing % = cumulative actual / cumulative planned; status by vars pacing_under/over_threshold; forecast
    end-of-flight = spend so far + trailing run-rate x remaining flight days. A line with no campaign linked is
    'not_linked' (nothing measures it), never 'under'. -#}
with line_days as (
    select * from {{ ref('int_media_plan_line_days') }}
),

actuals as (
    select * from {{ ref('int_media_plan_line_actuals_daily') }}
),

data_horizon as (
    select
        tenant_id,
        max(date_day) as as_of_day
    from {{ ref('fct_campaign_daily') }}
    group by tenant_id
),

joined as (
    select
        d.tenant_id as tenant_id,
        d.client_id as client_id,
        d.plan_id as plan_id,
        d.plan_version as plan_version,
        d.line_id as line_id,
        d.channel as channel,
        d.platform as platform,
        d.currency as currency,
        d.flight_start as flight_start,
        d.flight_end as flight_end,
        d.flight_days as flight_days,
        d.flight_day_number as flight_day_number,
        d.date_day as date_day,
        d.line_budget_net as line_budget_net,
        d.planned_spend_net as planned_spend_net,
        d.planned_spend_gross as planned_spend_gross,
        d.planned_impressions as planned_impressions,
        d.planned_clicks as planned_clicks,
        d.planned_conversions as planned_conversions,
        d.planned_reach_persons as planned_reach_persons,
        d.is_linked as is_linked,
        d.date_day <= h.as_of_day as has_data,
        toFloat64(a.actual_spend_net) as actual_spend_net,
        toFloat64(a.actual_spend_gross) as actual_spend_gross,
        a.actual_impressions as actual_impressions,
        a.actual_clicks as actual_clicks,
        toFloat64(a.actual_conversions) as actual_conversions,
        a.actual_reach_to_date as actual_reach_to_date,
        a.is_provisional as is_provisional
    from line_days as d
    left join actuals as a
        on
            d.tenant_id = a.tenant_id and d.client_id = a.client_id and d.plan_id = a.plan_id
            and d.plan_version = a.plan_version and d.line_id = a.line_id and d.date_day = a.date_day
    left join data_horizon as h
        on d.tenant_id = h.tenant_id
),

cumulative as (
    select
        *,
        sum(planned_spend_net) over line_to_date as cum_planned_spend_net,
        sum(actual_spend_net) over line_to_date as cum_actual_spend_net,
        sum(actual_spend_net) over trailing as trailing_spend_net,
        count() over trailing as trailing_days
    from joined
    window
        line_to_date as (
            partition by tenant_id, client_id, plan_id, plan_version, line_id order by date_day
            rows between unbounded preceding and current row
        ),
        trailing as (
            partition by tenant_id, client_id, plan_id, plan_version, line_id order by date_day
            rows between {{ [var('forecast_run_rate_days') | int - 1, 0] | max }} preceding and current row
        )
),

final as (
    select
        tenant_id,
        client_id,
        plan_id,
        plan_version,
        line_id,
        channel,
        platform,
        currency,
        flight_start,
        flight_end,
        date_day,
        flight_day_number,
        has_data,
        line_budget_net,
        planned_spend_net,
        planned_spend_gross,
        if(has_data, actual_spend_net, null) as actual_spend_net,
        if(has_data, actual_spend_gross, null) as actual_spend_gross,
        planned_impressions,
        if(has_data, actual_impressions, null) as actual_impressions,
        planned_clicks,
        if(has_data, actual_clicks, null) as actual_clicks,
        planned_conversions,
        if(has_data, actual_conversions, null) as actual_conversions,
        planned_reach_persons,
        if(has_data, actual_reach_to_date, null) as actual_reach_to_date,
        cum_planned_spend_net,
        if(has_data, cum_actual_spend_net, null) as cum_actual_spend_net,
        if(has_data, {{ safe_ratio('cum_actual_spend_net', 'cum_planned_spend_net') }}, null) as pacing_ratio,
        if(
            has_data,
            cum_actual_spend_net + trailing_spend_net / trailing_days * (flight_days - flight_day_number),
            null
        ) as forecast_spend_net_end_of_flight,
        multiIf(
            not has_data, 'future',
            is_linked = 0, 'not_linked',
            cum_planned_spend_net = 0, 'not_planned',
            cum_actual_spend_net / cum_planned_spend_net < {{ var('pacing_under_threshold') }}, 'under',
            cum_actual_spend_net / cum_planned_spend_net > {{ var('pacing_over_threshold') }}, 'over',
            'on_track'
        ) as pacing_status,
        if(has_data, is_provisional, null) as is_provisional,
        is_linked
    from cumulative
)

select * from final
