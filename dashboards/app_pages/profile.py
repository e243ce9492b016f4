"""Profile (every signed-in user): display name, language and default client used at sign-in; own password."""

import streamlit as st

from dashboards import auth, data, safe, ui
from dashboards import workspace_data as wd
from dashboards.i18n import LANGS, t
from workspace import users as wu

p = wd.signed_in()
ch = data.client()
st.title(t("page_profile"))
flash = st.session_state.pop("pr_flash", None)
if flash:
    safe.success(flash)

with ui.guard():
    mine = wu.profile(ch, p)
    visible = wu.visible_clients(ch, p)
    names = (
        dict(zip(data.clients(p)["client_id"], data.clients(p)["client_name"], strict=True))
        if visible
        else {}
    )
    labels = {
        "display_name": t("us_name"),
        "language": t("language"),
        "default_client": t("pr_default_client"),
        "current_password": t("pr_current_password"),
        "new_password": t("pr_new_password"),
    }

    st.subheader(t("pr_details"))
    st.caption(t("signed_in_as", login=safe.md(p.login), role=p.role))
    lang_now = mine["language"] or st.session_state.get("ui_lang", "ru")
    with st.form("pr_form"):
        name = st.text_input(labels["display_name"], value=mine["display_name"], key="pr_name")
        lang = st.selectbox(
            labels["language"],
            LANGS,
            index=LANGS.index(lang_now) if lang_now in LANGS else 0,
            key="pr_lang",
            format_func=lambda x: {"ru": "Русский", "en": "English"}[x],
            help=t("pr_language_help"),
            placeholder=t("pick_one"),
        )
        options = ["", *visible]
        current = mine["default_client"] if mine["default_client"] in visible else ""
        client = st.selectbox(
            labels["default_client"],
            options,
            index=options.index(current),
            key="pr_client",
            format_func=lambda c: names.get(c, c) if c else t("pr_first_client"),
            help=t("pr_default_client_help"),
            placeholder=t("pick_one"),
        )
        saved = st.form_submit_button(t("pr_save"))
    if saved:
        try:
            wu.update_profile(ch, p, display_name=name, language=lang, default_client=client)
        except (ValueError, LookupError, auth.AuthError) as exc:
            wd.form_error(exc, labels)
        else:
            st.session_state["ui_lang"] = lang  # the choice applies now, not only at the next sign-in
            st.session_state["pr_flash"] = t("pr_saved", lang)
            st.rerun()

    st.subheader(t("pr_password"))
    if mine["auth_source"] != "local":
        st.info(t("pr_oidc"))
    else:
        with st.form("pr_password_form", clear_on_submit=True):
            current_pw = st.text_input(labels["current_password"], type="password", key="pr_current")
            new_pw = st.text_input(labels["new_password"], type="password", key="pr_new")
            again = st.text_input(t("inv_password_again"), type="password", key="pr_again")
            change = st.form_submit_button(t("pr_change"))
        if change:
            if new_pw != again:
                st.error(t("inv_mismatch"))
            else:
                try:
                    wu.change_password(ch, p, current_pw, new_pw)
                except auth.AuthError as exc:
                    wd.form_error(exc, labels)
                else:
                    st.session_state["pr_flash"] = t("pr_changed")
                    st.rerun()
