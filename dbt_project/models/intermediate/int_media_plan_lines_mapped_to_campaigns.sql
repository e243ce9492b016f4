{#- Media-plan lines (latest committed version) linked to platform campaigns of the same tenant and client:
    by the campaign id written in the plan, else by campaign name, unless a person has decided the line's links in
    app.campaign_mappings (accepted, overridden or 'unlinked'): then only those decisions count. A line may map to
    several campaigns; a campaign found twice for one line counts once. -#}
with lines as (
    select * from {{ ref('stg_app__media_plan_lines') }}
),

mappings as (
    select * from {{ ref('stg_app__campaign_mappings') }}
),

keys as (
    select * from {{ ref('int_campaign_match_keys') }}
),

id_keys as (
    select * from keys
    where key_kind = 'id'
),

decided_lines as (
    select distinct
        tenant_id,
        client_id,
        plan_id,
        line_id
    from mappings
),

line_keys as (
    select
        {{ plan_line_key() }},
        -- a plan's platform is only a hint when it is one of ours ('tv', 'other' … match nothing)
        if(platform in ('yandex_direct', 'vk_ads', 'garpun'), platform, '') as platform_hint,
        if(platform_campaign_id != '', 'id', 'name') as key_kind,
        if(platform_campaign_id != '', platform_campaign_id, lower(campaign_name)) as match_key
    from lines
    where platform_campaign_id != '' or campaign_name != ''
),

-- once a person decided a line's links, the file's id or name no longer links it
undecided_line_keys as (
    select l.*
    from line_keys as l
    left join decided_lines as d
        on l.tenant_id = d.tenant_id and l.client_id = d.client_id and l.plan_id = d.plan_id and l.line_id = d.line_id
    where coalesce(d.line_id, '') = ''
),

from_plan_file as (
    select
        {{ plan_line_key('l') }},
        k.platform as platform,
        k.account_id as account_id,
        k.campaign_id as campaign_id,
        concat('plan_', l.key_kind) as match_method
    from undecided_line_keys as l
    inner join keys as k
        on
            l.tenant_id = k.tenant_id and l.client_id = k.client_id and l.platform_hint = k.platform_hint
            and l.key_kind = k.key_kind and l.match_key = k.match_key
),

from_mapping_table as (
    select
        {{ plan_line_key('l') }},
        m.platform as platform,
        -- a mapping row may omit the account; take it from the campaign itself
        if(m.account_id != '', m.account_id, k.account_id) as account_id,
        m.campaign_id as campaign_id,
        toString(m.match_method) as match_method
    from mappings as m
    inner join lines as l
        on m.tenant_id = l.tenant_id and m.client_id = l.client_id and m.plan_id = l.plan_id and m.line_id = l.line_id
    left join id_keys as k
        on
            m.tenant_id = k.tenant_id and m.client_id = k.client_id and m.platform = k.platform_hint
            and m.campaign_id = k.match_key
    -- an 'unlinked' decision is a line with no campaign on purpose
    where m.match_method != 'unlinked'
),

all_links as (
    select * from from_plan_file
    union all
    select * from from_mapping_table
),

final as (
    select
        {{ plan_line_key() }},
        platform,
        account_id,
        campaign_id,
        -- manual decisions outrank what the file implied
        argMax(
            match_method, indexOf(['plan_name', 'plan_id', 'name', 'utm', 'id', 'llm', 'manual'], match_method)
        ) as match_method
    from all_links
    group by {{ plan_line_key() }}, platform, account_id, campaign_id
)

select * from final
