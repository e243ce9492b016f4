-- Reach of a part never exceeds reach of the whole it belongs to, within one measure and one window:
--  * user level: a campaign's month reach <= the client's month reach across all platforms (a campaign's
--    visitors are some of the client's visitors); sketches carry ~0.3 % error past a few thousand users, so
--    1 % is allowed before calling it a violation;
--  * VK uniques: a banner's cumulative reach never shrinks as its window grows (same start, later end).
-- (Day <= month <= flight per campaign is assert_reach_window_bounds.) Returns the violating rows.
with reach as (
    select * from {{ ref('fct_campaign_reach') }}
),

campaign_months as (
    select tenant_id, client_id, window_start, campaign_id, platform, reach
    from reach
    where reach_source = 'user_level' and window_grain = 'month' and platform != 'all'
),

client_months as (
    select tenant_id, client_id, window_start, reach
    from reach
    where reach_source = 'user_level' and window_grain = 'month' and platform = 'all'
),

campaign_above_client as (
    select
        c.tenant_id as tenant_id,
        c.client_id as client_id,
        'campaign month above client month' as violation,
        c.platform as platform,
        c.campaign_id as part,
        c.window_start as window_start,
        c.reach as part_reach,
        w.reach as whole_reach
    from campaign_months as c
    inner join client_months as w
        on c.tenant_id = w.tenant_id and c.client_id = w.client_id and c.window_start = w.window_start
    where c.reach > w.reach * 1.01
),

vk_cumulative as (
    select
        tenant_id,
        client_id,
        account_id,
        ad_id,
        window_start,
        window_end,
        reach,
        max(reach) over (
            partition by tenant_id, client_id, account_id, ad_id, window_start order by window_end
            rows between unbounded preceding and 1 preceding
        ) as reach_before
    from reach
    where measured_by = 'vk_uniques'
),

vk_shrinking as (
    select
        tenant_id,
        client_id,
        'vk banner reach shrank as its window grew' as violation,
        'vk_ads' as platform,
        ad_id as part,
        window_start,
        reach_before as part_reach,
        reach as whole_reach
    from vk_cumulative
    where reach < reach_before
)

select * from campaign_above_client
union all
select * from vk_shrinking
