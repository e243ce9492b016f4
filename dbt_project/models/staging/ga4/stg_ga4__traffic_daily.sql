{#- GA4 traffic by day, session source, medium and UTM campaign (current load only). total_users is distinct within
    its row only; is_other_row / is_sampled / is_thresholded say how far the row can be trusted. -#}
with source as (
    {{ current_load_rows('raw_ga4', 'traffic_daily') }}
),

renamed as (
    select
        tenant_id,
        account_id as property_id,
        date_day,
        session_source as utm_source,
        session_medium as utm_medium,
        session_campaign_name as utm_campaign,
        sessions,
        total_users,
        key_events,
        total_revenue,
        currency,
        is_other_row,
        is_sampled,
        sampling_share,
        is_thresholded,
        is_provisional,
        _load_id as load_id,
        _loaded_at as loaded_at
    from source
)

select * from renamed
