with source as (
    {{ current_load_rows('raw_vk_ads', 'ad_groups', snapshot=true) }}
),

renamed as (
    select
        tenant_id,
        account_id,
        toString(ad_group_id) as ad_group_id,
        toString(ad_plan_id) as ad_plan_id,
        name as ad_group_name,
        status as ad_group_status,
        package_id,
        budget_limit_day,
        updated as updated_at,
        _load_id as load_id,
        _loaded_at as loaded_at
    from source
)

select * from renamed
