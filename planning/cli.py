"""`mrm plan …` (import, list, export media plans) and `mrm reach …` (reach / GRP calculators)."""

from __future__ import annotations

import importlib
import json
import os
import sys
from pathlib import Path
from typing import Any

import click

from mrm.i18n import cli_explain, cli_lang, cli_num, cli_pct, cli_t
from planning import reach as R

# Where `plan import` finds an LLM-backed mapping suggester when ANTHROPIC_API_KEY is set. It is looked
# up by name at run time so that planning never imports assistants/ (imports point down the layers).
DEFAULT_SUGGESTER = "assistants.mapping:suggest_plan_mapping"


def _load_suggester(spec: str | None, quiet: bool) -> Any:
    spec = (
        spec
        or os.environ.get("MRM_PLAN_SUGGESTER")
        or (DEFAULT_SUGGESTER if os.environ.get("ANTHROPIC_API_KEY") else "")
    )
    if not spec or spec == "none":
        return None
    module_name, _, attr = spec.partition(":")
    try:
        return getattr(importlib.import_module(module_name), attr or "suggest_plan_mapping")
    except (ImportError, AttributeError) as exc:
        if not quiet:
            click.echo(
                cli_t("cli_plan_suggester_unavailable", spec=repr(spec), error=cli_explain(exc)), err=True
            )
        return None


def _client() -> Any:
    import warehouse

    return warehouse.connect()


@click.group()
def plan() -> None:
    """Import, list and export media plans (xlsx / xls / csv), versioned per tenant and client."""


def _print_mapping(mapping: Any, notes: list[str]) -> None:
    click.echo(cli_t("cli_plan_mapping"))
    for row in mapping.describe():
        if not row["header"] and not row["field"]:
            continue
        fld = row["field"] or cli_t("cli_plan_mapping_extra")
        click.echo(f"  {row['sheet']}!{row['column']:<3} {row['header'][:40]:<40} -> {fld:<22} "
                   f"[{row['source']}, {row['confidence']:.2f}]")  # fmt: skip
    for name, why in mapping.skipped_sheets:
        click.echo(cli_t("cli_plan_sheet_skipped", sheet=repr(name), why=cli_t(why)))
    for note in notes:
        click.echo(cli_t("cli_note", note=note))


@plan.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--tenant", required=True, help="Tenant (agency) id.")
@click.option("--client", "client_id", required=True, help="Client (advertiser) id.")
@click.option(
    "--mapping",
    "mapping_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help='JSON mapping: {"sheet": ..., "header_row": N, "columns": {"Header or letter": "field"}}.',
)
@click.option("--plan-id", default=None, help="Plan id (default: from the file name; same id = new version).")
@click.option("--name", default=None, help="Plan name (default: the file name).")
@click.option(
    "--kind",
    type=click.Choice(["plan", "history"]),
    default="plan",
    show_default=True,
    help="'history' imports historical campaign statistics (migration assistant).",
)
@click.option("--dry-run", is_flag=True, help="Detect and validate only; write nothing.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.option("--suggester", default=None,
              help=f"module:function proposing mappings for unplaced columns (default with ANTHROPIC_API_KEY: "
                   f"{DEFAULT_SUGGESTER}; 'none' to disable).")  # fmt: skip
def import_cmd(
    file: Path, tenant: str, client_id: str, mapping_file: Path | None, plan_id: str | None, name: str | None,
    kind: str, dry_run: bool, yes: bool, suggester: str | None,
) -> None:  # fmt: skip
    """Import a media plan FILE: prints the detected mapping and the validation report, asks to confirm
    on a terminal, writes a new plan version (all or nothing). Exit status 1 when nothing was imported."""
    from planning.mediaplan import PlanFileError, import_plan
    from planning.mediaplan.detect import mapping_from_json

    manual = None
    if mapping_file:
        try:
            manual = mapping_from_json(mapping_file.read_text(encoding="utf-8"))
        except ValueError as exc:
            raise click.ClickException(f"--mapping: {exc}") from None
    interactive = sys.stdin.isatty() and not yes
    printed: list[bool] = []

    def confirm(mapping: Any, report: Any) -> bool:
        # Shown right before the question, so the user decides with the mapping and report on screen.
        printed.append(True)
        _print_mapping(mapping, [])
        click.echo(report.as_text(lang=cli_lang()))
        if not interactive:
            return True
        return click.confirm(cli_t("cli_plan_import_confirm"), default=True)

    try:
        client = None if dry_run else _client()
        result = import_plan(
            client, file, tenant_id=tenant, client_id=client_id, plan_id=plan_id, name=name, manual=manual,
            suggester=_load_suggester(suggester, quiet=False), confirm=confirm, dry_run=dry_run, kind=kind,
            imported_by=os.environ.get("USER", ""),
        )  # fmt: skip
    except PlanFileError as exc:
        click.echo(cli_t("cli_error", error=cli_explain(exc)), err=True)
        sys.exit(1)
    if not printed:
        _print_mapping(result.mapping, result.notes)
        click.echo(result.report.as_text(lang=cli_lang()))
    if result.imported and kind == "history":
        click.echo(cli_t("cli_plan_history_imported", lines=cli_num(result.line_count)))
    elif result.imported:
        click.echo(cli_t("cli_plan_imported", plan=repr(result.plan_id), version=result.plan_version,
                         lines=cli_num(result.line_count)))  # fmt: skip
        return
    if dry_run and result.report.ok:
        click.echo(cli_t("cli_plan_dry_run", lines=cli_num(result.line_count)))
    else:
        click.echo(cli_t("cli_plan_nothing_imported"), err=True)
    sys.exit(1)


@plan.command("list")
@click.option("--tenant", required=True)
@click.option("--client", "client_id", default=None)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def list_cmd(tenant: str, client_id: str | None, as_json: bool) -> None:
    """List plan versions of a tenant (optionally one client), newest first."""
    from planning.mediaplan import list_plans

    rows = list_plans(_client(), tenant, client_id)
    if as_json:
        click.echo(json.dumps(rows, default=str, ensure_ascii=False, indent=1))
        return
    if not rows:
        click.echo(cli_t("cli_plan_none"))
        return
    for r in rows:
        click.echo(f"{r['client_id']:<14} {r['plan_id']:<30} v{r['plan_version']:<3} {r['kind']:<7} "
                   + cli_t("cli_plan_list_row", lines=f"{cli_num(r['line_count']):>6}",
                           budget=cli_num(r["total_budget_net"] or 0, 2), currency=r["currency"],
                           flight=f"{r['flight_start'] or ''}..{r['flight_end'] or ''}", file=r["source_file"]))  # fmt: skip


@plan.command("export")
@click.argument("plan_id")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--tenant", required=True)
@click.option("--client", "client_id", default=None)
@click.option("--version", type=int, default=None, help="Plan version (default: latest).")
@click.option("--lang", type=click.Choice(["ru", "en"]), default="ru", show_default=True)
@click.option("--ta-size", type=float, default=None, help="Target audience size for impressions-based TRP.")
def export_cmd(plan_id: str, out: Path, tenant: str, client_id: str | None, version: int | None, lang: str,
               ta_size: float | None) -> None:  # fmt: skip
    """Export PLAN_ID with KPIs and the reach forecast to a formatted OUT.xlsx."""
    from planning.export import export_plan_xlsx
    from planning.mediaplan import load_plan
    from planning.plan_math import forecast_plan

    try:
        header, lines = load_plan(_client(), tenant, plan_id, version, client_id)
    except KeyError as exc:
        raise click.ClickException(str(exc.args[0])) from None
    path = export_plan_xlsx(header, lines, out, language=lang, forecast=forecast_plan(lines, ta_size=ta_size))
    click.echo(
        cli_t("cli_plan_exported", path=path, lines=cli_num(len(lines)), version=header["plan_version"])
    )


@plan.command("optimize")
@click.option("--input", "input_file", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help='JSON: {"budget", "objective" (reach_1plus | reach_kplus with "k" | min_cost with "target_reach"), '
                   '"universe", "combine", "lines": [{"id", "cpm", "curve", "min_budget", "max_budget"}, ...]}.')  # fmt: skip
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def optimize_cmd(input_file: Path, as_json: bool) -> None:
    """Split a budget across plan lines for the best combined reach (Sainsbury), with the budget -> reach frontier."""
    from planning.optimizer import OptimizeInputError, optimize, parse_problem

    try:
        data = json.loads(input_file.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise click.ClickException(cli_t("cli_bad_json", path=input_file, error=cli_explain(exc))) from None
    try:
        result = optimize(parse_problem(data))
    except (OptimizeInputError, R.ParamError) as exc:
        raise click.ClickException(f"{input_file}: {cli_explain(exc)}") from None
    out = result.as_json()
    if as_json:
        click.echo(json.dumps(out, ensure_ascii=False, indent=1))
        return
    click.echo(cli_t("cli_plan_optimize_head", objective=result.objective, budget=cli_num(out["budget"], 2),
                     spent=cli_num(out["spent"], 2)))  # fmt: skip
    for lid, rub in out["allocation"].items():
        click.echo(cli_t("cli_plan_optimize_line", line=f"{lid:<30}", amount=f"{cli_num(rub, 2):>16}",
                         reach=cli_pct(out["line_reach"][lid])))  # fmt: skip
    if result.objective == "reach_kplus":
        click.echo(cli_t("cli_plan_optimize_reach_kplus", k=result.k, reach=cli_pct(result.reach)))
    else:
        click.echo(cli_t("cli_plan_optimize_reach", reach=cli_pct(result.reach)))
    click.echo(cli_t("cli_plan_optimize_frontier"))
    for rub, r in out["frontier"]:
        click.echo(f"  {cli_num(rub, 2):>16}  {cli_pct(r)}")


# ---------------------------------------------------------------------------------------------
# mrm reach …
# ---------------------------------------------------------------------------------------------
@click.group()
def reach() -> None:
    """Reach / GRP / frequency calculators. Reach and ratings are fractions (0.2 = 20 %), GRP in points.

    Every result names its model. Formulas and caveats: docs/planning.md.
    """


def _run(fn: Any) -> Any:
    try:
        return fn()
    except ValueError as exc:
        raise click.ClickException(cli_explain(exc)) from None


def _print_distribution(dist: list[float], limit: int = 12) -> None:
    click.echo(cli_t("cli_reach_distribution_head"))
    for k, p in enumerate(dist[:limit]):
        click.echo(f"{k:>8}  {cli_pct(p):>8}  {cli_pct(R.effective_reach(dist, k)) if k else '':>8}")


@reach.command("curve")
@click.option("--grp", type=float, required=True, multiple=True, help="GRP (repeatable).")
@click.option("--model", type=click.Choice(["negative_exponential", "hyperbolic", "poisson"]), default="negative_exponential",
              show_default=True)  # fmt: skip
@click.option(
    "--r-max", type=float, default=0.85, show_default=True, help="Saturation reach (negative exponential)."
)
@click.option(
    "--k",
    "k",
    type=float,
    default=0.005,
    show_default=True,
    help="Growth per GRP point (negative exponential).",
)
@click.option("--a", "a", type=float, default=1.0, show_default=True, help="Hyperbolic a.")
@click.option("--b", "b", type=float, default=1 / 85, show_default=True, help="Hyperbolic b = 1/R_max%.")
@click.option("--kplus", type=int, default=1, show_default=True, help="Poisson: reach k+.")
def curve_cmd(
    grp: tuple[float, ...], model: str, r_max: float, k: float, a: float, b: float, kplus: int
) -> None:
    """Reach from GRP on a reach curve."""
    for g in grp:
        if model == "negative_exponential":
            r = _run(lambda g=g: R.negative_exponential_reach(g, r_max, k))
            label = cli_t("cli_reach_model_negexp", r_max=f"{r_max:g}", k=f"{k:g}")
        elif model == "hyperbolic":
            r = _run(lambda g=g: R.hyperbolic_reach(g, a, b))
            label = cli_t("cli_reach_model_hyperbolic", a=f"{a:g}", b=f"{b:g}")
        else:
            r = _run(lambda g=g: R.poisson_reach(g, kplus))
            label = cli_t("cli_reach_model_poisson", k=kplus)
        frequency = cli_num(g / (r * 100), 3) if r else "—"
        click.echo(cli_t("cli_reach_curve", grp=f"{g:g}", reach=cli_pct(r), frequency=frequency, model=label))


@reach.command("insertions")
@click.option("--n", type=int, required=True, help="Number of insertions.")
@click.option("--model", type=click.Choice(["binomial", "beta_binomial", "binary", "hofmans"]), default="beta_binomial",
              show_default=True)  # fmt: skip
@click.option("--r1", type=float, required=True, help="Reach of one insertion (= rating).")
@click.option("--r2", type=float, default=None, help="Reach of two insertions (needed except for binomial).")
@click.option("--alpha", type=float, default=1.0, show_default=True, help="Hofmans exponent.")
def insertions_cmd(n: int, model: str, r1: float, r2: float | None, alpha: float) -> None:
    """Reach and contact distribution of n insertions in one outlet (охват от числа выходов)."""
    if model != "binomial" and r2 is None:
        raise click.ClickException(cli_t("cli_reach_r2_required", model=model))
    r2v = float(r2 or 0.0)
    if model == "binomial":
        dist = _run(lambda: R.binomial_distribution(n, r1))
        label = cli_t("cli_reach_model_binomial", p=f"{r1:g}")
    elif model == "beta_binomial":
        al, be = _run(lambda: R.beta_binomial_params_from_r1_r2(r1, r2v))
        dist = R.beta_binomial_distribution(n, al, be)
        label = cli_t("cli_reach_model_beta_binomial", alpha=f"{al:.4g}", beta=f"{be:.4g}")
    elif model == "binary":
        big_a, p = _run(lambda: R.binary_model_from_r1_r2(r1, r2v))
        dist = R.binary_model_distribution(n, big_a, p)
        label = cli_t("cli_reach_model_binary", a=f"{big_a:.4g}", p=f"{p:.4g}")
    else:
        r = _run(lambda: R.hofmans_reach(n, r1, r2v, alpha))
        click.echo(cli_t("cli_reach_hofmans", n=cli_num(n), reach=cli_pct(r), alpha=f"{alpha:g}"))
        return
    click.echo(cli_t("cli_reach_insertions", model=label, grp=cli_num(R.mean_contacts(dist) * 100, 1),
                     frequency=cli_num(R.frequency_of_reached(dist), 3)))  # fmt: skip
    _print_distribution(dist)


@reach.command("combine")
@click.option(
    "--reach", "reaches", type=float, multiple=True, required=True, help="Channel reach (repeatable)."
)
@click.option(
    "--dup", "dups", multiple=True, help="Agostini: pairwise duplication 'i,j,d' (0-based, repeatable)."
)
@click.option("--k", type=float, default=R.AGOSTINI_K, show_default=True, help="Agostini constant.")
def combine_cmd(reaches: tuple[float, ...], dups: tuple[str, ...], k: float) -> None:
    """Combined reach of several channels: Sainsbury, or Agostini when duplications are given."""
    if dups:
        pairs = {}
        for d in dups:
            try:
                i, j, v = d.split(",")
                pairs[(int(i), int(j))] = float(v)
            except ValueError:
                raise click.ClickException(cli_t("cli_reach_bad_dup", dup=repr(d))) from None
        r = _run(lambda: R.agostini_reach(list(reaches), pairs, k))
        click.echo(cli_t("cli_reach_combined_agostini", reach=cli_pct(r), k=f"{k:g}"))
        return
    r = _run(lambda: R.sainsbury_reach(list(reaches)))
    click.echo(cli_t("cli_reach_combined_sainsbury", reach=cli_pct(r)))
    _print_distribution(R.sainsbury_distribution(list(reaches)))


@reach.command("risk")
@click.option("--p", type=float, required=True, help="Contact probability per insertion.")
@click.option("--k", type=int, default=3, show_default=True, help="Effective frequency.")
@click.option("--eps", type=float, default=0.1, show_default=True, help="Acceptable risk.")
@click.option("--n", type=int, default=None, help="Also show the risk for this number of insertions.")
def risk_cmd(p: float, k: int, eps: float, n: int | None) -> None:
    """Risk of ineffective placement and the minimal number of insertions (binomial, reconstruction of Shmatov)."""
    exact = _run(lambda: R.min_insertions(p, k, eps, "exact"))
    approx = _run(lambda: R.min_insertions(p, k, eps, "normal"))
    click.echo(cli_t("cli_reach_risk", eps=cli_pct(eps), k=k, exact=cli_num(exact),
                     risk=cli_pct(R.ineffective_risk(exact, p, k)), approx=cli_num(approx)))  # fmt: skip
    if n is not None:
        click.echo(
            cli_t("cli_reach_risk_n", n=cli_num(n), risk=cli_pct(_run(lambda: R.ineffective_risk(n, p, k))))
        )


@reach.command("survey")
@click.option("--r", type=float, default=None, help="Rating (fraction).")
@click.option("--n", type=int, default=None, help="Sample size.")
@click.option("--delta", type=float, default=None, help="Wanted absolute margin (fraction).")
@click.option("--confidence", type=float, default=0.95, show_default=True)
@click.option("--rel-precision", type=float, default=1.0, show_default=True)
def survey_cmd(
    r: float | None, n: int | None, delta: float | None, confidence: float, rel_precision: float
) -> None:
    """Margin of error (--r --n), sample size (--r --delta), minimally significant rating (--n)."""
    if r is not None and n is not None:
        click.echo(
            cli_t("cli_reach_margin", margin=cli_pct(_run(lambda: R.margin_of_error(r, n, confidence))))
        )
    if r is not None and delta is not None:
        click.echo(
            cli_t("cli_reach_sample_size", n=cli_num(_run(lambda: R.sample_size(r, delta, confidence))))
        )
    if n is not None and r is None:
        v = _run(lambda: R.min_significant_rating(n, confidence, rel_precision))
        click.echo(cli_t("cli_reach_min_rating", rating=cli_pct(v, 4)))
    if (r is None) == (n is None) and delta is None and not (r is not None and n is not None):
        raise click.ClickException(cli_t("cli_reach_survey_usage"))


@reach.command("budget")
@click.option("--target", type=float, required=True, help="Target reach (fraction).")
@click.option("--cpp", type=float, required=True, help="Cost per rating point.")
@click.option("--model", type=click.Choice(["negative_exponential", "hyperbolic", "poisson"]), default="negative_exponential",
              show_default=True)  # fmt: skip
@click.option("--r-max", type=float, default=0.85, show_default=True)
@click.option("--k", "k", type=float, default=0.005, show_default=True)
@click.option("--a", "a", type=float, default=1.0, show_default=True)
@click.option("--b", "b", type=float, default=1 / 85, show_default=True)
def budget_cmd(target: float, cpp: float, model: str, r_max: float, k: float, a: float, b: float) -> None:
    """Budget (and GRP) needed for a target reach."""
    from planning.plan_math import budget_for_reach

    params: dict[str, Any] = {"negative_exponential": {"r_max": r_max, "k": k}, "hyperbolic": {"a": a, "b": b},
                              "poisson": {}}[model]  # fmt: skip
    budget, grp_needed = _run(lambda: budget_for_reach(target, cpp, model, **params))
    click.echo(cli_t("cli_reach_budget", grp=cli_num(grp_needed, 1), budget=cli_num(budget, 2), model=model,
                     params=params))  # fmt: skip


@reach.command("metrics")
@click.option("--budget", type=float, default=None)
@click.option("--trp", type=float, default=None)
@click.option("--ta-size", type=float, default=None)
@click.option("--impressions", type=float, default=None)
@click.option("--ta-rating", type=float, default=None)
@click.option("--base-rating", type=float, default=None)
def metrics_cmd(budget: float | None, trp: float | None, ta_size: float | None, impressions: float | None,
                ta_rating: float | None, base_rating: float | None) -> None:  # fmt: skip
    """CPP, CPT, CPM, OTS and affinity from whatever inputs are given."""
    out = []
    if budget is not None and trp is not None:
        out.append(f"CPP {cli_num(_run(lambda: R.cpp(budget, trp)), 2)}")
        if ta_size is not None:
            out.append(f"CPT {cli_num(_run(lambda: R.cpt(budget, trp, ta_size)), 2)}")
            out.append(f"OTS {cli_num(_run(lambda: R.ots(trp, ta_size)))}")
    if budget is not None and impressions is not None:
        out.append(f"CPM {cli_num(_run(lambda: R.cpm(budget, impressions)), 2)}")
    if ta_rating is not None and base_rating is not None:
        out.append(
            cli_t("cli_reach_affinity", affinity=cli_num(_run(lambda: R.affinity(ta_rating, base_rating)), 1))
        )
    if not out:
        raise click.ClickException(cli_t("cli_reach_metrics_usage"))
    click.echo("; ".join(out))
