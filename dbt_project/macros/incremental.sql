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

{#- The first day of the fact partition holding `date_column` (a Date, for either partition period). -#}
{% macro fact_period_start(date_column='date_day') -%}
    {{ _period_start(date_column) }}
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

{#- The first day an incremental run rebuilds (an SQL expression): start_date's partition, else the partition of
    the newest loaded day less lookback_days. -#}
{% macro incremental_window_start(date_column='date_day', period=none, this_column=none) -%}
    {%- if var('start_date') -%}
        {{ _period_start("toDate('" ~ var('start_date') ~ "')", period) }}
    {%- else -%}
        {{ _period_start(
            '(select max(' ~ (this_column or date_column) ~ ') from ' ~ this ~ ') - ' ~ (var('lookback_days') | int),
            period
        ) }}
    {%- endif -%}
{%- endmacro %}

{#- period: the model's own partition period when it is not var incremental_partition (a model with monthly
    windows, like fct_campaign_reach, must carry whole months). this_column: the column of the model itself that
    tells the newest loaded day, when the model has no `date_column` of its own. open_ended: ignore end_date, for
    models whose rows carry a running total (flight to date): a changed day changes every later row, so a run
    from start_date always goes on to the newest day. -#}
{% macro incremental_window_filter(date_column='date_day', period=none, this_column=none, open_ended=false) -%}
    {%- if is_incremental() -%}
        {{ date_column }} >= {{ incremental_window_start(date_column, period, this_column) }}
        {%- if var('end_date') and not open_ended %}
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


{#- Post-hook of fct_plan_vs_fact_daily: insert_overwrite replaces only the months its new rows fall in, so the
    rows of a line that left the plan (or moved to another month) in a month where no line is left would stay.
    Delete them; nothing is run when there are none. -#}
{% macro delete_rows_of_gone_lines() -%}
    {%- set gone -%}
        ({{ plan_line_key() }}, flight_end) not in (
            select {{ plan_line_key() }}, flight_end from {{ ref('int_media_plan_line_days') }}
        )
    {%- endset -%}
    {%- if execute and is_incremental() and run_query('select count() from ' ~ this ~ ' where ' ~ gone).rows[0][0] > 0 -%}
        delete from {{ this }} where {{ gone }}
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}


{#- The value in the first row and column of a query ('' when not executing, e.g. at parse time): for a model
    whose incremental window is settled by a query before its own SQL is written. -#}
{% macro first_value(sql) -%}
    {%- if execute and run_query is defined -%}
        {{ return(run_query(sql).columns[0].values()[0]) }}
    {%- endif -%}
    {{ return('') }}
{%- endmacro %}
