with source as (
    {{ current_load_rows('raw_yandex_direct', 'ads', snapshot=true) }}
),

renamed as (
    select
        tenant_id,
        account_id,
        toString(campaign_id) as campaign_id,
        toString(ad_group_id) as ad_group_id,
        toString(ad_id) as ad_id,
        ad_type,
        title,
        title2,
        _load_id as load_id,
        _loaded_at as loaded_at
    from source
)

select * from renamed
