"""Insights, client reports, their e-mail delivery and knowledge-base embeddings, per Moscow day.

Declarative automation keeps them behind the marts (eager: a new mart partition re-runs them); the daily job also
runs them right after dbt. Each loops over active clients; one client's failure does not hide the others, but the
step fails at the end naming every failed client.
"""

import datetime as dt
from typing import Any

import dagster as dg

from orchestration.ai.partitions import report_period
from orchestration.freshness import DAILY
from orchestration.partitions import context_days, daily_partitions
from orchestration.resources import (
    KnowledgeBaseResource,
    LlmResource,
    ReportsResource,
    SmtpResource,
    WarehouseResource,
)

MARTS = [
    dg.AssetKey(["marts", t])
    for t in (
        "fct_ad_performance_daily",
        "fct_channel_daily",
        "fct_campaign_performance",
        "fct_plan_vs_fact_daily",
    )
]
INSIGHTS = dg.AssetKey(["app", "insights"])
REPORTS = dg.AssetKey(["reports", "client_reports"])
EMAILS = dg.AssetKey(["reports", "client_report_emails"])
EMBEDDINGS = dg.AssetKey(["app", "kb_chunks"])
AUTOMATION = dg.AutomationCondition.eager()


class ClientsConfig(dg.Config):
    """Limit a run to some tenants (default: every tenant with active clients)."""

    tenants: list[str] = []


def active_clients(ch: Any, tenants: list[str]) -> list[tuple[str, str, str, list[str]]]:
    """(tenant_id, client_id, report_language, recipients) of active clients, optionally for some tenants."""
    rows = ch.query(
        "SELECT tenant_id, client_id, report_language, report_recipients FROM app.clients FINAL WHERE is_active = 1 "
        "AND (length({t:Array(String)}) = 0 OR has({t:Array(String)}, tenant_id)) ORDER BY tenant_id, client_id",
        parameters={"t": list(tenants)},
    ).result_rows
    return [(str(t), str(c), str(lang or "ru"), list(r or [])) for t, c, lang, r in rows]


def clients_with_data(
    ch: Any, clients: list[tuple[str, str, str, list[str]]], first: dt.date, last: dt.date
) -> tuple[list[tuple[str, str, str, list[str]]], list[str]]:
    """Split clients into those with mart rows in [first, last] and the names of those without."""
    have = {
        (str(t), str(c))
        for t, c in ch.query(
            "SELECT DISTINCT tenant_id, client_id FROM marts.fct_ad_performance_daily "
            "WHERE date_day BETWEEN {f:Date} AND {t:Date}",
            parameters={"f": first, "t": last},
        ).result_rows
    }
    keep = [cl for cl in clients if (cl[0], cl[1]) in have]
    return keep, [f"{t}/{c}" for t, c, *_ in clients if (t, c) not in have]


def _raise_if_failed(what: str, failed: list[str], done: int) -> None:
    if failed:
        raise dg.Failure(
            f"{what} failed for {len(failed)} client(s) ({done} succeeded): " + "; ".join(failed)[:3000],
            allow_retries=False,
        )


@dg.asset(
    key=INSIGHTS,
    deps=MARTS,
    partitions_def=daily_partitions,
    group_name="ai",
    kinds={"python", "clickhouse"},
    automation_condition=AUTOMATION,
    backfill_policy=dg.BackfillPolicy.single_run(),
    pool="llm",
    description="Grounded insights per client for the day (pipeline health first), narrated RU/EN → app.insights.",
)
def client_insights(
    context: dg.AssetExecutionContext, config: ClientsConfig, warehouse: WarehouseResource, llm: LlmResource
) -> dg.MaterializeResult:
    from assistants import insights

    _, as_of = context_days(context)
    ch = warehouse.client()
    clients, skipped = clients_with_data(
        ch, active_clients(ch, config.tenants), as_of - dt.timedelta(days=6), as_of
    )
    if skipped:
        context.log.warning(f"no mart rows in the week to {as_of} for: {', '.join(skipped)}")
    gateway = llm.gateway(ch)
    counts: dict[str, int] = {}
    failed: list[str] = []
    for tenant_id, client_id, _, _ in clients:
        try:
            counts[f"{tenant_id}/{client_id}"] = len(
                insights.generate(ch, tenant_id, client_id, as_of, gateway=gateway)
            )
        except Exception as exc:  # collected: every failing client is named below
            context.log.error(f"insights for {tenant_id}/{client_id}: {exc}")
            failed.append(f"{tenant_id}/{client_id}: {exc}")
    _raise_if_failed("insights", failed, len(counts))
    ch.close()
    return dg.MaterializeResult(
        metadata={
            "as_of": str(as_of),
            "clients": len(counts),
            "insights": sum(counts.values()),
            "skipped_no_data": len(skipped),
            "per_client": dg.MetadataValue.json(counts),
            "narrator": "offline template" if gateway.offline else gateway.model,
        }
    )


@dg.asset(
    key=REPORTS,
    deps=[INSIGHTS, *MARTS],
    partitions_def=daily_partitions,
    group_name="reports",
    kinds={"python", "pdf"},
    automation_condition=AUTOMATION,
    backfill_policy=dg.BackfillPolicy.single_run(),
    pool="llm",
    freshness_policy=DAILY.dagster_policy(),
    description="XLSX + PDF client reports (client's language) for the trailing period ending on the day; "
    "numbers frozen in app.report_runs.",
)
def client_reports(
    context: dg.AssetExecutionContext,
    config: ClientsConfig,
    warehouse: WarehouseResource,
    llm: LlmResource,
    reports: ReportsResource,
) -> dg.MaterializeResult:
    from assistants.reports import build_report

    _, as_of = context_days(context)
    ch = warehouse.client()
    period = report_period(as_of, reports.period_days)
    first = as_of - dt.timedelta(days=reports.period_days - 1)
    clients, skipped = clients_with_data(ch, active_clients(ch, config.tenants), first, as_of)
    out_root = reports.directory(warehouse.data_dir())
    gateway = llm.gateway(ch)
    files: list[str] = []
    failed: list[str] = []
    for tenant_id, client_id, lang, _ in clients:
        try:
            built = build_report(
                ch,
                tenant_id,
                client_id,
                period,
                lang if lang in ("ru", "en") else "ru",
                out_root / tenant_id,
                gateway=gateway,
            )
            files += [str(built.xlsx), str(built.pdf)]
        except Exception as exc:  # collected: every failing client is named below
            context.log.error(f"report for {tenant_id}/{client_id}: {exc}")
            failed.append(f"{tenant_id}/{client_id}: {exc}")
    _raise_if_failed("client reports", failed, len(files) // 2)
    ch.close()
    return dg.MaterializeResult(
        metadata={
            "period": period,
            "reports": len(files) // 2,
            "files": "\n".join(files),
            "skipped_no_data": ", ".join(skipped) or "none",
            "folder": dg.MetadataValue.path(str(out_root)),
        }
    )


def _already_sent(ch: Any, files: Any) -> bool:
    """True when the latest state of this frozen report run is `sent` (the step delivered it before)."""
    rows = ch.query(
        "SELECT status FROM app.report_runs FINAL WHERE tenant_id = {t:String} AND client_id = {c:String} "
        "AND run_id = {r:String} ORDER BY updated_at DESC LIMIT 1",
        parameters={"t": files.tenant_id, "c": files.client_id, "r": files.run_id},
    ).result_rows
    return bool(rows) and rows[0][0] == "sent"


@dg.asset(
    key=EMAILS,
    deps=[REPORTS],
    partitions_def=daily_partitions,
    group_name="reports",
    kinds={"email"},
    backfill_policy=dg.BackfillPolicy.single_run(),
    description="E-mails each client's frozen report files (not a rebuild) to its report recipients over SMTP.",
)
def client_report_emails(
    context: dg.AssetExecutionContext,
    config: ClientsConfig,
    warehouse: WarehouseResource,
    reports: ReportsResource,
    smtp: SmtpResource,
) -> dg.MaterializeResult:
    from assistants.reports import load_run, send_report

    _, as_of = context_days(context)
    ch = warehouse.client()
    period = report_period(as_of, reports.period_days)
    sent: dict[str, list[str]] = {}
    no_recipients: list[str] = []
    already_sent: list[str] = []
    failed: list[str] = []
    # Same rule as client_reports: a client without data in the period has no report to send (named below).
    clients, no_data = clients_with_data(
        ch, active_clients(ch, config.tenants), as_of - dt.timedelta(days=reports.period_days - 1), as_of
    )
    if no_data:
        context.log.warning(f"no report for {', '.join(no_data)}: no mart rows in {period}")
    for tenant_id, client_id, lang, recipients in clients:
        if not recipients:
            no_recipients.append(f"{tenant_id}/{client_id}")
            continue
        try:
            files = load_run(ch, tenant_id, client_id, period, lang if lang in ("ru", "en") else "ru")
            if _already_sent(ch, files):
                # A rerun of this step (after another client's send failed) must not e-mail the same run twice.
                already_sent.append(f"{tenant_id}/{client_id}")
                continue
            sent[f"{tenant_id}/{client_id}"] = send_report(ch, files, **smtp.send_kwargs())
        except Exception as exc:  # collected: every failing client is named below
            context.log.error(f"e-mail for {tenant_id}/{client_id}: {exc}")
            failed.append(f"{tenant_id}/{client_id}: {exc}")
    if no_recipients:
        context.log.warning(
            f"no report recipients configured (app.clients.report_recipients): {', '.join(no_recipients)}"
        )
    _raise_if_failed("report e-mail", failed, len(sent))
    ch.close()
    return dg.MaterializeResult(
        metadata={
            "period": period,
            "emails": len(sent),
            "recipients": dg.MetadataValue.json(sent),
            "without_recipients": ", ".join(no_recipients) or "none",
            "already_sent": ", ".join(already_sent) or "none",
            "skipped_no_data": ", ".join(no_data) or "none",
        }
    )


@dg.asset(
    key=EMBEDDINGS,
    deps=[REPORTS],
    partitions_def=daily_partitions,
    group_name="ai",
    kinds={"python"},
    automation_condition=AUTOMATION,
    backfill_policy=dg.BackfillPolicy.single_run(),
    description="Knowledge base: new or changed documents and this day's reports chunked and embedded per "
    "tenant (unchanged files are skipped by content hash).",
)
def knowledge_base_embeddings(
    context: dg.AssetExecutionContext,
    config: ClientsConfig,
    warehouse: WarehouseResource,
    reports: ReportsResource,
    knowledge_base: KnowledgeBaseResource,
) -> dg.MaterializeResult:
    from assistants import kb

    ch = warehouse.client()
    tenants = sorted({t for t, *_ in active_clients(ch, config.tenants)})
    out_root = reports.directory(warehouse.data_dir())
    docs = knowledge_base.documents()
    store = knowledge_base.store(ch)
    summary: dict[str, dict[str, Any]] = {}
    errors: list[str] = []
    for tenant_id in tenants:
        paths = [*docs, *([out_root / tenant_id] if (out_root / tenant_id).is_dir() else [])]
        rep = kb.index_paths(ch, tenant_id, paths, store=store, base=docs[0].parent if docs else None)
        summary[tenant_id] = {
            "indexed": len(rep.indexed),
            "unchanged": len(rep.unchanged),
            "chunks": rep.chunks,
            "errors": len(rep.errors),
        }
        errors += [f"{tenant_id}: {path}: {err}" for path, err in rep.errors.items()]
    if errors:
        context.log.warning("unreadable documents skipped: " + "; ".join(errors)[:2000])
    ch.close()
    return dg.MaterializeResult(
        metadata={
            "tenants": len(tenants),
            "store": getattr(store, "name", type(store).__name__),
            "per_tenant": dg.MetadataValue.json(summary),
            "chunks": sum(s["chunks"] for s in summary.values()),
        }
    )
