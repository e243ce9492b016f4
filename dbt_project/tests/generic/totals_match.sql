{#- Business identity: Σ measure per key is the same in this model and in `compare_model` (e.g. the conformed
    union per day and platform equals the platform staging sums). Keys may be expressions and may differ between
    the two sides (compare_group_by). Both sides are stacked and summed per key, so a key present on one side only
    shows up as a difference; no JOIN settings leak into the views under test. Returns the differing keys. -#}
{% test totals_match(model, compare_model, group_by, measures, compare_group_by=none, compare_measures=none, where_clause=none, compare_where=none, column_name=none) %}
{%- set compare_group_by = compare_group_by or group_by -%}
{%- set compare_measures = compare_measures or measures -%}
with stacked as (
    select
        {%- for k in group_by %}
        {{ k }} as k{{ loop.index }},
        {%- endfor %}
        {%- for m in measures %}
        toFloat64({{ m }}) as a{{ loop.index }},
        toFloat64(0) as b{{ loop.index }}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ model }}
    {%- if where_clause %} where {{ where_clause }}{% endif %}
    union all
    select
        {%- for k in compare_group_by %}
        {{ k }} as k{{ loop.index }},
        {%- endfor %}
        {%- for m in compare_measures %}
        toFloat64(0) as a{{ loop.index }},
        toFloat64({{ m }}) as b{{ loop.index }}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ compare_model }}
    {%- if compare_where %} where {{ compare_where }}{% endif %}
)

select
    {%- for k in group_by %}
    k{{ loop.index }},
    {%- endfor %}
    {%- for m in measures %}
    sum(a{{ loop.index }}) as model_{{ loop.index }},
    sum(b{{ loop.index }}) as compare_{{ loop.index }}{{ ',' if not loop.last }}
    {%- endfor %}
from stacked
group by {% for k in group_by %}k{{ loop.index }}{{ ', ' if not loop.last }}{% endfor %}
having
    {%- for m in measures %}
    abs(sum(a{{ loop.index }}) - sum(b{{ loop.index }})) > 1e-6 * greatest(1, abs(sum(b{{ loop.index }}))){{ ' or' if not loop.last }}
    {%- endfor %}
{% endtest %}
