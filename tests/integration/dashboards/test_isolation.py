"""Tenants and clients never see each other's rows — concurrently, through the shared caches, with tampered
links and SQL-shaped input — and permissions hold in the data layer itself."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor

import pytest

from dashboards import data
from dashboards.auth import AccessDenied
from tests.integration.dashboards.conftest import END, MARTS, logged_in_app, principal

pytestmark = pytest.mark.usefixtures("dash")
PER = data.Period(END - dt.timedelta(days=29), END)

# (login, client) pairs: the same client id `acme` exists in both tenants with the same account ids.
VIEWS = [
    ("it-pm@t1", "acme"),
    ("it-pm@t1", "romashka"),
    ("it-client-acme@t1", "acme"),
    ("it-client-romashka@t1", "romashka"),
    ("it-am@t2", "acme"),
    ("it-am@t2", "globex"),
    ("it-client-acme@t2", "acme"),
]


def _truth(ch, tenant: str, client: str) -> dict:
    """What the warehouse holds for exactly this tenant and client (computed without the app)."""
    q = (
        f"SELECT toFloat64(sum(spend_net)), uniqExact(campaign_id) FROM {MARTS}.fct_ad_performance_daily "  # noqa: S608
        "WHERE tenant_id = {t:String} AND client_id = {c:String} AND date_day BETWEEN {a:Date} AND {b:Date}"
    )
    spend, camps = ch.query(
        q, parameters={"t": tenant, "c": client, "a": PER.date_from, "b": PER.date_to}
    ).result_rows[0]
    return {"spend": round(spend, 2), "campaigns": camps}


def _look(login: str, client: str) -> dict:
    p = principal(login)
    k = data.kpis(p, client, PER)
    camps = data.campaigns(p, client, PER)
    first = camps.iloc[0]
    ads = data.campaign_ads(p, client, PER, first["platform"], first["account_id"], first["campaign_id"])
    days = data.plan_days(p, client, f"plan-{client}", 1)
    return {
        "spend": round(k["current"]["spend_net"], 2),
        "campaigns": len(camps),
        "names": set(camps["campaign_name"]),
        "ads_spend": round(ads["spend_net"].sum(), 2),
        "campaign_spend": round(float(first["spend_net"]), 2),
        "plan_rows": len(days),
        "channels_spend": round(data.channels(p, client, PER)["spend_net"].sum(), 2),
        "reach": int(data.reach_dedup(p, client, PER).set_index("platform").loc["all", "reach"]),
    }


def test_concurrent_users_of_two_tenants_and_clients_get_only_their_rows(ch):
    data.clear_caches()
    truth = {(login, c): _truth(ch, principal(login).tenant_id, c) for login, c in VIEWS}
    # 7 views x 6 rounds on 7 threads: every view is computed cold and then served from the shared cache while
    # the others run; a cache key without tenant would hand t1/acme's rows to t2/acme.
    jobs = VIEWS * 6
    with ThreadPoolExecutor(max_workers=7) as pool:
        results = list(pool.map(lambda v: (v, _look(*v)), jobs))
    for (login, client), got in results:
        tenant = principal(login).tenant_id
        want = truth[(login, client)]
        assert got["spend"] == pytest.approx(want["spend"], abs=0.01), (login, client)
        assert got["channels_spend"] == pytest.approx(want["spend"], abs=0.01), (login, client)
        assert got["campaigns"] == want["campaigns"]
        assert all(n.startswith(f"{tenant}/{client}: ") for n in got["names"]), (login, client, got["names"])
        assert got["ads_spend"] == pytest.approx(got["campaign_spend"], abs=0.01)
        assert got["plan_rows"] > 0
    # the two `acme`s really differ, so the assertions above could have caught a mix-up
    assert truth[("it-pm@t1", "acme")]["spend"] != truth[("it-am@t2", "acme")]["spend"]
    reach = {v: r["reach"] for v, r in results}
    assert reach[("it-pm@t1", "acme")] != reach[("it-am@t2", "acme")]


def test_app_sessions_of_both_tenants_share_caches_but_not_rows():
    """Interleaved app sessions over the shared st.cache_data (AppTest runs one script at a time per process;
    truly concurrent sessions run in the browser suite against a real server)."""
    views = [
        ("it-client-acme@t1", "acme"),
        ("it-client-acme@t2", "acme"),
        ("it-pm@t1", "acme"),
        ("it-am@t2", "acme"),
        ("it-pm@t1", "romashka"),
        ("it-am@t2", "globex"),
    ]
    for login, client in views * 2:
        tenant = principal(login).tenant_id
        at = logged_in_app(login, page="app_pages/campaigns.py", query={"client": client})
        table = at.dataframe[0].value
        names = list(table.loc[table["Platform"] != "Total", "Campaign name"])  # the totals row has no name
        assert names and all(n.startswith(f"{tenant}/{client}: ") for n in names), (tenant, client, names)


@pytest.mark.parametrize(
    ("login", "query", "message"),
    [
        ("it-client-acme@t1", {"client": "romashka"}, "no access to client 'romashka'"),
        ("it-client-acme@t1", {"client": "globex"}, "no access to client 'globex'"),
        ("it-pm@t1", {"client": "globex"}, "unknown client 'globex'"),  # another tenant's client
        ("it-pm@t1", {"client": "acme' OR '1'='1"}, "invalid client"),
        ("it-pm@t1", {"client": "acme", "from": "2026-01-01' OR 1=1 --", "to": "2026-01-31"}, "bad period"),
        ("it-pm@t1", {"client": "acme", "from": "2026-02-01", "to": "2026-01-01"}, "before it starts"),
    ],
)
def test_tampered_links_get_an_error_and_no_data(login, query, message):
    at = logged_in_app(login, query=query)
    errors = [e.value for e in at.error]
    assert errors and message in errors[0], errors
    assert not at.metric and not at.dataframe and not at.get("vega_lite_chart")


def test_sql_shaped_inputs_are_rejected_or_match_nothing():
    pm = principal("it-pm@t1")
    for bad in ("cmp-1' OR 1=1 --", "cmp-1; DROP TABLE app.users", "x\\' OR \\'1\\'=\\'1"):
        with pytest.raises(data.DataError):
            data.campaign_ads(pm, "acme", PER, "yandex_direct", "acc-1", bad)
    with pytest.raises(data.DataError):
        data.plan_days(pm, "acme", "plan-acme' OR ''='", 1)
    with pytest.raises(data.DataError):
        data.campaigns(pm, "acme", PER, platforms=["vk_ads') OR ('1'='1"])
    # Search text is free text: bound as a value, it only ever matches names literally.
    assert data.campaigns(pm, "acme", PER, search="' OR 1=1 --").empty
    assert len(data.campaigns(pm, "acme", PER, search="retargeting")) == 2


def test_client_users_are_read_only_and_staff_roles_limited_in_the_data_layer(ch, tmp_path):
    client_user, analyst = principal("it-client-acme@t1"), principal("it-analyst@t1")
    with pytest.raises(AccessDenied):
        data.kpis(client_user, "romashka", PER)
    for call in (
        lambda: data.build_report(client_user, "acme", PER, "ru"),
        lambda: data.import_plan(client_user, "acme", b"x", "p.csv"),
        lambda: data.ask(client_user, "ROMI?", "en"),
        lambda: data.data_health(client_user, "acme"),
        lambda: data.generate_insights(client_user, "acme", END),
        lambda: data.import_plan(analyst, "acme", b"x", "p.csv"),
    ):
        with pytest.raises(AccessDenied):
            call()

    class Files:  # a report object from another tenant must not be sendable
        tenant_id, client_id, run_id = "dash_t2", "acme", "r1"

    with pytest.raises(AccessDenied):
        data.send_report(principal("it-pm@t1"), Files())
    with pytest.raises(AccessDenied):
        data.send_report(analyst, Files())
    denied = ch.query(
        "SELECT count() FROM app.audit_log WHERE login = {l:String} AND outcome = 'denied'",
        parameters={"l": "it-client-acme@t1"},
    ).result_rows[0][0]
    assert denied >= 5


def test_client_user_sees_only_pages_it_may_open():
    at = logged_in_app("it-client-acme@t1")
    # the client selector is locked to its own client; assistant and data health are not in the navigation
    assert at.selectbox(key="client_sel").disabled
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("app_pages/data_health.py")
    at.switch_page("app_pages/reports.py").run()
    assert [b.key for b in at.button] == ["logout_btn"]  # no build, no send: only downloads of staff reports
