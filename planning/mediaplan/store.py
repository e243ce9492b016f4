"""Warehouse side of media plans: versioned, all-or-nothing writes and tenant-scoped reads."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

LINE_COLUMNS = [
    "tenant_id", "client_id", "plan_id", "plan_version", "import_id", "line_id", "line_no", "source_sheet",
    "source_row", "channel", "platform", "campaign_name", "platform_campaign_id", "account_id", "placement",
    "ad_format", "flight_start", "flight_end", "currency", "budget_net", "budget_gross", "pricing_model",
    "unit_price", "planned_impressions", "planned_clicks", "planned_conversions", "planned_reach",
    "planned_reach_persons", "planned_frequency", "planned_grp", "planned_trp", "target_audience", "ta_size",
    "geo", "comment", "extra", "imported_at",
]  # fmt: skip
PLAN_COLUMNS = [
    "tenant_id", "client_id", "plan_id", "plan_version", "import_id", "name", "kind", "status", "currency",
    "flight_start", "flight_end", "total_budget_net", "total_budget_gross", "line_count", "source_file",
    "source_format", "source_sha256", "source_sheets", "mapping_json", "mapping_template_id", "imported_by",
    "note", "imported_at", "based_on_version",
]  # fmt: skip
_INT_COLS = {"planned_impressions", "planned_clicks", "planned_reach_persons", "ta_size"}
_FLOAT_COLS = {"planned_conversions", "planned_reach", "planned_frequency", "planned_grp", "planned_trp"}
_TEXT_COLS = {
    "channel", "platform", "campaign_name", "platform_campaign_id", "account_id", "placement", "ad_format",
    "pricing_model", "target_audience", "geo", "comment", "source_sheet",
}  # fmt: skip


class PlanStoreError(RuntimeError):
    """Writing a plan failed; nothing of it is visible."""


def client_exists(client: Any, tenant_id: str, client_id: str) -> bool:
    res = client.query(
        "SELECT count() FROM app.clients FINAL WHERE tenant_id = {t:String} AND client_id = {c:String}",
        parameters={"t": tenant_id, "c": client_id},
    )
    return bool(res.result_rows[0][0])


def next_version(client: Any, tenant_id: str, client_id: str, plan_id: str) -> int:
    res = client.query(
        "SELECT max(plan_version) FROM app.media_plans "
        "WHERE tenant_id = {t:String} AND client_id = {c:String} AND plan_id = {p:String}",
        parameters={"t": tenant_id, "c": client_id, "p": plan_id},
    )
    return int(res.result_rows[0][0] or 0) + 1


def _line_row(line: dict[str, Any], now: dt.datetime) -> list[Any]:
    out = []
    for col in LINE_COLUMNS:
        v = line.get(col)
        if col == "imported_at":
            v = now
        elif col in _INT_COLS and v is not None:
            v = int(v)
        elif col in _FLOAT_COLS and v is not None:
            v = float(v)
        elif col in _TEXT_COLS:
            v = "" if v is None else str(v)
        elif col == "extra":
            v = {str(k): str(x) for k, x in (v or {}).items()}
        out.append(v)
    return out


def write_plan(client: Any, header: dict[str, Any], lines: list[dict[str, Any]]) -> tuple[int, str]:
    """Insert a new version: lines first, then the header that makes them visible; returns (version, import_id).

    ClickHouse has no multi-statement transactions, so atomicity comes from the commit marker: readers
    join lines to app.media_plans on import_id, and a failure before the header leaves orphans that
    are deleted here (and would be invisible anyway).
    """
    tenant, client_id, plan_id = header["tenant_id"], header["client_id"], header["plan_id"]
    version = next_version(client, tenant, client_id, plan_id)
    import_id = uuid.uuid4().hex
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    base = {
        "tenant_id": tenant,
        "client_id": client_id,
        "plan_id": plan_id,
        "plan_version": version,
        "import_id": import_id,
    }
    rows = [_line_row({**line, **base}, now) for line in lines]
    settings = {"insert_deduplicate": 0, "async_insert": 0}
    try:
        if rows:
            client.insert("app.media_plan_lines", rows, column_names=LINE_COLUMNS, settings=settings)
        head = {"based_on_version": 0, **header, **base, "line_count": len(rows), "imported_at": now}
        client.insert(
            "app.media_plans",
            [[head.get(c) for c in PLAN_COLUMNS]],
            column_names=PLAN_COLUMNS,
            settings=settings,
        )
    except Exception as exc:
        try:
            client.command(
                "DELETE FROM app.media_plan_lines WHERE tenant_id = {t:String} AND import_id = {i:String}",
                parameters={"t": tenant, "i": import_id},
            )
        except Exception:  # orphans stay invisible: no header row references them
            pass
        raise PlanStoreError(f"writing plan {plan_id} v{version} failed: {exc}") from exc
    return version, import_id


HISTORY_COLUMNS = [
    "tenant_id", "client_id", "import_id", "source_file", "imported_by", "imported_at", "line_no", "date_from",
    "date_to", "channel", "platform", "campaign_name", "platform_campaign_id", "spend_net", "impressions", "clicks",
    "conversions",
]  # fmt: skip


def write_history(
    client: Any,
    tenant_id: str,
    client_id: str,
    lines: list[dict[str, Any]],
    *,
    source_file: str,
    imported_by: str,
) -> str:
    """Store an imported statistics export as past results (app.history_results); returns its import id."""
    import_id = uuid.uuid4().hex
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)

    def whole(v: Any) -> int | None:
        return None if v is None else int(v)

    rows = [
        [tenant_id, client_id, import_id, source_file, imported_by, now, i + 1, ln.get("flight_start"),
         ln.get("flight_end"), str(ln.get("channel") or ""), str(ln.get("platform") or ""),
         str(ln.get("campaign_name") or ""), str(ln.get("platform_campaign_id") or ""), ln.get("budget_net"),
         whole(ln.get("planned_impressions")), whole(ln.get("planned_clicks")),
         None if ln.get("planned_conversions") is None else float(ln["planned_conversions"])]
        for i, ln in enumerate(lines)
    ]  # fmt: skip
    if rows:
        client.insert(
            "app.history_results", rows, column_names=HISTORY_COLUMNS,
            settings={"insert_deduplicate": 0, "async_insert": 0},
        )  # fmt: skip
    return import_id


def list_history(client: Any, tenant_id: str, client_id: str) -> list[dict[str, Any]]:
    """The client's imported past results, one row per import (newest first): period, lines, spend, volumes."""
    res = client.query(
        "SELECT any(source_file) AS source_file, min(date_from) AS date_from, max(date_to) AS date_to, "
        "count() AS lines, sum(spend_net) AS spend_net, sum(impressions) AS impressions, sum(clicks) AS clicks, "
        "sum(conversions) AS conversions, any(imported_by) AS imported_by, max(imported_at) AS imported_at "
        "FROM app.history_results WHERE tenant_id = {t:String} AND client_id = {c:String} "
        "GROUP BY import_id ORDER BY imported_at DESC",
        parameters={"t": tenant_id, "c": client_id},
    )
    return [dict(zip(res.column_names, r, strict=True)) for r in res.result_rows]


def list_plans(client: Any, tenant_id: str, client_id: str | None = None) -> list[dict[str, Any]]:
    """Every plan version of a tenant (optionally one client), newest first."""
    res = client.query(
        "SELECT client_id, plan_id, plan_version, name, kind, line_count, total_budget_net, total_budget_gross, "
        "currency, flight_start, flight_end, source_file, imported_at FROM app.media_plans "
        "WHERE tenant_id = {t:String} AND ({c:String} = '' OR client_id = {c:String}) "
        "ORDER BY client_id, plan_id, plan_version DESC",
        parameters={"t": tenant_id, "c": client_id or ""},
    )
    return [dict(zip(res.column_names, r, strict=True)) for r in res.result_rows]


def load_plan(
    client: Any, tenant_id: str, plan_id: str, version: int | None = None, client_id: str | None = None
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Header and lines of one plan version (latest when `version` is None); KeyError when absent."""
    res = client.query(
        "SELECT * FROM app.media_plans WHERE tenant_id = {t:String} AND plan_id = {p:String} "
        "AND ({c:String} = '' OR client_id = {c:String}) AND ({v:UInt32} = 0 OR plan_version = {v:UInt32}) "
        "ORDER BY plan_version DESC, imported_at DESC LIMIT 1",
        parameters={"t": tenant_id, "p": plan_id, "c": client_id or "", "v": int(version or 0)},
    )
    if not res.result_rows:
        raise KeyError(
            f"plan {plan_id!r}{f' v{version}' if version else ''} not found for tenant {tenant_id!r}"
        )
    header = dict(zip(res.column_names, res.result_rows[0], strict=True))
    lres = client.query(
        "SELECT * FROM app.media_plan_lines WHERE tenant_id = {t:String} AND import_id = {i:String} ORDER BY line_no",
        parameters={"t": tenant_id, "i": header["import_id"]},
    )
    return header, [dict(zip(lres.column_names, r, strict=True)) for r in lres.result_rows]


def save_template(
    client: Any,
    tenant_id: str,
    client_id: str,
    signature: str,
    headers: list[str],
    mapping: dict[str, str],
    kind: str,
) -> str:
    template_id = signature[:16]
    client.insert(
        "app.mapping_templates",
        [
            [
                tenant_id,
                client_id,
                template_id,
                f"auto {dt.date.today()}",
                kind,
                signature,
                headers,
                json.dumps(mapping, ensure_ascii=False),
                0,
                dt.datetime.now(dt.UTC).replace(tzinfo=None),
            ]
        ],  # fmt: skip
        column_names=[
            "tenant_id",
            "client_id",
            "template_id",
            "name",
            "kind",
            "header_signature",
            "headers",
            "mapping_json",
            "is_deleted",
            "updated_at",
        ],  # fmt: skip
    )
    return template_id


def find_template(
    client: Any, tenant_id: str, client_id: str, signature: str
) -> tuple[str, dict[str, str]] | None:
    """The client's remembered mapping for exactly these headers, if any."""
    res = client.query(
        "SELECT template_id, mapping_json FROM app.mapping_templates FINAL "
        "WHERE tenant_id = {t:String} AND client_id = {c:String} AND header_signature = {s:String} AND is_deleted = 0 "
        "ORDER BY updated_at DESC LIMIT 1",
        parameters={"t": tenant_id, "c": client_id, "s": signature},
    )
    if not res.result_rows:
        return None
    return str(res.result_rows[0][0]), json.loads(res.result_rows[0][1])
