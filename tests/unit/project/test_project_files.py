"""The project's own files agree with each other: compose stack, .env.example, README, CLI."""

from __future__ import annotations

import re
from importlib.metadata import version
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

ROOT = Path(__file__).parents[3]
PACKAGES = [
    "warehouse",
    "ingestion",
    "planning",
    "assistants",
    "orchestration",
    "dashboards",
    "mrm",
    "dbt_project",
    "metrics",
    "api",
    "delivery",
    "workspace",
]
ENV_REF = re.compile(
    r"""(?:environ(?:\.get)?\(|environ\[|getenv\(|env_var\(|EnvVar\()\s*['"]((?:MRM|CLICKHOUSE|ANTHROPIC|PINECONE|DAGSTER_PG|SMTP)_[A-Z0-9_]+)['"]"""
)


def env_example_vars() -> set[str]:
    text = (ROOT / ".env.example").read_text()
    return {m.group(1) for m in re.finditer(r"^#?\s*([A-Z][A-Z0-9_]+)=", text, re.MULTILINE)}


def test_every_setting_the_code_reads_is_in_env_example():
    documented = env_example_vars()
    used: dict[str, str] = {}
    for pkg in PACKAGES:
        for path in (ROOT / pkg).rglob("*"):
            if path.suffix not in (".py", ".yml", ".yaml") or "target" in path.parts:
                continue
            for m in ENV_REF.finditer(path.read_text(errors="replace")):
                used.setdefault(m.group(1), str(path.relative_to(ROOT)))
    missing = {k: v for k, v in used.items() if k not in documented and not k.startswith("MRM_TEST_")}
    assert not missing, f"settings read by the code but absent from .env.example: {missing}"


def test_connector_settings_are_in_env_example():
    from ingestion.common.settings import ConnectorSettings

    documented = env_example_vars()
    import importlib

    missing = []
    for mod in (
        "ingestion.yandex_direct",
        "ingestion.yandex_metrika",
        "ingestion.vk_ads",
        "ingestion.garpun",
    ):
        settings_cls = importlib.import_module(mod).Settings
        assert issubclass(settings_cls, ConnectorSettings)
        prefix = f"MRM_{settings_cls.env_prefix or settings_cls.platform.upper()}_"
        for field, info in settings_cls.model_fields.items():
            if info.is_required() and f"{prefix}{field.upper()}" not in documented:
                missing.append(f"{prefix}{field.upper()}")
    assert not missing, f"required connector settings absent from .env.example: {missing}"


def test_compose_stack_is_wired_consistently():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert {"clickhouse", "postgres", "dagster-webserver", "dagster-daemon", "streamlit", "mailpit"} <= set(
        services
    )
    # the server is of the same major line as the embedded engine
    engine_major = version("chdb-core").split(".")[0]
    image = services["clickhouse"]["image"]
    assert image.split(":")[1].split(".")[0] == engine_major, image
    for name, svc in services.items():
        for port in svc.get("ports", []):
            assert str(port).startswith("127.0.0.1:"), f"{name} publishes {port} beyond loopback"
    app_env = services["streamlit"]["environment"]
    assert app_env["CLICKHOUSE_HOST"] == "clickhouse" and app_env["MRM_SMTP_HOST"] == "mailpit"
    for name in ("dagster-webserver", "dagster-daemon", "streamlit", "migrate"):
        assert services[name]["environment"] == app_env
        assert services[name]["depends_on"]["clickhouse"]["condition"] == "service_healthy"
    text = (ROOT / "docker-compose.yml").read_text()
    interpolated = set(
        re.findall(r"(?<!\$)\$\{([A-Z][A-Z0-9_]+)", text)
    )  # $$ escapes for the container shell
    assert interpolated - env_example_vars() == set()
    for rel in ("dashboards/streamlit_app.py", "orchestration/workspace.yaml"):
        assert rel in text and (ROOT / rel).exists(), rel


def test_readme_gives_the_two_commands_and_ci_calls_make_test():
    readme = (ROOT / "README.md").read_text()
    assert "make demo" in readme and "make test" in readme
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def test_mrm_help_lists_every_command_and_each_has_help():
    from mrm.cli import COMMANDS, cli

    runner = CliRunner()
    top = runner.invoke(cli, ["--help"])
    assert top.exit_code == 0
    for name in COMMANDS:
        assert name in top.output
        sub = runner.invoke(cli, [name, "--help"])
        assert sub.exit_code == 0, (name, sub.output)
        assert "not available" not in sub.output, (name, sub.output)


@pytest.mark.parametrize("path", ["warehouse/migrations"])
def test_migrations_are_numbered_uniquely(path):
    from warehouse.migrate import discover

    versions = [m.version for m in discover(ROOT / path)]
    assert versions == sorted(set(versions))


def _entry_points() -> list[str]:
    """Every module of the repository a person runs with `python -m` (it has a `__main__` block)."""
    found = []
    for top in [*PACKAGES, "benchmarks", "scripts", "deploy"]:
        for path in sorted((ROOT / top).rglob("*.py")):
            if 'if __name__ == "__main__"' in path.read_text(encoding="utf-8"):
                found.append(".".join(path.relative_to(ROOT).with_suffix("").parts))
    return found


@pytest.mark.parametrize("module", _entry_points())
def test_every_entry_point_answers_help_without_doing_anything(module):
    """`--help` prints a usage text and exits 0, with nothing on stderr: no entry point takes it for work to do
    (one rebuilt the dbt project, two rewrote shipped files) or warns while importing."""
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", module, "--help"], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, (module, done.stderr[-2000:])
    assert done.stdout.lower().startswith("usage:"), (module, done.stdout[:300])
    assert done.stderr == "", (module, done.stderr[-2000:])


def test_the_served_app_neither_collects_garbage_after_every_run_nor_watches_its_sources():
    """Streamlit's defaults cost a served app most of its CPU: a full gc.collect() after every script run (with 100
    simulated users: p95 6–13 s with it, under 1.7 s without; BENCHMARKS.md 2026-12-06) and source watching."""
    import tomllib

    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["runner"]["postScriptGC"] is False
    assert config["server"]["fileWatcherType"] == "none" and config["server"]["runOnSave"] is False
