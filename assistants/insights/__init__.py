"""Grounded insights: deterministic detectors over the marts, narrated (RU/EN) with a number post-check."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from assistants.insights.detectors import Insight, detect_all
from assistants.insights.narrate import narrate, template_text
from warehouse.rows import delete_rows

__all__ = ["Insight", "detect_all", "generate", "load", "narrate", "store", "template_text"]

_COLS = [
    "tenant_id",
    "client_id",
    "as_of",
    "insight_id",
    "type",
    "severity",
    "entity",
    "metric",
    "value",
    "baseline",
    "delta",
    "evidence_sql",
    "evidence_params",
    "evidence_rows",
    "narrative_ru",
    "narrative_en",
    "narrator",
    "prompt_version",
]


def _as_date(as_of: dt.date | str) -> dt.date:
    if isinstance(as_of, dt.datetime):
        return as_of.date()
    if isinstance(as_of, dt.date):
        return as_of
    try:
        return dt.date.fromisoformat(str(as_of))
    except ValueError as exc:
        raise ValueError(f"as_of must be an ISO date (YYYY-MM-DD), got {as_of!r}") from exc


def generate(
    client: Any,
    tenant_id: str,
    client_id: str,
    as_of: dt.date | str,
    *,
    gateway: Any = None,
    marts_db: str = "marts",
    persist: bool = True,
) -> list[Insight]:
    """Detect, narrate (RU and EN) and store a client's insights for `as_of`; pipeline-health insights come first."""
    from assistants.llm import Gateway

    if not tenant_id or not client_id:
        raise ValueError("tenant_id and client_id are required")
    day = _as_date(as_of)
    insights = detect_all(client, tenant_id, client_id, day, marts_db)
    narrate(insights, tenant_id=tenant_id, client_id=client_id, gateway=gateway or Gateway.from_env(client))
    if persist:
        store(client, insights, tenant_id, client_id, day)
    return insights


def store(client: Any, insights: list[Insight], tenant_id: str, client_id: str, as_of: dt.date) -> None:
    """Replace the (tenant, client, day) set: stale insights of an earlier run must not linger."""
    delete_rows(
        client,
        "app.insights",
        "tenant_id = {t:String} AND client_id = {c:String} AND as_of = {d:Date}",
        {"t": tenant_id, "c": client_id, "d": as_of},
    )
    if not insights:
        return
    rows = [
        [
            i.tenant_id,
            i.client_id,
            i.as_of,
            i.insight_id,
            i.type,
            i.severity,
            i.entity,
            i.metric,
            float(i.value),
            float(i.baseline),
            float(i.delta),
            i.evidence_sql,
            json.dumps(i.evidence_params, default=str),
            json.dumps({"rows": i.evidence_rows, "details": i.details}, ensure_ascii=False, default=str),
            i.narrative_ru,
            i.narrative_en,
            i.narrator,
            i.prompt_version,
        ]
        for i in insights
    ]
    client.insert("app.insights", rows, column_names=_COLS)


def load(client: Any, tenant_id: str, client_id: str, as_of: dt.date | str) -> list[dict[str, Any]]:
    r = client.query(
        "SELECT * FROM app.insights FINAL WHERE tenant_id = {t:String} AND client_id = {c:String} AND as_of = {d:Date}",
        parameters={"t": tenant_id, "c": client_id, "d": _as_date(as_of)},
    )
    return [dict(zip(r.column_names, row, strict=True)) for row in r.result_rows]
