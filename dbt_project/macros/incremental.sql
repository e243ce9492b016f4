{#- Incremental facts use insert_overwrite on monthly partitions: the new rows go to a fresh scratch table and
    then REPLACE PARTITION swaps each touched month in one ALTER. A failure before the swap leaves the previous
    data untouched, a rerun produces the same months again, and the fresh scratch table is never subject to
    insert-block deduplication. The price: every run must carry WHOLE months, so the window is widened to month
    boundaries here. -#}

{% macro incremental_window_filter(date_column='date_day') -%}
    {%- if is_incremental() -%}
        {%- if var('start_date') -%}
            {{ date_column }} >= toStartOfMonth(toDate('{{ var("start_date") }}'))
        {%- else -%}
            {{ date_column }} >= toStartOfMonth(
                (select max({{ date_column }}) from {{ this }}) - {{ var('lookback_days') | int }}
            )
        {%- endif -%}
        {%- if var('end_date') %}
            and {{ date_column }} <= toLastDayOfMonth(toDate('{{ var("end_date") }}'))
        {%- endif -%}
    {%- else -%}
        1 = 1
    {%- endif -%}
{%- endmacro %}


{#- insert_overwrite names its scratch table <model>__dbt_new_data_<invocation id> and only drops it on success.
    Sweep scratch tables older than an hour (a concurrent run's live one is younger) from our databases. -#}
{% macro drop_leaked_scratch_tables() -%}
    {%- if execute -%}
        {%- set leaked = run_query(
            "select database, name from system.tables"
            ~ " where database in ('staging', 'intermediate', 'marts')"
            ~ " and name like '%\\\\_\\\\_dbt\\\\_new\\\\_data\\\\_%'"
            ~ " and metadata_modification_time < now() - interval 1 hour"
        ) -%}
        {%- for row in leaked.rows -%}
            {%- do run_query('drop table if exists `' ~ row[0] ~ '`.`' ~ row[1] ~ '`') -%}
        {%- endfor -%}
    {%- endif -%}
    select 1
{%- endmacro %}
