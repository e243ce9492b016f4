"""The API's writes and long jobs against the embedded warehouse: plan versions and their approval flow (the
permission matrix, four eyes), report jobs (build, status, download) and the analyst assistant, each refused
outside the key's scope (write scope, role, client, tenant) with problem+json naming the field."""

from __future__ import annotations

import re
import time
import uuid

import httpx
import pytest

from tests.integration.api.test_api_and_mcp import FROM, TO, _h, api_url  # noqa: F401 - fixtures
from tests.integration.dashboards.conftest import dash  # noqa: F401 - `dash` is a fixture


@pytest.fixture(scope="module")
def wkeys(dash, ch):  # noqa: F811
    """Keys by name: write keys of a strategist, a PM, a client user and another tenant's AM; a read key of a PM."""
    from api import keys
    from dashboards import auth

    auth.add_user(ch, tenant_id="dash_t1", login="it-api-strat@t1", role="strategist", password="pw-strat-1")
    made = {
        name: keys.create(ch, tenant_id=t, login=login, scope=scope)
        for name, t, login, scope in (
            ("strategist", "dash_t1", "it-api-strat@t1", "write"),
            ("pm", "dash_t1", "it-pm@t1", "write"),
            ("pm-read", "dash_t1", "it-pm@t1", "read"),
            ("client-acme", "dash_t1", "it-client-acme@t1", "write"),
            ("client-romashka", "dash_t1", "it-client-romashka@t1", "read"),
            ("other-tenant", "dash_t2", "it-am@t2", "write"),
        )
    }
    return made


LINES = [
    {"line_id": "olv", "channel": "OLV", "platform": "vk_ads", "budget_net": 50000, "pricing_model": "CPM",
     "unit_price": 250, "flight_start": "2026-03-01", "flight_end": "2026-03-31"},
    {"line_id": "search", "channel": "Search", "platform": "yandex_direct", "budget_net": 20000},
]  # fmt: skip


def _refused(c: httpx.Client, url: str, body: dict, key: str, status: int, field: str | None = None) -> None:
    _problem(c.post(url, json=body, headers=_h(key)), status, field)


def _problem(r: httpx.Response, status: int, field: str | None) -> None:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json().get("field") == field, r.json()


def test_a_plan_version_is_saved_submitted_and_approved_by_the_allowed_roles(api_url, wkeys):  # noqa: F811
    plan = f"api-{uuid.uuid4().hex[:8]}"
    body = {"client_id": "acme", "name": "API plan", "lines": LINES}
    with httpx.Client(base_url=api_url, timeout=60) as c:
        made = c.post(f"/v1/plans/{plan}/versions", json=body, headers=_h(wkeys["strategist"]))
        assert made.status_code == 201, made.text
        assert made.json() | {"next": None} == {
            "client_id": "acme", "plan_id": plan, "plan_version": 1, "status": "draft", "next": None
        }  # fmt: skip
        assert made.json()["next"] == ["submitted"]
        step = f"/v1/plans/{plan}/versions/1/status"
        # a PM may not submit (the matrix), a strategist may; nobody approves their own submission
        _refused(c, step, {"client_id": "acme", "to": "submitted"}, wkeys["pm"], 403, None)
        sub = c.post(step, json={"client_id": "acme", "to": "submitted"}, headers=_h(wkeys["strategist"]))
        assert sub.status_code == 200 and sub.json()["status"] == "submitted", sub.text
        _refused(c, step, {"client_id": "acme", "to": "approved"}, wkeys["strategist"], 403, None)
        _refused(c, step, {"client_id": "acme", "to": "rejected"}, wkeys["pm"], 400, "note")
        ok = c.post(
            step, json={"client_id": "acme", "to": "approved", "note": "fine"}, headers=_h(wkeys["pm"])
        )
        assert ok.status_code == 200 and ok.json()["status"] == "approved", ok.text
        # a step the state does not allow names `to`; a version that does not exist names plan_version
        _refused(c, step, {"client_id": "acme", "to": "submitted"}, wkeys["strategist"], 409, "to")
        missing = f"/v1/plans/{plan}/versions/9/status"
        _refused(
            c, missing, {"client_id": "acme", "to": "submitted"}, wkeys["strategist"], 404, "plan_version"
        )


def test_plan_writes_are_refused_outside_the_keys_scope_naming_the_field(api_url, wkeys):  # noqa: F811
    plan = f"api-{uuid.uuid4().hex[:8]}"
    url = f"/v1/plans/{plan}/versions"
    body = {"client_id": "acme", "lines": LINES}
    with httpx.Client(base_url=api_url, timeout=60) as c:
        _refused(c, url, body, wkeys["pm-read"], 403, None)  # a read key
        _refused(c, url, body, wkeys["client-acme"], 403, None)  # a client user
        # another tenant has no client romashka: nothing is written there or here
        _refused(c, url, {**body, "client_id": "romashka"}, wkeys["other-tenant"], 404, "client_id")
        bad_date = [LINES[0], {**LINES[1], "flight_start": "March"}]
        _refused(c, url, {**body, "lines": bad_date}, wkeys["strategist"], 400, "lines[1].flight_start")
        no_id = [{**LINES[0], "line_id": ""}]
        _refused(c, url, {**body, "lines": no_id}, wkeys["strategist"], 400, "lines[0].line_id")
        _refused(c, url, {**body, "lines": []}, wkeys["strategist"], 422, "lines")
        _refused(c, "/v1/plans/bad%20id'/versions", body, wkeys["strategist"], 400, "plan_id")
        # nothing of the refused writes became a version
        r = c.post(f"/v1/plans/{plan}/versions/1/status", json={"client_id": "acme", "to": "submitted"},
                   headers=_h(wkeys["strategist"]))  # fmt: skip
        _problem(r, 404, "plan_version")


def _release(ch, body: dict) -> None:
    from assistants.reports import load_run
    from assistants.reports.release import release
    from dashboards.auth import Principal

    files = load_run(ch, "dash_t1", body["client_id"], f"{body['date_from']}:{body['date_to']}", body["lang"])
    release(ch, Principal("dash_t1", "it-am-release@t1", "account_manager"), files)


def test_a_report_job_builds_and_downloads_for_readers_of_its_client_only(
    api_url, wkeys, ch, tmp_path, monkeypatch
):  # noqa: F811
    monkeypatch.setenv("MRM_REPORTS_DIR", str(tmp_path))
    body = {"client_id": "acme", "date_from": str(FROM), "date_to": str(TO), "lang": "ru"}
    with httpx.Client(base_url=api_url, timeout=60) as c:
        _refused(c, "/v1/reports", body, wkeys["pm-read"], 403, None)
        _refused(c, "/v1/reports", body, wkeys["client-acme"], 403, None)  # role
        _refused(c, "/v1/reports", {**body, "client_id": "romashka"}, wkeys["other-tenant"], 403, None)
        _refused(c, "/v1/reports", {**body, "date_to": "2020-01-01"}, wkeys["pm"], 400, "date_to")
        _refused(c, "/v1/reports", {**body, "lang": "de"}, wkeys["pm"], 422, "lang")
        started = c.post("/v1/reports", json=body, headers=_h(wkeys["pm"]))
        assert started.status_code == 202, started.text
        job = started.json()["job_id"]
        status = started.json()
        deadline = time.monotonic() + 300
        while status["status"] in ("queued", "running"):
            assert time.monotonic() < deadline, status
            time.sleep(0.5)
            status = c.get(f"/v1/reports/{job}", headers=_h(wkeys["pm"])).json()
        assert status["status"] == "done", status
        pdf = c.get(status["links"]["pdf"], headers=_h(wkeys["pm"]))
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
        # The client's own report, but not released yet: no such job for the client's user.
        _problem(c.get(f"/v1/reports/{job}", headers=_h(wkeys["client-acme"])), 404, "job_id")
        _problem(c.get(status["links"]["xlsx"], headers=_h(wkeys["client-acme"])), 404, "job_id")
        _release(ch, body)  # an account manager's word
        xlsx = c.get(status["links"]["xlsx"], headers=_h(wkeys["client-acme"]))
        assert xlsx.status_code == 200 and xlsx.content.startswith(b"PK")  # a zip: the XLSX container
        for other in (
            "client-romashka",
            "other-tenant",
        ):  # another client's user, another tenant: no such job
            _problem(c.get(f"/v1/reports/{job}", headers=_h(wkeys[other])), 404, "job_id")
            _problem(c.get(f"/v1/reports/{job}/pdf", headers=_h(wkeys[other])), 404, "job_id")


def test_ask_answers_with_sourced_numbers_in_a_thread_and_stays_in_scope(api_url, wkeys):  # noqa: F811
    q = {"question": "How much did we spend in the last 7 days?", "client_id": "acme"}
    with httpx.Client(base_url=api_url, timeout=120) as c:
        r = c.post("/v1/ask", json=q, headers=_h(wkeys["pm-read"]))  # asking reads: a read key will do
        assert r.status_code == 200, r.text
        out = r.json()
        assert out["answer"] and out["thread_id"] and out["client_id"] == "acme"
        assert out["numbers"] and all(n.get("source") for n in out["numbers"]), out["numbers"]
        again = c.post(
            "/v1/ask",
            json={"question": "And clicks?", "thread_id": out["thread_id"]},
            headers=_h(wkeys["pm-read"]),
        )
        assert again.status_code == 200 and again.json()["thread_id"] == out["thread_id"], again.text
        _refused(c, "/v1/ask", {**q, "client_id": "romashka"}, wkeys["client-acme"], 403, None)
        _refused(c, "/v1/ask", {**q, "client_id": "romashka"}, wkeys["other-tenant"], 403, None)
        _refused(c, "/v1/ask", {"question": "spend?"}, wkeys["pm"], 400, "client_id")
        _refused(c, "/v1/ask", {**q, "question": ""}, wkeys["pm"], 422, "question")
        # another user's thread is not found for this one
        _refused(c, "/v1/ask", {**q, "thread_id": out["thread_id"]}, wkeys["strategist"], 404, "thread_id")


def test_openapi_documents_the_write_and_job_routes(api_url):  # noqa: F811
    spec = httpx.get(f"{api_url}/openapi.json", timeout=60).json()
    assert {
        "/v1/plans/{plan_id}/versions",
        "/v1/plans/{plan_id}/versions/{plan_version}/status",
        "/v1/reports",
        "/v1/reports/{job_id}",
        "/v1/reports/{job_id}/{fmt}",
        "/v1/ask",
    } <= set(spec["paths"])
    schemas = spec["components"]["schemas"]
    assert schemas["AskBody"]["properties"]["question"]["maxLength"] == 2000
    assert set(schemas["PlanStepBody"]["properties"]["to"]["enum"]) >= {"submitted", "approved", "rejected"}


def test_injection_payloads_in_the_write_and_ask_routes_execute_nothing(api_url, wkeys, ch):  # noqa: F811
    from urllib.parse import quote

    from tests.security.payloads import SQLI

    before = ch.query("SELECT count() FROM system.tables").result_rows[0][0]
    plans, made = ch.query("SELECT count() FROM app.media_plans").result_rows[0][0], 0
    with httpx.Client(base_url=api_url, timeout=60) as c:
        for bad in SQLI:
            refused = [
                c.post(f"/v1/plans/{quote(bad, safe='')}/versions", json={"client_id": "acme", "lines": LINES},
                       headers=_h(wkeys["strategist"])),
                c.post("/v1/plans/p1/versions", json={"client_id": bad, "lines": LINES}, headers=_h(wkeys["strategist"])),
                c.post("/v1/reports", json={"client_id": bad, "date_from": str(FROM), "date_to": str(TO)},
                       headers=_h(wkeys["pm"])),
                c.post("/v1/ask", json={"question": "spend?", "client_id": bad}, headers=_h(wkeys["pm"])),
                c.post("/v1/ask", json={"question": "spend?", "thread_id": bad}, headers=_h(wkeys["pm"])),
                c.get(f"/v1/reports/{quote(bad, safe='')}", headers=_h(wkeys["pm"])),
            ]  # fmt: skip
            plain = re.fullmatch(r"[A-Za-z0-9_.:@+-]{1,128}", bad) is not None
            for r in refused:
                # refused, or (a harmless plain id, such as another tenant's name used as a plan id) taken as data
                if r.is_success:
                    assert plain, (bad, r.request.url, r.text)
                    continue
                assert 400 <= r.status_code < 500 and r.status_code != 429, (bad, r.request.url, r.text)
                assert r.headers["content-type"].startswith("application/problem+json")
            made += plain
    assert ch.query("SELECT count() FROM system.tables").result_rows[0][0] == before
    assert ch.query("SELECT count() FROM app.media_plans").result_rows[0][0] <= plans + made


def test_a_held_key_past_its_expiry_is_refused_without_a_look_up():
    import datetime as dt

    from api import keys
    from metrics.service import ScopedPrincipal

    secret = "A" * 43
    cache = keys.PrincipalCache(60.0, clock=lambda: 0.0)
    held = keys.KeyPrincipal(
        ScopedPrincipal("t", "u", "pm"),
        "0123456789abcdef",
        "read",
        keys._digest(secret),
        dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1),
    )
    cache.put(held, cache.generation)
    with pytest.raises(keys.KeyError_):
        keys.resolve(None, f"mrm_0123456789abcdef_{secret}", cache)  # no warehouse: it must not be read
    assert cache.get("0123456789abcdef") is None


def test_a_key_read_before_a_revocation_is_not_kept_after_it():
    """A look-up that began before `forget` (a revoke in another thread) must not put the old answer back."""
    from api import keys
    from metrics.service import ScopedPrincipal

    cache = keys.PrincipalCache(60.0, clock=lambda: 0.0)
    kp = keys.KeyPrincipal(ScopedPrincipal("t", "u", "pm"), "0123456789abcdef", "read", "d", None)
    began = cache.generation
    cache.forget(key_id="0123456789abcdef")  # the revoke lands while the look-up is on its way
    cache.put(kp, began)
    assert cache.get("0123456789abcdef") is None
    cache.put(kp, cache.generation)
    assert cache.get("0123456789abcdef") is kp
