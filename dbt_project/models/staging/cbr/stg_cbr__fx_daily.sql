{#- Bank of Russia rates, one row per currency and business day the rate is in force (current load only).
    `value` is roubles per `nominal` units (100 tenge, 100 yen); rate_rub is per one unit, kept at 10 places so
    a nominal of 10 000 loses nothing. -#}
with source as (
    {{ current_load_rows('raw_cbr', 'fx_daily') }}
),

renamed as (
    select
        date_day,
        char_code as currency,
        num_code,
        valute_id,
        name as currency_name,
        nominal,
        value as value_rub,
        toDecimal128(value, 10) / nominal as rate_rub,
        _load_id as load_id,
        _loaded_at as loaded_at
    from source
)

select * from renamed
