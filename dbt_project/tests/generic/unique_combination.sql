{#- Grain test: no two rows share the key. Returns the offending keys with their counts. -#}
{% test unique_combination(model, columns, column_name=none) %}
select
    {{ columns | join(', ') }},
    count() as n_rows
from {{ model }}
group by {{ columns | join(', ') }}
having count() > 1
{% endtest %}
