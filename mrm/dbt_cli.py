"""`mrm dbt …`: the dbt project against the configured warehouse (embedded by default)."""

from __future__ import annotations

import json

import click

from mrm.i18n import cli_explain, cli_t


@click.group()
def dbt() -> None:
    """Build the dbt project (staging → intermediate → marts) against the warehouse."""


@dbt.command()
@click.option(
    "--select", "-s", default=None, help="dbt node selection, e.g. marts or +fct_plan_vs_fact_daily."
)
@click.option("--vars", "vars_json", default=None, help='JSON vars, e.g. {"start_date": "2026-11-01"}.')
@click.option("--full-refresh", is_flag=True, help="Rebuild incremental models from scratch.")
def build(select: str | None, vars_json: str | None, full_refresh: bool) -> None:
    """Run `dbt build` (models, tests, unit tests)."""
    from dbt_project import run
    from mrm import logsetup

    click.echo(cli_t("cli_dbt_building"), err=True)
    try:
        with logsetup.printed_output_to_log(stdout_as="dbt.output", stderr_as="dbt.output"):
            result = run.build(
                select=select, vars=json.loads(vars_json) if vars_json else None, full_refresh=full_refresh
            )
    except run.DbtRunError as exc:
        raise click.ClickException(cli_explain(exc)) from exc
    click.echo(f"✔ {result}")


@dbt.command()
def docs() -> None:
    """Generate dbt docs (catalog and index.html next to the manifest)."""
    from dbt_project import run

    result = run.docs_generate()
    click.echo(cli_t("cli_dbt_docs", result=result))
