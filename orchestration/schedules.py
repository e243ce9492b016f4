"""The daily run: 07:00 Moscow, yesterday's partition of everything (raw → dbt → checks → AI → e-mail)."""

from typing import Any

import dagster as dg


def daily_schedule(job: Any, *, running: bool) -> dg.ScheduleDefinition:
    """Yesterday's Moscow partition at 07:00 Moscow: platforms have closed the day, people are not at work yet."""
    return dg.build_schedule_from_partitioned_job(
        job,
        name="daily_platform_schedule",
        hour_of_day=7,
        minute_of_hour=0,
        description="Daily client reports: loads yesterday (re-pulling each platform's restatement window), builds "
        "the marts, checks them, writes insights and reports and e-mails them.",
        default_status=dg.DefaultScheduleStatus.RUNNING if running else dg.DefaultScheduleStatus.STOPPED,
    )
