with source as (
    {{ current_load_rows('raw_yandex_direct', 'reach_frequency') }}
),

renamed as (
    select
        tenant_id,
        account_id,
        date_from as window_start,
        date_to as window_end,
        toString(campaign_id) as campaign_id,
        campaign_name,
        impressions,
        impression_reach as reach,
        avg_impression_frequency as avg_frequency,
        cost,
        currency,
        _load_id as load_id,
        _loaded_at as loaded_at
    from source
)

select * from renamed
