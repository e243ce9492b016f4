{#- The conformed union: every ad platform mapped onto one vocabulary and stacked with an explicit platform
    column. Direct rows are summed over ad_network_type (search + networks) to reach the ad x day grain;
    VK banners climb banner -> ad group -> ad plan to find their campaign. Gross/net spend use each row's own
    VAT flag and the rate effective that day. -#}
with direct_stats as (
    select * from {{ ref('stg_yandex_direct__ad_stats_daily') }}
),

vk_stats as (
    select * from {{ ref('stg_vk_ads__banner_stats_daily') }}
),

vk_banners as (
    select * from {{ ref('stg_vk_ads__banners') }}
),

vk_ad_groups as (
    select * from {{ ref('stg_vk_ads__ad_groups') }}
),

vk_ad_plans as (
    select * from {{ ref('stg_vk_ads__ad_plans') }}
),

garpun_stats as (
    select * from {{ ref('stg_garpun__ad_stats_daily') }}
),

google_ads_stats as (
    select * from {{ ref('stg_google_ads__ad_stats_daily') }}
),

accounts as (
    select * from {{ ref('stg_app__accounts') }}
),

vat_rates as (
    select * from {{ ref('stg_app__vat_rates') }}
),

-- Nullable so that a day without a rate joins as NULL, not as ClickHouse's default 0. Every joined relation below
-- has its own column names: a name shared with the conformed rows would come out qualified from `c.*`.
fx_rates as (
    select
        date_day as fx_day,
        currency as fx_currency,
        toNullable(rate_rub) as fx_rate
    from {{ ref('int_fx_rates_daily') }}
),

client_fx_rates as (
    select
        fx_day as client_fx_day,
        fx_currency as client_fx_currency,
        fx_rate as client_fx_rate
    from fx_rates
),

clients as (
    select
        tenant_id as client_tenant_id,
        client_id as client_key,
        currency as reporting_currency
    from {{ ref('stg_app__clients') }}
),

direct as (
    select
        tenant_id,
        date_day,
        'yandex_direct' as platform,
        'yandex_direct' as source_platform,
        account_id,
        campaign_id,
        -- one load owns each account-day (current-load filter), so any() sees a single name
        any(campaign_name) as campaign_name,
        ad_group_id,
        ad_id,
        sum(impressions) as impressions,
        sum(clicks) as clicks,
        sum(cost) as spend_reported,
        max(cost_includes_vat) as spend_includes_vat,
        any(currency) as currency,
        sum(coalesce(conversions, toDecimal64(0, 6))) as conversions,
        sum(coalesce(revenue, toDecimal64(0, 6))) as conversions_value,
        max(is_provisional) as is_provisional,
        any(timezone) as timezone
    from direct_stats
    group by tenant_id, date_day, account_id, campaign_id, ad_group_id, ad_id
),

vk as (
    select
        s.tenant_id as tenant_id,
        s.date_day as date_day,
        'vk_ads' as platform,
        'vk_ads' as source_platform,
        s.account_id as account_id,
        g.ad_plan_id as campaign_id,
        p.ad_plan_name as campaign_name,
        b.ad_group_id as ad_group_id,
        s.banner_id as ad_id,
        s.impressions as impressions,
        s.clicks as clicks,
        s.spent as spend_reported,
        s.spent_includes_vat as spend_includes_vat,
        s.currency as currency,
        -- goals: the advertiser's own conversion goals set up in VK; vk_goals are VK-internal events.
        toDecimal64(s.goals, 6) as conversions,
        toDecimal64(0, 6) as conversions_value,
        s.is_provisional as is_provisional,
        s.timezone as timezone
    from vk_stats as s
    left join vk_banners as b
        on s.tenant_id = b.tenant_id and s.account_id = b.account_id and s.banner_id = b.banner_id
    left join vk_ad_groups as g
        on b.tenant_id = g.tenant_id and b.account_id = g.account_id and b.ad_group_id = g.ad_group_id
    left join vk_ad_plans as p
        on g.tenant_id = p.tenant_id and g.account_id = p.account_id and g.ad_plan_id = p.ad_plan_id
),

garpun as (
    select
        s.tenant_id as tenant_id,
        s.date_day as date_day,
        'garpun' as platform,
        s.source_platform as source_platform,
        s.account_id as account_id,
        s.campaign_id as campaign_id,
        s.campaign_name as campaign_name,
        s.ad_group_id as ad_group_id,
        s.ad_id as ad_id,
        s.impressions as impressions,
        s.clicks as clicks,
        s.cost as spend_reported,
        s.cost_includes_vat as spend_includes_vat,
        s.currency as currency,
        coalesce(s.conversions, toDecimal64(0, 6)) as conversions,
        toDecimal64(0, 6) as conversions_value,
        s.is_provisional as is_provisional,
        a.timezone as timezone
    from garpun_stats as s
    left join accounts as a
        on s.tenant_id = a.tenant_id and a.platform = 'garpun' and s.account_id = a.account_id
),

-- Google Ads rows are summed over ad_network_type like Direct's; money stays in the customer's currency.
google_ads as (
    select
        tenant_id,
        date_day,
        'google_ads' as platform,
        'google_ads' as source_platform,
        account_id,
        campaign_id,
        any(campaign_name) as campaign_name,
        ad_group_id,
        ad_id,
        sum(impressions) as impressions,
        sum(clicks) as clicks,
        sum(cost) as spend_reported,
        max(cost_includes_vat) as spend_includes_vat,
        any(currency) as currency,
        sum(conversions) as conversions,
        sum(conversions_value) as conversions_value,
        max(is_provisional) as is_provisional,
        any(timezone) as timezone
    from google_ads_stats
    group by tenant_id, date_day, account_id, campaign_id, ad_group_id, ad_id
),

unioned as (
    select * from direct
    union all
    select * from vk
    union all
    select * from garpun
    union all
    select * from google_ads
),

with_vat as (
    select
        u.*,
        v.vat_rate as vat_rate
    from (select *, '{{ var("vat_country") }}' as vat_country from unioned) as u
    -- ASOF picks the latest valid_from on or before the day: the rate effective that day.
    asof left join vat_rates as v
        on u.vat_country = v.country and u.date_day >= v.valid_from
),

conformed as (
    select
        w.tenant_id as tenant_id,
        a.client_id as client_id,
        w.date_day as date_day,
        w.platform as platform,
        w.source_platform as source_platform,
        w.account_id as account_id,
        w.campaign_id as campaign_id,
        w.campaign_name as campaign_name,
        w.ad_group_id as ad_group_id,
        w.ad_id as ad_id,
        w.impressions as impressions,
        w.clicks as clicks,
        w.spend_reported as spend_reported,
        {{ spend_gross('w.spend_reported', 'w.spend_includes_vat', 'w.vat_rate') }} as spend_gross,
        {{ spend_net('w.spend_reported', 'w.spend_includes_vat', 'w.vat_rate') }} as spend_net,
        w.vat_rate as vat_rate,
        w.currency as currency,
        toDecimal64(w.conversions, 6) as conversions,
        toDecimal64(w.conversions_value, 6) as conversions_value,
        w.is_provisional as is_provisional,
        w.timezone as timezone
    from with_vat as w
    left join accounts as a
        on w.tenant_id = a.tenant_id and w.platform = a.platform and w.account_id = a.account_id
),

-- Money in the account currency stays as it is; the RUB values convert it at the Bank of Russia rate in force that
-- day (weekends and holidays: the last rate set), and the client values go on from roubles to the client's
-- reporting currency (app.clients.currency) at that currency's rate of the day. No rate → NULL and the test
-- assert_conformed_spend_has_rub_rate fails the build; a rate of 1 is never assumed for a foreign currency.
final as (
    select
        c.*,
        if(c.currency = 'RUB', toNullable(toDecimal128(1, 10)), x.fx_rate) as fx_rate_rub,
        toDecimal64(round(c.spend_gross * fx_rate_rub, 6), 6) as spend_gross_rub,
        toDecimal64(round(c.spend_net * fx_rate_rub, 6), 6) as spend_net_rub,
        toDecimal64(round(c.conversions_value * fx_rate_rub, 6), 6) as conversions_value_rub,
        if(cl.reporting_currency = '', 'RUB', cl.reporting_currency) as client_currency,
        if(client_currency = 'RUB', toNullable(toDecimal128(1, 10)), xc.client_fx_rate) as fx_rate_client_rub,
        toDecimal64(round(toDecimal128(spend_gross_rub, 16) / fx_rate_client_rub, 6), 6) as spend_gross_client,
        toDecimal64(round(toDecimal128(spend_net_rub, 16) / fx_rate_client_rub, 6), 6) as spend_net_client
    from conformed as c
    left join fx_rates as x
        on c.currency = x.fx_currency and c.date_day = x.fx_day
    left join clients as cl
        on c.tenant_id = cl.client_tenant_id and c.client_id = cl.client_key
    left join client_fx_rates as xc
        on cl.reporting_currency = xc.client_fx_currency and c.date_day = xc.client_fx_day
)

select * from final
