with source as (
    select * from {{ source('app', 'media_plans') }}
),

renamed as (
    select
        tenant_id,
        client_id,
        plan_id,
        plan_version,
        import_id,
        name as plan_name,
        kind as plan_kind,
        status as plan_status,
        currency,
        flight_start,
        flight_end,
        total_budget_net,
        total_budget_gross,
        imported_at
    from source
)

select * from renamed
