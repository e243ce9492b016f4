{#- Raw tables are replaced by window: a reload first writes new rows under a fresh _load_id, then switches
    app.raw_window_versions, then deletes the superseded rows. Reading only the current _load_id of each
    (table, tenant, account, day) means a half-finished reload is never visible and never double-counted.
    raw_window_versions is a ReplacingMergeTree, so its latest row is taken with argMax, not trusted to be merged.
    Dimension snapshots register their whole-account load under date_day 1970-01-01. -#}
{% macro current_load_filter(table_name, snapshot=false) -%}
    (tenant_id, account_id, {{ "toDate('1970-01-01')" if snapshot else 'date_day' }}, _load_id) in (
        select
            tenant_id,
            account_id,
            date_day,
            argMax(load_id, loaded_at)
        from {{ source('app', 'raw_window_versions') }}
        where table_name = '{{ table_name }}'
        group by tenant_id, account_id, date_day
    )
{%- endmacro %}

{#- A staging model's read of its raw table: the rows of source(`source_name`, `table_name`) in the current load
    (the filter above), the table named once. -#}
{% macro current_load_rows(source_name, table_name, snapshot=false) -%}
    select * from {{ source(source_name, table_name) }}
    where {{ current_load_filter(source_name ~ '.' ~ table_name, snapshot) }}
{%- endmacro %}
