"""Import a media plan: read, detect, validate, confirm, write a new version (all or nothing)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from mrm.i18n import refusal

from . import store
from .detect import PlanMapping, Suggester, detect_workbook
from .parse import Report, check_injection, parse_lines
from .reader import PlanFileError, Workbook, read_workbook


@dataclass
class ImportResult:
    plan_id: str
    imported: bool
    mapping: PlanMapping
    report: Report
    lines: list[dict[str, Any]] = field(default_factory=list)
    plan_version: int | None = None
    import_id: str = ""
    notes: list[str] = field(default_factory=list)
    template_id: str = ""

    @property
    def line_count(self) -> int:
        return len(self.lines)


def plan_id_from_name(name: str) -> str:
    """A stable plan id from a file name: re-importing the same file makes a new version of it."""
    stem = Path(name).stem.lower()
    slug = re.sub(r"[^0-9a-zа-яё]+", "-", stem).strip("-")
    return slug[:80] or "plan"


def analyse(
    source: str | Path | bytes | Workbook,
    *,
    filename: str | None = None,
    template: dict[str, str] | None = None,
    manual: dict[str, Any] | None = None,
    suggester: Suggester | None = None,
) -> tuple[Workbook, PlanMapping, Report, list[dict[str, Any]], list[str]]:
    """Detection and validation without a warehouse (what the benchmark and --dry-run measure)."""
    wb = source if isinstance(source, Workbook) else read_workbook(source, filename)
    mapping, notes = detect_workbook(wb, template=template, manual=manual, suggester=suggester)
    report = Report()
    if not mapping.sheets:
        for sheet, why in mapping.skipped_sheets or [(wb.filename, "plan_skip_no_sheets")]:
            report.add("error", sheet, 0, "", "", why)
        return wb, mapping, report, [], notes
    check_injection(wb, mapping, report)
    lines = parse_lines(wb, mapping, report)
    return wb, mapping, report, lines, notes


def import_plan(
    client: Any,
    source: str | Path | bytes,
    *,
    tenant_id: str,
    client_id: str,
    plan_id: str | None = None,
    name: str | None = None,
    filename: str | None = None,
    manual: dict[str, Any] | None = None,
    suggester: Suggester | None = None,
    confirm: Callable[[PlanMapping, Report], bool] | None = None,
    dry_run: bool = False,
    remember: bool = True,
    kind: str = "plan",
    imported_by: str = "",
) -> ImportResult:
    """Import one file as a new version of a plan; nothing is written unless every line validates.

    A remembered template for these headers (per client) is applied first; `manual` overrides it;
    `suggester` is asked only about columns the rules could not place; `confirm` sees the mapping
    and the report before anything is written and may refuse.
    """
    if not tenant_id or not client_id:
        raise refusal(ValueError, "plan_tenant_client_required")
    if kind not in ("plan", "history"):
        raise refusal(ValueError, "plan_one_of", field="kind", allowed="plan, history", value=repr(kind))
    wb = read_workbook(source, filename)
    fname = filename or wb.filename
    pid = plan_id or plan_id_from_name(fname)
    template_id, template = "", None
    if client is not None:
        first, _ = detect_workbook(wb, manual=manual)
        if first.sheets:
            found = store.find_template(client, tenant_id, client_id, first.signature())
            if found:
                template_id, template = found
    wb, mapping, report, lines, notes = analyse(wb, template=template, manual=manual, suggester=suggester)
    mapping.template_id = template_id
    result = ImportResult(pid, False, mapping, report, lines, notes=notes, template_id=template_id)
    if not report.ok or dry_run:
        return result
    if confirm is not None and not confirm(mapping, report):
        result.notes.append("import cancelled at confirmation")
        return result
    if client is None:
        raise ValueError("a warehouse client is needed to import (use dry_run without one)")
    if not store.client_exists(client, tenant_id, client_id):
        raise PlanFileError(
            "unknown_client", "no_client_in_tenant", client=repr(client_id), tenant=repr(tenant_id)
        )
    if kind == "history":  # past results: their own table, no version, never plan
        result.import_id = store.write_history(
            client, tenant_id, client_id, lines, source_file=wb.filename, imported_by=imported_by
        )
        result.imported = True
    else:
        header = _header(
            tenant_id, client_id, pid, name or Path(fname).stem, kind, wb, mapping, lines, imported_by
        )
        version, import_id = store.write_plan(client, header, lines)
        result.imported, result.plan_version, result.import_id = True, version, import_id
    if remember:
        learned = any(
            c.source in ("manual", "llm", "pattern") for s in mapping.sheets for c in s.columns if c.field
        )
        if learned or not template_id:
            headers = [c.header for s in mapping.sheets for c in s.columns if c.header]
            result.template_id = store.save_template(
                client, tenant_id, client_id, mapping.signature(), headers, mapping.header_template(), kind
            )
    return result


def plan_totals(lines: list[dict[str, Any]]) -> dict[str, Any]:
    """A version header's summary of its lines: currency, flight and net/gross totals."""
    starts = [ln["flight_start"] for ln in lines if ln.get("flight_start")]
    ends = [ln["flight_end"] for ln in lines if ln.get("flight_end")]
    currencies = sorted({ln.get("currency") or "RUB" for ln in lines})
    return {
        "currency": currencies[0] if len(currencies) == 1 else "MIXED",
        "flight_start": min(starts) if starts else None,
        "flight_end": max(ends) if ends else None,
        "total_budget_net": sum((Decimal(str(ln.get("budget_net") or 0)) for ln in lines), Decimal(0)),
        "total_budget_gross": sum((Decimal(str(ln.get("budget_gross") or 0)) for ln in lines), Decimal(0)),
    }


def _header(
    tenant_id: str,
    client_id: str,
    plan_id: str,
    name: str,
    kind: str,
    wb: Workbook,
    mapping: PlanMapping,
    lines: list[dict[str, Any]],
    imported_by: str,
) -> dict[str, Any]:
    return {
        "tenant_id": tenant_id,
        "client_id": client_id,
        "plan_id": plan_id,
        "name": name,
        "kind": kind,
        "status": "draft",
        **plan_totals(lines),
        "source_file": wb.filename,
        "source_format": wb.file_format,
        "source_sha256": wb.sha256,
        "source_sheets": [s.sheet for s in mapping.sheets],
        "mapping_json": mapping.to_json(),
        "mapping_template_id": mapping.template_id,
        "imported_by": imported_by,
        "note": "",
    }
