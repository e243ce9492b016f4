{#- Incremental by calendar month: day, month and VK cumulative rows live in the month of their window, so a daily
    run rebuilds one month (the window is widened to whole months) instead of every day and month of history.
    Rows whose window is the whole history (user-level 'flight', the campaign's data span) and the report-level
    Direct R&F rows live in partition 0 and are rebuilt by every run; the flight rows are read from
    fct_campaign_reach_flight_states (each campaign's newest flight-to-date row, kept incrementally with the exact
    1+ … 5+ counts) and the day and month distributions from fct_campaign_reach_frequency_steps, so no run reads
    visits or visitors: a month's rows are rebuilt from rows per campaign and day. -#}
{{
    config(
        materialized='incremental',
        incremental_strategy='insert_overwrite',
        partition_by="multiIf(window_grain IN ('day', 'month'), toYYYYMM(window_start), "
                     ~ "window_grain = 'cumulative', toYYYYMM(window_end), 0)",
        order_by='(tenant_id, client_id, reach_source, window_grain, window_start, window_end, platform, '
                 ~ 'account_id, campaign_id, ad_id)',
        engine='MergeTree()',
        on_schema_change='fail'
    )
}}
{#- Reach is non-additive, so every row states the window it was measured over and how:
    - platform_reported / direct_rf: Yandex Direct R&F report, campaign level, at the report's own window;
    - platform_reported / vk_uniques: VK uniques.total per banner, cumulative from the banner's start to
      window_end (VK does not report campaign-level uniques through this endpoint). Only banners that started
      inside our loaded history: for an older one neither the window's start nor the impressions before our
      first day are known, so its reach could be stated against no real window and with too few contacts
      (frequency below 1) — a load from the banner's start brings it in;
    - user_level / metrika_visitors: deduplicated site visitors per campaign for each day, calendar month and
      the whole data span ('flight'), merged from uniqCombined states, plus the client-wide cross-campaign,
      cross-platform deduplication (platform = 'all'). Frequency distribution (1+ … 5+) is exact: the visit
      numbers counted per day and month in fct_campaign_reach_frequency_steps.
    For other windows or campaign sets, merge fct_campaign_reach_states_daily. -#}
with direct_rf as (
    select * from {{ ref('stg_yandex_direct__reach_frequency') }}
),

vk_stats as (
    select * from {{ ref('stg_vk_ads__banner_stats_daily') }}
),

vk_ads as (
    select * from {{ ref('int_ad_performance_unioned') }}
    where platform = 'vk_ads' and {{ incremental_window_filter(period='month', this_column='window_end') }}
),

accounts as (
    select * from {{ ref('stg_app__accounts') }}
),

states_in_window as (
    select * from {{ ref('fct_campaign_reach_states_daily') }}
    where {{ incremental_window_filter(period='month', this_column='window_end') }}
),

flight_states as (
    select * from {{ ref('fct_campaign_reach_flight_states') }}
),

steps_in_window as (
    -- who made their k-th visit of the day, of the campaign's month and of the client's month, per day
    select * from {{ ref('fct_campaign_reach_frequency_steps') }}
    where scope in ('day', 'month') and {{ incremental_window_filter(period='month', this_column='window_end') }}
),

direct_reported as (
    select
        r.tenant_id as tenant_id,
        a.client_id as client_id,
        'platform_reported' as reach_source,
        'direct_rf' as measured_by,
        'reported' as window_grain,
        r.window_start as window_start,
        r.window_end as window_end,
        'yandex_direct' as platform,
        r.account_id as account_id,
        r.campaign_id as campaign_id,
        '' as ad_id,
        r.reach as reach,
        r.impressions as impressions,
        {{ no_reach_distribution() }}
    from direct_rf as r
    left join accounts as a
        on r.tenant_id = a.tenant_id and a.platform = 'yandex_direct' and r.account_id = a.account_id
),

vk_banner_cumulative as (
    select
        s.tenant_id as tenant_id,
        s.account_id as account_id,
        s.banner_id as banner_id,
        s.date_day as date_day,
        s.uniques_total as uniques_total,
        min(s.date_day) over (partition by s.tenant_id, s.account_id, s.banner_id) as first_day,
        -- uniques before our first loaded day: 0 means the banner started inside our history
        argMin(s.uniques_initial_total, s.date_day) over (
            partition by s.tenant_id, s.account_id, s.banner_id
        ) as initial_at_first_day,
        sum(s.impressions) over (
            partition by s.tenant_id, s.account_id, s.banner_id order by s.date_day
            rows between unbounded preceding and current row
        ) as impressions_to_date
    from vk_stats as s
    where s.uniques_total > 0
),

vk_reported as (
    select
        b.tenant_id as tenant_id,
        u.client_id as client_id,
        'platform_reported' as reach_source,
        'vk_uniques' as measured_by,
        'cumulative' as window_grain,
        -- VK counts from the banner's start, which is our first loaded day (older banners are left out below)
        b.first_day as window_start,
        b.date_day as window_end,
        'vk_ads' as platform,
        b.account_id as account_id,
        u.campaign_id as campaign_id,
        b.banner_id as ad_id,
        b.uniques_total as reach,
        toUInt64(b.impressions_to_date) as impressions,
        {{ no_reach_distribution() }}
    from vk_banner_cumulative as b
    left join vk_ads as u
        on
            b.tenant_id = u.tenant_id and b.account_id = u.account_id and b.banner_id = u.ad_id
            and b.date_day = u.date_day
    where
        b.initial_at_first_day = 0
        and {{ incremental_window_filter('b.date_day', period='month', this_column='window_end') }}
),

state_windows as (
    select
        'day' as window_grain,
        date_day as window_start,
        date_day as window_end,
        *
    from states_in_window
    union all
    select
        'month' as window_grain,
        toStartOfMonth(date_day) as window_start,
        toLastDayOfMonth(date_day) as window_end,
        *
    from states_in_window
),

sketched_campaign as (
    select
        {{ reach_window_key() }},
        platform,
        account_id,
        campaign_id,
        uniqCombinedMerge(users_state) as reach,
        sum(contacts) as contacts
    from state_windows
    group by {{ reach_window_key() }}, platform, account_id, campaign_id
),

sketched_client as (
    select
        {{ reach_window_key() }},
        'all' as platform,
        '' as account_id,
        '' as campaign_id,
        uniqCombinedMerge(users_state) as reach,
        sum(contacts) as contacts
    from state_windows
    where window_grain = 'month'
    group by {{ reach_window_key() }}
),

distribution as (
    -- exact reach 1+ … 5+ per day and month window (campaign rows and the client's platform 'all' row), from the
    -- counted visit numbers: no pass over the visitors
    select
        tenant_id,
        client_id,
        scope as window_grain,
        if(scope = 'day', date_day, toStartOfMonth(date_day)) as window_start,
        platform,
        account_id,
        campaign_id,
        {{ reach_distribution_from_steps() }}
    from steps_in_window
    group by tenant_id, client_id, window_grain, window_start, platform, account_id, campaign_id
),

sketched as (
    select * from sketched_campaign
    union all
    select * from sketched_client
),

user_level as (
    select
        s.tenant_id as tenant_id,
        s.client_id as client_id,
        'user_level' as reach_source,
        'metrika_visitors' as measured_by,
        s.window_grain as window_grain,
        s.window_start as window_start,
        s.window_end as window_end,
        s.platform as platform,
        s.account_id as account_id,
        s.campaign_id as campaign_id,
        '' as ad_id,
        toUInt64(s.reach) as reach,
        toUInt64(s.contacts) as impressions,
        {{ for_each_level('cast(d.reach_{k}plus as Nullable(UInt64)) as reach_{k}plus') }}
    from sketched as s
    left join distribution as d
        on
            s.tenant_id = d.tenant_id and s.client_id = d.client_id and s.window_grain = d.window_grain
            and s.window_start = d.window_start and s.platform = d.platform and s.account_id = d.account_id
            and s.campaign_id = d.campaign_id
    union all
    -- the whole data span per campaign ('flight', first to last day with user-level data): its newest row
    select
        tenant_id,
        client_id,
        'user_level' as reach_source,
        'metrika_visitors' as measured_by,
        'flight' as window_grain,
        min(flight_start) as window_start,
        max(date_day) as window_end,
        platform,
        account_id,
        campaign_id,
        '' as ad_id,
        argMax(reach, date_day) as reach,
        argMax(contacts, date_day) as impressions,
        {{ for_each_level('cast(argMax(reach_{k}plus, date_day) as Nullable(UInt64)) as reach_{k}plus') }}
    from flight_states
    group by tenant_id, client_id, platform, account_id, campaign_id
),

unioned as (
    select * from direct_reported
    union all
    select * from vk_reported
    union all
    select * from user_level
),

final as (
    select
        tenant_id,
        client_id,
        reach_source,
        measured_by,
        window_grain,
        window_start,
        window_end,
        platform,
        account_id,
        campaign_id,
        ad_id,
        reach,
        -- impressions for platform rows; visits (contacts) for user-level rows
        impressions as contacts,
        if(reach = 0, null, impressions / reach) as avg_frequency,
        {{ for_each_level('reach_{k}plus') }}
    from unioned
)

select * from final
