"""Pieces the plan pages share (Media plans, Plan editor): the Plan vs Fact rebuild with its progress shown."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import streamlit as st

from dashboards import data
from dashboards.auth import Principal
from dashboards.i18n import t


def rebuild_plan_vs_fact(p: Principal, client_id: str, res: Any) -> Any:
    """Rebuild the plan models for an imported or changed plan version, with the steps shown as they run. None
    when the app reads marts that dbt does not build (sample marts); the refresh's result otherwise."""
    with st.status(t("refresh_running"), expanded=True) as status:
        done = data.refresh_plan(p, client_id, res, progress=lambda step: st.write(t(f"refresh_step_{step}")))
        if done is None:
            status.update(label=t("refresh_not_dbt"), state="complete")
        else:
            status.update(
                label=t("refresh_done", rows=done.plan_rows, seconds=f"{done.seconds:.0f}"),
                state="complete" if done.plan_rows else "error",
            )
    return done


def rebuild_version(p: Principal, client_id: str, plan_id: str, version: int, lines: int) -> Any:
    """The same rebuild after an approval step or a link decision on a saved version (no import behind it)."""
    res = SimpleNamespace(imported=True, plan_id=plan_id, plan_version=int(version), line_count=int(lines))
    return rebuild_plan_vs_fact(p, client_id, res)
