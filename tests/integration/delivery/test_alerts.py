"""Alert rules on generated data in the embedded warehouse: each rule fires on its condition, keeps silent on
the good direction, deduplicates across runs, re-alerts when worse and resolves when the condition clears."""

from __future__ import annotations

import datetime as dt

import pytest

from delivery import alerts
from warehouse.loads import LoadLog, write_logs

T = "al_t"
DB = "marts_alerts_it"
START = dt.date(2026, 3, 1)
DAYS = 70  # ends on May 9: day 9 of the plan flight (May), past the pacing rule's day 3
END = START + dt.timedelta(days=DAYS - 1)
NOW = dt.datetime.combine(END + dt.timedelta(days=1), dt.time(8, 0), tzinfo=dt.UTC)


def _rules(**kw) -> alerts.AlertRules:
    return alerts.AlertRules(**kw)


@pytest.fixture(scope="module")
def marts(ch):
    from assistants.insights import synthetic
    from warehouse.migrate import migrate

    migrate(ch)
    ch.command(f"DROP DATABASE IF EXISTS {DB}")
    inj = [
        synthetic.Injection("acme", "acme-c1", END, "cpc_spike"),
        synthetic.Injection("acme", "acme-c2", END, "ctr_drop"),
    ]
    synthetic.generate(
        ch, DB, T, ["acme", "calm"], START, DAYS, seed=7, injections=inj, plan_overspend={"acme": 1.4}
    )
    # good news for calm: triple conversions on the last day (CR up, CPA down) — never an alarm
    ch.command(
        f"ALTER TABLE {DB}.fct_ad_performance_daily UPDATE conversions = conversions * 3 "
        "WHERE client_id = 'calm' AND date_day = {d:Date}",
        parameters={"d": END},
        settings={"mutations_sync": 2},
    )
    ch.command(
        f"CREATE TABLE {DB}.fct_campaign_daily ENGINE = MergeTree ORDER BY tenant_id AS SELECT tenant_id, "
        "client_id, date_day, platform, account_id, campaign_id, any(campaign_name) AS campaign_name, "
        "sum(impressions) AS impressions, sum(clicks) AS clicks, sum(spend_net) AS spend_net "
        f"FROM {DB}.fct_ad_performance_daily GROUP BY ALL"
    )
    ch.command(
        f"ALTER TABLE {DB}.fct_campaign_daily UPDATE spend_net = 0 WHERE client_id = 'acme' "
        "AND campaign_id = 'acme-c3' AND date_day = {d:Date}",
        parameters={"d": END},
        settings={"mutations_sync": 2},
    )
    ch.insert(
        "app.accounts",
        [[T, "acme", "yandex_direct", "acme-direct-1"], [T, "acme", "vk_ads", "acme-vk-1"]],
        column_names=["tenant_id", "client_id", "platform", "account_id"],
    )
    # The direct account loaded 3 h ago; the VK account's last success is 50 h old and its latest run failed.
    runs = [
        ("r1", "yandex_direct", "acme-direct-1", "ok", 3, ""),
        ("r2", "vk_ads", "acme-vk-1", "ok", 50, ""),
        ("r3", "vk_ads", "acme-vk-1", "failed", 2, "HTTP 500 from the API"),
    ]
    at = [NOW - dt.timedelta(hours=hours) for *_, hours, _ in runs]
    write_logs(
        ch,
        [
            LoadLog(run_id, T, platform, "stats", account, None, None, t, status=status, error=error)
            for (run_id, platform, account, status, _, error), t in zip(runs, at, strict=True)
        ],
        at,
    )
    yield DB


def test_each_rule_fires_on_its_condition(ch, marts):
    got = {c.key: c for c in alerts.evaluate(ch, T, "acme", END, NOW, marts_db=marts)}
    rules = {c.rule for c in got.values()}
    assert rules == {"pacing", "anomaly", "spend_stopped", "stale", "load_failed"}, sorted(got)
    assert "anomaly:acme-c1/cpc/up" in got and "anomaly:acme-c2/ctr/down" in got
    assert "spend_stopped:acme-c3" in got
    assert "stale:vk_ads:acme-vk-1" in got and "stale:yandex_direct:acme-direct-1" not in got
    assert "load_failed:vk_ads:acme-vk-1" in got
    assert all(c.message_ru and c.message_en for c in got.values())


def test_good_news_is_not_an_alarm(ch, marts):
    from assistants.insights import detectors

    raw = detectors.anomalies(ch, T, "calm", END, marts)
    assert any(i.details["direction"] == "up" and i.metric == "cr" for i in raw), "the generated good news"
    assert not [c for c in alerts.evaluate(ch, T, "calm", END, NOW, marts_db=marts) if c.rule == "anomaly"]


def test_open_dedupe_worse_resolve_and_ack(ch, marts):
    rules = _rules(enabled=("stale",))
    first = alerts.reconcile(ch, T, "acme", alerts.evaluate(ch, T, "acme", END, NOW, rules, marts), rules)
    assert [(n.kind, n.condition.key) for n in first] == [("open", "stale:vk_ads:acme-vk-1")]
    again = alerts.reconcile(
        ch, T, "acme", alerts.evaluate(ch, T, "acme", END, NOW + dt.timedelta(hours=1), rules, marts), rules
    )
    assert again == []  # 51 h is not 25 % worse than 50 h: said once
    later = NOW + dt.timedelta(hours=20)  # 70 h: worse by 40 %
    worse = alerts.reconcile(ch, T, "acme", alerts.evaluate(ch, T, "acme", END, later, rules, marts), rules)
    assert [n.kind for n in worse] == ["worse"]
    alerts.acknowledge(ch, T, "acme", "stale:vk_ads:acme-vk-1", by="am@agency")
    assert alerts.open_alerts(ch, T, "acme")[0]["acked_by"] == "am@agency"
    ch.insert(
        "app.load_log",
        [["r4", T, "vk_ads", "stats", "acme-vk-1", "ok", later, later, ""]],
        column_names=[
            "run_id",
            "tenant_id",
            "platform",
            "report",
            "account_id",
            "status",
            "started_at",
            "finished_at",
            "error",
        ],
    )
    cleared = alerts.reconcile(ch, T, "acme", alerts.evaluate(ch, T, "acme", END, later, rules, marts), rules)
    assert [(n.kind, n.condition.key) for n in cleared] == [("resolved", "stale:vk_ads:acme-vk-1")]
    assert alerts.open_alerts(ch, T, "acme") == []
    assert "Решено" in cleared[0].text("ru") and cleared[0].text("en").startswith("Resolved")
