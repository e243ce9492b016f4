{#- Every conformed ad row has its rouble rate and its client's currency rate: non-rouble money on a day no Bank of
    Russia load covered fails the build here, listing the rows (the model leaves the converted values NULL there,
    never converts at 1). -#}
select tenant_id, client_id, platform, account_id, date_day, currency, client_currency, spend_gross
from {{ ref('int_ad_performance_unioned') }}
where fx_rate_rub is null or fx_rate_client_rub is null
