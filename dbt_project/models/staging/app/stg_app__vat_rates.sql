with source as (
    select * from {{ source('app', 'vat_rates') }} final
),

renamed as (
    select
        country,
        valid_from,
        rate as vat_rate
    from source
)

select * from renamed
