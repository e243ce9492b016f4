"""Benchmarks of the AI layer: retrieval recall@5, `ask` p95 (offline), report build time, mojibake repair,
insight detector recall / false alarms. Run: .venv/bin/python -m benchmarks.assistants_bench [--json]
"""

from __future__ import annotations

import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import click

ROOT = Path(__file__).resolve().parents[1]
BENCH_TENANT = "bench_ai"
BENCH_DB = "marts_bench_ai"
BENCH_CLIENTS = {"acme": ("Acme Retail", "en"), "romashka": ("ООО «Ромашка»", "ru")}


def build_corpus(
    ch: Any, out_dir: Path, *, tenant_id: str = BENCH_TENANT, marts_db: str = BENCH_DB
) -> dict[str, Any]:
    """Synthetic marts → RU and EN reports for two clients → index them with the demo's documents and sample corpus."""
    from assistants import kb, reports
    from assistants.demo import demo_doc_paths
    from assistants.insights import synthetic

    ch.command(f"DROP DATABASE IF EXISTS {marts_db}")
    start, days = dt.date(2026, 9, 1), 70
    end = start + dt.timedelta(days=days - 1)
    inj = [
        synthetic.Injection("romashka", "romashka-c1", end, "spend_spike"),
        synthetic.Injection("acme", "acme-c2", end, "ctr_drop"),
    ]
    synthetic.generate(
        ch,
        marts_db,
        tenant_id,
        list(BENCH_CLIENTS),
        start,
        days,
        seed=7,
        injections=inj,
        plan_overspend={"acme": 1.3},
    )
    ch.insert(
        "app.clients",
        [
            [tenant_id, cid, name, "RUB", 0.1, [f"{cid}@example.com"], lang]
            for cid, (name, lang) in BENCH_CLIENTS.items()
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
    langs: dict[str, str] = {}
    build_times = []
    period = f"{(end - dt.timedelta(days=27)).isoformat()}:{end.isoformat()}"
    for cid in BENCH_CLIENTS:
        for lang in ("ru", "en"):
            files = reports.build_report(
                ch, tenant_id, cid, period, lang, out_dir, include_commission=True, marts_db=marts_db
            )
            build_times.append(files.build_seconds)
            langs[str(files.xlsx)] = lang
            langs[str(files.pdf)] = lang
    rep = kb.index_paths(ch, tenant_id, [*demo_doc_paths(), out_dir])
    return {
        "report_langs": langs,
        "report_build_s": build_times,
        "indexed": rep.indexed,
        "chunks": rep.chunks,
        "repaired": rep.repaired,
    }


def retrieval(ch: Any, report_langs: dict[str, str], tenant_id: str = BENCH_TENANT) -> Any:
    from assistants import kb
    from assistants.kb.evaluate import evaluate, load_questions

    return evaluate(
        lambda q, k: kb.search(ch, tenant_id, q, k=k), load_questions(), k=5, report_langs=report_langs
    )


def ask_latency(ch: Any, tenant_id: str = BENCH_TENANT, n: int = 40) -> dict[str, float]:
    from assistants import kb
    from assistants.kb.evaluate import load_questions
    from assistants.llm import Gateway

    gw = Gateway(ch=ch, api_key=None)
    qs = load_questions()[:n]
    times = []
    for q in qs:
        t = time.perf_counter()
        kb.ask(ch, tenant_id, q["q"], q["lang"], gateway=gw)
        times.append(time.perf_counter() - t)
    times.sort()
    return {
        "n": len(times),
        "p50_s": round(statistics.median(times), 4),
        "p95_s": round(times[min(len(times) - 1, int(0.95 * len(times)))], 4),
    }


def cli_ask_latency(tenant_id: str = BENCH_TENANT, n: int = 6) -> dict[str, float]:
    """Wall time of the real `mrm ask` process (interpreter start + imports + warehouse round trips)."""
    times = []
    mrm = Path(sys.executable).parent / "mrm"
    cmd = [str(mrm)] if mrm.exists() else [sys.executable, "-m", "mrm.cli"]
    env = {**os.environ}
    env.pop("ANTHROPIC_API_KEY", None)
    for q in (
        "Кто утверждает медиаплан у цветочной сети?",
        "By what time must the weekly client report be delivered?",
    ) * (n // 2):
        t = time.perf_counter()
        subprocess.run(
            [*cmd, "ask", q, "--tenant", tenant_id, "--json"], check=True, capture_output=True, env=env
        )
        times.append(time.perf_counter() - t)
    times.sort()
    return {"n": len(times), "p50_s": round(statistics.median(times), 3), "max_s": round(times[-1], 3)}


def mojibake() -> dict[str, Any]:
    from assistants.demo import KB_CORPUS
    from assistants.kb.mojibake import damage, repair

    out: dict[str, Any] = {}
    clean = (ROOT / "tests" / "fixtures" / "kb_corpus" / "onboarding_checklist_ru.md").read_text(
        encoding="utf-8"
    )
    shipped = KB_CORPUS / "agency" / "ru" / "onboarding_checklist_ru_legacy_export.md"
    r = repair(shipped.read_text(encoding="utf-8"))
    out["corpus_file"] = r.summary()
    out["corpus_file"]["residual_mojibake_markers"] = sum(r.text.count(m) for m in ("Ğ", "Ñ", "â€", "ğŸ"))
    out["corpus_file"]["wrong_chars"] = sum(a != b for a, b in zip(clean, r.text, strict=False))
    held = ROOT / "tests" / "fixtures" / "retrieval" / "ru_heldout_sentences.txt"
    src = held.read_text(encoding="utf-8")
    fixed = repair(damage(src)).text
    lost = set("сэюяАНО")
    pos = (
        [(a, b) for a, b in zip(src, fixed, strict=False) if a in lost or a != b]
        if len(src) == len(fixed)
        else []
    )
    ok = sum(1 for a, b in pos if a == b)
    out["heldout"] = {
        "chars": len(src),
        "lost_positions": len(pos),
        "recovered": ok,
        "accuracy": round(ok / len(pos), 4) if pos else None,
        "length_preserved": len(src) == len(fixed),
    }
    try:
        import ftfy

        f2 = ftfy.fix_text(damage(src))
        out["heldout"]["ftfy_exact_match"] = f2 == src
    except ImportError:
        pass
    return out


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print the raw numbers as JSON.")
@click.option("--out", "out_dir", default="test-artifacts/bench_ai", show_default=True, type=click.Path())
@click.option("--skip-cli", is_flag=True, help="Skip the subprocess `mrm ask` timing.")
def main(as_json: bool, out_dir: str, skip_cli: bool) -> None:
    """Run every AI-layer benchmark against the configured (default: embedded) warehouse."""
    import warehouse
    from assistants.insights import evaluate as ins_eval
    from warehouse.migrate import migrate as run_migrations

    ch = warehouse.connect()
    run_migrations(ch)
    res: dict[str, Any] = {}
    corpus = build_corpus(ch, Path(out_dir))
    rr = retrieval(ch, corpus["report_langs"])
    res["retrieval"] = {
        "questions": rr.total,
        "recall_at_5": round(rr.recall, 4),
        "by_lang": rr.by_lang,
        "misses": rr.misses,
        "chunks": corpus["chunks"],
    }
    res["ask_inprocess"] = ask_latency(ch)
    if not skip_cli:
        res["ask_cli"] = cli_ask_latency()
    res["report_build_s"] = {"max": max(corpus["report_build_s"]), "all": corpus["report_build_s"]}
    res["mojibake"] = mojibake()
    ev = ins_eval.run(ch, "marts_bench_ai_eval")
    res["insights"] = {
        "injected": ev.injected,
        "recall": round(ev.recall, 4),
        "client_weeks": ev.client_weeks,
        "false_alarms": ev.false_alarms,
        "false_alarms_per_client_week": round(ev.false_alarms_per_client_week, 3),
        "missed": ev.missed,
    }
    if as_json:
        click.echo(json.dumps(res, ensure_ascii=False, indent=2, default=str))
        return
    click.echo("| benchmark | result |\n|---|---|")
    click.echo(
        f"| retrieval recall@5 ({rr.total} RU+EN questions, offline embedder) | {rr.recall:.3f} "
        f"(ru {rr.by_lang.get('ru')}, en {rr.by_lang.get('en')}) |"
    )
    click.echo(
        f"| `ask` in-process p95 / p50 (offline) | {res['ask_inprocess']['p95_s']} s / {res['ask_inprocess']['p50_s']} s |"
    )
    if "ask_cli" in res:
        click.echo(
            f"| `mrm ask` process wall p50 / max | {res['ask_cli']['p50_s']} s / {res['ask_cli']['max_s']} s |"
        )
    click.echo(f"| client report build (XLSX+PDF), max of 4 | {res['report_build_s']['max']} s |")
    m = res["mojibake"]
    c = m["corpus_file"]
    click.echo(
        f"| corpus mojibake file: lost bytes / resolved confidently / flagged / wrong chars | {c['lost_bytes']} / "
        f"{c['resolved_confident']} / {c['flagged']} / {c['wrong_chars']} |"
    )
    click.echo(
        f"| held-out RU text, lost-character recovery | {m['heldout']['accuracy']} "
        f"({m['heldout']['recovered']}/{m['heldout']['lost_positions']}) |"
    )
    i = res["insights"]
    click.echo(f"| insight recall on injected anomalies | {i['recall']} ({i['injected']} injected) |")
    click.echo(f"| false alarms per client-week (clean data) | {i['false_alarms_per_client_week']} |")


if __name__ == "__main__":
    main()
