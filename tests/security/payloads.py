"""SQL-injection and tenant-escape payloads used against every filter and parameter of the app and the CLI."""

from __future__ import annotations

SQLI = [
    "' OR '1'='1",
    "acme' OR tenant_id = 'sec_t2' --",
    "acme'/*",
    "acme' -- ",
    "acme\\' OR 1=1 #",
    "acme') OR ('1'='1",
    "x' UNION ALL SELECT * FROM marts_sec.fct_ad_performance_daily WHERE tenant_id = 'sec_t2' --",
    "' UNION SELECT name, password_hash, role FROM app.users --",
    "acme; DROP TABLE app.clients",
    "acme'; DROP DATABASE marts_sec; --",
    "acme' AND 0 UNION ALL SELECT line FROM file('/etc/passwd', 'LineAsString') --",
    "' || (SELECT * FROM url('http://127.0.0.1:1/x', 'CSV', 'a String')) || '",
    "' UNION ALL SELECT * FROM loop(marts_sec.fct_ad_performance_daily) --",
    "' UNION ALL SELECT * FROM mergeTreeIndex('marts_sec', 'fct_ad_performance_daily') --",
    "' UNION ALL SELECT * FROM mergeTreeProjection('marts_sec', 'fct_ad_performance_daily', 'p') --",
    "{tenant:String}",
    "{t:String}' OR '1'='1",
    "%s%s%s%n",
    "{0.__class__}",
    "$(cat /etc/passwd)",
    "acme\x00' OR 1=1",
    "sec_t2",
    "../sec_t2/globex",
    "acme\nSETTINGS readonly=0",
    "a" * 5000,
]

# Inputs that must reach the engine only as bound values: each contains this marker, which the SQL text never may.
SQL_MARKER = "zq9marker"
