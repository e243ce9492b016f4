"""MRM analyst app: `streamlit run dashboards/streamlit_app.py` (or `mrm dashboards`).

Sign-in first; then only the pages the user's role may open are in the navigation. The pages themselves still
call the data layer, which checks permissions again (hiding a page is not access control).
"""

from __future__ import annotations

import streamlit as st

from dashboards import data, invite_accept, ui
from dashboards.i18n import LANGS, t
from workspace.oauth import state_language
from workspace.users import sign_in_preferences

st.set_page_config(page_title="MRM", page_icon=":bar_chart:", layout="wide")

ui.remember_entry_query()
ui.ensure_language()
principal = ui.current_principal()
PAGES = [
    # (file, title key, url path, permission needed or None)
    ("app_pages/overview.py", "page_overview", "overview", None),
    ("app_pages/campaigns.py", "page_campaigns", "campaigns", None),
    ("app_pages/channels.py", "page_channels", "channels", None),
    ("app_pages/plan_fact.py", "page_plan_fact", "plan-fact", None),
    ("app_pages/reach.py", "page_reach", "reach", None),
    ("app_pages/insights.py", "page_insights", "insights", None),
    ("app_pages/reports.py", "page_reports", "reports", None),
    ("app_pages/assistant.py", "page_assistant", "assistant", "ask"),
    ("app_pages/projects.py", "page_projects", "projects", None),
    ("app_pages/media_plans.py", "page_media_plans", "media-plans", None),
    ("app_pages/plan_editor.py", "page_plan_editor", "plan-editor", "analyse_plan"),
    ("app_pages/data_health.py", "page_data_health", "data-health", "data_health"),
    ("app_pages/delivery.py", "page_delivery", "delivery", "manage_delivery"),
    ("app_pages/alerts.py", "page_alerts", "alerts", "manage_alerts"),
    ("app_pages/clients.py", "page_clients", "clients", "manage_clients"),
    ("app_pages/users.py", "page_users", "users", "manage_users"),
    ("app_pages/connections.py", "page_connections", "connections", "manage_connections"),
    ("app_pages/profile.py", "page_profile", "profile", None),
]
if principal is None:
    st.session_state.pop("principal_active", None)
    # Every page's address shows the sign-in form (a shared link gets no "Page not found"); the page asked for
    # is remembered and opened once the visitor has signed in. A link from an invitation e-mail (?invite=…) shows
    # the form that accepts it instead.
    entry = invite_accept.page if invite_accept.token() else ui.login_page
    login_pages = [st.Page(entry, title=t("login_title"), url_path="login", default=True)] + [
        st.Page(entry, title=t("login_title"), url_path=url) for _f, _k, url, _p in PAGES
    ]
    nav = st.navigation(login_pages, position="hidden")
    st.session_state["entry_page"] = nav.url_path
    nav.run()
    st.stop()

st.session_state["principal_active"] = principal
if "profile_applied" not in st.session_state:
    # A new session opens in the person's language and on their default client (Profile page), unless the link
    # it was opened with names them.
    st.session_state["profile_applied"] = True
    lang, default_client = sign_in_preferences(data.client(), principal)
    asked = {
        **st.session_state.get("entry_query", {}),
        **{k: st.query_params.get(k) for k in st.query_params},
    }
    # A platform's OAuth callback names no language, but its state leads with the one the connection began in.
    from_state = state_language(str(asked.get("state") or "")) if not asked.get("lang") else ""
    if from_state in LANGS:
        st.session_state["ui_lang"] = from_state
    elif lang in LANGS and not asked.get("lang"):
        st.session_state["ui_lang"] = lang
    if default_client and not asked.get("client"):
        st.session_state["client_sel"] = default_client
pages = [
    st.Page(path, title=t(title), url_path=url, default=(url == "overview"))
    for path, title, url, perm in PAGES
    if perm is None or principal.can(perm)
]
nav = st.navigation(pages)
wanted = st.session_state.pop("entry_page", "")
# Pages this role may not open are not in `pages`: the visitor then stays on the page opened.
target = next((pg for pg in pages if wanted and pg.url_path == wanted), None)
if target is not None and target.url_path != nav.url_path:
    st.switch_page(target)
ui.sidebar(principal)
nav.run()
