-- ReplacingMergeTree: FINAL gives the latest version of each client even before background merges.
with source as (
    select * from {{ source('app', 'clients') }} final
),

renamed as (
    select
        tenant_id,
        client_id,
        name as client_name,
        currency,
        agency_commission,
        report_language,
        is_active,
        updated_at
    from source
)

select * from renamed
