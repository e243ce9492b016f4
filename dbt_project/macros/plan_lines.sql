{#- FROM … GROUP BY of a campaign-day relation read per media-plan line and day (int_media_plan_line_actuals_daily):
    the rows of `relation` (alias `alias`) of a campaign mapped to a line (relation `lines`, alias lc) on a day
    inside the line's flight, grouped by line and day. Only the mapped campaigns' rows reach the join (the IN
    filter): its right (in-memory) side is the plan lines, not the facts. -#}
{% macro from_line_campaign_days(relation, alias, lines) -%}
    {%- set campaign = campaign_key_columns() -%}
    from {{ relation }} as {{ alias }}
    inner join {{ lines }} as lc
        on {{ same_key(alias, 'lc', campaign) }}
    where
        {{ alias }}.date_day between lc.flight_start and lc.flight_end
        and ({{ key_columns(campaign, alias, renamed=false) }}) in (
            select {{ key_columns(campaign, 'm', renamed=false) }}
            from {{ lines }} as m
        )
    group by {{ key_columns(plan_line_key_columns(), 'lc', renamed=false) }}, {{ alias }}.date_day
{%- endmacro %}
