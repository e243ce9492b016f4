"""Issue 21 finding 4: resource config in the Dagster UI must not redirect a secret.

Each test launches what a UI user can launch (a run with edited resource config, or the resource as that config
builds it) against a real listener that records every request. The credential comes from the environment, as in
production; the listener must never see it on a host the deployment did not configure. A positive control with an
allowed (loopback) endpoint shows the listener really receives what a client sends.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import dagster as dg
import pytest

from orchestration import resources
from orchestration.definitions import RAW_ASSETS

TOKEN = "y0_RUNCONFIG-DIRECT-TOKEN-41d7"
CH_PASSWORD = "RUNCONFIG-CH-PASS-9a02"
SMTP_PASSWORD = "RUNCONFIG-SMTP-PASS-77c1"
TENANT = "sec_runcfg"


class Listener:
    """An HTTP server on every interface that records each request (line, headers, body) and answers 401."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def _any(self) -> None:
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n) if n else b""
                outer.requests.append(
                    f"{self.requestline}\n{self.headers}\n{body.decode('utf-8', 'replace')}"
                )
                self.send_response(401)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            do_GET = do_POST = _any  # noqa: N815 - http.server's naming

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("0.0.0.0", 0), Handler)  # noqa: S104 - must be reachable off loopback
        self.port = int(self.server.server_address[1])
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def seen(self) -> str:
        return "\n".join(self.requests)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def outside_address() -> str:
    """An address of this machine that is not loopback (what a foreign host looks like to the checks); a name
    nothing resolves when the machine has no other interface (then nothing can be received, but the run must
    still be refused rather than attempted)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("192.0.2.254", 9))  # UDP connect sends nothing: it only picks the outgoing interface
            addr = str(s.getsockname()[0])
        except OSError:
            addr = ""
    return addr if addr and not addr.startswith("127.") else "collector.invalid"


@pytest.fixture()
def listener() -> Iterator[Listener]:
    srv = Listener()
    try:
        yield srv
    finally:
        srv.close()


def _materialize_direct(ch, instance: dg.DagsterInstance, base_url: str) -> dg.ExecuteInProcessResult:
    """A Direct raw run whose run config edits the resource's base_url, as the UI launchpad allows."""
    asset = RAW_ASSETS["yandex_direct"]
    direct = resources.YandexDirectResource(token=dg.EnvVar("MRM_DIRECT_TOKEN"), today="2026-01-20")
    return dg.materialize(
        [asset],
        instance=instance,
        partition_key="2026-01-19",
        raise_on_error=False,
        resources={"warehouse": resources.WarehouseResource(), "yandex_direct": direct},
        run_config={
            "ops": {asset.op.name: {"config": {"tenants": [TENANT]}}},
            # What the launchpad accepts: the token still resolves from the environment.
            "resources": {
                "yandex_direct": {
                    "config": {
                        "token": {"env": "MRM_DIRECT_TOKEN"},
                        "today": "2026-01-20",
                        "base_url": base_url,
                    }
                }
            },
        },
    )


def _failure_text(instance: dg.DagsterInstance, result: dg.ExecuteInProcessResult) -> str:
    return "\n".join(
        str(r.dagster_event.event_specific_data)
        for r in instance.all_logs(result.run_id)
        if r.dagster_event is not None and r.dagster_event.is_step_failure
    )


def test_run_config_cannot_send_the_platform_token_to_a_foreign_host(ch, listener, monkeypatch) -> None:
    monkeypatch.setenv("MRM_DIRECT_TOKEN", TOKEN)
    ch.insert(
        "app.accounts",
        [[TENANT, "runcfg-client", "yandex_direct", "runcfg-direct"]],
        column_names=["tenant_id", "client_id", "platform", "account_id"],
    )
    with dg.instance_for_test() as instance:
        # Positive control: an allowed (loopback) endpoint is used, and the listener sees the token arrive.
        allowed = _materialize_direct(ch, instance, f"http://127.0.0.1:{listener.port}")
        assert not allowed.success  # the listener answers 401
        assert TOKEN in listener.seen()
        listener.requests.clear()

        foreign = _materialize_direct(ch, instance, f"http://{outside_address()}:{listener.port}")
        assert not foreign.success
        failure = _failure_text(instance, foreign)
    assert "run config refused: yandex_direct.base_url" in failure
    assert listener.requests == [], "a request reached the foreign host"
    assert TOKEN not in failure


def test_official_hosts_stay_allowed_and_the_deployment_endpoint_wins(monkeypatch) -> None:
    direct = resources.YandexDirectResource(token="t", base_url="https://api-sandbox.direct.yandex.com")
    assert direct.connector_settings().base_url == "https://api-sandbox.direct.yandex.com"
    monkeypatch.setenv("MRM_DIRECT_BASE_URL", "https://direct-proxy.agency.internal")
    assert resources.YandexDirectResource(token="t").connector_settings().base_url == (
        "https://direct-proxy.agency.internal"
    )
    with pytest.raises(dg.Failure, match="vk_ads.base_url"):
        resources.VkAdsResource(
            client_id="c", client_secret="s", base_url="https://ads.vk.com.evil.test"
        ).connector_settings()
    with pytest.raises(dg.Failure, match="sandbox_url"):
        resources.VkAdsResource(
            sandbox=True, sandbox_url=f"http://{outside_address()}:1/vk"
        ).connector_settings()


def test_warehouse_url_override_never_carries_the_configured_password(
    listener, monkeypatch, tmp_path
) -> None:
    # The deployment's warehouse, with its password (nothing needs to listen there).
    monkeypatch.setenv("CLICKHOUSE_URL", f"http://mrm:{CH_PASSWORD}@127.0.0.1:{_free_port()}")
    monkeypatch.setenv("MRM_DATA_DIR", str(tmp_path))
    configured = resources.WarehouseResource().settings()
    assert configured.password == CH_PASSWORD  # the secret is really in play

    # Another endpoint on loopback: allowed, but without the environment's password.
    other = resources.WarehouseResource(url=f"http://127.0.0.1:{listener.port}")
    assert other.settings().password == ""
    with pytest.raises(Exception):  # noqa: B017 - the listener answers 401; what it received is the point
        other.client(connect_timeout=5, send_receive_timeout=5)
    assert listener.requests, "the client never reached the loopback listener"
    assert CH_PASSWORD not in listener.seen()
    import base64

    assert base64.b64encode(f"mrm:{CH_PASSWORD}".encode()).decode() not in listener.seen()
    listener.requests.clear()

    # A foreign host: refused before connecting.
    foreign = resources.WarehouseResource(url=f"http://{outside_address()}:{listener.port}")
    with pytest.raises(dg.Failure, match="run config refused: warehouse.url"):
        foreign.client(connect_timeout=5)
    assert listener.requests == []


def test_knowledge_base_paths_are_confined_to_the_configured_root(tmp_path, monkeypatch) -> None:
    root = tmp_path / "kb"
    (root / "policies").mkdir(parents=True)
    (root / "policies" / "brief.md").write_text("# brief\n", encoding="utf-8")
    outside = tmp_path / "private.txt"
    outside.write_text("not for tenants\n", encoding="utf-8")
    (root / "escape.md").symlink_to(outside)
    monkeypatch.setenv("MRM_KB_DOC_ROOT", str(root))

    (root / "policies" / "leak.md").symlink_to(outside)  # a link inside an allowed folder
    ok = resources.KnowledgeBaseResource(doc_paths=["policies", str(root / "policies" / "brief.md")])
    assert ok.documents() == [root / "policies" / "brief.md", root / "policies" / "brief.md"]
    for bad in (str(outside), "../private.txt", "escape.md", "/etc/passwd"):
        with pytest.raises(dg.Failure, match="knowledge_base.doc_paths"):
            resources.KnowledgeBaseResource(doc_paths=[bad]).documents()


def test_smtp_password_goes_only_to_the_configured_mail_host(monkeypatch) -> None:
    monkeypatch.setenv("MRM_SMTP_PASSWORD", SMTP_PASSWORD)
    monkeypatch.setenv("MRM_SMTP_HOST", "smtp.agency.test")
    assert resources.SmtpResource(host="smtp.agency.test").send_kwargs()["password"] == SMTP_PASSWORD
    with pytest.raises(dg.Failure, match="smtp.host") as err:
        resources.SmtpResource(host=outside_address()).send_kwargs()
    assert SMTP_PASSWORD not in str(err.value)
    # Naming another service's secret as "the SMTP password" is refused too.
    monkeypatch.setenv("CLICKHOUSE_PASSWORD", CH_PASSWORD)
    with pytest.raises(dg.Failure, match="smtp.password_env"):
        resources.SmtpResource(host="smtp.agency.test", password_env="CLICKHOUSE_PASSWORD").send_kwargs()
    with pytest.raises(dg.Failure, match="llm.api_key_env"):
        resources.LlmResource(api_key_env="CLICKHOUSE_PASSWORD").gateway(None)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_refusals_name_the_field_but_never_the_url_credentials() -> None:
    with pytest.raises(dg.Failure) as err:
        resources.WarehouseResource(url=f"ftp://user:{CH_PASSWORD}@{outside_address()}/").settings()
    assert "warehouse.url" in str(err.value) and CH_PASSWORD not in str(err.value)
