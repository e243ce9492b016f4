{#- Every conformed ad row has a rouble rate: non-rouble spend on a day no Bank of Russia load covered fails the
    build here, listing the rows (the model leaves its RUB values NULL there, never converts at 1). -#}
select tenant_id, platform, account_id, date_day, currency, spend_gross
from {{ ref('int_ad_performance_unioned') }}
where fx_rate_rub is null
