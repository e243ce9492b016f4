{#- Relationship on a composite key (tenant_id always part of it): every child key exists in `to`.
    dbt's built-in relationships test joins on one column, which would let a row match another tenant's parent. -#}
{% test has_parent(model, to, columns, parent_columns=none, where_clause=none, column_name=none) %}
{%- set parent_columns = parent_columns or columns -%}
select {{ columns | join(', ') }}
from {{ model }}
where ({{ columns | join(', ') }}) not in (
    select {{ parent_columns | join(', ') }} from {{ to }}
)
{%- if where_clause %} and ({{ where_clause }}){% endif %}
{% endtest %}
