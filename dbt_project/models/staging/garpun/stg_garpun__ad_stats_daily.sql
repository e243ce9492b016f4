with source as (
    {{ current_load_rows('raw_garpun', 'ad_stats_daily') }}
),

renamed as (
    select
        tenant_id,
        account_id,
        date_day,
        source_platform,
        campaign_id,
        campaign_name,
        ad_group_id,
        ad_id,
        impressions,
        clicks,
        cost,
        cost_includes_vat,
        currency,
        conversions,
        is_provisional,
        _load_id as load_id,
        _loaded_at as loaded_at
    from source
)

select * from renamed
