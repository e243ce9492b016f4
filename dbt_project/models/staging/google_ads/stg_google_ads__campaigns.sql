with source as (
    {{ current_load_rows('raw_google_ads', 'campaigns', snapshot=true) }}
),

renamed as (
    select
        tenant_id,
        account_id,
        toString(campaign_id) as campaign_id,
        campaign_name,
        status as campaign_status,
        channel_type,
        start_date,
        end_date,
        currency,
        _load_id as load_id,
        _loaded_at as loaded_at
    from source
)

select * from renamed
