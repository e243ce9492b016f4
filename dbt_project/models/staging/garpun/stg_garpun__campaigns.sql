with source as (
    {{ current_load_rows('raw_garpun', 'campaigns', snapshot=true) }}
),

renamed as (
    select
        tenant_id,
        account_id,
        source_platform,
        campaign_id,
        campaign_name,
        status as campaign_status,
        _load_id as load_id,
        _loaded_at as loaded_at
    from source
)

select * from renamed
