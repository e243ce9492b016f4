with source as (
    select * from {{ source('app', 'tenants') }} final
),

renamed as (
    select
        tenant_id,
        name as tenant_name,
        timezone,
        default_currency,
        updated_at
    from source
)

select * from renamed
