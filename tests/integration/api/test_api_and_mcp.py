"""The metric layer, the REST API and the MCP server against the embedded warehouse and the sample marts:
numbers equal the marts', scope is the key's user's, and refusals run nothing."""

from __future__ import annotations

import asyncio
import os
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.integration.dashboards.conftest import END, dash  # noqa: F401 - `dash` is a fixture

ROOT = Path(__file__).resolve().parents[3]
FROM, TO = END - __import__("datetime").timedelta(days=27), END


@pytest.fixture(scope="module")
def keys_(dash, ch):  # noqa: F811 - the imported fixture by name
    from api import keys

    made = {
        login: keys.create(ch, tenant_id=t, login=login)
        for login, t in (("it-pm@t1", "dash_t1"), ("it-client-acme@t1", "dash_t1"), ("it-am@t2", "dash_t2"))
    }
    return made


class _Server(threading.Thread):
    """uvicorn in a thread on a free port; `ready` is set by uvicorn's own started flag."""

    def __init__(self, app) -> None:
        import uvicorn

        from tests.conftest import free_port

        super().__init__(daemon=True)
        self.port = free_port()
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="error"))

    def run(self) -> None:
        self.server.run()

    def __enter__(self) -> str:
        self.start()
        deadline = time.monotonic() + 60
        while not self.server.started:
            assert self.is_alive() and time.monotonic() < deadline, "API server did not start"
            time.sleep(0.05)
        return f"http://127.0.0.1:{self.port}"

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.join(timeout=30)


@pytest.fixture(scope="module")
def api_url(dash, warehouse_url):  # noqa: F811
    from api.app import create_app

    with _Server(create_app(rate=1000, burst=1000)) as url:
        yield url


def _h(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def test_every_performance_metric_equals_the_marts(ch, dash):  # noqa: F811
    from dashboards.auth import Principal
    from metrics import service
    from metrics.catalogue import METRICS
    from metrics.query import MetricQuery

    p = Principal("dash_t1", "it-pm@t1", "pm")
    names = [m for m, d in METRICS.items() if d.mart == "performance"]
    got = service.run(
        ch,
        p,
        MetricQuery.build(
            client_id="acme", date_from=FROM, date_to=TO, metrics=names, dimensions=["platform"]
        ),
    )
    sums = ch.query(
        f"SELECT platform, sum(impressions), sum(clicks), toFloat64(sum(spend_net)), "
        f"toFloat64(sum(conversions)), toFloat64(sum(conversions_value)), sum(sessions) "
        f"FROM {dash['db']}.fct_campaign_daily WHERE tenant_id = 'dash_t1' AND client_id = 'acme' "
        f"AND date_day BETWEEN {{a:Date}} AND {{b:Date}} GROUP BY platform",
        parameters={"a": FROM, "b": TO},
    ).result_rows
    assert len(got["rows"]) == len(sums) >= 2
    by = {r["platform"]: r for r in got["rows"]}
    for plat, imp, clk, spend, conv, value, sess in sums:
        r = by[plat]
        assert (r["impressions"], r["clicks"], r["sessions"]) == (imp, clk, sess)
        assert r["spend"] == pytest.approx(spend) and r["revenue"] == pytest.approx(value)
        assert r["ctr"] == pytest.approx(clk / imp)
        assert r["cpm"] == pytest.approx(spend * 1000 / imp)
        assert r["cpa"] == (pytest.approx(spend / conv) if conv else None)
        assert r["romi"] == (pytest.approx((value - spend) / spend) if spend else None)
    assert {m["name"]: m["currency"] for m in got["metrics"]}["spend"] == "RUB"
    assert got["vat"] == "net" and got["client"]["name"] == "ООО «Акме»"


def test_unique_visitors_merge_states_and_are_never_the_sum(ch, dash):  # noqa: F811
    from dashboards.auth import Principal
    from metrics import service
    from metrics.query import MetricQuery

    p = Principal("dash_t1", "it-pm@t1", "pm")
    whole = service.run(
        ch,
        p,
        MetricQuery.build(
            client_id="acme", date_from=FROM, date_to=TO, metrics=["unique_visitors", "visits_per_visitor"]
        ),
    )["rows"][0]
    daily = service.run(
        ch,
        p,
        MetricQuery.build(
            client_id="acme",
            date_from=FROM,
            date_to=TO,
            metrics=["unique_visitors"],
            granularity="day",
            limit=100,
        ),
    )["rows"]
    direct = ch.query(
        f"SELECT uniqCombinedMerge(users_state), sum(contacts) FROM "
        f"{dash['db']}.fct_campaign_reach_states_daily WHERE tenant_id = 'dash_t1' AND "
        f"client_id = 'acme' AND date_day BETWEEN {{a:Date}} AND {{b:Date}}",
        parameters={"a": FROM, "b": TO},
    ).result_rows[0]
    assert whole["unique_visitors"] == direct[0]
    assert whole["visits_per_visitor"] == pytest.approx(direct[1] / direct[0])
    assert len(daily) == 28 and sum(r["unique_visitors"] for r in daily) > whole["unique_visitors"]


def test_comparison_with_the_previous_period(ch, dash):  # noqa: F811
    from dashboards.auth import Principal
    from metrics import service
    from metrics.query import MetricQuery

    p = Principal("dash_t1", "it-pm@t1", "pm")
    q = MetricQuery.build(
        client_id="acme",
        date_from=END - __import__("datetime").timedelta(days=6),
        date_to=END,
        metrics=["spend", "clicks"],
        compare="previous_period",
    )
    out = service.run(ch, p, q)
    prev = service.run(ch, p, q.shifted("previous_period"))["rows"][0]
    row = out["rows"][0]
    assert row["spend_previous"] == pytest.approx(prev["spend"])
    assert row["clicks_change"] == pytest.approx((row["clicks"] - prev["clicks"]) / prev["clicks"])
    assert out["compare_period"]["date_to"] == (END - __import__("datetime").timedelta(days=7)).isoformat()


def test_api_answers_in_the_keys_scope(api_url, keys_):
    with httpx.Client(base_url=api_url, timeout=60) as c:
        assert c.get("/v1/clients").status_code == 401
        pm = c.get("/v1/clients", headers=_h(keys_["it-pm@t1"])).json()["clients"]
        assert {x["client_id"] for x in pm} == {"acme", "romashka"}
        mine = c.get("/v1/clients", headers=_h(keys_["it-client-acme@t1"])).json()["clients"]
        assert [x["client_id"] for x in mine] == ["acme"]
        body = {"client_id": "romashka", "date_from": str(FROM), "date_to": str(TO), "metrics": ["spend"]}
        r = c.post("/v1/metrics/query", json=body, headers=_h(keys_["it-client-acme@t1"]))
        assert r.status_code == 403 and r.headers["content-type"].startswith("application/problem+json")
        # the same client id in another tenant is another client: t2's key sees t2's acme, never t1's
        t1 = c.post(
            "/v1/metrics/query", json={**body, "client_id": "acme"}, headers=_h(keys_["it-pm@t1"])
        ).json()
        r2 = c.post("/v1/metrics/query", json={**body, "client_id": "acme"}, headers=_h(keys_["it-am@t2"]))
        assert r2.status_code == 200 and r2.json()["client"]["name"] == "Acme (other agency)"
        assert r2.json()["rows"][0]["spend"] != t1["rows"][0]["spend"]


def test_api_pages_campaigns_with_a_cursor(api_url, keys_):
    with httpx.Client(base_url=api_url, timeout=60, headers=_h(keys_["it-pm@t1"])) as c:
        params = {"client_id": "acme", "date_from": str(FROM), "date_to": str(TO), "limit": 3}
        first = c.get("/v1/campaigns", params=params).json()
        rest = c.get("/v1/campaigns", params={**params, "limit": 1000}).json()
        assert len(first["rows"]) == 3 and first["next_cursor"]
        second = c.get("/v1/campaigns", params={**params, "cursor": first["next_cursor"]}).json()
        ids = [r["campaign_id"] for r in first["rows"] + second["rows"]]
        assert ids == [r["campaign_id"] for r in rest["rows"]][: len(ids)] and len(set(ids)) == len(ids)
        assert rest["rows"][0]["campaign_id_name"].startswith("dash_t1/acme")


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"metrics": ["nope"]}, 400, "metrics[0]"),
        ({"metrics": ["sum(unique_visitors)"]}, 400, "metrics[0]"),
        ({"metrics": ["spend"], "dimensions": ["tenant_id"]}, 400, "dimensions[0]"),
        ({"metrics": ["spend"], "filters": {"campaign_id": ["' OR 1=1 --"]}}, 400, "filters.campaign_id[0]"),
        ({"metrics": ["spend"], "date_from": "2020-01-01"}, 400, "date_to"),
        ({"metrics": ["spend"], "granularity": "hour"}, 422, "granularity"),
        ({"metrics": ["plan_spend"]}, 400, "filters.plan_id"),
    ],
)
def test_api_refusals_are_problem_json_naming_the_field(api_url, keys_, body, status, field):
    base = {"client_id": "acme", "date_from": str(FROM), "date_to": str(TO)}
    r = httpx.post(
        f"{api_url}/v1/metrics/query", json={**base, **body}, headers=_h(keys_["it-pm@t1"]), timeout=60
    )
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["field"] == field


def test_injection_payloads_in_every_api_parameter_execute_nothing(api_url, keys_, ch):
    from tests.security.payloads import SQLI

    before = ch.query("SELECT count() FROM system.tables").result_rows[0][0]
    with httpx.Client(base_url=api_url, timeout=60, headers=_h(keys_["it-pm@t1"])) as c:
        for bad in SQLI:
            for body in (
                {"client_id": bad, "metrics": ["spend"]},
                {"client_id": "acme", "metrics": ["spend"], "filters": {"platform": [bad]}},
                {"client_id": "acme", "metrics": [bad]},
            ):
                r = c.post("/v1/metrics/query", json={"date_from": str(FROM), "date_to": str(TO), **body})
                # refused, or (a harmless value such as another tenant's id used as a platform) matched nothing
                ok = r.status_code in (400, 403, 422) or (
                    r.status_code == 200 and all(not row["spend"] for row in r.json()["rows"])
                )
                assert ok, (bad, r.status_code, r.text)
    assert ch.query("SELECT count() FROM system.tables").result_rows[0][0] == before


def test_revoked_and_expired_keys_and_suspended_users_stop_at_once(api_url, ch, dash):  # noqa: F811
    from api import keys

    key = keys.create(ch, tenant_id="dash_t1", login="it-analyst@t1")
    assert httpx.get(f"{api_url}/v1/clients", headers=_h(key), timeout=60).status_code == 200
    keys.revoke(ch, "dash_t1", key.split("_")[1])
    assert httpx.get(f"{api_url}/v1/clients", headers=_h(key), timeout=60).status_code == 401
    expired = keys.create(ch, tenant_id="dash_t1", login="it-analyst@t1", expires_days=1)
    ch.command(
        "ALTER TABLE app.api_keys UPDATE expires_at = now64(3) - 1 WHERE key_id = {k:String}",
        parameters={"k": expired.split("_")[1]},
        settings={"mutations_sync": 2},
    )
    assert httpx.get(f"{api_url}/v1/clients", headers=_h(expired), timeout=60).status_code == 401
    forged = key[:-4] + "AAAA"
    assert httpx.get(f"{api_url}/v1/clients", headers=_h(forged), timeout=60).status_code == 401


def test_rate_limit_answers_429_with_retry_after(dash, keys_):  # noqa: F811
    from api.app import create_app

    with _Server(create_app(rate=0.5, burst=2)) as url, httpx.Client(base_url=url, timeout=60) as c:
        codes = [c.get("/v1/metrics", headers=_h(keys_["it-pm@t1"])) for _ in range(3)]
        assert [r.status_code for r in codes] == [200, 200, 429]
        assert int(codes[2].headers["Retry-After"]) >= 1


def test_openapi_contract_lists_every_route_with_a_schema(api_url):
    spec = httpx.get(f"{api_url}/openapi.json", timeout=60).json()
    assert spec["openapi"].startswith("3.")
    assert {
        "/v1/metrics",
        "/v1/metrics/query",
        "/v1/clients",
        "/v1/campaigns",
        "/v1/plans",
        "/v1/reach/curve",
        "/v1/reach/combine",
        "/v1/reach/min-insertions",
        "/v1/kb/search",
    } <= set(spec["paths"])
    assert "MetricsBody" in spec["components"]["schemas"]


def test_reach_calculators_over_the_api(api_url, keys_):
    from planning import reach as R

    with httpx.Client(base_url=api_url, timeout=60, headers=_h(keys_["it-client-acme@t1"])) as c:
        curve = c.post("/v1/reach/curve", json={"grp": [100, 300]}).json()
        assert curve["points"][1]["reach"] == pytest.approx(R.negative_exponential_reach(300, 0.85, 0.01))
        comb = c.post("/v1/reach/combine", json={"reaches": [0.5, 0.4]}).json()
        assert comb["reach"] == pytest.approx(0.7)
        ins = c.post("/v1/reach/min-insertions", json={"p": 0.3, "k": 2, "eps": 0.1}).json()
        assert ins["insertions"] == R.min_insertions(0.3, 2, 0.1)
        assert c.get("/v1/kb/search", params={"q": "brief"}).status_code == 403  # a client reads no KB


TOOL_ARGS = {
    "list_clients": {},
    "list_metrics": {"lang": "ru"},
    "query_metrics": {
        "client_id": "acme",
        "date_from": str(FROM),
        "date_to": str(TO),
        "metrics": ["spend", "ctr"],
    },
    "campaign_performance": {"client_id": "acme", "date_from": str(FROM), "date_to": str(TO), "limit": 5},
    "plan_vs_fact": {
        "client_id": "acme",
        "plan_id": "plan-acme",
        "plan_version": 1,
        "date_from": str(FROM),
        "date_to": str(TO),
    },
    "reach_curve": {"grp": [100.0, 200.0]},
    "reach_combine": {"reaches": [0.3, 0.2]},
    "min_insertions": {"p": 0.2, "k": 1, "eps": 0.05},
    "kb_search": {"query": "media plan"},
    "ask": {"question": "How much did we spend?", "client_id": "acme"},
}


async def _exercise(client) -> dict[str, object]:
    import json

    tools = {t.name for t in (await client.list_tools()).tools}
    assert tools == set(TOOL_ARGS)
    out = {}
    for name, args in TOOL_ARGS.items():
        res = await client.call_tool(name, args)
        assert not res.is_error, (name, res.content)
        out[name] = json.loads(res.content[0].text)
    bad = await client.call_tool(
        "query_metrics", {**TOOL_ARGS["query_metrics"], "metrics": ["sum(unique_visitors)"]}
    )
    assert bad.is_error and "not additive" in bad.content[0].text
    return out


def _check_tool_results(out: dict) -> None:
    q = out["query_metrics"]
    assert q["vat"] == "net" and q["currency"] == "RUB" and q["period"]["date_from"] == str(FROM)
    assert {r["line_id"] for r in out["plan_vs_fact"]["rows"]} == {"L1", "L2", "L3"}
    assert out["list_metrics"]["metrics"][0]["label"] == "Показы"
    assert out["ask"]["thread_id"] and out["ask"]["client_id"] == "acme" and out["ask"]["answer"]


def test_mcp_over_stdio_lists_and_calls_every_tool(dash, keys_, warehouse_url):  # noqa: F811
    from mcp import Client
    from mcp.client.stdio import StdioServerParameters

    env = {
        **os.environ,
        "MRM_API_KEY": keys_["it-pm@t1"],
        "CLICKHOUSE_URL": warehouse_url,
        "MRM_MARTS_DB": dash["db"],
    }
    params = StdioServerParameters(
        command=sys.executable, args=["-m", "mrm.cli", "mcp", "serve"], env=env, cwd=str(ROOT)
    )

    async def go():
        async with Client(params) as client:
            return await _exercise(client)

    _check_tool_results(asyncio.run(go()))


def test_mcp_over_http_takes_the_key_from_each_request(dash, keys_):  # noqa: F811
    import httpx2
    from mcp import Client
    from mcp.client.streamable_http import streamable_http_client

    from api.mcp_server import build_server

    with _Server(build_server(transport="http").streamable_http_app()) as url:

        async def go(key):
            async with httpx2.AsyncClient(headers=_h(key), timeout=60) as http:
                async with Client(streamable_http_client(f"{url}/mcp", http_client=http)) as client:
                    return await _exercise(client)

        _check_tool_results(asyncio.run(go(keys_["it-pm@t1"])))

        async def anonymous():
            async with httpx2.AsyncClient(timeout=60) as http:
                async with Client(streamable_http_client(f"{url}/mcp", http_client=http)) as client:
                    return await client.call_tool("list_clients", {})

        res = asyncio.run(anonymous())
        assert res.is_error and "invalid, expired or revoked" in res.content[0].text


def test_a_cached_key_still_checks_its_secret_and_forgets_a_revocation_at_once(api_url, ch, dash):  # noqa: F811
    from api import keys

    key = keys.create(ch, tenant_id="dash_t1", login="it-analyst@t1")
    with httpx.Client(base_url=api_url, timeout=60) as c:
        assert c.get("/v1/clients", headers=_h(key)).status_code == 200
        assert keys.from_cache(key) is not None  # the API process now holds it
        # the key id of a held key with another secret is refused, without reading the warehouse
        assert c.get("/v1/clients", headers=_h(key[:-4] + "AAAA")).status_code == 401
        assert c.get("/v1/clients", headers=_h(key)).status_code == 200
        keys.revoke(ch, "dash_t1", key.split("_")[1])
        assert keys.from_cache(key) is None
        assert c.get("/v1/clients", headers=_h(key)).status_code == 401


def test_a_change_made_by_another_process_reaches_the_api_within_the_cache_time(ch, dash):  # noqa: F811
    from api import keys
    from dashboards.auth import Principal
    from workspace.users import set_active

    admin = Principal("dash_t1", "it-admin@t1", "admin")
    now = [0.0]
    cache = keys.PrincipalCache(5.0, clock=lambda: now[0])
    key = keys.create(ch, tenant_id="dash_t1", login="it-analyst@t1")
    assert keys.resolve(ch, key, cache).principal.login == "it-analyst@t1"
    # another process suspends the user: this one still answers from its copy until the copy is 5 s old
    assert set_active(ch, admin, "it-analyst@t1", False)
    try:
        now[0] = 4.9
        assert keys.resolve(ch, key, cache).principal.login == "it-analyst@t1"
        now[0] = 5.0
        with pytest.raises(keys.KeyError_):
            keys.resolve(ch, key, cache)
    finally:
        set_active(ch, admin, "it-analyst@t1", True)
    assert keys.resolve(ch, key, cache).principal.login == "it-analyst@t1"
    keys.forget_user("dash_t1", "it-analyst@t1")


def test_an_assigned_staff_user_reads_only_the_assigned_client_through_the_api(api_url, ch, dash):  # noqa: F811
    from api import keys
    from dashboards import auth
    from workspace.access import set_client_scope

    auth.add_user(
        ch, tenant_id="dash_t1", login="it-api-am@t1", role="account_manager", password="pw-api-am-1"
    )
    set_client_scope(
        ch,
        auth.Principal("dash_t1", "it-admin@t1", "admin"),
        "it-api-am@t1",
        all_clients=False,
        client_ids=("romashka",),
    )
    key = keys.create(ch, tenant_id="dash_t1", login="it-api-am@t1")
    body = {"date_from": str(FROM), "date_to": str(TO), "metrics": ["spend"]}
    with httpx.Client(base_url=api_url, timeout=60, headers=_h(key)) as c:
        assert [x["client_id"] for x in c.get("/v1/clients").json()["clients"]] == ["romashka"]
        assert c.post("/v1/metrics/query", json={**body, "client_id": "acme"}).status_code == 403
        assert c.post("/v1/metrics/query", json={**body, "client_id": "romashka"}).status_code == 200
