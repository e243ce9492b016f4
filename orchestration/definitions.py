"""The code location: `dagster dev -m orchestration.definitions` (see orchestration/cli.py).

`build_definitions()` is what tests, the demo and the benchmark call with explicit arguments. The loader `defs`
reads two non-secret switches when Dagster loads the location (never at import): MRM_DAGSTER_SANDBOX=1 points the
platform resources at the local emulators, MRM_PLATFORMS (comma list) limits the platforms. Secrets stay EnvVar.
"""

import os
from collections.abc import Mapping, Sequence

import dagster as dg

from ingestion.platforms import BY_PLATFORM, PLATFORM_NAMES
from orchestration import account_sync, delivery, jobs, lifecycle, reference, resources, schedules, sensors
from orchestration.ai import assets as ai_assets
from orchestration.ai import checks as ai_checks
from orchestration.dbt_models import assets as dbt_assets_mod
from orchestration.dbt_models import checks as dbt_checks
from orchestration.grants import grant_renewal_schedule
from orchestration.media_plans import assets as plan_assets
from orchestration.media_plans import checks as plan_checks
from orchestration.raw import platform_raw_assets

# Every registered platform (ingestion.platforms) gets its raw multi-asset, resource and pool.
RAW_ASSETS = {p: platform_raw_assets(p) for p in PLATFORM_NAMES}

# app.* tables written outside Dagster (provisioning, loads' window registry): shown so lineage is complete.
EXTERNAL_APP_TABLES = {
    "tenants": "Tenants (agencies), provisioned with `mrm tenants`.",
    "clients": "Clients of each tenant, with report language and recipients.",
    "accounts": "Ad-platform accounts → client, time zone, currency, VAT convention; drives every raw load.",
    "vat_rates": "Effective-dated VAT rates, the same rows as ingestion.common.vat.VAT_RATES (a test compares them).",
    "raw_window_versions": "Current load id per raw table, tenant, account and day (atomic window switch).",
    "campaign_mappings": "Manual plan-line ↔ campaign links kept in the app.",
    "media_plan_lines_approved": "Lines of each plan's current approved or active version (a view): plan vs fact "
    "reads these, never drafts or rejected versions.",
}
# Reference data outside the platform multi-assets (none today: the Bank of Russia rates are the asset
# orchestration.reference.cbr_fx_daily).
EXTERNAL_RAW_TABLES: dict[tuple[str, str], str] = {}


def external_app_assets() -> list[dg.AssetSpec]:
    return [
        dg.AssetSpec(["app", name], group_name="app", description=desc, kinds={"clickhouse"})
        for name, desc in EXTERNAL_APP_TABLES.items()
    ] + [
        dg.AssetSpec([db, table], group_name=db, description=desc, kinds={"clickhouse"})
        for (db, table), desc in EXTERNAL_RAW_TABLES.items()
    ]


def build_definitions(
    *,
    sandbox: bool = False,
    sandbox_urls: Mapping[str, str] | None = None,
    today: str = "",
    platforms: Sequence[str] = PLATFORM_NAMES,
    warehouse_url: str = "",
    smtp: resources.SmtpResource | None = None,
    reports_dir: str = "",
    doc_paths: Sequence[str] = (),
) -> dg.Definitions:
    """The whole platform graph with its resources. `sandbox_urls` maps API prefixes (direct, metrika, vk, garpun)
    to emulator URLs; without them sandbox mode finds a running `mrm sandbox` or starts one in-process."""
    unknown = set(platforms) - set(PLATFORM_NAMES)
    if unknown:
        raise ValueError(f"unknown platforms {sorted(unknown)}; known: {', '.join(PLATFORM_NAMES)}")
    urls = dict(sandbox_urls or {})
    platform_resources = {
        p: resources.platform_resource(
            p, sandbox=sandbox, sandbox_url=urls.get(BY_PLATFORM[p].sandbox_api, ""), today=today
        )
        for p in platforms
    }
    if smtp is None:
        smtp = (
            resources.SmtpResource()
            if sandbox
            else resources.SmtpResource(
                host=dg.EnvVar("MRM_SMTP_HOST"),
                port=dg.EnvVar.int("MRM_SMTP_PORT"),
                sender=dg.EnvVar("MRM_SMTP_FROM"),
            )
        )
    # raw_cbr: the exchange rates the conformed model needs for every non-rouble account (reference.py)
    groups = (*(f"raw_{p}" for p in platforms), "raw_cbr")
    daily_job = jobs.daily_platform_job(groups)
    alerts_job = delivery.alerts_job_for(platforms)
    plan_job = jobs.media_plan_import_job()
    return dg.Definitions(
        assets=[
            *(RAW_ASSETS[p] for p in platforms),
            dbt_assets_mod.build_dbt_assets(),
            ai_assets.client_insights,
            ai_assets.client_reports,
            ai_assets.client_report_emails,
            ai_assets.knowledge_base_embeddings,
            plan_assets.media_plans,
            reference.cbr_fx_daily,
            *external_app_assets(),
        ],
        asset_checks=[
            dbt_checks.marts_quality,
            ai_checks.report_totals_match_mart,
            plan_checks.every_plan_has_current_lines,
        ],
        jobs=[
            daily_job,
            jobs.platform_job(groups),
            jobs.ai_refresh_job(),
            plan_job,
            delivery.report_delivery_job,
            alerts_job,
            lifecycle.weekly_backup_job,
            *account_sync.sync_jobs(platforms),
        ],
        schedules=[
            schedules.daily_schedule(daily_job, running=not sandbox),
            delivery.alerts_schedule(alerts_job, running=not sandbox),
            lifecycle.weekly_backup_schedule(running=not sandbox),
            grant_renewal_schedule(platforms, running=not sandbox),
        ],
        sensors=[
            sensors.media_plan_inbox_sensor(plan_job),
            sensors.ai_automation_sensor(running=not sandbox),
            delivery.report_schedule_sensor(),
        ],
        resources={
            "warehouse": resources.WarehouseResource(url=warehouse_url),
            "dbt": dbt_assets_mod.dbt_resource(),
            **platform_resources,
            "llm": resources.LlmResource(),
            "knowledge_base": resources.KnowledgeBaseResource(doc_paths=list(doc_paths)),
            "smtp": smtp,
            "reports": resources.ReportsResource(out_dir=reports_dir),
            "cbr": reference.CbrResource(sandbox=sandbox, sandbox_url=urls.get("cbr", "")),
        },
        # Per-step processes cost seconds on a 2-core machine: one process per run, parallelism inside steps.
        executor=dg.in_process_executor,
    )


@dg.definitions
def defs() -> dg.Definitions:
    """Loaded by `dagster dev` / the webserver; the two switches are read here, at load time, not at import."""
    sandbox = os.environ.get("MRM_DAGSTER_SANDBOX", "") in ("1", "true", "yes")
    chosen = [
        p.strip() for p in os.environ.get("MRM_PLATFORMS", ",".join(PLATFORM_NAMES)).split(",") if p.strip()
    ]
    return build_definitions(sandbox=sandbox, platforms=chosen)
