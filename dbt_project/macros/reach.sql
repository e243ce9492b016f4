{#- The frequency levels the reach marts count exactly: reach 1+ … 5+ (columns reach_1plus … reach_5plus). -#}
{% macro reach_frequency_levels() -%}
    {{ return([1, 2, 3, 4, 5]) }}
{%- endmacro %}

{#- `template` once per level, `{k}` replaced by the level (e.g. 'sum(new_{k}plus) as reach_{k}plus'), joined by
    `sep` (a select list by default). -#}
{% macro for_each_level(template, sep=',\n        ') -%}
    {%- for k in reach_frequency_levels() -%}
        {{ template | replace('{k}', k | string) }}{{ sep if not loop.last }}
    {%- endfor -%}
{%- endmacro %}

{#- The exact frequency distribution of a window from fct_campaign_reach_frequency_steps rows:
    the visitors who made their k-th visit of the window, summed over its days, are its reach k+. -#}
{% macro reach_distribution_from_steps() -%}
    {{ for_each_level('sumIf(visitors, visit_number = {k}) as reach_{k}plus') }}
{%- endmacro %}

{#- The same columns for a row whose source reports no distribution (platform-reported reach): NULL. -#}
{% macro no_reach_distribution() -%}
    {{ for_each_level('cast(null as Nullable(UInt64)) as reach_{k}plus') }}
{%- endmacro %}
