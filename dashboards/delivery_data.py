"""Data for the Delivery and Alerts pages' second part: delivery channel states and per-client alert thresholds,
each behind the permission matrix (manage_delivery / manage_alerts) and the principal's client scope."""

from __future__ import annotations

from typing import Any

import pandas as pd

from dashboards import data
from dashboards.auth import Principal, audit
from delivery import channels
from delivery import thresholds as th
from workspace import access


def _ch(p: Principal, client_id: str, action: str) -> Any:
    ch = data.client()
    access.require(ch, p, action, target=client_id)
    access.require_client(ch, p, client_id)
    return ch


def channel_states(p: Principal, client_id: str) -> pd.DataFrame:
    """The client's delivery channels that ever failed for good, and whether they work again."""
    cols = ["channel", "destination", "status", "reason", "updated_at"]
    rows = channels.states(_ch(p, client_id, "manage_delivery"), p.tenant_id, client_id)
    return pd.DataFrame([{c: r[c] for c in cols} for r in rows], columns=cols)


def thresholds(p: Principal, client_id: str) -> th.Thresholds:
    return th.get(_ch(p, client_id, "manage_alerts"), p.tenant_id, client_id)


def set_thresholds(p: Principal, client_id: str, values: dict[str, str]) -> th.Thresholds:
    """Validate (errors name the field) and store the client's thresholds; audited."""
    ch = _ch(p, client_id, "manage_alerts")
    new = th.save(
        ch, p.tenant_id, client_id, th.parse(values, th.get(ch, p.tenant_id, client_id)), by=p.login
    )
    detail = ", ".join(f"{f}={getattr(new, f):g}" for f in th.FIELDS)
    audit(ch, p.tenant_id, p.login, "alert_thresholds_set", "ok", target=client_id, detail=detail)
    return new


def sheets_account() -> str:
    """The service account's e-mail a client shares their spreadsheet with ('' when none is configured)."""
    from delivery.sheets import SheetsClient
    from delivery.telegram import DeliveryError

    try:
        return SheetsClient.from_env().email
    except DeliveryError:
        return ""
