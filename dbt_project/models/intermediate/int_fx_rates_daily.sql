{#- The rouble rate of every currency on every day a Bank of Russia load covered: the rate in force that day,
    i.e. the one set for the day itself or, on weekends and holidays, the last one set before it (ASOF).
    A day no load covered has no row here, so a conversion on it finds nothing and fails its test — a missing
    rate is never taken as 1. -#}
with rates as (
    select * from {{ ref('stg_cbr__fx_daily') }}
),

covered_days as (
    select distinct date_day
    from {{ source('app', 'raw_window_versions') }}
    where table_name = 'raw_cbr.fx_daily' and tenant_id = '_shared' and account_id = 'cbr'
),

currencies as (
    select distinct currency from rates
),

grid as (
    select
        d.date_day as date_day,
        c.currency as currency
    from covered_days as d
    cross join currencies as c
),

final as (
    select
        g.date_day as date_day,
        g.currency as currency,
        r.rate_rub as rate_rub,
        r.date_day as rate_set_for,
        toUInt8(g.date_day != r.date_day) as is_carried_over
    from grid as g
    asof inner join rates as r
        on g.currency = r.currency and g.date_day >= r.date_day
)

select * from final
