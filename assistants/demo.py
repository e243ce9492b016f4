"""Demo step of the AI layer: insights and a weekly report for every active client, then index docs and reports."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import Any

from tqdm import tqdm

log = logging.getLogger(__name__)
ROOT = Path(__file__).resolve().parents[1]


KB_CORPUS = ROOT / "assistants" / "kb" / "corpus"


def demo_doc_paths() -> list[Path]:
    """The project's own documentation plus the sample agency documents shipped in assistants/kb/corpus/."""
    return [p for p in (ROOT / "README.md", ROOT / "CONTRIBUTING.md", ROOT / "docs", KB_CORPUS) if p.exists()]


def run_demo(
    client: Any,
    out_dir: str | Path,
    *,
    tenant_ids: list[str] | None = None,
    marts_db: str = "marts",
    lang: str | None = None,
) -> dict[str, Any]:
    """Returns a summary {clients: [...], kb: {...}, errors: [...]}; raises if no client could be processed."""
    from assistants import insights, kb, reports

    out = Path(out_dir)
    rows = client.query(
        "SELECT tenant_id, client_id, report_language FROM app.clients FINAL WHERE is_active = 1 "
        "AND (length({tenants:Array(String)}) = 0 OR has({tenants:Array(String)}, tenant_id)) "
        "ORDER BY tenant_id, client_id",
        parameters={"tenants": tenant_ids or []},
    ).result_rows
    if not rows:
        raise LookupError("no active clients in app.clients: load the demo data first (mrm demo / make demo)")
    summary: dict[str, Any] = {"clients": [], "kb": {}, "errors": []}
    report_dirs: dict[str, list[Path]] = {}
    for tenant_id, client_id, rep_lang in tqdm(rows, desc="AI demo", unit="client"):
        last = client.query(
            f"SELECT max(date_day) FROM {marts_db}.fct_ad_performance_daily "  # noqa: S608 - db name from config
            "WHERE tenant_id = {t:String} AND client_id = {c:String}",
            parameters={"t": tenant_id, "c": client_id},
        ).result_rows[0][0]
        if not last or last.year < 2000:
            summary["errors"].append(
                f"{tenant_id}/{client_id}: no rows in {marts_db}.fct_ad_performance_daily"
            )
            continue
        try:
            found = insights.generate(client, tenant_id, client_id, last, marts_db=marts_db)
            period = f"{(last - dt.timedelta(days=6)).isoformat()}:{last.isoformat()}"
            files = reports.build_report(
                client,
                tenant_id,
                client_id,
                period,
                lang or rep_lang or "ru",
                out / tenant_id,
                marts_db=marts_db,
            )
        except Exception as exc:  # one broken client must not hide the others, but it is reported
            log.exception("demo failed for %s/%s", tenant_id, client_id)
            summary["errors"].append(f"{tenant_id}/{client_id}: {exc}")
            continue
        report_dirs.setdefault(tenant_id, []).append(out / tenant_id)
        summary["clients"].append(
            {
                "tenant_id": tenant_id,
                "client_id": client_id,
                "as_of": last.isoformat(),
                "insights": len(found),
                "xlsx": str(files.xlsx),
                "pdf": str(files.pdf),
                "narrator": files.narrator,
                "build_seconds": files.build_seconds,
            }
        )
    for tenant_id in sorted({r[0] for r in rows}):
        paths = demo_doc_paths() + sorted(set(report_dirs.get(tenant_id, [])))
        rep = kb.index_paths(client, tenant_id, paths, base=ROOT)
        summary["kb"][tenant_id] = {
            "indexed": len(rep.indexed),
            "unchanged": len(rep.unchanged),
            "chunks": rep.chunks,
            "repaired": rep.repaired,
            "errors": rep.errors,
        }
    if not summary["clients"]:
        raise RuntimeError("AI demo produced nothing: " + "; ".join(summary["errors"]))
    return summary
