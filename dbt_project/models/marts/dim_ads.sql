{{ config(order_by='(tenant_id, client_id, platform, account_id, ad_group_id, ad_id)') }}
{#- The names people know their ad groups and ads by, for the app's drill-down (the fact keeps ids only, so a
    renamed ad never restates history). VK names banners and groups; Direct and Google Ads reports name the
    group only: a Direct ad's name is its title (else its second title) from the Ads.get snapshot, '' where it
    has none (display banners, an ad missing from the snapshot); Google Ads ads stay ''; Garpun sends ids only. -#}
with ad_titles as (
    select
        tenant_id,
        account_id,
        ad_id,
        'yandex_direct' as platform,
        if(title != '', title, title2) as ad_name
    from {{ ref('stg_yandex_direct__ads') }}
),

-- Direct and Google Ads ads as their statistics reports name them: the newest group name of each ad, from one row
-- per ad and week of statistics (int_report_ads_seen), not from every ad-day row
reported as (
    select
        s.tenant_id as tenant_id,
        s.platform as platform,
        s.account_id as account_id,
        s.campaign_id as campaign_id,
        s.ad_group_id as ad_group_id,
        argMax(s.ad_group_name, s.last_day) as ad_group_name,
        s.ad_id as ad_id,
        coalesce(any(t.ad_name), '') as ad_name
    from {{ ref('int_report_ads_seen') }} as s
    left join ad_titles as t
        on s.tenant_id = t.tenant_id and s.platform = t.platform and s.account_id = t.account_id and s.ad_id = t.ad_id
    group by s.tenant_id, s.platform, s.account_id, s.campaign_id, s.ad_group_id, s.ad_id
),

vk as (
    select
        b.tenant_id as tenant_id,
        'vk_ads' as platform,
        b.account_id as account_id,
        any(g.ad_plan_id) as campaign_id,
        b.ad_group_id as ad_group_id,
        any(g.ad_group_name) as ad_group_name,
        b.banner_id as ad_id,
        any(b.banner_name) as ad_name
    from {{ ref('stg_vk_ads__banners') }} as b
    left join {{ ref('stg_vk_ads__ad_groups') }} as g
        on b.tenant_id = g.tenant_id and b.account_id = g.account_id and b.ad_group_id = g.ad_group_id
    group by b.tenant_id, b.account_id, b.ad_group_id, b.banner_id
),

named as (
    select * from reported
    union all
    select * from vk
),

-- The client owns the account (as in the fact), so the app reads names of the scoped client only.
accounts as (
    select
        tenant_id as account_tenant_id,
        platform as account_platform,
        account_id as account_key,
        client_id
    from {{ ref('stg_app__accounts') }}
),

final as (
    select
        n.tenant_id as tenant_id,
        a.client_id as client_id,
        n.platform as platform,
        n.account_id as account_id,
        n.campaign_id as campaign_id,
        n.ad_group_id as ad_group_id,
        n.ad_group_name as ad_group_name,
        n.ad_id as ad_id,
        n.ad_name as ad_name
    from named as n
    left join accounts as a
        on n.tenant_id = a.account_tenant_id and n.platform = a.account_platform and n.account_id = a.account_key
)

select * from final
