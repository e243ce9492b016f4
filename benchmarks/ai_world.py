"""The AI layer's synthetic world, built alike by the assistants benchmark and the assistants integration tests:
synthetic marts (assistants.insights.synthetic) for a tenant's clients, and those clients' app.clients rows (the
name, commission, report recipients and language that reports and the assistants read)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ReportClient:
    client_id: str
    name: str
    language: str  # report language: ru or en
    commission: float = 0.0  # agency commission, a fraction of net spend
    recipients: tuple[str, ...] = ()


def build(
    ch: Any,
    marts_db: str,
    tenant_id: str,
    clients: Sequence[ReportClient],
    start: dt.date,
    days: int,
    *,
    seed: int,
    injections: Sequence[Any] = (),
    plan_overspend: dict[str, float] | None = None,
) -> dict[str, Any]:
    """`marts_db` made anew with `days` days of the clients' synthetic data from `start`, and their app.clients
    rows (RUB); returns the campaign ids per client."""
    from assistants.insights import synthetic

    ch.command(f"DROP DATABASE IF EXISTS {marts_db}")
    campaigns = synthetic.generate(
        ch,
        marts_db,
        tenant_id,
        [c.client_id for c in clients],
        start,
        days,
        seed=seed,
        injections=tuple(injections),
        plan_overspend=plan_overspend,
    )
    ch.insert(
        "app.clients",
        [
            [tenant_id, c.client_id, c.name, "RUB", c.commission, list(c.recipients), c.language]
            for c in clients
        ],
        column_names=[
            "tenant_id",
            "client_id",
            "name",
            "currency",
            "agency_commission",
            "report_recipients",
            "report_language",
        ],
    )
    return campaigns
