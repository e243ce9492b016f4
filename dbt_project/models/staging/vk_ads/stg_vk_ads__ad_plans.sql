with source as (
    {{ current_load_rows('raw_vk_ads', 'ad_plans', snapshot=true) }}
),

renamed as (
    select
        tenant_id,
        account_id,
        toString(ad_plan_id) as ad_plan_id,
        name as ad_plan_name,
        status as ad_plan_status,
        objective,
        budget_limit,
        budget_limit_day,
        date_start,
        date_end,
        created as created_at,
        updated as updated_at,
        _load_id as load_id,
        _loaded_at as loaded_at
    from source
)

select * from renamed
