with source as (
    {{ current_load_rows('raw_vk_ads', 'banner_stats_daily') }}
),

renamed as (
    select
        tenant_id,
        account_id,
        date_day,
        toString(banner_id) as banner_id,
        shows as impressions,
        clicks,
        goals,
        vk_goals,
        spent,
        spent_includes_vat,
        currency,
        -- uniques.total: cumulative unique users from the banner's start to this day (VK's own measure).
        uniques_total,
        uniques_increment,
        uniques_initial_total,
        uniques_frequency,
        timezone,
        is_provisional,
        _load_id as load_id,
        _loaded_at as loaded_at
    from source
)

select * from renamed
