"""Reports: build (freeze numbers → XLSX + PDF), preview, download, release to the client, send; the tenant's report
branding for admins. A client user sees a report only after a PM or account manager released that build."""

import pandas as pd
import streamlit as st

from assistants.reports import branding, release
from assistants.reports.render import narrator_name
from dashboards import data, safe, ui
from dashboards.i18n import fmt_range, t

ctx = ui.context()
st.title(t("page_reports"))


def branding_section() -> None:
    """Logo, colours and footer line of every client report of the tenant (admins: manage_branding)."""
    with st.expander(t("rep_branding")):
        now = branding.load(data.client(), ctx.principal.tenant_id)
        with st.form("rep_branding_form"):
            logo = st.file_uploader(t("rep_logo"), type=["png", "svg"], key="rep_logo")
            c1, c2 = st.columns(2)
            primary = c1.color_picker(t("rep_primary"), now.primary, key="rep_primary")
            accent = c2.color_picker(t("rep_accent"), now.accent, key="rep_accent")
            footer = st.text_input(
                t("rep_footer"), now.footer, max_chars=branding.MAX_FOOTER, key="rep_footer"
            )
            remove = st.checkbox(t("rep_remove_logo"), key="rep_remove_logo", disabled=not now.logo)
            if st.form_submit_button(t("rep_save_branding")):
                try:
                    branding.save(
                        data.client(),
                        ctx.principal,
                        primary=primary,
                        accent=accent,
                        footer=footer,
                        logo=logo.getvalue() if logo is not None else None,
                        logo_name=logo.name if logo is not None else "",
                        remove_logo=remove,
                    )
                    st.success(t("rep_branding_saved"))
                except branding.BrandingError as exc:
                    safe.error(exc)
        if now.logo_kind == "png":
            st.image(now.logo, width=160)


MIME = {
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pdf": "application/pdf",
}


def released_list() -> None:
    """A client's user: the reports released to them, newest first, whatever period the sidebar shows."""
    st.subheader(t("rep_released_list"))
    runs = release.released_runs(data.client(), ctx.principal, ctx.client_id)
    if not runs:
        st.caption(t("rep_none_released"))
    for i, run in enumerate(runs):
        c0, *cs = st.columns([4, 1, 1])
        c0.write(f"{fmt_range(run['date_from'], run['date_to'], ctx.lang)} · {run['lang'].upper()}")
        files = sorted((f for f in run["files"] if f.suffix in MIME and f.is_file()), key=lambda f: f.suffix)
        for col, path in zip(cs, files, strict=False):
            col.download_button(
                path.suffix[1:].upper(),
                path.read_bytes,
                path.name,
                MIME[path.suffix],
                key=f"rep_rel_{i}{path.suffix}",
                on_click="ignore",
            )
    st.divider()


with ui.guard():
    if ctx.principal.can("manage_branding"):
        branding_section()
    if ctx.principal.is_client:
        released_list()
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
    st.caption(f"{t('period')}: {fmt_range(ctx.period.date_from, ctx.period.date_to, ctx.lang)}")
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
    released, released_by = release.state(data.client(), files.tenant_id, files.client_id, files.run_id)
    if not release.visible_to(data.client(), ctx.principal, files.tenant_id, files.client_id, files.run_id):
        st.info(t("rep_not_released"))  # built, but nobody on the account side has let the client see it yet
        st.stop()
    st.success(t("report_ready", narrator=narrator_name(files.narrator, ctx.lang)))
    snap = files.snapshot
    safe.text(snap.get("narrative", {}).get("text", ""))  # a model's text about campaign names: data
    totals, previous = snap.get("totals", {}), snap.get("previous") or {}
    cols = st.columns(4)
    # The tiles name what the frozen report holds: spend with or without VAT, as it was built.
    spend_key = "spend_gross" if snap.get("include_vat") else "spend_net"
    for i, m in enumerate(("spend", "impressions", "clicks", "conversions")):
        value = (
            ui.fmt_money(totals.get(m), ui.currency(ctx)) if m == "spend" else ui.fmt_num(totals.get(m), 0)
        )
        cols[i].metric(
            t(spend_key if m == "spend" else m), value, delta=ui.delta_pct(totals.get(m), previous.get(m))
        )
    if snap.get("channels"):  # channels by name, money with its sign in the label, shares as percent
        shown = ["channel", "impressions", "clicks", spend_key, "conversions", "ctr", "cpa"]
        frame = ui.named(pd.DataFrame(snap["channels"]).rename(columns={"spend": spend_key}))[shown]
        cur = ui.currency(ctx)
        screen, config = ui.on_screen(
            frame.rename(columns={c: ui.money_label(c, cur) for c in shown}), shown, cur
        )
        st.dataframe(screen, hide_index=True, key="rep_channels", column_config=config)
    downloads = ((files.xlsx, "xlsx", MIME[".xlsx"]), (files.pdf, "pdf", MIME[".pdf"]))
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
    if not ctx.principal.is_client:  # the account side sees whether the client can see this build
        safe.caption(t("rep_released_by", by=released_by) if released else t("rep_unreleased"))
    if ctx.principal.can("release_report"):
        key = "rep_withdraw" if released else "rep_release"
        if st.button(t(key), key=key):
            release.release(data.client(), ctx.principal, files, released=not released)
            st.rerun()
    if ctx.principal.can("send_report"):
        safe.caption(", ".join(files.recipients) or "—")
        if st.button(t("send_report"), key="rep_send"):
            sent = data.send_report(ctx.principal, files)
            st.success(t("sent_to", to=safe.md(", ".join(sent))))
