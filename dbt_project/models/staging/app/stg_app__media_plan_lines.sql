-- Lines of each plan's current approved version only: the highest version whose status is approved or active
-- (the view joins lines to their committed header and its status), so a draft, a plan pending approval, a rejected
-- version or a half-imported plan never reaches plan-vs-fact.
with source as (
    select * from {{ source('app', 'media_plan_lines_approved') }}
),

renamed as (
    select
        tenant_id,
        client_id,
        plan_id,
        plan_version,
        line_id,
        line_no,
        channel,
        platform,
        trim(campaign_name) as campaign_name,
        trim(platform_campaign_id) as platform_campaign_id,
        account_id,
        placement,
        ad_format,
        flight_start,
        flight_end,
        currency,
        budget_net,
        budget_gross,
        pricing_model,
        unit_price,
        planned_impressions,
        planned_clicks,
        planned_conversions,
        planned_reach,
        planned_reach_persons,
        planned_frequency,
        planned_grp,
        planned_trp,
        target_audience,
        ta_size
    from source
)

select * from renamed
