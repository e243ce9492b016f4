"""The security suite's world: two tenants that reuse client ids, with data in every table an attacker might want.

Tenant `sec_t2` is the victim: its marts rows, client names, knowledge-base text, insights, built report and
load-log rows all carry markers (VICTIM_MARKERS). Every attack runs as a `sec_t1` user or with `--tenant sec_t1`
and asserts that no marker comes back and that the warehouse did not change (`fingerprint`).
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mrm import clock

MARTS = "marts_sec"
T1, T2 = "sec_t1", "sec_t2"
END = clock.yesterday()
DAYS = 40
PASSWORD = "sec-suite-pass-1"
APP = Path(__file__).resolve().parents[2] / "dashboards" / "streamlit_app.py"
ROOT = Path(__file__).resolve().parents[2]
PERIOD = f"{END - dt.timedelta(days=13)}:{END}"

# Strings that exist only in tenant sec_t2's data; any of them in a sec_t1 answer is a leak.
KB_SECRET = "ZEBRA-4471-VICTIM"
VICTIM_MARKERS = (
    "sec_t2/acme: ",
    "sec_t2/globex: ",
    "Globex Victim",
    "Acme Victim",
    KB_SECRET,
    "globex@example.test",
)

APPEND_ONLY_LOGS = ("app.audit_log", "app.llm_calls", "app.ai_usage", "app.login_attempts")

# login -> (tenant, role, client)
USERS = {
    "sec-pm@t1": (T1, "pm", ""),
    "sec-analyst@t1": (T1, "analyst", ""),
    "sec-client-acme@t1": (T1, "client", "acme"),
    "sec-am@t2": (T2, "account_manager", ""),
}


def fingerprint(ch: Any) -> dict[str, int]:
    """Row counts of every non-system table plus the table list: an attack must leave it unchanged."""
    rows = ch.query(
        "SELECT concat(database, '.', name), total_rows, engine LIKE 'Replacing%' FROM system.tables "
        "WHERE database NOT IN ('system', 'INFORMATION_SCHEMA', 'information_schema') AND engine NOT LIKE '%View' "
        "ORDER BY 1"
    ).result_rows
    out = {}
    for name, n, replacing in rows:
        # The audit log grows with every denied attempt, the AI usage log with every answer: by design, not damage.
        if name in APPEND_ONLY_LOGS:
            continue
        if replacing:  # background merges collapse versions at any moment: count what readers see
            n = ch.query(f"SELECT count() FROM {name} FINAL").result_rows[0][0]
        out[name] = int(n or 0)
    return out


def leaked(text: str) -> list[str]:
    return [m for m in VICTIM_MARKERS if m.lower() in text.lower()]


@pytest.fixture(scope="session")
def sec_world(ch) -> dict[str, Any]:
    """Sample marts, app rows, users, KB documents and a built report for both tenants (once per session)."""
    from assistants import kb
    from assistants.kb.loaders import Document
    from assistants.reports import build_report
    from dashboards import auth, sample_marts
    from warehouse.migrate import migrate

    migrate(ch)
    specs = [
        sample_marts.ClientSpec(T1, "acme", "Acme Ours", seed=11, campaigns=3),
        sample_marts.ClientSpec(T1, "romashka", "Ромашка Ours", seed=12, campaigns=3),
        sample_marts.ClientSpec(T2, "acme", "Acme Victim", seed=13, campaigns=3),
        sample_marts.ClientSpec(T2, "globex", "Globex Victim", seed=14, campaigns=3),
    ]
    sample_marts.build(ch, MARTS, specs, end=END, days=DAYS)
    for login, (tenant, role, client_id) in USERS.items():
        auth.add_user(ch, tenant_id=tenant, login=login, role=role, password=PASSWORD, client_id=client_id)
    docs = {
        T1: Document(
            "sec/t1/policy.md",
            "# Budget policy\n\nOur CPA target for acme is 900 RUB.\n",
            "Budget policy",
            "md",
            "en",
        ),
        T2: Document(
            "sec/t2/passwords.md",
            f"# Budget policy secrets\n\nThe vault code of sec_t2 is {KB_SECRET}. "
            "Budget policy: CPA target 700 RUB.\n",
            "Budget policy secrets",
            "md",
            "en",
        ),
    }
    for tenant, doc in docs.items():
        kb.index_documents(ch, tenant, [doc])
    reports_dir = Path(tempfile.mkdtemp(prefix="mrm-sec-reports-"))
    victim = build_report(ch, T2, "globex", PERIOD, "en", reports_dir / T2 / "globex", marts_db=MARTS)
    return {"specs": specs, "reports_dir": reports_dir, "victim_report": victim}


@pytest.fixture(autouse=True)
def _marts_env(request: pytest.FixtureRequest) -> Iterator[None]:
    """Point the app at the suite's marts for each test only (other suites set MRM_MARTS_DB for themselves)."""
    saved = os.environ.get("MRM_MARTS_DB")
    os.environ["MRM_MARTS_DB"] = MARTS
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop("MRM_MARTS_DB", None)
        else:
            os.environ["MRM_MARTS_DB"] = saved


def principal(login: str) -> Any:
    from dashboards.auth import Principal

    tenant, role, client_id = USERS[login]
    return Principal(tenant, login, role, client_id)


def logged_in_app(login: str, *, query: dict[str, str] | None = None, lang: str = "en") -> Any:
    """An AppTest signed in through the real log-in form (password checked against app.users)."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(APP), default_timeout=60)
    at.query_params["lang"] = lang
    for k, v in (query or {}).items():
        at.query_params[k] = v
    at.run()
    at.text_input(key="login_name").input(login)
    at.text_input(key="login_password").input(PASSWORD)
    at.button[0].click()
    at.run()
    return at


def rendered_text(at: Any) -> str:
    """Everything an AppTest run put on the page: every element's protobuf (text, chart specs, table bytes)."""
    parts: list[str] = []

    def walk(node: Any) -> None:
        proto = getattr(node, "proto", None)
        if proto is not None:
            parts.append(str(proto))
        value = getattr(node, "value", None)
        if value is not None and hasattr(value, "to_csv"):
            parts.append(value.to_csv())
        children = getattr(node, "children", None)
        if isinstance(children, dict):
            for child in children.values():
                walk(child)

    walk(at._tree)
    return "\n".join(parts)
