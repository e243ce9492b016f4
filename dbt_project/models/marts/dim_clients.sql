{{ config(order_by='(tenant_id, client_id)') }}
with clients as (
    select * from {{ ref('stg_app__clients') }}
),

accounts as (
    select * from {{ ref('stg_app__accounts') }}
),

account_counts as (
    select
        tenant_id,
        client_id,
        count() as accounts,
        groupUniqArray(platform) as platforms
    from accounts
    where is_active = 1
    group by tenant_id, client_id
),

final as (
    select
        c.tenant_id as tenant_id,
        c.client_id as client_id,
        c.client_name as client_name,
        c.currency as currency,
        c.agency_commission as agency_commission,
        c.report_language as report_language,
        c.is_active as is_active,
        coalesce(a.accounts, 0) as active_accounts,
        arraySort(coalesce(a.platforms, [])) as platforms
    from clients as c
    left join account_counts as a
        on c.tenant_id = a.tenant_id and c.client_id = a.client_id
)

select * from final
