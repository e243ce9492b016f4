"""`mrm plan …` (import, list, export media plans) and `mrm reach …` (reach / GRP calculators)."""

from __future__ import annotations

import importlib
import json
import os
import sys
from pathlib import Path
from typing import Any

import click

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
            click.echo(f"mapping suggester {spec!r} unavailable ({exc}); using the rules only / "
                       "подсказчик недоступен, только правила", err=True)  # fmt: skip
        return None


def _client() -> Any:
    import warehouse

    return warehouse.connect()


@click.group()
def plan() -> None:
    """Import, list and export media plans (xlsx / xls / csv), versioned per tenant and client."""


def _print_mapping(mapping: Any, notes: list[str]) -> None:
    click.echo("Detected mapping / Сопоставление столбцов:")
    for row in mapping.describe():
        if not row["header"] and not row["field"]:
            continue
        fld = row["field"] or "— (kept in extra)"
        click.echo(f"  {row['sheet']}!{row['column']:<3} {row['header'][:40]:<40} -> {fld:<22} "
                   f"[{row['source']}, {row['confidence']:.2f}]")  # fmt: skip
    for name, why in mapping.skipped_sheets:
        click.echo(f"  sheet {name!r} skipped: {why}")
    for note in notes:
        click.echo(f"  note: {note}")


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
        click.echo(report.as_text())
        if not interactive:
            return True
        return click.confirm("Import this plan? / Импортировать план?", default=True)

    try:
        client = None if dry_run else _client()
        result = import_plan(
            client, file, tenant_id=tenant, client_id=client_id, plan_id=plan_id, name=name, manual=manual,
            suggester=_load_suggester(suggester, quiet=False), confirm=confirm, dry_run=dry_run, kind=kind,
            imported_by=os.environ.get("USER", ""),
        )  # fmt: skip
    except PlanFileError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    if not printed:
        _print_mapping(result.mapping, result.notes)
        click.echo(result.report.as_text())
    if result.imported and kind == "history":
        click.echo(f"imported past results: {result.line_count} lines (app.history_results, never plan) / "
                   f"импортированы прошлые результаты: {result.line_count} строк")  # fmt: skip
    elif result.imported:
        click.echo(f"imported plan {result.plan_id!r} version {result.plan_version}: {result.line_count} lines / "
                   f"импортирован план {result.plan_id!r}, версия {result.plan_version}")  # fmt: skip
        return
    if dry_run and result.report.ok:
        click.echo(f"dry run: {result.line_count} lines valid, nothing written / проверка: строк {result.line_count}, "
                   "ничего не записано")  # fmt: skip
    else:
        click.echo("nothing imported / ничего не импортировано", err=True)
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
        click.echo("no plans / планов нет")
        return
    for r in rows:
        click.echo(f"{r['client_id']:<14} {r['plan_id']:<30} v{r['plan_version']:<3} {r['kind']:<7} "
                   f"{r['line_count']:>6} lines  net {r['total_budget_net']} {r['currency']}  "
                   f"{r['flight_start'] or ''}..{r['flight_end'] or ''}  {r['source_file']}")  # fmt: skip


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
    click.echo(f"wrote {path} ({len(lines)} lines, version {header['plan_version']})")


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
        raise click.ClickException(f"{input_file}: not valid JSON ({exc}) / некорректный JSON") from None
    try:
        result = optimize(parse_problem(data))
    except (OptimizeInputError, R.ParamError) as exc:
        raise click.ClickException(f"{input_file}: {exc}") from None
    out = result.as_json()
    if as_json:
        click.echo(json.dumps(out, ensure_ascii=False, indent=1))
        return
    click.echo(f"objective {result.objective}, budget {out['budget']:,.2f}, spent {out['spent']:,.2f} / "
               f"цель {result.objective}, бюджет {out['budget']:,.2f}")  # fmt: skip
    for lid, rub in out["allocation"].items():
        click.echo(f"  {lid:<30} {rub:>16,.2f}  reach {_pct(out['line_reach'][lid])}")
    kplus = result.objective == "reach_kplus"
    what = f"combined reach {result.k}+" if kplus else "combined reach"
    model = "independent lines, Poisson contacts" if kplus else "Sainsbury (independent lines)"
    click.echo(f"{what} {_pct(result.reach)}  [model: {model}] / "
               f"совокупный охват {_pct(result.reach)}")  # fmt: skip
    click.echo("frontier / граница (budget -> reach):")
    for rub, r in out["frontier"]:
        click.echo(f"  {rub:>16,.2f}  {_pct(r)}")


# ---------------------------------------------------------------------------------------------
# mrm reach …
# ---------------------------------------------------------------------------------------------
@click.group()
def reach() -> None:
    """Reach / GRP / frequency calculators. Reach and ratings are fractions (0.2 = 20 %), GRP in points.

    Every result names its model. Formulas and caveats: docs/planning.md.
    """


def _pct(x: float) -> str:
    return f"{x * 100:.2f}%"


def _run(fn: Any) -> Any:
    try:
        return fn()
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None


def _print_distribution(dist: list[float], limit: int = 12) -> None:
    click.echo("contacts  P(k)      reach k+")
    for k, p in enumerate(dist[:limit]):
        click.echo(f"{k:>8}  {_pct(p):>8}  {_pct(R.effective_reach(dist, k)) if k else '':>8}")


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
            label = f"negative exponential (R_max {r_max:g}, k {k:g})"
        elif model == "hyperbolic":
            r = _run(lambda g=g: R.hyperbolic_reach(g, a, b))
            label = f"hyperbolic (a {a:g}, b {b:g})"
        else:
            r = _run(lambda g=g: R.poisson_reach(g, kplus))
            label = f"Poisson reach {kplus}+"
        click.echo(
            f"GRP {g:g}: reach {_pct(r)}, frequency {g / (r * 100) if r else float('nan'):.3f}  [model: {label}]"
        )


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
        raise click.ClickException(f"--r2 is required for the {model} model / для модели {model} нужен --r2")
    r2v = float(r2 or 0.0)
    if model == "binomial":
        dist = _run(lambda: R.binomial_distribution(n, r1))
        label = f"binomial (p = {r1:g})"
    elif model == "beta_binomial":
        al, be = _run(lambda: R.beta_binomial_params_from_r1_r2(r1, r2v))
        dist = R.beta_binomial_distribution(n, al, be)
        label = f"beta-binomial (alpha {al:.4g}, beta {be:.4g})"
    elif model == "binary":
        big_a, p = _run(lambda: R.binary_model_from_r1_r2(r1, r2v))
        dist = R.binary_model_distribution(n, big_a, p)
        label = f"binary audience model [reconstruction of Shmatov] (A {big_a:.4g}, p {p:.4g})"
    else:
        r = _run(lambda: R.hofmans_reach(n, r1, r2v, alpha))
        click.echo(f"reach 1+ after {n} insertions: {_pct(r)}  [model: Hofmans (alpha {alpha:g})]")
        return
    click.echo(f"[model: {label}]  GRP {R.mean_contacts(dist) * 100:.1f}, "
               f"average frequency {R.frequency_of_reached(dist):.3f}")  # fmt: skip
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
                raise click.ClickException(f"--dup {d!r}: expected 'i,j,d' / ожидается 'i,j,d'") from None
        r = _run(lambda: R.agostini_reach(list(reaches), pairs, k))
        click.echo(f"combined reach {_pct(r)}  [model: Agostini (K {k:g})]")
        return
    r = _run(lambda: R.sainsbury_reach(list(reaches)))
    click.echo(f"combined reach {_pct(r)}  [model: Sainsbury (independent channels)]")
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
    click.echo(f"minimal insertions for risk <= {_pct(eps)} of fewer than {k} contacts: {exact} exact "
               f"(risk {_pct(R.ineffective_risk(exact, p, k))}), {approx} normal approximation  [model: binomial]")  # fmt: skip
    if n is not None:
        click.echo(f"risk with {n} insertions: {_pct(_run(lambda: R.ineffective_risk(n, p, k)))}")


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
            f"margin of error ±{_pct(_run(lambda: R.margin_of_error(r, n, confidence)))}  [normal approximation]"
        )
    if r is not None and delta is not None:
        click.echo(f"sample size {_run(lambda: R.sample_size(r, delta, confidence))}  [normal approximation]")
    if n is not None and r is None:
        v = _run(lambda: R.min_significant_rating(n, confidence, rel_precision))
        click.echo(f"minimally significant rating {v * 100:.4g}%  [z^2 / (z^2 + n eps^2)]")
    if (r is None) == (n is None) and delta is None and not (r is not None and n is not None):
        raise click.ClickException("give --r and --n, --r and --delta, or --n / задайте параметры")


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
    click.echo(f"GRP {grp_needed:.1f}, budget {budget:,.2f}  [model: {model} {params}]")


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
        out.append(f"CPP {_run(lambda: R.cpp(budget, trp)):,.2f}")
        if ta_size is not None:
            out.append(f"CPT {_run(lambda: R.cpt(budget, trp, ta_size)):,.2f}")
            out.append(f"OTS {_run(lambda: R.ots(trp, ta_size)):,.0f}")
    if budget is not None and impressions is not None:
        out.append(f"CPM {_run(lambda: R.cpm(budget, impressions)):,.2f}")
    if ta_rating is not None and base_rating is not None:
        out.append(f"affinity {_run(lambda: R.affinity(ta_rating, base_rating)):.1f}")
    if not out:
        raise click.ClickException("nothing to compute: give --budget with --trp/--impressions, or ratings")
    click.echo("; ".join(out))
