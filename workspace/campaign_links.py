"""People's decisions on plan line <-> campaign links, stored in app.campaign_mappings and read by dbt's plan vs fact.

Accept a suggestion, override (replace the line's links with one campaign) or unlink (the line is deliberately
not linked). Once a line has any decision, dbt uses the decisions instead of what the plan file implied
(int_media_plan_lines_mapped_to_campaigns). Editing links is editing the plan: the `import_plan` action.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from dashboards.auth import Principal, audit, check_id
from mrm.i18n import refusal
from workspace.access import require, require_client

_COLS = [
    "tenant_id", "client_id", "plan_id", "line_id", "platform", "account_id", "campaign_id", "campaign_name",
    "match_method", "confidence", "is_deleted", "updated_at", "decided_by", "note",
]  # fmt: skip
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_TICK = dt.timedelta(milliseconds=1)
METHODS = ("id", "utm", "name", "manual", "unlinked")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _check(ch: Any, p: Principal, client_id: str, plan_id: str, line_id: str) -> None:
    require(ch, p, "import_plan", target=f"{client_id}/{plan_id}/{line_id}")
    require_client(ch, p, client_id)
    check_id("plan", plan_id)
    if not str(line_id).strip():
        raise refusal(ValueError, "ws_empty", field="line_id")
    exists = ch.query(
        "SELECT count() FROM app.media_plan_lines WHERE tenant_id = {t:String} AND client_id = {c:String} "
        "AND plan_id = {p:String} AND line_id = {l:String}",
        parameters={"t": p.tenant_id, "c": client_id, "p": plan_id, "l": line_id},
    ).result_rows[0][0]
    if not exists:
        raise refusal(LookupError, "ws_plan_no_line", plan=repr(plan_id), line=repr(line_id))


def decisions(ch: Any, p: Principal, client_id: str, plan_id: str) -> list[dict[str, Any]]:
    """The plan's current decisions (one row per line and campaign; 'unlinked' rows have no campaign)."""
    require_client(ch, p, client_id)
    check_id("plan", plan_id)
    res = ch.query(
        "SELECT line_id, platform, account_id, campaign_id, campaign_name, match_method, confidence, decided_by, "
        "note, updated_at FROM app.campaign_mappings FINAL WHERE tenant_id = {t:String} AND client_id = {c:String} "
        "AND plan_id = {p:String} AND is_deleted = 0 ORDER BY line_id, platform, campaign_id",
        parameters={"t": p.tenant_id, "c": client_id, "p": plan_id},
    )
    return [dict(zip(res.column_names, r, strict=True)) for r in res.result_rows]


def _clear(ch: Any, p: Principal, client_id: str, plan_id: str, line_id: str, at: dt.datetime) -> None:
    # Tombstones replace every current row of the line (ReplacingMergeTree keeps the newest per key).
    rows = [
        [p.tenant_id, client_id, plan_id, line_id, d["platform"], d["account_id"], d["campaign_id"],
         d["campaign_name"], d["match_method"], d["confidence"], 1, at, p.login, ""]
        for d in decisions(ch, p, client_id, plan_id)
        if d["line_id"] == line_id
    ]  # fmt: skip
    if rows:
        ch.insert("app.campaign_mappings", rows, column_names=_COLS)


def link(
    ch: Any,
    p: Principal,
    client_id: str,
    plan_id: str,
    line_id: str,
    campaign: Mapping[str, Any],
    *,
    method: str = "manual",
    confidence: float = 1.0,
    replace: bool = False,
    note: str = "",
) -> None:
    """Link a line to a campaign ({platform, account_id, campaign_id, campaign_name}); `replace` drops its other
    links first (override). Accepting a suggestion keeps its method and confidence."""
    _check(ch, p, client_id, plan_id, line_id)
    if method not in METHODS or method == "unlinked":
        raise refusal(ValueError, "ws_link_method", field="method", method=repr(method))
    cid = str(campaign.get("campaign_id") or "").strip()
    platform = str(campaign.get("platform") or "").strip()
    if not cid or not platform:
        raise refusal(ValueError, "ws_link_campaign", field="campaign")
    # Tombstones at `at`, the new row a millisecond later: a relinked campaign (same key) must outrank its tombstone.
    at = _now()
    if replace:
        _clear(ch, p, client_id, plan_id, line_id, at)
    else:  # a new link ends a previous "not linked" decision
        for d in decisions(ch, p, client_id, plan_id):
            if d["line_id"] == line_id and d["match_method"] == "unlinked":
                _clear(ch, p, client_id, plan_id, line_id, at)
                break
    row = [p.tenant_id, client_id, plan_id, line_id, platform, str(campaign.get("account_id") or ""), cid,
           str(campaign.get("campaign_name") or ""), method, float(confidence), 0, at + _TICK, p.login, note[:500]]  # fmt: skip
    ch.insert("app.campaign_mappings", [row], column_names=_COLS)
    audit(
        ch,
        p.tenant_id,
        p.login,
        "plan_link",
        "ok",
        target=f"{client_id}/{plan_id}/{line_id}->{platform}:{cid}",
    )


def unlink(ch: Any, p: Principal, client_id: str, plan_id: str, line_id: str, note: str = "") -> None:
    """Mark the line deliberately not linked: its links (from the file or people) stop feeding plan vs fact."""
    _check(ch, p, client_id, plan_id, line_id)
    at = _now()
    _clear(ch, p, client_id, plan_id, line_id, at)
    row = [
        p.tenant_id,
        client_id,
        plan_id,
        line_id,
        "",
        "",
        "",
        "",
        "unlinked",
        1.0,
        0,
        at,
        p.login,
        note[:500],
    ]
    ch.insert("app.campaign_mappings", [row], column_names=_COLS)
    audit(ch, p.tenant_id, p.login, "plan_unlink", "ok", target=f"{client_id}/{plan_id}/{line_id}")


def client_campaigns(ch: Any, p: Principal, client_id: str, marts_db: str) -> list[dict[str, Any]]:
    """The client's campaigns with their first and last day of delivery (the campaign-day mart the app reads)."""
    require_client(ch, p, client_id)
    if not _IDENT.match(marts_db):
        raise refusal(ValueError, "ws_bad_db_name", field="marts database", db=repr(marts_db))
    res = ch.query(
        "SELECT platform, account_id, campaign_id, anyLast(campaign_name) AS campaign_name, "  # noqa: S608 - validated db
        f"min(date_day) AS start_date, max(date_day) AS end_date FROM {marts_db}.fct_campaign_daily "
        "WHERE tenant_id = {t:String} AND client_id = {c:String} GROUP BY platform, account_id, campaign_id "
        "ORDER BY platform, account_id, campaign_id",
        parameters={"t": p.tenant_id, "c": client_id},
    )
    return [dict(zip(res.column_names, r, strict=True)) for r in res.result_rows]
