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
        conf = first.run_requests[0].run_config["ops"]["deliver_scheduled_report"]["config"]
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
