{#- Business identity: Σ measure per key is the same in this model and in `compare_model` (e.g. the conformed
    union per day and platform equals the platform staging sums). Keys may be expressions and may differ between
    the two sides (compare_group_by). Decimal sums are compared exactly; returns the keys that differ, including
    keys present on one side only. -#}
{% test totals_match(model, compare_model, group_by, measures, compare_group_by=none, compare_measures=none, where_clause=none, compare_where=none, column_name=none) %}
{%- set compare_group_by = compare_group_by or group_by -%}
{%- set compare_measures = compare_measures or measures -%}
with a as (
    select
        {%- for k in group_by %}
        {{ k }} as k{{ loop.index }},
        {%- endfor %}
        {%- for m in measures %}
        toFloat64(sum({{ m }})) as m{{ loop.index }}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ model }}
    {%- if where_clause %} where {{ where_clause }}{% endif %}
    group by {% for k in group_by %}k{{ loop.index }}{{ ', ' if not loop.last }}{% endfor %}
),

b as (
    select
        {%- for k in compare_group_by %}
        {{ k }} as k{{ loop.index }},
        {%- endfor %}
        {%- for m in compare_measures %}
        toFloat64(sum({{ m }})) as m{{ loop.index }}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ compare_model }}
    {%- if compare_where %} where {{ compare_where }}{% endif %}
    group by {% for k in compare_group_by %}k{{ loop.index }}{{ ', ' if not loop.last }}{% endfor %}
)

select
    {%- for k in group_by %}
    coalesce(a.k{{ loop.index }}, b.k{{ loop.index }}) as key{{ loop.index }},
    {%- endfor %}
    {%- for m in measures %}
    a.m{{ loop.index }} as model_{{ loop.index }},
    b.m{{ loop.index }} as compare_{{ loop.index }}{{ ',' if not loop.last }}
    {%- endfor %}
from a
full outer join b
    on {% for k in group_by %}a.k{{ loop.index }} = b.k{{ loop.index }}{{ ' and ' if not loop.last }}{% endfor %}
where
    {%- for m in measures %}
    coalesce(a.m{{ loop.index }}, -1e300) != coalesce(b.m{{ loop.index }}, -1e300){{ ' or' if not loop.last }}
    {%- endfor %}
settings join_use_nulls = 1
{% endtest %}
