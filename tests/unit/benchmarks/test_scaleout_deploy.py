"""The scale-out overrides parse and are wired consistently with docker-compose.yml and each other."""

from __future__ import annotations

import importlib.util
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[3]
DEPLOY = ROOT / "deploy"


def _compose() -> tuple[dict, dict]:
    return (
        yaml.safe_load((ROOT / "docker-compose.yml").read_text()),
        yaml.safe_load((DEPLOY / "docker-compose.cluster.yml").read_text()),
    )


def _ch_nodes(over: dict, base: dict) -> dict[str, dict]:
    """ClickHouse server services of the cluster (base `clickhouse` + replicas), with merged environment."""
    nodes = {}
    for name, svc in over["services"].items():
        image = svc.get("image") or base["services"].get(name, {}).get("image", "")
        if "clickhouse-server" in image and "CH_SHARD" in (svc.get("environment") or {}):
            nodes[name] = svc
    return nodes


def test_override_references_resolve():
    base, over = _compose()
    services = set(base["services"]) | set(over["services"])
    volumes = set(base.get("volumes") or {}) | set(over.get("volumes") or {})
    for name, svc in over["services"].items():
        for dep in svc.get("depends_on") or {}:
            assert dep in services, f"{name} depends on unknown service {dep}"
        for vol in svc.get("volumes") or []:
            source = vol.split(":", 1)[0]
            if source.startswith("."):
                # compose resolves relative paths from the project directory: the repository root
                assert (ROOT / source).exists(), f"{name} mounts missing {source}"
            else:
                assert source in volumes, f"{name} uses undeclared volume {source}"


def test_topology_matches_clickhouse_config():
    base, over = _compose()
    nodes = _ch_nodes(over, base)
    assert "clickhouse" in nodes, "the base clickhouse service must join the cluster (apps connect to it)"
    layout = {(svc["environment"]["CH_SHARD"], svc["environment"]["CH_REPLICA"]) for svc in nodes.values()}
    assert len(layout) == len(nodes) == 4
    shards = {s for s, _r in layout}
    assert len(shards) == 2 and all(sum(1 for s, _ in layout if s == sh) == 2 for sh in shards)
    for name, svc in nodes.items():
        assert svc["environment"]["CH_NODE"] == name
    cfg = ET.parse(DEPLOY / "clickhouse" / "config.d" / "cluster.xml").getroot()
    xml_shards = cfg.findall("./remote_servers/mrm/shard")
    assert len(xml_shards) == 2
    hosts = [[r.findtext("host") for r in sh.findall("replica")] for sh in xml_shards]
    assert sorted(h for sh in hosts for h in sh) == sorted(nodes)
    for sh in hosts:  # replicas of one XML shard carry the same CH_SHARD macro
        assert len({nodes[h]["environment"]["CH_SHARD"] for h in sh}) == 1
    keepers = sorted(
        n
        for n, s in over["services"].items()
        if "keeper" in str(s.get("image", "")) or n.startswith("keeper")
    )
    assert keepers == ["keeper1", "keeper2", "keeper3"]
    assert sorted(n.findtext("host") for n in cfg.findall("./zookeeper/node")) == keepers
    raft = ET.parse(DEPLOY / "clickhouse" / "keeper" / "keeper.xml").getroot()
    assert sorted(s.findtext("hostname") for s in raft.findall(".//raft_configuration/server")) == keepers
    assert sorted(over["services"][k]["environment"]["KEEPER_SERVER_ID"] for k in keepers) == ["1", "2", "3"]


def test_cluster_schema_is_rendered_from_current_migrations():
    spec = importlib.util.spec_from_file_location(
        "render_cluster_ddl", DEPLOY / "clickhouse" / "render_cluster_ddl.py"
    )
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    rendered = mod.render(mod.statements())
    assert (DEPLOY / "clickhouse" / "cluster_schema.sql").read_text() == rendered, (
        "re-render: python deploy/clickhouse/render_cluster_ddl.py > deploy/clickhouse/cluster_schema.sql"
    )
    tables = re.findall(r"CREATE TABLE IF NOT EXISTS (\w+)\.(\w+)\s*\(", "\n".join(mod.statements()))
    assert tables
    for db, name in tables:
        if db.startswith("raw_"):
            assert re.search(
                rf"{db}\.{name}_local ON CLUSTER mrm\n\([\s\S]*?ENGINE = Replicated\w*MergeTree\("
                rf"'/clickhouse/tables/{{shard}}/{db}/{name}_local', '{{replica}}'",
                rendered,
            ), name
            assert f"ENGINE = Distributed(mrm, {db}, {name}_local, cityHash64(tenant_id))" in rendered
        else:
            assert re.search(
                rf"{db}\.{name} ON CLUSTER mrm\n\([\s\S]*?ENGINE = Replicated\w*MergeTree\("
                rf"'/clickhouse/tables/all/{db}/{name}', '{{node}}'",
                rendered,
            ), name
    assert "ENGINE = MergeTree" not in rendered and "ENGINE = ReplacingMergeTree" not in rendered


def test_dbt_cluster_profile_matches_project():
    project = yaml.safe_load((ROOT / "dbt_project" / "dbt_project.yml").read_text())
    prof = yaml.safe_load((DEPLOY / "dbt" / "profiles.cluster.yml").read_text())
    assert set(prof) == {project["profile"]}
    out = prof[project["profile"]]["outputs"]["cluster"]
    assert (
        out["type"] == "clickhouse" and "CLICKHOUSE_CLUSTER" in out["cluster"] and out["cluster_mode"] is True
    )
    assert "Replicated(" in out["database_engine"]
    _base, over = _compose()
    assert over["services"]["dbt-cluster"]["environment"]["CLICKHOUSE_CLUSTER"] == "mrm"
    assert "--target cluster" in " ".join(over["services"]["dbt-cluster"]["entrypoint"])


def test_dagster_cluster_instance_is_valid_for_dagster(tmp_path, monkeypatch):
    from dagster._core.instance.config import dagster_instance_config

    for var in ("DAGSTER_PG_HOST", "DAGSTER_PG_USER", "DAGSTER_PG_PASSWORD", "DAGSTER_PG_DB"):
        monkeypatch.setenv(var, "x")
    (tmp_path / "dagster.yaml").write_text((DEPLOY / "dagster" / "dagster.cluster.yaml").read_text())
    cfg, _ = dagster_instance_config(str(tmp_path))
    assert cfg["run_coordinator"]["class"] == "QueuedRunCoordinator"
    assert cfg["concurrency"]["runs"]["max_concurrent_runs"] > 1
    assert "postgres" in cfg["storage"]
    base, over = _compose()
    for svc in ("dagster-webserver", "dagster-daemon"):
        assert svc in base["services"]
        assert any(
            "dagster.cluster.yaml:/opt/dagster/home/dagster.yaml" in v
            for v in over["services"][svc]["volumes"]
        )
    assert base["x-app-env"]["DAGSTER_HOME"] == "/opt/dagster/home"
