"""The Reports page: a client's user sees a built report only after an account manager released that build (a
rebuild hides it again); admins set the tenant's branding there, and the next build carries it."""

from __future__ import annotations

import datetime as dt

import pytest
from openpyxl import load_workbook

from tests.integration.dashboards.conftest import (  # noqa: F401 - `dash` is a fixture
    END,
    PASSWORD,
    dash,
    logged_in_app,
    principal,
)

FROM, TO = END - dt.timedelta(days=30), END - dt.timedelta(days=24)  # a period no other suite builds
QUERY = {"client": "acme", "from": str(FROM), "to": str(TO)}


def _texts(at) -> str:
    return "\n".join(
        str(e.value) for kind in ("info", "success", "caption", "markdown") for e in at.get(kind)
    )


def _build(lang: str = "en"):
    from dashboards import data

    return data.build_report(principal("it-am@t2"), "acme", data.Period(FROM, TO), lang)


@pytest.fixture
def reports_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("MRM_REPORTS_DIR", str(tmp_path))
    return tmp_path


def test_a_client_user_sees_a_report_only_after_an_account_manager_released_it(dash, ch, reports_dir):  # noqa: F811
    # The session's warehouse is shared with the browser tests, which release reports of this client too: start
    # from none released, so "nothing released to you yet" is this test's own state.
    ch.command(
        "DELETE FROM app.report_releases WHERE tenant_id = {t:String} AND client_id = {c:String}",
        parameters={"t": "dash_t2", "c": "acme"},
        settings={"lightweight_deletes_sync": 2},
    )
    _build()
    client = logged_in_app("it-client-acme@t2", page="app_pages/reports.py", query=QUERY)
    assert not client.exception, client.exception
    assert "has not been released to you yet" in _texts(client)
    assert "No report has been released to you yet" in _texts(client)
    assert not client.get("download_button")  # neither the PDF nor the XLSX

    am = logged_in_app("it-am@t2", page="app_pages/reports.py", query=QUERY)
    assert "The client cannot see this report yet" in _texts(am)
    am.button(key="rep_release").click().run()
    assert not am.exception, am.exception
    assert "Released to the client (it-am@t2)" in _texts(am)
    assert am.button(key="rep_withdraw")

    client = logged_in_app("it-client-acme@t2", page="app_pages/reports.py", query=QUERY)
    labels = {d.proto.label for d in client.get("download_button")}
    assert labels == {
        "Download XLSX",
        "Download PDF",
        "XLSX",
        "PDF",
    }  # the period's, and in the released list
    assert "has not been released" not in _texts(client)
    # No raw template ids.
    assert "Report ready (from a template)" in _texts(client) and "offline:" not in _texts(client)
    from dashboards.i18n import fmt_range

    assert f"{fmt_range(FROM, TO, 'en')} · EN" in _texts(client)  # listed whatever period the sidebar shows
    assert [b.key for b in client.button] == ["logout_btn"]  # a client neither releases nor sends

    _build()  # new numbers: a new build the account side has not looked at yet
    client = logged_in_app("it-client-acme@t2", page="app_pages/reports.py", query=QUERY)
    assert "has not been released to you yet" in _texts(client) and not client.get("download_button")
    assert "No report has been released to you yet" in _texts(
        client
    )  # the released build is gone from the list


def test_only_pm_and_account_managers_may_release(dash, ch, reports_dir):  # noqa: F811
    from assistants.reports.release import release
    from dashboards.auth import AccessDenied

    files = _build()
    for login in ("it-analyst@t1", "it-client-acme@t2"):
        p = principal(login)
        with pytest.raises(AccessDenied):
            release(ch, p, files)
    with pytest.raises(AccessDenied):  # another tenant's PM
        release(ch, principal("it-pm@t1"), files)
    from dashboards import data

    data.build_report(principal("it-pm@t1"), "acme", data.Period(FROM, TO), "en")
    analyst = logged_in_app("it-analyst@t1", page="app_pages/reports.py", query=QUERY)
    assert "The client cannot see this report yet" in _texts(analyst)  # the report is shown to the analyst …
    keys = [b.key for b in analyst.button]
    assert "rep_send" in keys and "rep_release" not in keys  # … who may send it, but not release it


def test_an_admin_sets_the_branding_and_the_next_build_carries_it(dash, ch, reports_dir):  # noqa: F811
    from dashboards import auth

    auth.add_user(ch, tenant_id="dash_t2", login="it-admin-brand@t2", role="admin", password=PASSWORD)
    am = logged_in_app("it-am@t2", page="app_pages/reports.py", query=QUERY)
    assert "rep_primary" not in [c.key for c in am.get("color_picker")]  # branding is the admin's
    admin = logged_in_app("it-admin-brand@t2", page="app_pages/reports.py", query=QUERY)
    admin.color_picker(key="rep_primary").pick("#7a1f5c")
    admin.color_picker(key="rep_accent").pick("#f2a900")
    admin.text_input(key="rep_footer").input("Агентство «Пример» · reports@example.ru")
    admin.button[[b.proto.label for b in admin.button].index("Save branding")].click().run()
    assert not admin.exception, admin.exception
    assert any("Branding saved" in s.value for s in admin.success)
    files = _build("ru")
    ws = load_workbook(files.xlsx)["Кампании"]
    assert ws["A1"].fill.fgColor.rgb.upper().endswith("7A1F5C")
    from pypdf import PdfReader

    pages = PdfReader(str(files.pdf)).pages
    assert all("Агентство «Пример» · reports@example.ru" in p.extract_text() for p in pages)


def test_the_demo_releases_the_newest_build_of_each_report_to_its_client_user(dash, ch, reports_dir):  # noqa: F811
    from assistants.reports.release import released_runs
    from dashboards.demo import release_built_reports

    ch.command(
        "DELETE FROM app.report_releases WHERE tenant_id = {t:String} AND client_id = {c:String}",
        parameters={"t": "dash_t2", "c": "acme"},
        settings={"lightweight_deletes_sync": 2},
    )
    client_user = principal("it-client-acme@t2")
    assert released_runs(ch, client_user, "acme") == []
    built = {_build("ru").run_id, _build("en").run_id}
    assert release_built_reports(ch, principal("it-am@t2"), "acme") >= 2
    mine = [r for r in released_runs(ch, client_user, "acme") if (r["date_from"], r["date_to"]) == (FROM, TO)]
    assert {r["run_id"] for r in mine} == built and {r["lang"] for r in mine} == {"ru", "en"}
