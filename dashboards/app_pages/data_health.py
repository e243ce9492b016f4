"""Data health: freshness per account, last loads from app.load_log, failed loads and failed dbt checks."""

import streamlit as st

from dashboards import data, ui
from dashboards.i18n import t

ctx = ui.context()
st.title(t("page_data_health"))
with ui.guard():
    h = data.data_health(ctx.principal, ctx.client_id)
    st.subheader(t("freshness"))
    st.dataframe(h["freshness"], hide_index=True, key="dh_fresh")
    st.subheader(t("failed_loads"))
    if h["failed_loads"].empty:
        st.success(t("all_ok"))
    else:
        st.dataframe(h["failed_loads"], hide_index=True, key="dh_failed")
    st.subheader(t("failed_checks"))
    if h["failed_checks"].empty:
        st.success(t("all_ok"))
    else:
        st.dataframe(h["failed_checks"], hide_index=True, key="dh_checks")
    st.subheader(t("last_loads"))
    st.dataframe(h["loads"], hide_index=True, key="dh_loads")
