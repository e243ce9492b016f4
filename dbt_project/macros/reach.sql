{#- The exact frequency distribution of reach, over rows of one visitor each: how many visitors came at least
    1 … 5 times, where `visits` is the visitor's number of visits in the window (reach_1plus is every row). -#}
{% macro reach_distribution(visits) -%}
    count() as reach_1plus,
    countIf({{ visits }} >= 2) as reach_2plus,
    countIf({{ visits }} >= 3) as reach_3plus,
    countIf({{ visits }} >= 4) as reach_4plus,
    countIf({{ visits }} >= 5) as reach_5plus
{%- endmacro %}

{#- The same columns for a row whose source reports no distribution (platform-reported reach): NULL. -#}
{% macro no_reach_distribution() -%}
    cast(null as Nullable(UInt64)) as reach_1plus,
    cast(null as Nullable(UInt64)) as reach_2plus,
    cast(null as Nullable(UInt64)) as reach_3plus,
    cast(null as Nullable(UInt64)) as reach_4plus,
    cast(null as Nullable(UInt64)) as reach_5plus
{%- endmacro %}
