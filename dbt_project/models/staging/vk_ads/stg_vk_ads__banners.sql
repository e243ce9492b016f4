with source as (
    {{ current_load_rows('raw_vk_ads', 'banners', snapshot=true) }}
),

renamed as (
    select
        tenant_id,
        account_id,
        toString(banner_id) as banner_id,
        toString(ad_group_id) as ad_group_id,
        name as banner_name,
        status as banner_status,
        moderation_status,
        url,
        updated as updated_at,
        _load_id as load_id,
        _loaded_at as loaded_at
    from source
)

select * from renamed
