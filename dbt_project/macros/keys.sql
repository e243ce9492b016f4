{#- Column lists the marts share, written once. A list is rendered comma-separated; with `alias` each column is
    taken from that table alias and named as itself (`s.tenant_id as tenant_id`), for selects over joins. -#}

{% macro _key_list(columns, alias=none) -%}
    {%- for c in columns -%}
        {{ alias ~ '.' ~ c ~ ' as ' ~ c if alias else c }}{{ ', ' if not loop.last }}
    {%- endfor -%}
{%- endmacro %}

{#- One campaign of one client: the grain of every campaign-level mart. -#}
{% macro campaign_key_columns() -%}
    {{ return(['tenant_id', 'client_id', 'platform', 'account_id', 'campaign_id']) }}
{%- endmacro %}

{% macro campaign_key(alias=none) -%}
    {{ _key_list(campaign_key_columns(), alias) }}
{%- endmacro %}

{#- One media-plan line of one approved plan version. -#}
{% macro plan_line_key_columns() -%}
    {{ return(['tenant_id', 'client_id', 'plan_id', 'plan_version', 'line_id']) }}
{%- endmacro %}

{% macro plan_line_key(alias=none) -%}
    {{ _key_list(plan_line_key_columns(), alias) }}
{%- endmacro %}

{#- Join condition: every listed column equal on both sides (`l.tenant_id = r.tenant_id and …`). -#}
{% macro same_key(left, right, columns) -%}
    {%- for c in columns -%}
        {{ left }}.{{ c }} = {{ right }}.{{ c }}{{ ' and ' if not loop.last }}
    {%- endfor -%}
{%- endmacro %}

{#- The additive measures of the ad and campaign facts, summed (any grain: ad, campaign, channel, period). -#}
{% macro summed_fact_measures() -%}
    sum(impressions) as impressions,
    sum(clicks) as clicks,
    sum(spend_gross) as spend_gross,
    sum(spend_net) as spend_net,
    sum(conversions) as conversions,
    sum(conversions_value) as conversions_value,
    sum(sessions) as sessions
{%- endmacro %}
