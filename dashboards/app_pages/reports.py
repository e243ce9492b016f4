"""Reports: build (freeze numbers → XLSX + PDF), preview, download, send (PM and account managers only)."""

import streamlit as st

from dashboards import data, safe, ui
from dashboards.i18n import t

ctx = ui.context()
st.title(t("page_reports"))
with ui.guard():
    c1, c2 = st.columns(2)
    lang = c1.radio(
        t("report_lang"), ["ru", "en"], horizontal=True, key="rep_lang", index=0 if ctx.lang == "ru" else 1
    )
    # Net of VAT by default, like every other page (the same CPA everywhere); the choice is shown, not implied.
    include_vat = c2.toggle(
        t("include_vat"),
        value=False,
        key="rep_vat",
        help=t("vat_default_net"),
        disabled=not ctx.principal.can("build_report"),
    )
    st.caption(f"{t('period')}: {ctx.period.date_from} – {ctx.period.date_to}")
    if ctx.principal.can("build_report") and st.button(t("build_report"), key="rep_build", type="primary"):
        with st.spinner("…"):
            st.session_state["report_files"] = data.build_report(
                ctx.principal, ctx.client_id, ctx.period, lang, include_vat
            )
    files = st.session_state.get("report_files")
    if files is not None and (
        files.client_id != ctx.client_id
        or files.tenant_id != ctx.principal.tenant_id
        or files.period.date_from != ctx.period.date_from
        or files.period.date_to != ctx.period.date_to
        or files.lang != lang
    ):
        files = None  # built for another selection
    if files is None:
        files = data.latest_report(ctx.principal, ctx.client_id, ctx.period, lang)
    if files is None:
        st.info(t("no_report"))
        st.stop()
    st.success(t("report_ready", narrator=safe.md(files.narrator)))
    snap = files.snapshot
    safe.text(snap.get("narrative", {}).get("text", ""))  # a model's text about campaign names: data
    totals = snap.get("totals", {})
    cols = st.columns(4)
    # The tiles name what the frozen report holds: spend with or without VAT, as it was built.
    spend_key = "spend_gross" if snap.get("include_vat") else "spend_net"
    for i, m in enumerate(("spend", "impressions", "clicks", "conversions")):
        value = (
            ui.fmt_money(totals.get(m), ui.currency(ctx)) if m == "spend" else ui.fmt_num(totals.get(m), 0)
        )
        cols[i].metric(t(spend_key if m == "spend" else m), value)
    if snap.get("channels"):
        st.dataframe(snap["channels"], hide_index=True, key="rep_channels")
    downloads = (
        (files.xlsx, "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (files.pdf, "pdf", "application/pdf"),
    )
    for col, (path, kind, mime) in zip(st.columns(2), downloads, strict=True):
        if path.is_file():
            col.download_button(
                t(f"download_{kind}"),
                path.read_bytes,
                path.name,
                mime,
                key=f"rep_dl_{kind}",
                on_click="ignore",
            )
    if ctx.principal.can("send_report"):
        safe.caption(", ".join(files.recipients) or "—")
        if st.button(t("send_report"), key="rep_send"):
            sent = data.send_report(ctx.principal, files)
            st.success(t("sent_to", to=safe.md(", ".join(sent))))
