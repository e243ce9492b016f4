with source as (
    {{ current_load_rows('raw_yandex_metrika', 'visits') }}
),

renamed as (
    select
        tenant_id,
        account_id as counter_id,
        date_day,
        visit_id,
        client_id as user_id,
        visit_datetime,
        is_new_user,
        start_url,
        page_views,
        visit_duration,
        bounce,
        traffic_source,
        lower(trim(utm_source)) as utm_source,
        utm_medium,
        utm_campaign,
        -- the API gives 0 or null when the visit did not come from a Direct click
        if(coalesce(direct_click_order, 0) = 0, '', toString(assumeNotNull(direct_click_order))) as direct_campaign_id,
        device_category,
        region_city,
        goals_id,
        purchase_revenue,
        is_provisional,
        _load_id as load_id,
        _loaded_at as loaded_at
    from source
)

select * from renamed
