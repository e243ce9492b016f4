"""Insights: the client's detected insights for a day (pipeline health first), narrated in the UI language."""

import streamlit as st

from dashboards import data, safe, ui
from dashboards.i18n import display_name, t
from mrm import clock

ctx = ui.context()
st.title(t("page_insights"))
SEVERITY = {"critical": st.error, "high": st.error, "warning": st.warning, "medium": st.warning}
with ui.guard():
    as_of = st.date_input(
        t("as_of"), value=ctx.period.date_to, max_value=clock.today(), key="ins_as_of", format="YYYY-MM-DD"
    )
    if ctx.principal.can("generate_insights") and st.button(t("generate_insights"), key="ins_generate"):
        with st.spinner("…"):
            data.generate_insights(ctx.principal, ctx.client_id, as_of)
    found = data.insights(ctx.principal, ctx.client_id, as_of)
    if not found:
        st.info(t("no_insights"))
    for ins in found:
        text = ins.get(f"narrative_{ctx.lang}") or ins.get("narrative_en") or ins.get("type")
        show = SEVERITY.get(str(ins.get("severity")), st.info)
        # Entity and narrative carry campaign names from the ad platforms: shown as text, never as Markdown.
        kind = display_name("insight", ins.get("type"), ctx.lang)  # 'темп расхода', not the id `pacing`
        show(f"**{safe.md(kind)}** · {safe.md(ins.get('entity', ''))}: {safe.md(text)}")
        if ctx.principal.is_client:
            continue  # the query behind an insight is the agency's working detail, not the client's reading
        with st.expander(f"{safe.md(ins.get('metric', ''))} — {t('evidence')}"):
            st.code(str(ins.get("evidence_sql", "")), language="sql")
            st.json(str(ins.get("evidence_params", "{}")))
