"""Media plans: upload → detected mapping → fix → validation report → import (PM/AM); versions of the client's plans."""

import hashlib
import json

import pandas as pd
import streamlit as st

from dashboards import data, plan_pages, safe, ui
from dashboards.i18n import t
from planning.mediaplan import store
from planning.mediaplan.fields import field_descriptions

ctx = ui.context()


st.title(t("page_media_plans"))
FIELDS = ["", *sorted(field_descriptions())]
with ui.guard():
    # A `client` may not upload (the data layer refuses it too): no uploader at all.
    can_upload = ctx.principal.can("analyse_plan")
    up = (
        st.file_uploader(t("upload_plan"), type=["xlsx", "xls", "csv"], key="plan_file")
        if can_upload
        else None
    )
    # A plan, or past results (a statistics export): those go to their own table and are never plan.
    kinds = {t(f"mp_kind_{k}"): k for k in ("plan", "history")}  # labels in the page's language -> kind
    kind = kinds[st.radio(t("mp_kind"), list(kinds), horizontal=True)] if can_upload else "plan"
    if up is not None:
        raw, name = up.getvalue(), up.name
        fixes: dict[str, str] = st.session_state.setdefault("plan_fixes", {})
        if st.session_state.get("plan_fixes_for") != (name, len(raw)):
            fixes.clear()
            st.session_state["plan_fixes_for"] = (name, len(raw))
        manual = {"columns": dict(fixes)} if fixes else None
        # Every run of this page (a fix, the Import button) would analyse the upload again: keep the last analysis.
        seen = (
            ctx.principal.login,
            name,
            hashlib.sha256(raw).hexdigest(),
            json.dumps(manual, sort_keys=True),
        )
        kept = st.session_state.get("plan_analysis")
        if kept is None or kept[0] != seen:
            kept = (seen, data.analyse_plan(ctx.principal, raw, name, manual))
            st.session_state["plan_analysis"] = kept
        _, mapping, report, lines, notes = kept[1]
        st.subheader(t("detected_mapping"))
        described = pd.DataFrame(mapping.describe())
        if not described.empty:
            st.caption(t("fix_mapping"))
            shown = {c: ui.column_label(c) for c in described.columns}  # headers in the UI language
            edited = st.data_editor(
                described,
                hide_index=True,
                key="plan_mapping_editor",
                disabled=["sheet", "column", "header", "source", "confidence"],
                column_config={
                    **{c: st.column_config.Column(label) for c, label in shown.items()},
                    "field": st.column_config.SelectboxColumn(shown.get("field"), options=FIELDS),
                },
            )
            changed = {
                r["column"]: r["field"] or None
                for r, o in zip(edited.to_dict("records"), described.to_dict("records"), strict=True)
                if (r["field"] or "") != (o["field"] or "")
            }
            if changed:
                fixes.update(changed)
                st.rerun()
        st.subheader(t("validation"))
        summary = t("errors_warnings", e=len(report.errors), w=len(report.warnings), n=len(lines))
        (st.success if report.ok else st.error)(summary)
        if report.issues:
            issues = [
                {
                    "severity": i.severity,
                    "where": i.where(),
                    "header": i.header,
                    "reason": i.reason_ru if ctx.lang == "ru" else i.reason,
                    "value": i.value,
                }
                for i in report.issues
            ]
            ui.text_table(pd.DataFrame(issues), "plan_issues")
        if lines:
            preview = pd.DataFrame(lines).drop(columns=["extra", "currency"], errors="ignore")
            budgets = tuple(c for c in preview.columns if c.startswith("budget") or c == "unit_price")
            preview[list(budgets)] = preview[list(budgets)].astype(float)
            cur = str(lines[0].get("currency") or ui.currency(ctx))
            ui.text_table(preview, "plan_lines", money=budgets, cur=cur)
        if not ctx.principal.can("import_plan"):
            st.info(t("cannot_import"))
        elif st.button(t("import_plan"), key="plan_import", type="primary", disabled=not report.ok):
            res = data.import_plan(ctx.principal, ctx.client_id, raw, name, manual, kind=kind)
            if res.imported and kind == "history":
                st.success(t("mp_history_imported", n=res.line_count))
            elif res.imported:
                st.success(t("imported", plan=safe.md(res.plan_id), version=res.plan_version))
                # Plan vs Fact reads dbt's mart: rebuild the plan models now instead of at the next daily run.
                done = plan_pages.rebuild_plan_vs_fact(ctx.principal, ctx.client_id, res)
                if done is not None:
                    st.page_link(
                        "app_pages/plan_fact.py", label=t("page_plan_fact"), icon=":material/trending_up:"
                    )
            else:
                safe.error(res.report.as_text(20, lang=ctx.lang))  # quotes the uploaded file's cells
    st.subheader(t("versions"))
    versions = data.media_plans(ctx.principal, ctx.client_id)
    if versions.empty:
        st.caption("—")
    else:
        # one client's plans: the client and currency are the page's (the currency is on the money columns)
        cur = str(versions["currency"].iloc[0] or ui.currency(ctx))
        ui.text_table(
            versions.drop(columns=["client_id", "currency"]),
            "plan_versions",
            money=("total_budget_net", "total_budget_gross"),
            cur=cur,
        )
    st.subheader(t("mp_history"))
    past = store.list_history(
        data.client(), ctx.principal.tenant_id, data.scope(ctx.principal, ctx.client_id)
    )
    if not past:
        st.caption(t("mp_history_none"))
    else:
        ui.text_table(pd.DataFrame(past), "plan_history", money=("spend_net",), cur=ui.currency(ctx))
