{{ config(order_by='(tenant_id, platform, account_id, campaign_id)') }}
with campaigns as (
    select * from {{ ref('int_campaigns_conformed') }}
),

final as (
    select
        tenant_id,
        client_id,
        platform,
        source_platform,
        account_id,
        campaign_id,
        campaign_name,
        campaign_type,
        campaign_status,
        start_date,
        end_date,
        has_dimension_row,
        account_currency,
        account_timezone
    from campaigns
)

select * from final
