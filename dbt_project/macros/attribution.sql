{#- Attributes Metrika rows to an ad campaign of the same tenant and client. Order of evidence:
    1. a Direct click (ym:s:lastsignDirectClickOrder) names the Direct campaign outright;
    2. utm_campaign equal to a campaign id, or ending in one after a prefix ('ya_123', 'vk_123': UTM templates
       usually insert {campaign_id} after a channel prefix; var utm_campaign_id_regex), on the platform
       utm_source points to (any platform if none);
    3. utm_campaign equal to a campaign name, case- and space-insensitive.
    `rows_cte` needs tenant_id, client_id, direct_campaign_id, utm_source, utm_campaign; the macro returns a
    SELECT of `columns` plus platform, account_id, campaign_id and attribution_method ('' = unattributed). -#}
{% macro attribute_to_campaign(rows_cte, keys_relation, columns) -%}
    select
        {%- for c in columns %}
        r.{{ c }} as {{ c }},
        {%- endfor %}
        multiIf(
            r.direct_campaign_id != '', 'yandex_direct',
            k_id.campaign_id != '', k_id.platform,
            k_name.campaign_id != '', k_name.platform,
            ''
        ) as platform,
        multiIf(
            r.direct_campaign_id != '', k_direct.account_id,
            k_id.campaign_id != '', k_id.account_id,
            k_name.campaign_id != '', k_name.account_id,
            ''
        ) as account_id,
        multiIf(
            r.direct_campaign_id != '', r.direct_campaign_id,
            k_id.campaign_id != '', k_id.campaign_id,
            k_name.campaign_id != '', k_name.campaign_id,
            ''
        ) as campaign_id,
        multiIf(
            r.direct_campaign_id != '', 'direct_click',
            k_id.campaign_id != '', 'utm_campaign_id',
            k_name.campaign_id != '', 'utm_campaign_name',
            ''
        ) as attribution_method
    from (
        select
            *,
            multiIf(
                utm_source in {{ sql_string_tuple(var('vk_utm_sources')) }}, 'vk_ads',
                utm_source in {{ sql_string_tuple(var('yandex_utm_sources')) }}, 'yandex_direct',
                ''
            ) as platform_hint,
            if(
                match(trim(utm_campaign), '^[0-9]+$'),
                trim(utm_campaign),
                extract(trim(utm_campaign), '{{ var("utm_campaign_id_regex") }}')
            ) as utm_campaign_id_key,
            lower(trim(utm_campaign)) as utm_campaign_name_key
        from {{ rows_cte }}
    ) as r
    left join (
        select * from {{ keys_relation }} where platform_hint = 'yandex_direct' and key_kind = 'id'
    ) as k_direct
        on r.tenant_id = k_direct.tenant_id and r.client_id = k_direct.client_id
        and r.direct_campaign_id = k_direct.match_key
    left join (select * from {{ keys_relation }} where key_kind = 'id') as k_id
        on r.tenant_id = k_id.tenant_id and r.client_id = k_id.client_id
        and r.platform_hint = k_id.platform_hint and r.utm_campaign_id_key = k_id.match_key
    left join (select * from {{ keys_relation }} where key_kind = 'name') as k_name
        on r.tenant_id = k_name.tenant_id and r.client_id = k_name.client_id
        and r.platform_hint = k_name.platform_hint and r.utm_campaign_name_key = k_name.match_key
{%- endmacro %}

{#- The rows of `rows_cte` with the client that owns their analytics account (a Metrika counter, a GA4 property:
    column `account_column`) among the app.accounts of `platform`; client_id is '' when no client owns it. The
    input of attribute_to_campaign, which looks for campaigns of that client only. -#}
{% macro with_account_client(rows_cte, platform, account_column) -%}
    select
        t.*,
        a.client_id as client_id
    from {{ rows_cte }} as t
    left join (
        select * from {{ ref('stg_app__accounts') }}
        where platform = '{{ platform }}'
    ) as a
        on t.tenant_id = a.tenant_id and t.{{ account_column }} = a.account_id
{%- endmacro %}

{% macro sql_string_tuple(values) -%}
    ({%- for v in values -%}'{{ v | replace("'", "''") }}'{{ ', ' if not loop.last }}{%- endfor -%})
{%- endmacro %}
