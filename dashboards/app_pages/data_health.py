"""Data health: freshness per account, last loads from app.load_log, failed loads and failed dbt checks."""

import pandas as pd
import streamlit as st

from dashboards import data, ui
from dashboards.i18n import t

ctx = ui.context()
st.title(t("page_data_health"))


def table(df: pd.DataFrame, key: str) -> None:
    """Platforms and statuses by name, columns in the UI language (the error text keeps its own column name)."""
    ui.text_table(df, key, labels={"error": ui.column_label("error_text")})


with ui.guard():
    h = data.data_health(ctx.principal, ctx.client_id)
    st.subheader(t("freshness"))
    table(h["freshness"], "dh_fresh")
    st.subheader(t("failed_loads"))
    if h["failed_loads"].empty:
        st.success(t("all_ok"))
    else:
        table(h["failed_loads"], "dh_failed")
    st.subheader(t("failed_checks"))
    if h["failed_checks"].empty:
        st.success(t("all_ok"))
    else:
        table(h["failed_checks"], "dh_checks")
    st.subheader(t("last_loads"))
    table(h["loads"], "dh_loads")
