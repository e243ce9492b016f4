with source as (
    {{ current_load_rows('raw_yandex_metrika', 'traffic_daily') }}
),

renamed as (
    select
        tenant_id,
        account_id as counter_id,
        date_day,
        traffic_source,
        lower(trim(utm_source)) as utm_source,
        utm_medium,
        utm_campaign,
        -- the API gives 0 or null when the visit did not come from a Direct click
        if(coalesce(direct_campaign_id, 0) = 0, '', toString(assumeNotNull(direct_campaign_id))) as direct_campaign_id,
        direct_campaign_name,
        visits as sessions,
        users,
        bounces,
        pageviews,
        goal_reaches,
        revenue,
        currency,
        sampled,
        sample_share,
        timezone,
        is_provisional,
        _load_id as load_id,
        _loaded_at as loaded_at
    from source
)

select * from renamed
