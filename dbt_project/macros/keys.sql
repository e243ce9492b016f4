{#- Column lists the marts share, written once. A list is rendered comma-separated; with `alias` each column is
    taken from that table alias and named as itself (`s.tenant_id as tenant_id`), for selects over joins, or with
    `renamed=false` only qualified (`m.tenant_id, m.client_id, …`), for tuples and GROUP BY over joins. -#}
{% macro key_columns(columns, alias=none, renamed=true) -%}
    {%- for c in columns -%}
        {{ (alias ~ '.' ~ c ~ (' as ' ~ c if renamed else '')) if alias else c }}{{ ', ' if not loop.last }}
    {%- endfor -%}
{%- endmacro %}

{#- One campaign of one client: the grain of every campaign-level mart. -#}
{% macro campaign_key_columns() -%}
    {{ return(['tenant_id', 'client_id', 'platform', 'account_id', 'campaign_id']) }}
{%- endmacro %}

{% macro campaign_key(alias=none) -%}
    {{ key_columns(campaign_key_columns(), alias) }}
{%- endmacro %}

{#- One media-plan line of one approved plan version. -#}
{% macro plan_line_key_columns() -%}
    {{ return(['tenant_id', 'client_id', 'plan_id', 'plan_version', 'line_id']) }}
{%- endmacro %}

{% macro plan_line_key(alias=none) -%}
    {{ key_columns(plan_line_key_columns(), alias) }}
{%- endmacro %}

{#- Join condition: every listed column equal on both sides (`l.tenant_id = r.tenant_id and …`). -#}
{% macro same_key(left, right, columns) -%}
    {%- for c in columns -%}
        {{ left }}.{{ c }} = {{ right }}.{{ c }}{{ ' and ' if not loop.last }}
    {%- endfor -%}
{%- endmacro %}

{#- One campaign on one day: the grain of the campaign-day facts and reach states. -#}
{% macro campaign_day_key(alias=none) -%}
    {{ key_columns(['tenant_id', 'client_id', 'date_day', 'platform', 'account_id', 'campaign_id'], alias) }}
{%- endmacro %}

{#- One client's reach window (a day or a month of window_grain, window_start to window_end): the grain the
    visitor sketches of fct_campaign_reach are merged at, before platform and campaign. -#}
{% macro reach_window_key() -%}
    {{ key_columns(['tenant_id', 'client_id', 'window_grain', 'window_start', 'window_end']) }}
{%- endmacro %}

{#- The additive measures of the ad and campaign facts, in their column order: as they are, or summed (any
    grain: ad, campaign, channel, period). -#}
{% macro fact_measure_columns() -%}
    {{ return(['impressions', 'clicks', 'spend_gross', 'spend_net', 'conversions', 'conversions_value', 'sessions']) }}
{%- endmacro %}

{% macro fact_measures() -%}
    {{ key_columns(fact_measure_columns()) }}
{%- endmacro %}

{% macro summed_fact_measures() -%}
    {%- for c in fact_measure_columns() -%}
        sum({{ c }}) as {{ c }}{{ ', ' if not loop.last }}
    {%- endfor -%}
{%- endmacro %}

{#- A campaign's descriptive columns when its rows are rolled up: the first non-empty value of each. -#}
{% macro campaign_attributes() -%}
    anyIf(campaign_name, campaign_name != '') as campaign_name,
    anyIf(source_platform, source_platform != '') as source_platform,
    anyIf(currency, currency != '') as currency
{%- endmacro %}
