{#- A folder's +schema is the ClickHouse database itself (staging / intermediate / marts), not dbt's default
    "<target>_<custom>" concatenation: dashboards, Dagster asset keys and the AI layer address marts.<model>. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema | trim }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
