with source as (
    {{ current_load_rows('raw_yandex_direct', 'ad_stats_daily') }}
),

renamed as (
    select
        tenant_id,
        account_id,
        date_day,
        toString(campaign_id) as campaign_id,
        campaign_name,
        campaign_type,
        toString(ad_group_id) as ad_group_id,
        ad_group_name,
        toString(ad_id) as ad_id,
        ad_network_type,
        impressions,
        clicks,
        cost,
        cost_includes_vat,
        currency,
        conversions,
        revenue,
        goal_conversions,
        attribution_model,
        timezone,
        is_provisional,
        _load_id as load_id,
        _loaded_at as loaded_at
    from source
)

select * from renamed
