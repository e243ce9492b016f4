{{ config(
    materialized='table', engine='MergeTree()',
    order_by='(tenant_id, client_id, key_kind, match_key, platform_hint)'
) }}
{#- Lookup used to attribute Metrika traffic and media-plan lines to campaigns. Each campaign is findable by id
    and by normalised name, both under its own platform and under platform '' (no hint). When two campaigns of
    one client share a key, the smallest (platform, account, campaign id) wins so attribution is deterministic;
    name clashes are reported by a test rather than guessed at. One row per lookup key below. -#}
{%- set lookup_key = 'tenant_id, client_id, platform_hint, key_kind, match_key' -%}
with campaigns as (
    select * from {{ ref('int_campaigns_conformed') }}
    where client_id != ''
),

keys as (
    select
        {{ campaign_key() }},
        'id' as key_kind,
        campaign_id as match_key
    from campaigns
    union all
    select
        {{ campaign_key() }},
        'name' as key_kind,
        lower(trim(campaign_name)) as match_key
    from campaigns
    where trim(campaign_name) != ''
),

hinted as (
    {%- for hint in ['platform', "''"] %}
    select
        tenant_id,
        client_id,
        {{ hint }} as platform_hint,
        key_kind,
        match_key,
        platform,
        account_id,
        campaign_id
    from keys
    {{- '\n    union all' if not loop.last }}
    {%- endfor %}
),

best as (
    select
        {{ lookup_key }},
        min((platform, account_id, campaign_id)) as winner,
        count() as candidates
    from hinted
    group by {{ lookup_key }}
),

final as (
    select
        tenant_id,
        client_id,
        platform_hint,
        key_kind,
        match_key,
        tupleElement(winner, 1) as platform,
        tupleElement(winner, 2) as account_id,
        tupleElement(winner, 3) as campaign_id,
        candidates
    from best
)

select * from final
