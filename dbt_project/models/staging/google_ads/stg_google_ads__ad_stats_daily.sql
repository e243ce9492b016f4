with source as (
    {{ current_load_rows('raw_google_ads', 'ad_stats_daily') }}
),

renamed as (
    select
        tenant_id,
        account_id,
        date_day,
        toString(campaign_id) as campaign_id,
        campaign_name,
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
        conversions_value,
        timezone,
        is_provisional,
        _load_id as load_id,
        _loaded_at as loaded_at
    from source
)

select * from renamed
