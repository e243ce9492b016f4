"""Sample marts for two tenants (client and account ids reused across them) and users of every kind."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from mrm import clock

MARTS = "marts_dash_it"  # our own database: the dbt marts may live in `marts` of the same session warehouse
END = clock.yesterday()  # the app's default period ends on the same day (MRM_TODAY pins both)
DAYS = 60
PASSWORD = "correct-horse-9"
APP = Path(__file__).resolve().parents[3] / "dashboards" / "streamlit_app.py"

# login -> (tenant, role, client)
USERS = {
    "it-pm@t1": ("dash_t1", "pm", ""),
    "it-admin@t1": ("dash_t1", "admin", ""),
    "it-analyst@t1": ("dash_t1", "analyst", ""),
    "it-client-acme@t1": ("dash_t1", "client", "acme"),
    "it-client-romashka@t1": ("dash_t1", "client", "romashka"),
    "it-am@t2": ("dash_t2", "account_manager", ""),
    "it-client-acme@t2": ("dash_t2", "client", "acme"),
}


@pytest.fixture(scope="session")
def dash(ch):
    """Build the sample marts once per session and point the app at them (MRM_MARTS_DB)."""
    from dashboards import auth, sample_marts
    from warehouse.migrate import migrate

    migrate(ch)
    specs = [
        sample_marts.ClientSpec("dash_t1", "acme", "ООО «Акме»", seed=1),
        sample_marts.ClientSpec("dash_t1", "romashka", "Ромашка", seed=2),
        sample_marts.ClientSpec("dash_t2", "acme", "Acme (other agency)", seed=3),
        sample_marts.ClientSpec("dash_t2", "globex", "Globex", seed=4),
    ]
    counts = sample_marts.build(ch, MARTS, specs, end=END, days=DAYS)
    for login, (tenant, role, client_id) in USERS.items():
        auth.add_user(ch, tenant_id=tenant, login=login, role=role, password=PASSWORD, client_id=client_id)
    saved = os.environ.get("MRM_MARTS_DB")
    os.environ["MRM_MARTS_DB"] = MARTS
    yield {"db": MARTS, "end": END, "days": DAYS, "counts": counts, "specs": specs}
    if saved is None:
        os.environ.pop("MRM_MARTS_DB", None)
    else:
        os.environ["MRM_MARTS_DB"] = saved


def principal(login: str):
    from dashboards.auth import Principal

    tenant, role, client_id = USERS[login]
    return Principal(tenant, login, role, client_id)


def logged_in_app(login: str, *, page: str | None = None, query: dict | None = None, lang: str | None = "en"):
    """An AppTest signed in through the real form (the password is checked against app.users); `lang=None`: a
    link that names no language."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(APP), default_timeout=60)
    if lang:
        at.query_params["lang"] = lang
    # Query parameters go in before the first run, as when a user opens a (possibly tampered) link.
    for k, v in (query or {}).items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, at.exception
    at.text_input(key="login_name").input(login)
    at.text_input(key="login_password").input(PASSWORD)
    at.button[0].click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    if page:
        at.switch_page(page)
        at.run()
    return at
