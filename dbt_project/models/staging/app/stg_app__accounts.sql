with source as (
    select * from {{ source('app', 'accounts') }} final
),

renamed as (
    select
        tenant_id,
        client_id,
        platform,
        account_id,
        account_name,
        timezone,
        currency,
        spend_includes_vat,
        via_garpun,
        is_active,
        updated_at
    from source
)

select * from renamed
