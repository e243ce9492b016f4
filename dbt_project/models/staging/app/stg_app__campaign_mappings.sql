-- ReplacingMergeTree keyed by (tenant, client, plan, line, platform, campaign): FINAL, then drop tombstones.
with source as (
    select * from {{ source('app', 'campaign_mappings') }} final
    where is_deleted = 0
),

renamed as (
    select
        tenant_id,
        client_id,
        plan_id,
        line_id,
        platform,
        account_id,
        trim(campaign_id) as campaign_id,
        trim(campaign_name) as campaign_name,
        match_method,
        confidence,
        updated_at
    from source
)

select * from renamed
