{#- FROM … GROUP BY of a campaign-day relation read per media-plan line and day (int_media_plan_line_actuals_daily):
    the rows of `relation` (alias `alias`) of a campaign mapped to a line (CTE line_campaigns, alias lc) on a day
    inside the line's flight, grouped by line and day. Only the mapped campaigns' rows reach the join (the IN
    filter): its right (in-memory) side is the plan lines, not the facts. -#}
{% macro from_line_campaign_days(relation, alias) -%}
    {%- set campaign = campaign_key_columns() -%}
    from {{ relation }} as {{ alias }}
    inner join line_campaigns as lc
        on {{ same_key(alias, 'lc', campaign) }}
    where
        {{ alias }}.date_day between lc.flight_start and lc.flight_end
        and ({{ qualified_columns(alias, campaign) }}) in (
            select {{ qualified_columns('m', campaign) }}
            from line_campaigns as m
        )
    group by {{ qualified_columns('lc', plan_line_key_columns()) }}, {{ alias }}.date_day
{%- endmacro %}
