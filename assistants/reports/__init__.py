"""Client reports: frozen snapshot → XLSX + PDF (RU/EN), recorded in app.report_runs, e-mailed over SMTP."""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import smtplib
import time
import uuid
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from assistants.reports import branding
from assistants.reports.render import ReportContent, write_pdf, write_xlsx
from assistants.reports.snapshot import REPORT_VERSION, Period, build_snapshot, content_hash, parse_period
from mrm import i18n

log = logging.getLogger(__name__)

__all__ = [
    "REPORT_VERSION",
    "Period",
    "ReportFiles",
    "build_report",
    "load_run",
    "parse_period",
    "send_report",
]

SUMMARY_SCHEMA = {"type": "object", "properties": {"summary": {"type": "string"}}, "required": ["summary"]}


@dataclass
class ReportFiles:
    tenant_id: str
    client_id: str
    run_id: str
    period: Period
    lang: str
    xlsx: Path
    pdf: Path
    snapshot: dict[str, Any]
    content_hash: str
    narrator: str
    build_seconds: float
    recipients: list[str] = field(default_factory=list)


def _changes(snap: dict[str, Any]) -> dict[str, float]:
    """Relative change of the headline numbers against the previous window (only those with a base)."""
    from assistants.reports.render import change

    prev = snap.get("previous") or {}
    out = {k: change(snap["totals"].get(k), prev.get(k)) for k in ("spend", "clicks", "conversions", "cpa")}
    return {k: round(v, 4) for k, v in out.items() if v is not None}


def _summary_facts(snap: dict[str, Any], insights: list[Any]) -> dict[str, Any]:
    prev = snap.get("previous") or {}
    return {
        "totals": snap["totals"],
        "currency": snap["currency"],
        "period": snap["period"],
        "previous_window": {"from": prev.get("from"), "to": prev.get("to")},
        "change_vs_previous": _changes(snap),
        "channels": snap["channels"][:5],
        "plan_vs_fact": snap["plan_vs_fact"],
        "insights": [i.facts() for i in insights[:5]],
    }


def template_summary(snap: dict[str, Any], insights: list[Any], lang: str) -> str:
    from assistants.insights import template_text
    from assistants.llm.numbers import fmt_num, fmt_pct
    from assistants.reports.render import fmt_change, period_words
    from dashboards.i18n import CURRENCY_SIGNS, display_name, fmt_range

    tot = snap["totals"]
    cur = CURRENCY_SIGNS.get(snap["currency"], snap["currency"])
    parts = [
        i18n.t(
            "asst_rep_totals",
            lang,
            period=period_words(snap, lang),
            spend=fmt_num(tot["spend"], lang, 2),
            currency=cur,
            clicks=fmt_num(tot["clicks"], lang),
            conversions=fmt_num(tot["conversions"], lang),
        )
    ]
    moved, prev = _changes(snap), snap.get("previous") or {}
    if "spend" in moved:
        before = fmt_range(dt.date.fromisoformat(prev["from"]), dt.date.fromisoformat(prev["to"]), lang)
        spend = fmt_change(moved["spend"], lang)[2:]
        if "conversions" in moved:
            conv = fmt_change(moved["conversions"], lang)[2:]
            parts.append(
                i18n.t(
                    "asst_rep_change_spend_conversions", lang, period=before, spend=spend, conversions=conv
                )
            )
        else:
            parts.append(i18n.t("asst_rep_change_spend", lang, period=before, spend=spend))
    if tot.get("cpa") is not None:
        parts.append(
            f"CPA: {fmt_num(tot['cpa'], lang, 2)} {cur}, CTR: {fmt_pct(tot['ctr'], lang, 2)}."
            if tot.get("ctr") is not None
            else f"CPA: {fmt_num(tot['cpa'], lang, 2)} {cur}."
        )
    if snap["channels"]:
        top = snap["channels"][0]
        name = display_name("platform", top["channel"], lang)
        spent = fmt_num(top["spend"], lang, 2)
        parts.append(i18n.t("asst_rep_top_channel", lang, channel=name, spend=spent, currency=cur))
    if insights:
        parts.append(template_text(insights[0], lang))
    if tot["is_provisional"]:
        parts.append(i18n.t("asst_rep_provisional", lang))
    return " ".join(parts)


def build_report(
    client: Any,
    tenant_id: str,
    client_id: str,
    period: str | Period,
    lang: str,
    out_dir: str | Path,
    include_vat: bool = True,
    include_commission: bool = False,
    *,
    marts_db: str = "marts",
    gateway: Any = None,
    formats: tuple[str, ...] = ("xlsx", "pdf"),
) -> ReportFiles:
    """Freeze the numbers, write the files and record the run (one row per tenant, client, period, lang, version)."""
    from assistants import insights as insights_mod
    from assistants.llm import Gateway, LLMError, load_prompt
    from assistants.llm.numbers import ungrounded_numbers

    if lang not in ("ru", "en"):
        raise ValueError(f"lang must be 'ru' or 'en', got {lang!r}")
    if not tenant_id or not client_id:
        raise ValueError("tenant_id and client_id are required")
    t0 = time.perf_counter()
    per = parse_period(period)
    snap = build_snapshot(
        client,
        tenant_id,
        client_id,
        per,
        include_vat=include_vat,
        include_commission=include_commission,
        marts_db=marts_db,
    )
    gw = gateway or Gateway.from_env(client)
    found = insights_mod.detect_all(client, tenant_id, client_id, per.date_to, marts_db)
    insights_mod.narrate(found, tenant_id=tenant_id, client_id=client_id, gateway=gw, langs=(lang,))
    facts = _summary_facts(snap, found)
    prompt = load_prompt("report_summary")
    try:
        res = gw.structured(
            tenant_id=tenant_id,
            purpose="report_summary",
            prompt=prompt,
            variables={
                "language_name": "Russian" if lang == "ru" else "English",
                "client_name": snap["client_name"],
                "date_from": per.date_from.isoformat(),
                "date_to": per.date_to.isoformat(),
                "facts_json": json.dumps(facts, ensure_ascii=False, default=str),
            },
            tool_name="submit_summary",
            input_schema=SUMMARY_SCHEMA,
            offline=lambda: {"summary": template_summary(snap, found, lang)},
        )
        narrative, narrator = str(res.data["summary"]), res.label
    except LLMError as exc:
        narrative, narrator = (
            template_summary(snap, found, lang),
            f"template-fallback(llm error: {str(exc)[:60]})",
        )
    bad = ungrounded_numbers(narrative, facts)
    if bad:
        log.warning("report summary rejected, numbers not in the snapshot: %s", bad)
        narrative, narrator = (
            template_summary(snap, found, lang),
            f"template-fallback(ungrounded: {', '.join(bad)[:60]})",
        )
    ins_rows = [
        {"type": i.type, "severity": i.severity, "text": getattr(i, f"narrative_{lang}")} for i in found
    ]
    snap["narrative"] = {"text": narrative, "narrator": narrator, "prompt_version": prompt.version}
    snap["insights"] = ins_rows
    chash = content_hash(snap)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    stem = f"{client_id}_{per.date_from.isoformat()}_{per.date_to.isoformat()}_{lang}"
    xlsx, pdf = out / f"{stem}.xlsx", out / f"{stem}.pdf"
    content = ReportContent(snap, ins_rows, narrative, narrator, lang, branding.load(client, tenant_id))
    if "xlsx" in formats:
        write_xlsx(content, xlsx)
    if "pdf" in formats:
        write_pdf(content, pdf)
    (out / f"{stem}.snapshot.json").write_text(
        json.dumps(snap, ensure_ascii=False, indent=1, default=str), encoding="utf-8"
    )
    files = ReportFiles(
        tenant_id,
        client_id,
        uuid.uuid4().hex,
        per,
        lang,
        xlsx,
        pdf,
        snap,
        chash,
        narrator,
        round(time.perf_counter() - t0, 3),
        list(snap["recipients"]),
    )
    _record_run(client, files, include_vat, include_commission, status="built")
    return files


def _record_run(
    client: Any,
    f: ReportFiles,
    include_vat: bool,
    include_commission: bool,
    status: str,
    sent_at: dt.datetime | None = None,
    error: str = "",
) -> None:
    client.insert(
        "app.report_runs",
        [
            [
                f.tenant_id,
                f.client_id,
                f.period.kind,
                f.period.date_from,
                f.period.date_to,
                f.lang,
                REPORT_VERSION,
                f.run_id,
                int(include_vat),
                int(include_commission),
                status,
                [str(p) for p in (f.xlsx, f.pdf) if p.exists()],
                f.content_hash,
                json.dumps(f.snapshot, ensure_ascii=False, default=str),
                json.dumps(f.snapshot.get("marts_state", {}), default=str),
                f.recipients,
                sent_at,
                error[:2000],
                f.build_seconds,
            ]
        ],
        column_names=[
            "tenant_id",
            "client_id",
            "period_kind",
            "date_from",
            "date_to",
            "lang",
            "version",
            "run_id",
            "include_vat",
            "include_commission",
            "status",
            "files",
            "content_hash",
            "snapshot_json",
            "marts_state_json",
            "recipients",
            "sent_at",
            "error",
            "build_seconds",
        ],
    )


def send_report(
    client: Any,
    files: ReportFiles,
    *,
    recipients: list[str] | None = None,
    smtp_host: str | None = None,
    smtp_port: int | None = None,
    sender: str | None = None,
    username: str | None = None,
    password: str | None = None,
    starttls: bool | None = None,
    timeout: float = 30.0,
) -> list[str]:
    """E-mail the frozen files (not a rebuild) to the client's recipients; the run row records sent or failed."""
    to = [r for r in (recipients if recipients is not None else files.recipients) if r]
    if not to:
        raise ValueError(
            f"client {files.client_id!r} has no report recipients (app.clients.report_recipients)"
        )
    host = smtp_host or os.environ.get("MRM_SMTP_HOST", "127.0.0.1")
    port = int(smtp_port or os.environ.get("MRM_SMTP_PORT", "25"))
    sender = sender or os.environ.get("MRM_SMTP_FROM", "reports@mrm.local")
    username = username or os.environ.get("MRM_SMTP_USER")
    password = password or os.environ.get("MRM_SMTP_PASSWORD")
    use_tls = starttls if starttls is not None else os.environ.get("MRM_SMTP_STARTTLS", "0") == "1"
    snap = files.snapshot
    msg = EmailMessage()
    msg["Subject"] = f"{i18n.t('rep_title', files.lang)}: {snap['client_name']}, {files.period.label}"
    msg["From"] = sender
    msg["To"] = ", ".join(to)
    text = snap.get("narrative", {}).get("text", "")
    brand = branding.load(client, files.tenant_id)
    msg.set_content(text + (f"\n\n-- \n{brand.footer}" if brand.footer else ""))
    msg.add_alternative(email_html(snap, text, files.lang, brand), subtype="html")
    if brand.logo_kind == "png":  # the HTML part shows it inline (cid:logo); SVG is not shown by mail readers
        html = msg.get_body(("html",))
        if html is not None:
            html.add_related(brand.logo, "image", "png", cid="<logo>")
    for path, mime in (
        (files.xlsx, ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")),
        (files.pdf, ("application", "pdf")),
    ):
        if not path.is_file():
            raise FileNotFoundError(f"report file missing, rebuild the report: {path}")
        msg.add_attachment(path.read_bytes(), maintype=mime[0], subtype=mime[1], filename=path.name)
    try:
        with smtplib.SMTP(host, port, timeout=timeout) as smtp:
            if use_tls:
                smtp.starttls()
            if username:
                smtp.login(username, password or "")
            refused = smtp.send_message(msg)
        if refused:
            raise smtplib.SMTPRecipientsRefused(refused)
    except Exception as exc:
        _record_run(
            client, files, snap["include_vat"], snap["include_commission"], "send_failed", error=repr(exc)
        )
        raise RuntimeError(f"sending report {files.run_id} to {to} via {host}:{port} failed: {exc}") from exc
    files.recipients = to
    _record_run(
        client,
        files,
        snap["include_vat"],
        snap["include_commission"],
        "sent",
        sent_at=dt.datetime.now(dt.UTC),
    )
    return to


def email_html(snap: dict[str, Any], text: str, lang: str, brand: branding.Branding) -> str:
    """The e-mail's HTML body in the tenant's colours: logo, the headline numbers with their change, the
    narrative and the footer line (every value escaped: client and campaign names are data)."""
    from html import escape

    from assistants.reports.render import (
        HEADLINE,
        _num,
        change,
        comparison_words,
        fmt_change,
        labels,
        period_words,
    )

    t = labels(lang)
    tot, prev = snap["totals"], snap.get("previous") or {}
    logo = '<img src="cid:logo" alt="" style="height:40px"> ' if brand.logo_kind == "png" else ""
    rows = "".join(
        f'<tr><td>{escape(t[k])}</td><td style="text-align:right"><b>'
        f"{escape(_num(tot.get(k), lang, kind, snap['currency']))}</b></td>"
        f'<td style="color:#666">{escape(fmt_change(change(tot.get(k), prev.get(k)), lang))}</td></tr>'
        for k, kind in HEADLINE[:4]
    )
    paras = "".join(f"<p>{escape(p)}</p>" for p in text.split("\n") if p.strip())
    return (
        f'<html><body style="font-family:Arial,sans-serif">'
        f'<div style="background:{brand.primary};color:#fff;padding:12px">{logo}'
        f"<b>{escape(t['title'])}: {escape(str(snap['client_name']))}</b></div>"
        f"<p>{escape(t['period'])}: {escape(period_words(snap, lang))}<br>"
        f'<span style="color:#666">{escape(comparison_words(snap, lang))}</span></p>'
        f'<table style="border-left:3px solid {brand.accent};padding-left:6px">{rows}</table>{paras}'
        f'<p style="color:#888;font-size:11px">{escape(brand.footer)}</p></body></html>'
    )


def load_run(client: Any, tenant_id: str, client_id: str, period: str | Period, lang: str) -> ReportFiles:
    """The latest built run of a report (its frozen snapshot and files), for sending without rebuilding."""
    per = parse_period(period)
    r = client.query(
        "SELECT run_id, files, snapshot_json, content_hash, recipients, build_seconds FROM app.report_runs FINAL "
        "WHERE tenant_id = {t:String} AND client_id = {c:String} AND date_from = {f:Date} AND date_to = {to:Date} "
        "AND lang = {l:String} AND version = {v:String} ORDER BY updated_at DESC LIMIT 1",
        parameters={
            "t": tenant_id,
            "c": client_id,
            "f": per.date_from,
            "to": per.date_to,
            "l": lang,
            "v": REPORT_VERSION,
        },
    ).result_rows
    if not r:
        raise LookupError(
            f"no built report for {tenant_id}/{client_id} {per.label} ({lang}); run `mrm report build` first"
        )
    run_id, paths, snap_json, chash, recipients, secs = r[0]
    snap = json.loads(snap_json)
    by_ext = {Path(p).suffix: Path(p) for p in paths}
    return ReportFiles(
        tenant_id,
        client_id,
        run_id,
        per,
        lang,
        by_ext.get(".xlsx", Path("missing.xlsx")),
        by_ext.get(".pdf", Path("missing.pdf")),
        snap,
        chash,
        snap.get("narrative", {}).get("narrator", ""),
        secs,
        list(recipients) or list(snap.get("recipients", [])),
    )
