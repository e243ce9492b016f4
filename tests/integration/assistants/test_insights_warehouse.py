import datetime as dt
import json

from assistants import insights
from assistants.insights import evaluate as ins_eval
from assistants.insights import synthetic
from assistants.llm import Gateway
from warehouse.loads import LoadLog, write_logs


def test_detectors_recall_and_false_alarms(ch):
    ch.command("DROP DATABASE IF EXISTS marts_it_ai_eval")
    res = ins_eval.run(ch, "marts_it_ai_eval", clients=2, eval_days=14, injections=20)
    assert res.recall >= 0.9, res.missed
    assert res.false_alarms_per_client_week <= 1.0, res.alarms


def test_generate_orders_stores_and_grounds(ch, ai_marts):
    found = insights.generate(ch, ai_marts["tenant"], "romashka", ai_marts["end"], marts_db=ai_marts["db"])
    spike = [i for i in found if i.type == "anomaly" and i.entity == "romashka-c1" and i.metric == "spend"]
    assert spike and spike[0].delta > 0.5 and "против обычных" in spike[0].narrative_ru
    assert spike[0].narrator.startswith("offline:")
    assert [i.type for i in found] == sorted(
        (i.type for i in found), key=lambda t: insights.detectors.TYPE_ORDER[t]
    )
    stored = insights.load(ch, ai_marts["tenant"], "romashka", ai_marts["end"])
    assert len(stored) == len(found)
    ev = json.loads(stored[0]["evidence_rows"])
    assert ev["rows"] and stored[0]["evidence_sql"].startswith("SELECT")
    # Re-running the same day replaces instead of piling up.
    insights.generate(ch, ai_marts["tenant"], "romashka", ai_marts["end"], marts_db=ai_marts["db"])
    assert len(insights.load(ch, ai_marts["tenant"], "romashka", ai_marts["end"])) == len(found)


def test_pacing_overspend_forecasts_exhaustion(ch, ai_marts):
    found = insights.generate(
        ch, ai_marts["tenant"], "acme", ai_marts["end"], marts_db=ai_marts["db"], persist=False
    )
    pace = [i for i in found if i.type == "pacing"]
    assert pace and all(i.details["status"] == "over" for i in pace)
    assert any("exhaustion_date" in i.details for i in pace)
    assert any("budget runs out" in i.narrative_en for i in pace)


def test_data_problems_are_reported_as_such_not_as_anomalies(ch):
    db, t = "marts_it_ai_health", "it_ai_health"
    ch.command(f"DROP DATABASE IF EXISTS {db}")
    start = dt.date(2026, 9, 1)
    end = start + dt.timedelta(days=59)
    synthetic.generate(ch, db, t, ["c"], start, 60, seed=5)
    # Re-insert the last day's rows: a reload that duplicated data.
    ch.command(
        f"INSERT INTO {db}.fct_ad_performance_daily SELECT * FROM {db}.fct_ad_performance_daily "
        "WHERE tenant_id = {t:String} AND date_day = {d:Date}",
        parameters={"t": t, "d": end},
    )
    found = insights.generate(ch, t, "c", end, marts_db=db, persist=False)
    assert found[0].type == "pipeline_health" and found[0].details["check"] == "duplicates"
    assert not [i for i in found if i.type == "anomaly"], (
        "doubled spend must not be narrated as a business spike"
    )
    assert "Проблема данных" in found[0].narrative_ru

    # Stale platform: as_of three days after the last loaded day.
    later = insights.generate(ch, t, "c", end + dt.timedelta(days=3), marts_db=db, persist=False)
    assert any(i.details.get("check") == "freshness" and i.severity == "critical" for i in later)


def test_failed_load_is_critical(ch):
    t = "it_ai_loadfail"
    db = "marts_it_ai_health"
    ch.insert(
        "app.accounts",
        [[t, "c", "vk_ads", "acc-1"]],
        column_names=["tenant_id", "client_id", "platform", "account_id"],
    )
    started = dt.datetime(2026, 11, 1, 8)
    failed = LoadLog(
        "r1", t, "vk_ads", "stats", "acc-1", None, None, started, status="failed", error="HTTP 503 upstream"
    )
    write_logs(ch, [failed], [None])
    synthetic.generate(ch, db, t, ["c"], dt.date(2026, 9, 1), 60, seed=6)
    found = insights.generate(ch, t, "c", dt.date(2026, 10, 30), marts_db=db, persist=False)
    fail = [i for i in found if i.details.get("check") == "load_failed"]
    assert fail and fail[0].severity == "critical" and "HTTP 503" in fail[0].narrative_en


def test_llm_narrative_with_invented_number_falls_back_to_template(ch, ai_marts, replay_server):
    found = insights.detectors.detect_all(ch, ai_marts["tenant"], "romashka", ai_marts["end"], ai_marts["db"])
    with replay_server("narrative_invented_number") as srv:
        gw = Gateway(ch=ch, api_key="sk-ant-test", base_url=srv.base_url)
        insights.narrate(found, tenant_id=ai_marts["tenant"], client_id="romashka", gateway=gw, langs=("en",))
    assert srv.received, "the real SDK must have called the recorded endpoint"
    for i in found:
        assert "42" not in i.narrative_en
        assert i.narrator.startswith("template-fallback")
