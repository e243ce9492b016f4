{{
    config(
        materialized='incremental',
        partition_by=fact_partition_by('period_start'),
        order_by='(tenant_id, platform, account_id, campaign_id, ad_group_id, ad_id, period_start)'
    )
}}
{#- Which ads the Direct and Google Ads statistics reports name, per incremental period (a week, or a month with
    incremental_partition = month): the period's last day with the ad and its group's name that day. dim_ads takes
    each ad's newest group name from these rows (one per ad and period) instead of every ad-day row of history,
    so the daily run reads only the window's statistics. -#}
{%- set stats_reports = {
    'yandex_direct': 'stg_yandex_direct__ad_stats_daily',
    'google_ads': 'stg_google_ads__ad_stats_daily',
} %}
{% for platform, model in stats_reports.items() %}
{{ "with" if loop.first else "," }} {{ platform }} as (
    select
        tenant_id,
        '{{ platform }}' as platform,
        account_id,
        campaign_id,
        ad_group_id,
        ad_id,
        {{ fact_period_start() }} as period_start,
        max(date_day) as last_day,
        argMax(ad_group_name, date_day) as ad_group_name
    from {{ ref(model) }}
    where {{ incremental_window_filter() }}
    group by tenant_id, account_id, campaign_id, ad_group_id, ad_id, period_start
)
{% endfor %}

select * from yandex_direct
union all
select * from google_ads
