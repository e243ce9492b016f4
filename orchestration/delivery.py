"""Scheduled client reports and alerts in Dagster.

`report_schedule_sensor` evaluates every client's report schedules in the client's own time zone (delivery.
schedules) over the window since its last evaluation and requests one `report_delivery_job` run per due report;
the run key (tenant, schedule, local day) makes a re-evaluated window ask nothing twice. The job builds the
report and sends it to each channel not yet delivered for that key (a retried run resends nothing).
`alerts_schedule` runs the alert rules for every active client each hour, after asking the OAuth endpoints of the
platforms with refresh grants (Google Ads, GA4) whether each account's grant still works (the token rule).
"""

# No `from __future__ import annotations`: Dagster reads the ops' config and resource annotations at definition.
import datetime as dt
from collections.abc import Sequence
from typing import Any

import dagster as dg

from orchestration.resources import ReportsResource, WarehouseResource

# How far back a sensor with no cursor looks (a fresh deployment does not replay a month of reports).
FIRST_LOOKBACK = dt.timedelta(hours=1)


class DeliveryConfig(dg.Config):
    tenant_id: str
    schedule_id: str
    local_day: str
    date_from: str
    date_to: str


@dg.op(
    description="Build one scheduled client report and deliver it to the schedule's channels "
    "(only those not yet delivered for this run key)."
)
def deliver_scheduled_report(
    context: dg.OpExecutionContext,
    config: DeliveryConfig,
    warehouse: WarehouseResource,
    reports: ReportsResource,
) -> dict[str, Any]:
    from delivery import dispatch, schedules
    from delivery import telegram as tg

    ch = warehouse.client()
    found = [s for s in schedules.load(ch, config.tenant_id) if s.schedule_id == config.schedule_id]
    if not found:
        raise dg.Failure(f"schedule {config.schedule_id} of {config.tenant_id} no longer exists")
    period = (dt.date.fromisoformat(config.date_from), dt.date.fromisoformat(config.date_to))
    due = schedules.Due(found[0], dt.date.fromisoformat(config.local_day), dt.datetime.now(dt.UTC), period)
    try:
        bot = tg.TelegramBot.from_env()
    except tg.DeliveryError:
        bot = None
    out = dispatch.deliver_report(ch, due, out_dir=reports.directory(warehouse.data_dir()), bot=bot)
    context.log.info(f"{due.run_key}: sent {out.sent}, already sent {out.skipped}")
    if not out.ok:
        raise dg.Failure(
            f"{due.run_key}: not delivered: {out.failed + out.broken}",
            metadata={"sent": out.sent, "failed": out.failed, "broken": out.broken},
        )
    return {"sent": out.sent, "skipped": out.skipped}


@dg.job(name="report_delivery_job", description="One scheduled client report, built and delivered.")
def report_delivery_job() -> None:
    deliver_scheduled_report()


def report_schedule_sensor() -> dg.SensorDefinition:
    @dg.sensor(
        name="report_schedule_sensor",
        job=report_delivery_job,
        minimum_interval_seconds=60,
        default_status=dg.DefaultSensorStatus.STOPPED,
        description="Requests each client's scheduled reports when due in the client's time zone "
        "(one run per report and day: the run key).",
    )
    def _sensor(context: dg.SensorEvaluationContext, warehouse: WarehouseResource) -> dg.SensorResult:
        from delivery import schedules

        now = dt.datetime.now(dt.UTC)
        since = dt.datetime.fromisoformat(context.cursor) if context.cursor else now - FIRST_LOOKBACK
        due = schedules.due_now(warehouse.client(), since, now)
        requests = [
            dg.RunRequest(
                run_key=d.run_key,
                run_config={
                    "ops": {
                        "deliver_scheduled_report": {
                            "config": {
                                "tenant_id": d.schedule.tenant_id,
                                "schedule_id": d.schedule.schedule_id,
                                "local_day": d.local_day.isoformat(),
                                "date_from": d.period[0].isoformat(),
                                "date_to": d.period[1].isoformat(),
                            }
                        }
                    }
                },
                tags={
                    "tenant_id": d.schedule.tenant_id,
                    "client_id": d.schedule.client_id,
                    "report_type": d.schedule.report_type,
                },
            )
            for d in due
        ]
        if not requests:
            return dg.SensorResult(skip_reason="no report due", cursor=now.isoformat())
        return dg.SensorResult(run_requests=requests, cursor=now.isoformat())

    return _sensor


def check_account_tokens_op(platforms: tuple[str, ...]) -> dg.OpDefinition:
    """An op asking each platform's OAuth endpoint about every active account's grant (delivery.tokens), with the
    platform resources the definitions hold (a platform left out of MRM_PLATFORMS is not asked)."""

    @dg.op(
        name="check_account_tokens",
        required_resource_keys={"warehouse", *platforms},
        out=dg.Out(dg.Nothing),
        description="Ask the OAuth endpoints whether each Google Ads / GA4 account's grant still works; a "
        "revoked one feeds the token alert rule.",
    )
    def _check(context: dg.OpExecutionContext) -> None:
        from delivery import tokens
        from ingestion.common import ConfigError

        settings: dict[str, Any] = {}
        for platform in platforms:
            try:
                settings[platform] = getattr(context.resources, platform).connector_settings()
            except ConfigError as exc:
                context.log.warning(f"{platform}: grants not checked, {exc}")
        found = tokens.check_all(context.resources.warehouse.client(), settings)
        revoked = sorted(k for k, v in found.items() if v == "revoked")
        context.log.info(f"{len(found)} grant(s) checked, {len(revoked)} revoked {revoked or ''}".rstrip())

    return _check


@dg.op(
    ins={"tokens_checked": dg.In(dg.Nothing)},
    description="Evaluate the alert rules for every active client and deliver what opened, worsened or "
    "resolved.",
)
def run_alert_rules(context: dg.OpExecutionContext, warehouse: WarehouseResource) -> int:
    from delivery import alerts, dispatch
    from delivery import telegram as tg
    from metrics.service import marts_db

    ch = warehouse.client()
    now = dt.datetime.now(dt.UTC)
    as_of = now.date() - dt.timedelta(days=1)
    try:
        bot = tg.TelegramBot.from_env()
    except tg.DeliveryError:
        bot = None
    total, problems = 0, []
    for tenant, client in ch.query(
        "SELECT tenant_id, client_id FROM app.clients FINAL WHERE is_active = 1"
    ).result_rows:
        notices = alerts.reconcile(
            ch, tenant, client, alerts.evaluate(ch, tenant, client, as_of, now, marts_db=marts_db())
        )
        total += len(notices)
        if notices:
            out = dispatch.deliver_notices(ch, tenant, notices, bot=bot)
            problems += out.failed + out.broken
    context.log.info(f"{total} alert notice(s)")
    if problems:
        raise dg.Failure(f"alert notices not delivered: {problems}")
    return total


def alerts_job_for(platforms: Sequence[str]) -> dg.JobDefinition:
    """The alert job: the token check for the given platforms that have refresh grants, then the rules."""
    from delivery.tokens import REFRESH_GRANT_PLATFORMS

    checked = tuple(p for p in platforms if p in REFRESH_GRANT_PLATFORMS)

    @dg.job(
        name="alerts_job", description="Account grants checked, then the alert rules for every active client."
    )
    def alerts_job() -> None:
        if checked:
            run_alert_rules(check_account_tokens_op(checked)())
        else:
            run_alert_rules()

    return alerts_job


def alerts_schedule(job: dg.JobDefinition, *, running: bool) -> dg.ScheduleDefinition:
    return dg.ScheduleDefinition(
        name="alerts_schedule",
        job=job,
        cron_schedule="15 * * * *",
        default_status=dg.DefaultScheduleStatus.RUNNING if running else dg.DefaultScheduleStatus.STOPPED,
        description="Alert rules each hour (pacing, anomalies, stale data, failed loads, account grants).",
    )
