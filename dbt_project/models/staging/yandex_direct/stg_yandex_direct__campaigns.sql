with source as (
    {{ current_load_rows('raw_yandex_direct', 'campaigns', snapshot=true) }}
),

renamed as (
    select
        tenant_id,
        account_id,
        toString(campaign_id) as campaign_id,
        campaign_name,
        campaign_type,
        state as campaign_state,
        status as campaign_status,
        currency,
        start_date,
        end_date,
        daily_budget,
        timezone,
        _load_id as load_id,
        _loaded_at as loaded_at
    from source
)

select * from renamed
