{{
    config(
        materialized='incremental',
        partition_by='toYYYYMM(flight_end)',
        order_by='(tenant_id, client_id, plan_id, plan_version, line_id, date_day)',
        post_hook="{{ delete_rows_of_gone_lines() }}"
    )
}}
{#- Pacing per plan line and flight day. Spend compares net with net (plans carry net budgets; VAT is not
    delivery). Days after the newest day with data for the tenant are 'future': planned only, no status.
    Pacing % = cumulative actual / cumulative planned; status by vars pacing_under/over_threshold; forecast
    end-of-flight = spend so far + trailing run-rate x remaining flight days. A line with no campaign linked is
    'not_linked' (nothing measures it), never 'under'.
    Incremental by the month a line's flight ends in; a line's rows are always rebuilt together (its pacing runs
    from its first day). A run rebuilds the months of: lines ending in or after its window (their actuals may have
    changed); lines whose plan or campaign links changed, or that were added or removed (inputs_fingerprint
    differs, e.g. a plan version approved in the app: its rows show with the app's targeted rebuild, whatever
    its dates); and lines with days the tenant's data reached since the last run. Rows of lines gone from the
    plan in a month with no line left are deleted by the post-hook. -#}
{%- set line = plan_line_key_columns() %}
{%- set fingerprint_ctes -%}
all_line_days as (
    select * from {{ ref('int_media_plan_line_days') }}
),

line_fingerprints as (
    select
        {{ plan_line_key() }},
        any(flight_start) as line_start,
        any(flight_end) as line_end,
        sum(cityHash64(
            date_day, flight_start, flight_end, flight_days, flight_day_number, channel, platform, currency,
            line_budget_net, planned_spend_net, planned_spend_gross, planned_impressions, planned_clicks,
            planned_conversions, planned_reach_persons, is_linked
        )) as plan_hash
    from all_line_days
    group by {{ plan_line_key() }}
),

link_fingerprints as (
    select
        {{ plan_line_key() }},
        sum(cityHash64(platform, account_id, campaign_id)) as link_hash
    from {{ ref('int_media_plan_lines_mapped_to_campaigns') }}
    group by {{ plan_line_key() }}
),

fingerprints as (
    select
        {{ plan_line_key('p') }},
        p.line_start as flight_start,
        p.line_end as flight_end,
        cityHash64(p.plan_hash, l.link_hash) as inputs_fingerprint
    from line_fingerprints as p
    left join link_fingerprints as l on {{ same_key('p', 'l', line) }}
),

data_horizon as (
    select
        tenant_id,
        max(date_day) as as_of_day
    from {{ ref('fct_campaign_daily') }}
    group by tenant_id
)
{%- endset %}
{#- Which months to rebuild is settled before the model's query, in one pass over the fingerprints (the plan views
    behind them are not cheap, and a CTE is evaluated again wherever it is read). -#}
{%- set months = '' %}
{%- if is_incremental() %}
{%- set months_sql -%}
with {{ fingerprint_ctes }},

built as (
    select
        {{ plan_line_key() }},
        any(flight_end) as line_end,
        any(inputs_fingerprint) as line_fingerprint
    from {{ this }}
    group by {{ plan_line_key() }}
),

horizon_built as (
    select
        tenant_id,
        max(date_day) as built_as_of_day
    from {{ this }}
    where has_data
    group by tenant_id
)

select arrayStringConcat(arraySort(groupUniqArray(m.month)), ', ') from (
    select
        arrayJoin([
            -- added or changed lines (their month now) and removed or changed ones (their month before)
            if(f.plan_id != '' and f.inputs_fingerprint != b.line_fingerprint, toYYYYMM(f.flight_end), 0),
            if(b.plan_id != '' and f.inputs_fingerprint != b.line_fingerprint, toYYYYMM(b.line_end), 0),
            -- lines with days between the tenant's newest day at the last run and its newest day now
            if(
                f.plan_id != '' and f.flight_end > hb.built_as_of_day and f.flight_start <= h.as_of_day,
                toYYYYMM(f.flight_end), 0
            ),
            -- lines ending in or after the window: their actuals may have changed
            if(
                f.plan_id != '' and f.flight_end >= {{ incremental_window_start(
                    period='month', this_column="if(has_data, date_day, toDate(0))") }},
                toYYYYMM(f.flight_end), 0
            )
        ]) as month
    from fingerprints as f
    full outer join built as b on {{ same_key('f', 'b', line) }}
    left join horizon_built as hb on f.tenant_id = hb.tenant_id
    left join data_horizon as h on f.tenant_id = h.tenant_id
) as m
where m.month != 0
{%- endset -%}
{%- set months = first_value(months_sql) %}
{%- endif %}

{%- if is_incremental() and not months %}
-- nothing to rebuild: no line changed and none ends in the window
select * from {{ this }}
where 0
{%- else %}
with {{ fingerprint_ctes }},

line_days as (
    select * from all_line_days
    {%- if is_incremental() %}
    where toYYYYMM(flight_end) in ({{ months or '0' }})
    {%- endif %}
),

actuals as (
    select * from {{ ref('int_media_plan_line_actuals_daily') }}
    {%- if is_incremental() %}
    where ({{ plan_line_key() }}) in (select {{ plan_line_key('d') }} from line_days as d)
    {%- endif %}
),

joined as (
    select
        {{ plan_line_key('d') }},
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
        a.is_provisional as is_provisional,
        f.inputs_fingerprint as inputs_fingerprint
    from line_days as d
    inner join fingerprints as f on {{ same_key('d', 'f', line) }}
    left join actuals as a on {{ same_key('d', 'a', line + ['date_day']) }}
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
            partition by {{ plan_line_key() }} order by date_day
            rows between unbounded preceding and current row
        ),
        trailing as (
            partition by {{ plan_line_key() }} order by date_day
            rows between {{ [var('forecast_run_rate_days') | int - 1, 0] | max }} preceding and current row
        )
),

final as (
    select
        {{ plan_line_key() }},
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
        is_linked,
        inputs_fingerprint
    from cumulative
)

select * from final
{%- endif %}
