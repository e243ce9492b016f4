"""Click commands of the AI layer: `ask`, `kb` (index/ingest, search), `insights`, `report` (build, send), `assist`."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from mrm.i18n import cli_explain, cli_num, cli_t, explain


def _client() -> Any:
    import warehouse

    return warehouse.connect()


def _dump(obj: Any) -> None:
    click.echo(json.dumps(obj, ensure_ascii=False, indent=2, default=str))


@click.command("ask")
@click.argument("question")
@click.option(
    "--tenant", "tenant_id", required=True, help="Tenant whose documents, reports and data are used."
)
@click.option(
    "--agent",
    type=click.Choice(["auto", "analyst", "plan", "project"]),
    default=None,
    help="Assistant: analyst (the client's data through the metric layer), plan (what-if, optimizer and pacing "
    "on a media plan), project (a brief as tasks and RACI), auto (the router picks from the question). "
    "Default: analyst with --client, otherwise the knowledge base.",
)
@click.option("--plan", "plan_id", default=None, help="Plan the plan advisor works on (default: the newest).")
@click.option("--client", "client_id", default=None, help="Client the analyst or plan advisor answers about.")
@click.option(
    "--thread", "thread_id", default=None, help="Continue this thread (follow-ups keep its context)."
)
@click.option(
    "--user",
    "login",
    envvar="MRM_USER",
    default="cli",
    show_default=True,
    help="Whose threads (env MRM_USER). A login of an app user of the tenant acts as that user: its role and "
    "client scope apply; any other name is the shell operator (admin).",
)
@click.option(
    "--lang", type=click.Choice(["ru", "en"]), default=None, help="Answer language (default: the question's)."
)
@click.option("-k", "k", default=5, show_default=True, help="Passages retrieved (knowledge-base answers).")
@click.option(
    "--marts-db", default=None, help="Database holding the dbt marts (default: MRM_MARTS_DB or marts)."
)
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print JSON: answer, numbers (each with its source), thread_id, message_id, tool calls.",
)
def ask(
    question: str,
    tenant_id: str,
    agent: str | None,
    plan_id: str | None,
    client_id: str | None,
    thread_id: str | None,
    login: str,
    lang: str | None,
    k: int,
    marts_db: str | None,
    as_json: bool,
) -> None:
    """Ask an assistant. With --agent (or --client) the answer goes into a stored thread and every number in it
    lists its source (metric, filters, period); without, answer from the knowledge base, citing passages.

    Uses Claude when ANTHROPIC_API_KEY is set, otherwise the offline path (labelled [offline]).
    """
    ch = _client()
    if agent or client_id or thread_id:
        from clickhouse_connect.driver.exceptions import DatabaseError

        from assistants.agents import chat, memory

        try:
            res = chat.ask(
                ch,
                _asker(ch, tenant_id, login),
                question,
                agent=agent or "analyst",
                client_id=client_id,
                thread_id=thread_id,
                lang=lang,
                marts_db=marts_db,
                plan_id=plan_id,
            )
        except ValueError as exc:
            raise click.BadParameter(str(exc)) from exc
        except (PermissionError, memory.ThreadError) as exc:
            raise click.ClickException(cli_explain(exc)) from exc
        except DatabaseError as exc:  # e.g. the marts are not built yet: say so without a traceback
            raise click.ClickException(cli_t("cli_ask_query_failed", error=cli_explain(exc))) from exc
        if as_json:
            _dump(res)
            return
        click.echo(res["answer"])
        for n in res["numbers"]:
            src = n.get("source") or {}
            where = ", ".join(f"{key}={v}" for key, v in src.items() if key not in ("tool_call_id",) and v)
            click.echo(f"  {n['text']}: {where}", err=True)
        route = res["route"]
        click.echo(
            "\n"
            + cli_t(
                "cli_ask_answered_by",
                agent=res["agent"],
                by=route["by"],
                thread=res["thread_id"],
                provider=res["provider"],
            ),
            err=True,
        )
        return
    from assistants import kb

    try:
        ans = kb.ask(ch, tenant_id, question, lang, k=k)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc
    if as_json:
        d = ans.as_dict()
        _dump({"answer": d["answer"], "provider": d["provider"], "citations": d["citations"]})
        return
    click.echo(ans.answer)
    click.echo("")
    for h in ans.citations:
        click.echo(f"  [{h.chunk_id}] {_hit(h)}")
    click.echo(f"\n({ans.provider})", err=True)


def _hit(h: Any) -> str:
    """A knowledge-base passage as listed: its source, heading and lines."""
    return cli_t("cli_kb_hit", path=h.source_path, heading=h.heading, start=h.line_start, end=h.line_end)


def _asker(ch: Any, tenant_id: str, login: str) -> Any:
    """Who `mrm ask` answers: an app user of the tenant named by --user with its own role and client scope (a
    suspended one is refused), never lifted to admin by naming it; another name is the shell operator (admin)."""
    from assistants.agents.tools import Asker
    from workspace.access import cli_principal

    known = ch.query(
        "SELECT count() FROM app.users FINAL WHERE tenant_id = {t:String} AND login = {l:String}",
        parameters={"t": tenant_id, "l": login},
    ).result_rows[0][0]
    if not known:
        return Asker(tenant_id, login, "admin")
    p = cli_principal(ch, tenant_id, login)
    return Asker(p.tenant_id, p.login, p.role, p.client_id)


@click.group("kb")
def kb() -> None:
    """Knowledge base: index documents (md, txt, pdf, xlsx; mojibake repaired) and search them."""


def _index(paths: tuple[str, ...], tenant_id: str, as_json: bool) -> None:
    from assistants import kb as kbm

    try:
        rep = kbm.index_paths(_client(), tenant_id, list(paths), progress=sys.stderr.isatty())
    except kbm.LoadError as exc:
        raise click.ClickException(cli_explain(exc)) from exc
    out = {
        "indexed": rep.indexed,
        "unchanged": rep.unchanged,
        "chunks": rep.chunks,
        "repaired": rep.repaired,
        "errors": rep.errors,
    }
    if as_json:
        _dump(out)
    else:
        click.echo(
            cli_t(
                "cli_kb_indexed",
                documents=cli_num(len(rep.indexed)),
                chunks=cli_num(rep.chunks),
                unchanged=cli_num(len(rep.unchanged)),
            )
        )
        for p, r in rep.repaired.items():
            lost, flagged = (cli_num(r.get(key) or 0) for key in ("lost_bytes", "flagged"))
            click.echo(cli_t("cli_kb_repaired", path=p, lost=lost, flagged=flagged))
        for p, e in rep.errors.items():
            click.echo(cli_t("cli_kb_error", path=p, error=e), err=True)
    if rep.errors:
        sys.exit(1)


@kb.command("index")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--tenant", "tenant_id", required=True, help="Tenant that owns the documents.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable summary.")
def kb_index(paths: tuple[str, ...], tenant_id: str, as_json: bool) -> None:
    """Index files or directories; unchanged documents (same content hash) are skipped."""
    _index(paths, tenant_id, as_json)


# `kb ingest`: another name for `kb index`, with the same arguments.
kb.add_command(
    click.Command("ingest", params=kb_index.params, callback=kb_index.callback, help="Same as `kb index`.")
)


@kb.command("search")
@click.argument("query")
@click.option("--tenant", "tenant_id", required=True, help="Tenant to search.")
@click.option("-k", "k", default=5, show_default=True, help="Number of hits.")
@click.option(
    "--source", "source_prefix", default="", help="Only documents whose source path starts with this."
)
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="JSON list of hits, best first: source_path, heading, line_start, line_end, score, text.",
)
def kb_search(query: str, tenant_id: str, k: int, source_prefix: str, as_json: bool) -> None:
    """Hybrid (vector + full-text) search of the tenant's knowledge base."""
    from assistants import kb as kbm

    hits = kbm.search(_client(), tenant_id, query, k=k, source_prefix=source_prefix)
    if as_json:
        _dump(
            [
                {key: v for key, v in h.as_dict().items() if key != "chunk_id"} | {"chunk_id": h.chunk_id}
                for h in hits
            ]
        )
        return
    for h in hits:
        click.echo(f"{h.score:.4f}  {_hit(h)}")


@click.command("insights")
@click.option("--tenant", "tenant_id", required=True)
@click.option("--client", "client_id", required=True)
@click.option("--date", "as_of", required=True, help="As-of day, YYYY-MM-DD.")
@click.option("--lang", type=click.Choice(["ru", "en"]), default="ru", show_default=True)
@click.option("--marts-db", default="marts", show_default=True, help="Database holding the dbt marts.")
@click.option("--json", "as_json", is_flag=True)
def insights(tenant_id: str, client_id: str, as_of: str, lang: str, marts_db: str, as_json: bool) -> None:
    """Detect (pipeline health first), narrate and store a client's insights for a day."""
    from assistants import insights as ins

    try:
        found = ins.generate(_client(), tenant_id, client_id, as_of, marts_db=marts_db)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc
    if as_json:
        _dump(
            [
                {**i.facts(), "narrative": getattr(i, f"narrative_{lang}"), "narrator": i.narrator}
                for i in found
            ]
        )
        return
    if not found:
        click.echo(cli_t("cli_insights_none"))
    for i in found:
        click.echo(f"[{i.severity:8}] {i.type:16} {getattr(i, f'narrative_{lang}')}")


@click.group("report")
def report() -> None:
    """Client reports: build XLSX/PDF from frozen numbers, send by e-mail."""


def _period_opt(f: Any) -> Any:
    return click.option(
        "--period", required=True, help="FROM:TO (YYYY-MM-DD:YYYY-MM-DD), day:D, week:D or month:YYYY-MM."
    )(f)


@report.command("build")
@click.option("--tenant", "tenant_id", required=True)
@click.option("--client", "client_id", required=True)
@_period_opt
@click.option("--lang", type=click.Choice(["ru", "en"]), default="ru", show_default=True)
@click.option("--format", "fmt", default="xlsx,pdf", show_default=True, help="Comma list: xlsx,pdf.")
@click.option("--out", "out_dir", default="reports_out", show_default=True, type=click.Path())
@click.option("--vat/--no-vat", default=True, show_default=True, help="Show spend including VAT.")
@click.option(
    "--commission/--no-commission", default=False, show_default=True, help="Add the agency commission."
)
@click.option("--marts-db", default="marts", show_default=True)
@click.option("--send", is_flag=True, help="E-mail the report to the client's recipients after building.")
def report_build(
    tenant_id: str,
    client_id: str,
    period: str,
    lang: str,
    fmt: str,
    out_dir: str,
    vat: bool,
    commission: bool,
    marts_db: str,
    send: bool,
) -> None:
    """Build a client report (numbers frozen into app.report_runs)."""
    from assistants import reports

    formats = tuple(x.strip() for x in fmt.split(",") if x.strip())
    bad = set(formats) - {"xlsx", "pdf"}
    if bad:
        raise click.BadParameter(cli_t("cli_report_bad_format", formats=sorted(bad)), param_hint="--format")
    ch = _client()
    try:
        files = reports.build_report(
            ch,
            tenant_id,
            client_id,
            period,
            lang,
            Path(out_dir),
            include_vat=vat,
            include_commission=commission,
            marts_db=marts_db,
            formats=formats,
        )
    except (ValueError, LookupError) as exc:
        raise click.ClickException(cli_explain(exc)) from exc
    for p in (files.xlsx, files.pdf):
        if p.exists():
            click.echo(str(p))
    seconds = cli_num(files.build_seconds, 2)
    click.echo(
        cli_t("cli_report_built", run=files.run_id, seconds=seconds, narrator=files.narrator), err=True
    )
    if send:
        to = reports.send_report(ch, files)
        click.echo(cli_t("cli_report_sent_to", to=", ".join(to)), err=True)


@report.command("send")
@click.option("--tenant", "tenant_id", required=True)
@click.option("--client", "client_id", required=True)
@_period_opt
@click.option("--lang", type=click.Choice(["ru", "en"]), default="ru", show_default=True)
@click.option(
    "--to", "recipients", multiple=True, help="Override recipients (default: app.clients.report_recipients)."
)
def report_send(tenant_id: str, client_id: str, period: str, lang: str, recipients: tuple[str, ...]) -> None:
    """E-mail the latest built run for the period (its frozen files), via MRM_SMTP_HOST/PORT."""
    from assistants import reports

    ch = _client()
    try:
        files = reports.load_run(ch, tenant_id, client_id, period, lang)
        to = reports.send_report(ch, files, recipients=list(recipients) or None)
    except (ValueError, LookupError, FileNotFoundError, RuntimeError) as exc:
        raise click.ClickException(cli_explain(exc)) from exc
    click.echo(cli_t("cli_report_sent_run", run=files.run_id, to=", ".join(to)))


def _schedules() -> None:
    # `mrm report schedule …` lives with delivery (schedules, channels), under the report group people look in.
    from delivery.cli import schedule

    report.add_command(schedule)


_schedules()


@click.group("ai")
def ai() -> None:
    """The AI layer's stored data: feedback on assistant answers."""


@ai.group("feedback")
def ai_feedback() -> None:
    """Thumbs up/down and comments people gave assistant answers."""


@ai_feedback.command("export")
@click.option("--tenant", "tenant_id", required=True, help="Tenant whose feedback is exported.")
@click.option(
    "--out",
    "out_path",
    default="-",
    show_default=True,
    type=click.Path(dir_okay=False, allow_dash=True),
    help="JSON Lines file, one evaluation case per line (- for stdout).",
)
def ai_feedback_export(tenant_id: str, out_path: str) -> None:
    """Write the feedback as an evaluation set: question, answer, tool calls, numbers, rating, comment."""
    from assistants.agents import memory

    rows = memory.export_feedback(_client(), tenant_id)
    lines = "".join(json.dumps(r, ensure_ascii=False, default=str) + "\n" for r in rows)
    if out_path == "-":
        click.echo(lines, nl=False)
    else:
        Path(out_path).write_text(lines, encoding="utf-8")
        click.echo(cli_t("cli_ai_feedback_written", n=cli_num(len(rows)), path=out_path), err=True)


@click.group("assist")
def assist() -> None:
    """Assistants: media-plan reallocation advice and project decomposition (tasks + RACI)."""


@assist.command("plan")
@click.option("--tenant", "tenant_id", required=True, help="Tenant that owns the plan.")
@click.option("--plan-id", "plan_id", required=True, help="Media plan id (its latest version is used).")
@click.option(
    "--target-reach", type=float, default=None, help="Target plan reach, a fraction (0.6) or percent (60)."
)
@click.option(
    "--budget", type=float, default=None, help="Total net budget to plan with (default: the plan's)."
)
@click.option("--client", "client_id", default=None, help="Client of the plan (optional check).")
@click.option("--lang", type=click.Choice(["ru", "en"]), default="ru", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable advice.")
def assist_plan(
    tenant_id: str,
    plan_id: str,
    target_reach: float | None,
    budget: float | None,
    client_id: str | None,
    lang: str,
    as_json: bool,
) -> None:
    """Suggest budget moves between plan lines for more reach (before/after reach, the model named)."""
    from assistants.agents import mediaplan

    if target_reach is not None and target_reach >= 1:
        target_reach = target_reach / 100.0
    try:
        advice = mediaplan.suggest(
            _client(), tenant_id, plan_id, target_reach=target_reach, budget=budget, client_id=client_id
        )
    except LookupError as exc:
        raise click.ClickException(cli_explain(exc)) from exc
    except ValueError as exc:
        raise click.BadParameter(explain(exc, lang)) from exc
    if as_json:
        _dump(advice.as_dict() | {"text": advice.text(lang)})
        return
    click.echo(advice.text(lang))
    for n in advice.notes_in(lang):
        click.echo(cli_t("cli_note", note=n), err=True)


@assist.command("project")
@click.option(
    "--brief",
    "brief_path",
    required=True,
    type=click.Path(exists=True, dir_okay=False),
    help="Brief as a text or Markdown file.",
)
@click.option(
    "--out",
    "out_dir",
    default=None,
    type=click.Path(file_okay=False),
    help="Write project.md, project.xlsx and project.json here.",
)
@click.option(
    "--tenant",
    "tenant_id",
    envvar="MRM_TENANT",
    default="default",
    show_default=True,
    help="Tenant billed for LLM usage (env MRM_TENANT).",
)
@click.option(
    "--lang", type=click.Choice(["ru", "en"]), default=None, help="Output language (default: the brief's)."
)
@click.option("--json", "as_json", is_flag=True, help="Print tasks and the RACI matrix as JSON.")
def assist_project(
    brief_path: str, out_dir: str | None, tenant_id: str, lang: str | None, as_json: bool
) -> None:
    """Decompose a brief into tasks and draft a RACI matrix (pm, account_manager, specialist, strategist,
    analyst, creative, client); Markdown on stdout, XLSX/JSON/MD files with --out."""
    import os

    from assistants.agents import project

    brief = Path(brief_path).read_text(encoding="utf-8")
    ch = _client() if os.environ.get("ANTHROPIC_API_KEY") else None  # usage rows only matter for paid calls
    try:
        draft = project.decompose(brief, tenant_id=tenant_id, lang=lang, ch=ch)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--brief") from exc
    if out_dir:
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        (out / "project.md").write_text(draft.to_markdown(), encoding="utf-8")
        (out / "project.json").write_text(
            json.dumps(draft.as_dict(), ensure_ascii=False, indent=2), encoding="utf-8"
        )
        draft.write_xlsx(out / "project.xlsx")
        paths = ", ".join(str(out / name) for name in ("project.md", "project.xlsx", "project.json"))
        click.echo(cli_t("cli_wrote", paths=paths), err=True)
    if as_json:
        _dump(draft.as_dict())
    else:
        click.echo(draft.to_markdown())
