"""`mrm`: one command line for the platform. Subcommands load lazily from each package's cli module."""

from __future__ import annotations

import importlib
import os
from typing import Any

import click

from mrm import i18n

# Each package's cli module -> its commands: name -> one-line help, shown even before the module is imported.
# The click object is the module's attribute of the command's name, or the one ATTRIBUTES names.
_BY_MODULE: dict[str, dict[str, str]] = {
    "mrm.demo": {"demo": "Run the platform's main job on the embedded defaults and serve the UIs."},
    "mrm.dbt_cli": {"dbt": "Build the dbt project (staging, intermediate, marts) against the warehouse."},
    "warehouse.cli": {
        "warehouse": "Start, stop, inspect, migrate and query the warehouse.",
        "tenants": "List and provision tenants.",
    },
    "warehouse.lifecycle_cli": {
        "retention": "Show and apply data retention (TTL) rules.",
        "backup": "Back up and restore the warehouse or one tenant.",
    },
    "ingestion.cli": {
        "sandbox": "Serve the ad-platform API emulators on loopback.",
        "ingest": "Load a platform's statistics for a tenant and date window.",
    },
    "planning.cli": {
        "plan": "Import, list and export media plans.",
        "reach": "Reach / GRP / frequency calculators (Shmatov and standard models).",
    },
    "assistants.cli": {
        "insights": "Detect and narrate insights for a client.",
        "report": "Build and send client reports (XLSX/PDF, e-mail).",
        "kb": "Index documents into the knowledge base and search it.",
        "ask": "Ask an assistant (analyst, plan, project) or the knowledge base.",
        "assist": "Assistants: media-plan reallocation advice, project tasks and RACI.",
        "ai": "The AI layer's stored data: export assistant feedback as an evaluation set.",
    },
    "workspace.cli": {
        "users": "Manage app users: add, list, suspend, reactivate, reset passwords, assign.",
        "clients": "Add, list, edit and archive an agency's clients.",
        "secrets": "Encrypted ad-account credentials: set, list, delete, rotate-key.",
    },
    "orchestration.cli": {"dagster": "Start the Dagster UI on 127.0.0.1:3000."},
    "dashboards.cli": {"dashboards": "Start the Streamlit app on 127.0.0.1:8501."},
    "api.cli": {
        "api": "Serve the REST API over the metric layer.",
        "apikeys": "Create, list and revoke API keys.",
        "mcp": "Serve the MCP server for AI agents (stdio or HTTP).",
    },
    "delivery.cli": {
        "alerts": "List, acknowledge and run the alert rules.",
        "telegram": "Link Telegram chats; process the bot's updates.",
    },
}
# Commands whose click object has another name in its module (the name itself would shadow a builtin or module).
ATTRIBUTES = {"secrets": "secrets_cmd", "dagster": "dagster_cmd", "dashboards": "dashboards_cmd"}
# name -> (module, attribute, one-line help)
COMMANDS: dict[str, tuple[str, str, str]] = {
    name: (module, ATTRIBUTES.get(name, name), help_text)
    for module, commands in _BY_MODULE.items()
    for name, help_text in commands.items()
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        module_name, attr, help_text = COMMANDS[name]
        try:
            module = importlib.import_module(module_name)
            cmd = getattr(module, attr)
        except (ImportError, AttributeError) as exc:
            # Only a missing module of the platform itself means "not built yet"; anything else is a real error.
            if (
                isinstance(exc, ModuleNotFoundError)
                and exc.name
                and not exc.name.startswith(module_name.split(".")[0])
            ):
                raise

            reason = str(exc)

            @click.command(name=name, help=f"{help_text} (not available: {reason})")
            def unavailable() -> None:
                raise click.ClickException(i18n.cli_t("cli_mrm_unavailable", name=name, reason=reason))

            return unavailable
        if not cmd.help:
            cmd.help = help_text
        cmd.short_help = help_text
        return cmd  # type: ignore[no-any-return]

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # One line each without importing every package (fast --help).
        rows = [(name, COMMANDS[name][2]) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


LANGUAGE_EPILOG = (
    "Language of messages: MRM_LANG=ru or MRM_LANG=en; when unset, the locale (LC_ALL, LC_MESSAGES, LANG: a value "
    "starting with ru means Russian), else English. Machine-readable output (JSON, TSV, SQL, ids) is the same in "
    "both."
)


@click.group(
    cls=LazyGroup,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 110},
    epilog=LANGUAGE_EPILOG,
)
@click.option(
    "--log-level",
    default=lambda: os.environ.get("MRM_LOG_LEVEL", "INFO"),
    show_default="INFO",
    help="Terminal log level of the platform's own messages (env MRM_LOG_LEVEL).",
)
@click.option(
    "--verbose", "-v", is_flag=True, help="Show everything, third-party libraries included (DEBUG)."
)
@click.version_option(package_name="mrm-platform")
@click.pass_context
def cli(ctx: click.Context, log_level: str, verbose: bool) -> None:
    """MRM AI Platform: ad-platform data into ClickHouse, dbt marts, media planning, AI reports.

    Configuration comes from the environment (see .env.example): with no CLICKHOUSE_URL / CLICKHOUSE_HOST the
    embedded warehouse under MRM_DATA_DIR (default ./.mrm) is used and started on demand. The terminal shows the
    platform's own steps; the full log goes to MRM_DATA_DIR/logs/mrm-<command>.log.
    """
    from mrm import logsetup

    try:
        i18n.cli_lang()  # a wrong MRM_LANG stops every command before it does anything
    except i18n.LanguageError as exc:
        raise click.UsageError(str(exc)) from None
    try:
        path = logsetup.setup(ctx.invoked_subcommand or "mrm", level=log_level, verbose=verbose)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--log-level") from exc
    ctx.meta["mrm.log_file"] = path
    ctx.call_on_close(logsetup.teardown)


def main(argv: list[str] | None = None) -> Any:
    _load_dotenv()
    return cli.main(args=argv, prog_name="mrm")


def _load_dotenv(path: str = ".env") -> None:
    """Read KEY=VALUE lines from ./.env without overriding the real environment."""
    if not os.path.exists(path):
        return
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if not line or line.startswith("#") or "=" not in line:
                continue
            key, value = line.split("=", 1)
            os.environ.setdefault(key.strip(), value.strip().strip('"').strip("'"))


if __name__ == "__main__":
    main()
