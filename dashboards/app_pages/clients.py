"""Clients (admins): the tenant's clients with their master data; add, edit, archive (loads stop, history stays)."""

from decimal import Decimal

import pandas as pd
import streamlit as st

from dashboards import safe, ui
from dashboards import workspace_data as wd
from dashboards.i18n import t
from workspace import clients as wc

p = wd.signed_in()
lang = st.session_state.get("ui_lang", "ru")  # format_func may run outside the script run
st.title(t("page_clients"))
FIELDS = {
    "client_id": t("cl_id"),
    "name": t("cl_name"),
    "legal_name": t("cl_legal_name"),
    "inn": t("cl_inn"),
    "currency": t("cl_currency"),
    "vat_mode": t("cl_vat_mode"),
    "commission_pct": t("cl_commission"),
    "language": t("cl_language"),
    "timezone": t("cl_timezone"),
    "report_recipients": t("cl_recipients"),
}


def recipients(text: str) -> tuple[str, ...]:
    return tuple(r.strip() for r in text.replace(";", ",").replace("\n", ",").split(",") if r.strip())


def fields(key: str, c: wc.Client) -> dict:
    """The editable fields of a client as form widgets (the id is asked only when adding)."""
    a, b = st.columns(2)
    out = {
        "name": a.text_input(FIELDS["name"], value=c.name, key=f"{key}_name"),
        "legal_name": b.text_input(FIELDS["legal_name"], value=c.legal_name, key=f"{key}_legal"),
        "inn": a.text_input(FIELDS["inn"], value=c.inn, key=f"{key}_inn", help=t("cl_inn_help")),
        "currency": b.text_input(FIELDS["currency"], value=c.currency, key=f"{key}_currency"),
        "vat_mode": a.selectbox(
            FIELDS["vat_mode"],
            wc.VAT_MODES,
            index=wc.VAT_MODES.index(c.vat_mode),
            key=f"{key}_vat",
            format_func=lambda m: t(f"cl_vat_{m}", lang),
            placeholder=t("pick_one"),
        ),
        "commission_pct": b.number_input(
            FIELDS["commission_pct"],
            min_value=0.0,
            max_value=100.0,
            step=0.5,
            value=float(c.commission_pct),
            key=f"{key}_commission",
        ),
        "language": a.selectbox(
            FIELDS["language"],
            wc.LANGUAGES,
            index=wc.LANGUAGES.index(c.language),
            key=f"{key}_lang",
            format_func=lambda x: {"ru": "Русский", "en": "English"}[x],
            placeholder=t("pick_one"),
        ),
        "timezone": b.text_input(FIELDS["timezone"], value=c.timezone, key=f"{key}_tz", help=t("cl_tz_help")),
        "report_recipients": recipients(
            st.text_area(
                FIELDS["report_recipients"],
                key=f"{key}_to",
                value=", ".join(c.report_recipients),
                help=t("cl_recipients_help"),
            )
        ),
    }
    out["commission_pct"] = Decimal(str(out["commission_pct"]))
    return out


flash = st.session_state.pop("cl_flash", None)
if flash:
    safe.success(flash)

with ui.guard():
    rows = wd.client_list(p)
    if rows:
        table = pd.DataFrame(
            [
                {
                    FIELDS["client_id"]: c.client_id,
                    FIELDS["name"]: c.name,
                    FIELDS["inn"]: c.inn,
                    FIELDS["currency"]: c.currency,
                    FIELDS["vat_mode"]: t(f"cl_vat_{c.vat_mode}"),
                    FIELDS["commission_pct"]: float(c.commission_pct),
                    FIELDS["language"]: c.language,
                    FIELDS["timezone"]: c.timezone,
                    FIELDS["report_recipients"]: ", ".join(c.report_recipients),
                    t("cl_status"): t("cl_active") if c.is_active else t("cl_archived"),
                }
                for c in rows
            ]
        )
        st.dataframe(table, hide_index=True, key="cl_table")  # cells are shown as text, never Markdown
    else:
        st.info(t("cl_none"))

    st.subheader(t("cl_add"))
    with st.form("cl_add_form"):
        new_id = st.text_input(FIELDS["client_id"], key="cl_add_id", help=t("cl_id_help"))
        values = fields("cl_add", wc.Client("", ""))
        submitted = st.form_submit_button(t("cl_add_button"))
    if submitted:
        try:
            c = wd.add_client(p, wc.Client(new_id.strip(), **values))
        except (ValueError, PermissionError) as exc:
            wd.form_error(exc, FIELDS)
        else:
            st.session_state["cl_flash"] = t("cl_added", id=c.client_id)
            st.rerun()

    active = [c for c in rows if c.is_active]
    if active:
        st.subheader(t("cl_edit"))
        by_id = {c.client_id: c for c in active}
        chosen = st.selectbox(
            t("cl_pick"),
            list(by_id),
            key="cl_edit_pick",
            format_func=lambda i: f"{by_id[i].name} ({i})",
            placeholder=t("pick_one"),
        )
        with st.form("cl_edit_form"):
            changes = fields(f"cl_edit_{chosen}", by_id[chosen])
            saved = st.form_submit_button(t("save"))
        if saved:
            try:
                wd.edit_client(p, chosen, **changes)
            except (ValueError, PermissionError) as exc:
                wd.form_error(exc, FIELDS)
            else:
                st.session_state["cl_flash"] = t("cl_saved", id=chosen)
                st.rerun()

        st.subheader(t("cl_archive"))
        st.caption(t("cl_archive_help"))
        gone = st.selectbox(
            t("cl_pick"),
            list(by_id),
            key="cl_archive_pick",
            format_func=lambda i: f"{by_id[i].name} ({i})",
            placeholder=t("pick_one"),
        )
        sure = st.checkbox(t("cl_archive_confirm"), key="cl_archive_sure")
        if st.button(t("cl_archive_button"), key="cl_archive_btn", disabled=not sure):
            n = wd.archive_client(p, gone)
            st.session_state["cl_flash"] = t("cl_archived_done", id=gone, n=n)
            st.rerun()
