{#- Incremental facts use insert_overwrite on monthly partitions: the new rows go to a fresh scratch table and
    then REPLACE PARTITION swaps each touched partition (week, or month) in one ALTER. A failure before the swap leaves the previous
    data untouched, a rerun produces the same months again, and the fresh scratch table is never subject to
    insert-block deduplication. The price: every run must carry WHOLE partitions, so the window is widened to
    partition boundaries here. -#}

{#- Partition period of the incremental facts (var incremental_partition: week | month). Weeks keep a one-day
    Dagster run to one partition (~1/4 of a month's rows) while a year is still only 52 partitions. -#}
{% macro fact_partition_by(date_column='date_day') -%}
    {%- if var('incremental_partition') == 'month' -%}
        toYYYYMM({{ date_column }})
    {%- else -%}
        toMonday({{ date_column }})
    {%- endif -%}
{%- endmacro %}

{% macro _period_start(expr, period=none) -%}
    {%- if (period or var('incremental_partition')) == 'month' -%}
        toStartOfMonth({{ expr }})
    {%- else -%}
        toMonday({{ expr }})
    {%- endif -%}
{%- endmacro %}

{% macro _period_end(expr, period=none) -%}
    {%- if (period or var('incremental_partition')) == 'month' -%}
        toLastDayOfMonth({{ expr }})
    {%- else -%}
        addDays(toMonday({{ expr }}), 6)
    {%- endif -%}
{%- endmacro %}

{#- period: the model's own partition period when it is not var incremental_partition (a model with monthly
    windows, like fct_campaign_reach, must carry whole months). this_column: the column of the model itself that
    tells the newest loaded day, when the model has no `date_column` of its own. -#}
{% macro incremental_window_filter(date_column='date_day', period=none, this_column=none) -%}
    {%- if is_incremental() -%}
        {%- if var('start_date') -%}
            {{ date_column }} >= {{ _period_start("toDate('" ~ var('start_date') ~ "')", period) }}
        {%- else -%}
            {{ date_column }} >= {{ _period_start(
                '(select max(' ~ (this_column or date_column) ~ ') from ' ~ this ~ ') - '
                ~ (var('lookback_days') | int), period
            ) }}
        {%- endif -%}
        {%- if var('end_date') %}
            and {{ date_column }} <= {{ _period_end("toDate('" ~ var('end_date') ~ "')", period) }}
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


{#- A model that becomes incremental (fct_campaign_reach was a plain table) cannot REPLACE PARTITION into the
    unpartitioned table an older version left behind. Drop such a table when its model is selected, through the
    adapter so dbt's relation cache agrees, and the model is built in full once. -#}
{% macro drop_unpartitioned_incremental_tables() -%}
    {%- if execute -%}
        {%- for node in graph.nodes.values()
            if node.resource_type == 'model' and node.config.materialized == 'incremental'
            and node.config.get('partition_by') and node.unique_id in selected_resources -%}
            {%- set rel = adapter.get_relation(database=node.database, schema=node.schema, identifier=node.alias) -%}
            {%- if rel is not none -%}
                {%- set key = run_query(
                    "select partition_key from system.tables where database = '" ~ node.schema
                    ~ "' and name = '" ~ node.alias ~ "'"
                ) -%}
                {%- if key.rows and key.rows[0][0] == '' -%}
                    {{ log('dropping ' ~ rel ~ ': built as a plain table by an older version, now incremental', info=true) }}
                    {%- do adapter.drop_relation(rel) -%}
                {%- endif -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    select 1
{%- endmacro %}
