"""The Dagster side of scheduled reports: the sensor asks for each due report once (run keys), and a second
evaluation from its cursor asks for nothing; the alert job and sensor are registered in the definitions."""

from __future__ import annotations

import datetime as dt

import dagster as dg

from delivery import schedules


def test_sensor_requests_each_due_report_once(ch, warehouse_url):
    from orchestration.delivery import report_schedule_sensor
    from orchestration.resources import WarehouseResource
    from warehouse.migrate import migrate

    migrate(ch)
    ch.insert(
        "app.clients",
        [
            ["dg_t", "acme", "Acme", "RUB", "Europe/Moscow"],
            ["dg_t", "vvo", "Far East", "RUB", "Asia/Vladivostok"],
        ],
        column_names=["tenant_id", "client_id", "name", "currency", "timezone"],
    )
    for client in ("acme", "vvo"):
        schedules.save(
            ch, schedules.Schedule("dg_t", f"daily-{client}", client, "daily", local_time="09:00"), by="test"
        )
    sensor = report_schedule_sensor()
    since = dt.datetime.now(dt.UTC) - dt.timedelta(days=2)
    with dg.instance_for_test() as instance:
        ctx = dg.build_sensor_context(
            instance=instance,
            cursor=since.isoformat(),
            resources={"warehouse": WarehouseResource(url=warehouse_url)},
        )
        first = sensor(ctx)
        keys = [r.run_key for r in first.run_requests if ":dg_t:" in r.run_key]
        # a 48-hour window holds each zone's 09:00 exactly twice (neither zone has daylight saving): 4, no repeat
        assert len(keys) == 4 and len(keys) == len(set(keys))
        # Other tests' schedules share the warehouse: read this tenant's own request.
        mine = next(r for r in first.run_requests if ":dg_t:" in r.run_key)
        conf = mine.run_config["ops"]["deliver_scheduled_report"]["config"]
        assert conf["date_from"] == conf["date_to"]  # a daily report covers the day before its local day
        ctx2 = dg.build_sensor_context(
            instance=instance,
            cursor=first.cursor,
            resources={"warehouse": WarehouseResource(url=warehouse_url)},
        )
        second = sensor(ctx2)
        assert not [r for r in second.run_requests if ":dg_t:" in r.run_key]


def test_delivery_jobs_and_schedules_are_defined():
    from orchestration.definitions import build_definitions

    d = build_definitions(sandbox=True)
    assert {"report_delivery_job", "alerts_job", "weekly_backup_job"} <= {j.name for j in d.jobs}
    assert "report_schedule_sensor" in {s.name for s in d.sensors}
    assert {"alerts_schedule", "weekly_backup_schedule"} <= {s.name for s in d.schedules}


def test_alerts_job_checks_google_grants_before_the_rules(ch, warehouse_url):
    """The hourly alert job asks the OAuth endpoint about every active Google account first (the token rule's
    input), through the platform resources the definitions hold; without them the job is the rules alone."""
    from ingestion.sandbox.server import SandboxServer
    from orchestration import delivery as dg_delivery
    from orchestration.resources import WarehouseResource, platform_resource
    from warehouse.migrate import migrate

    migrate(ch)
    ch.insert(
        "app.clients",
        [["dg_tok", "acme", "Acme", "RUB", "Europe/Moscow"]],
        column_names=["tenant_id", "client_id", "name", "currency", "timezone"],
    )
    ch.insert(
        "app.accounts",
        [["dg_tok", "acme", "google_ads", "5550001111"], ["dg_tok", "acme", "ga4", "987654"]],
        column_names=["tenant_id", "client_id", "platform", "account_id"],
    )
    job = dg_delivery.alerts_job_for(["yandex_direct", "google_ads", "ga4"])
    assert [n.name for n in job.graph.node_defs] == ["check_account_tokens", "run_alert_rules"]
    assert [n.name for n in dg_delivery.alerts_job_for(["yandex_direct"]).graph.node_defs] == [
        "run_alert_rules"
    ]
    with SandboxServer(apis=["google_oauth"]) as sbx:
        op = dg_delivery.check_account_tokens_op(("google_ads", "ga4"))
        resources = {
            "warehouse": WarehouseResource(url=warehouse_url),
            "google_ads": platform_resource("google_ads", sandbox=True, sandbox_url=sbx.url("google_ads")),
            "ga4": platform_resource("ga4", sandbox=True, sandbox_url=sbx.url("ga4")),
        }
        op(dg.build_op_context(resources=resources))
    rows = ch.query(
        "SELECT platform, account_id, revoked FROM app.credential_status FINAL WHERE tenant_id = 'dg_tok' "
        "ORDER BY platform"
    ).result_rows
    assert rows == [("ga4", "987654", 0), ("google_ads", "5550001111", 0)]
