{#- The metric layer. Every KPI is a ratio of SUMS over whatever grain the caller groups by (day, month,
    campaign, channel, an arbitrary date range) and is NULL when its denominator sums to zero: averaging
    per-day ratios, or returning 0/inf on an empty denominator, silently misstates performance.
    Ratios are fractions (CTR 0.0123 = 1.23 %). Money KPIs use spend_<kpi_spend_basis> (see dbt_project.yml).
    Callers either pass already-aggregated columns (aggregated=true) or let the macro wrap sum(). -#}

{% macro safe_ratio(numerator, denominator) -%}
    if(({{ denominator }}) = 0, null, toFloat64({{ numerator }}) / toFloat64({{ denominator }}))
{%- endmacro %}

{% macro metric_definitions(spend_basis=none) -%}
    {%- set spend = 'spend_' ~ (spend_basis or var('kpi_spend_basis')) -%}
    {#- name: (numerator, denominator, numerator multiplier) over additive columns -#}
    {{ return({
        'ctr': ('clicks', 'impressions', 1),
        'cpc': (spend, 'clicks', 1),
        'cpm': (spend, 'impressions', 1000),
        'cpa': (spend, 'conversions', 1),
        'cr': ('conversions', 'clicks', 1),
        'romi': ('(conversions_value - ' ~ spend ~ ')', spend, 1),
        'drr': (spend, 'conversions_value', 1),
    }) }}
{%- endmacro %}

{% macro metric(name, aggregated=false, spend_basis=none) -%}
    {%- set defs = metric_definitions(spend_basis) -%}
    {%- if name not in defs -%}
        {{ exceptions.raise_compiler_error("Unknown metric '" ~ name ~ "'; known: " ~ (defs.keys() | list | join(', '))) }}
    {%- endif -%}
    {%- set num, den, mult = defs[name] -%}
    {%- if aggregated -%}
        {%- set num_sql = num -%}
        {%- set den_sql = den -%}
    {%- else -%}
        {%- set num_sql = 'sum(' ~ num ~ ')' -%}
        {%- set den_sql = 'sum(' ~ den ~ ')' -%}
    {%- endif -%}
    {%- if mult != 1 -%}
        {{ safe_ratio(num_sql ~ ' * ' ~ mult, den_sql) }}
    {%- else -%}
        {{ safe_ratio(num_sql, den_sql) }}
    {%- endif -%}
{%- endmacro %}

{#- All KPI columns at once, named after the metric. -#}
{% macro all_metrics(aggregated=false, spend_basis=none) -%}
    {%- for name in metric_definitions(spend_basis).keys() %}
    {{ metric(name, aggregated, spend_basis) }} as {{ name }}{{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}
