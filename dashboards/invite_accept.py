"""The sign-in page in "accept invitation" mode: a link `/?invite=<token>` from an invitation e-mail lets the person
choose a login and a password (workspace.invitations checks the link and the rules) and signs them in."""

from __future__ import annotations

import streamlit as st

from dashboards import data, safe, ui
from dashboards import workspace_data as wd
from dashboards.auth import AuthError
from dashboards.i18n import explain, fmt_date, t
from workspace import invitations

PARAM = "invite"


def token() -> str:
    """The invitation token the session was opened with ('' when none)."""
    live = st.query_params.get(PARAM)
    return str(live or st.session_state.get("entry_query", {}).get(PARAM) or "")


def _forget_link() -> None:
    # The link is a credential until used: it leaves the address bar and the remembered entry query.
    if PARAM in st.query_params:
        del st.query_params[PARAM]
    st.session_state.get("entry_query", {}).pop(PARAM, None)


def page() -> None:
    ui.language_switch()
    lang = st.session_state.get("ui_lang", "ru")
    st.title(t("app_title"))
    st.subheader(t("inv_title"))
    link = token()
    try:
        inv = invitations.lookup(data.client(), link)
    except AuthError as exc:
        safe.error(explain(exc))  # the link's refusal in the reader's language
        if st.button(t("inv_to_sign_in"), key="inv_to_sign_in"):
            _forget_link()
            st.rerun()
        return
    st.info(t("inv_intro", role=ui.role_label(inv.role, lang)))
    st.caption(t("inv_valid_until", date=fmt_date(inv.expires_on, lang)))
    labels = {"login": t("login"), "display_name": t("inv_name")}
    with st.form("inv_form"):
        login = st.text_input(labels["login"], value=inv.email, key="inv_login", help=t("us_login_help"))
        name = st.text_input(labels["display_name"], key="inv_name")
        password = st.text_input(t("password"), type="password", key="inv_password")
        again = st.text_input(t("inv_password_again"), type="password", key="inv_password_again")
        submitted = st.form_submit_button(t("inv_accept"))
    if not submitted:
        return
    if password != again:
        st.error(t("inv_mismatch"))
        return
    try:
        p = invitations.accept(
            data.client(), link, login=login, password=password, display_name=name, language=lang
        )
    except (ValueError, AuthError) as exc:
        wd.form_error(exc, labels)
        return
    _forget_link()
    ui.start_session(p)  # like a password sign-in: nothing from before, a signed cookie
    st.rerun()
