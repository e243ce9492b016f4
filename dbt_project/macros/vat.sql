{#- Gross/net of VAT from the platform's own convention (a per-row flag the loader records from the API request,
    e.g. Direct IncludeVAT) and the VAT rate effective on that day. `rate_column` comes from an ASOF join on
    app.vat_rates, never a literal multiplier (RU VAT went 20 % -> 22 % on 2026-01-01). Both branches are cast to
    Decimal64(6) on their own: ClickHouse will not mix decimal scales inside if(). -#}
{% macro spend_gross(amount, includes_vat_flag, rate_column) -%}
    if(
        {{ includes_vat_flag }} = 1,
        toDecimal64({{ amount }}, 6),
        toDecimal64(round({{ amount }} * (1 + {{ rate_column }}), 6), 6)
    )
{%- endmacro %}

{% macro spend_net(amount, includes_vat_flag, rate_column) -%}
    if(
        {{ includes_vat_flag }} = 1,
        toDecimal64(round({{ amount }} / (1 + {{ rate_column }}), 6), 6),
        toDecimal64({{ amount }}, 6)
    )
{%- endmacro %}
