"""Plan versions in the workspace: save an edited plan as a new version, compare versions, move a version through
the status flow. Who may do each step comes from the permission matrix (workspace.permissions).

Flow: draft -> submitted (pending approval) -> approved | rejected; approved -> active -> completed;
rejected -> draft. Submitting and reviewing are workspace.plans' steps (four eyes); this module adds the rest.
Only the highest approved or active version of a plan feeds plan vs fact (view app.media_plan_lines_approved).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from dashboards.auth import Principal, check_id
from mrm.i18n import refusal, t
from planning.mediaplan.importer import plan_totals
from planning.mediaplan.store import client_exists, load_plan, write_plan
from planning.versions import LineChange, diff_lines
from workspace import plans
from workspace.access import require, require_client

# (from, to) -> the permission-matrix action that allows the step.
FLOW: dict[tuple[str, str], str] = {
    ("draft", "submitted"): "submit_plan",
    ("rejected", "submitted"): "submit_plan",
    ("submitted", "approved"): "approve_plan",
    ("submitted", "rejected"): "approve_plan",
    ("approved", "active"): "approve_plan",
    ("active", "completed"): "approve_plan",
    ("rejected", "draft"): "submit_plan",
}
# Every stored status of a version, in the flow's order; 'submitted' is the flow's "pending approval".
STATUSES: tuple[str, ...] = ("draft", "submitted", "approved", "rejected", "active", "completed")
MAX_LINES = 20_000


def status_label(status: str, lang: str) -> str:
    """A stored status's label in `lang` (ru|en) from the catalogue (`plan_status_<status>`); an unknown status as
    it is stored."""
    return t(f"plan_status_{status}", lang) if status in STATUSES else status


def next_statuses(status: str) -> list[str]:
    """Statuses a version in `status` may move to (whoever may do it)."""
    return [to for (frm, to) in FLOW if frm == status]


def allowed_next(p: Principal, status: str) -> list[str]:
    """The steps this principal's role may take from `status` (for showing buttons; the step itself re-checks)."""
    from workspace.permissions import allowed

    return [to for to in next_statuses(status) if allowed(p.role, FLOW[(status, to)])]


def plan_status_of(ch: Any, p: Principal, client_id: str, plan_id: str, version: int) -> str:
    """The stored status of one version ('draft' when nobody has moved it yet)."""
    return plans.plan_status(ch, p, client_id, plan_id, version)[0]


def transition(
    ch: Any, p: Principal, client_id: str, plan_id: str, version: int, to: str, note: str = ""
) -> str:
    """Move a plan version to status `to`; raises AccessDenied or plans.PlanReviewError (both name the step)."""
    status, _ = plans.plan_status(ch, p, client_id, plan_id, version)
    if (status, to) not in FLOW:
        nxt = ", ".join(next_statuses(status)) or "—"
        raise refusal(
            plans.PlanReviewError,
            "ws_plan_cannot_move",
            plan=repr(plan_id),
            version=version,
            status=status,
            next=nxt,
        )
    if to == "submitted":
        plans.submit_plan(ch, p, client_id, plan_id, version, note)
        return to
    if status == "submitted":
        return plans.review_plan(ch, p, client_id, plan_id, version, approve=to == "approved", note=note)
    require(ch, p, FLOW[(status, to)], target=f"{client_id}/{plan_id}")
    plans._record(ch, p, client_id, plan_id, version, to, note)
    return to


def list_versions(ch: Any, p: Principal, client_id: str, plan_id: str) -> list[dict[str, Any]]:
    """Every version of a plan the principal may read, newest first, with its status and who set it."""
    require_client(ch, p, client_id)
    check_id("plan", plan_id)
    res = ch.query(
        "SELECT h.plan_version AS plan_version, h.name AS name, h.kind AS kind, s.status AS status, "
        "s.status_by AS status_by, s.status_at AS status_at, h.line_count AS line_count, "
        "h.total_budget_net AS total_budget_net, h.imported_by AS saved_by, h.imported_at AS saved_at, "
        "h.based_on_version AS based_on_version, h.note AS note "
        "FROM app.media_plans AS h INNER JOIN app.media_plan_version_status AS s "
        "ON h.tenant_id = s.tenant_id AND h.client_id = s.client_id AND h.plan_id = s.plan_id "
        "AND h.plan_version = s.plan_version "
        "WHERE h.tenant_id = {t:String} AND h.client_id = {c:String} AND h.plan_id = {p:String} "
        "ORDER BY h.plan_version DESC",
        parameters={"t": p.tenant_id, "c": client_id, "p": plan_id},
    )
    return [dict(zip(res.column_names, r, strict=True)) for r in res.result_rows]


def history(ch: Any, p: Principal, client_id: str, plan_id: str) -> list[dict[str, Any]]:
    """Every status step of a plan: version, status, who, when and the comment, oldest first."""
    require_client(ch, p, client_id)
    check_id("plan", plan_id)
    res = ch.query(
        "SELECT plan_version, status, login, note, at FROM app.plan_reviews WHERE tenant_id = {t:String} "
        "AND client_id = {c:String} AND plan_id = {p:String} ORDER BY at, plan_version",
        parameters={"t": p.tenant_id, "c": client_id, "p": plan_id},
    )
    return [dict(zip(res.column_names, r, strict=True)) for r in res.result_rows]


def read_version(
    ch: Any, p: Principal, client_id: str, plan_id: str, version: int | None = None
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Header and lines of one version (latest when None) of a plan in the principal's tenant and client scope."""
    require_client(ch, p, client_id)
    check_id("plan", plan_id)
    try:
        return load_plan(ch, p.tenant_id, plan_id, version, client_id)
    except KeyError:
        shown = f" v{version}" if version else ""
        raise refusal(
            LookupError, "ws_plan_not_found", plan=repr(plan_id), version=shown, tenant=repr(p.tenant_id)
        ) from None


def _check_lines(lines: Sequence[dict[str, Any]]) -> None:
    if not lines:
        raise refusal(ValueError, "ws_plan_no_lines", field="lines")
    if len(lines) > MAX_LINES:
        raise refusal(ValueError, "ws_plan_max_lines", field="lines", n=MAX_LINES)
    seen: set[str] = set()
    for i, ln in enumerate(lines, 1):
        lid = str(ln.get("line_id") or "").strip()
        if not lid:
            raise refusal(ValueError, "ws_plan_line_empty", row=i)
        if lid in seen:
            raise refusal(ValueError, "ws_plan_line_repeats", row=i, line=repr(lid))
        seen.add(lid)


def save_version(
    ch: Any,
    p: Principal,
    client_id: str,
    plan_id: str,
    lines: Sequence[dict[str, Any]],
    *,
    name: str,
    based_on: int = 0,
    note: str = "",
) -> int:
    """Write the edited lines as a NEW draft version (never an overwrite) and return its number."""
    require(ch, p, "import_plan", target=f"{client_id}/{plan_id}")
    require_client(ch, p, client_id)
    check_id("plan", plan_id)
    if not client_exists(ch, p.tenant_id, client_id):
        raise refusal(LookupError, "ws_client_not_found", client=repr(client_id))
    _check_lines(lines)
    # Lines typed in the editor have no source position; a line kept from an import keeps its own.
    rows = [{"source_row": 0, "currency": "RUB", **ln, "line_no": i} for i, ln in enumerate(lines, 1)]
    for row in rows:
        row["currency"] = row["currency"] or "RUB"
        row["source_row"] = row["source_row"] or 0
    header = {
        "tenant_id": p.tenant_id,
        "client_id": client_id,
        "plan_id": plan_id,
        "name": name.strip()[:300] or plan_id,
        "kind": "plan",
        "status": "draft",
        **plan_totals(rows),
        "source_file": "",
        "source_format": "editor",
        "source_sha256": "",
        "source_sheets": [],
        "mapping_json": "",
        "mapping_template_id": "",
        "imported_by": p.login,
        "note": note[:2000],
        "based_on_version": int(based_on),
    }
    version, _ = write_plan(ch, header, rows)
    return version


def diff_versions(
    ch: Any, p: Principal, client_id: str, plan_id: str, old: int, new: int
) -> list[LineChange]:
    """Line-by-line, field-by-field changes from version `old` to version `new`."""
    _, a = read_version(ch, p, client_id, plan_id, old)
    _, b = read_version(ch, p, client_id, plan_id, new)
    return diff_lines(a, b)
