"""The workspace and delivery pages (AppTest, signed in through the real form) against the embedded warehouse:
Clients, Users (with the audit log), Connections, Delivery and Alerts; and the data-layer refusals behind them."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.integration.dashboards.conftest import END, MARTS, PASSWORD, logged_in_app

pytestmark = pytest.mark.usefixtures("dash")
T = "dash_l"  # this module's own tenant: nothing here changes what the other page tests read
EMPTY = "dash_l_empty"
SECRET_KEY = "L-test-secret-key-0123456789-abcdefghij"
USERS = {  # login -> (tenant, role, client)
    "l-admin@tl": (T, "admin", ""),
    "l-pm@tl": (T, "pm", ""),
    "l-creative@tl": (T, "creative", ""),
    "l-am-limited@tl": (T, "account_manager", ""),
    "l-client@tl": (T, "client", "lclient"),
    "l-admin@empty": (EMPTY, "admin", ""),
}


def _p(login: str):
    from dashboards.auth import Principal

    tenant, role, client = USERS[login]
    return Principal(tenant, login, role, client)


@pytest.fixture(scope="module")
def tl(ch, dash):
    """Two clients of tenant dash_l in the sample marts, this module's users, and a failed load after a good one."""
    from dashboards import auth, sample_marts
    from workspace import access

    sample_marts.add_clients(
        ch,
        MARTS,
        [
            sample_marts.ClientSpec(T, "lclient", "Эл-клиент", seed=11),
            sample_marts.ClientSpec(T, "lother", "Other L", seed=12),
        ],
        end=END,
        days=dash["days"],
    )
    for login, (tenant, role, client) in USERS.items():
        auth.add_user(ch, tenant_id=tenant, login=login, role=role, password=PASSWORD, client_id=client)
    access.set_client_scope(
        ch, _p("l-admin@tl"), "l-am-limited@tl", all_clients=False, client_ids=("lother",)
    )
    now = dt.datetime.now(dt.UTC)
    ch.command(
        "DELETE FROM app.load_log WHERE run_id = 'l-failed-1'", settings={"lightweight_deletes_sync": 2}
    )
    ch.insert(
        "app.load_log",
        [
            [
                "l-failed-1",
                T,
                "yandex_direct",
                "stats",
                "lclient-acc-1",
                END,
                END,
                "failed",
                0,
                now + dt.timedelta(minutes=1),
                now + dt.timedelta(minutes=2),
                1.0,
                "HTTP 401 token revoked (request l-req-1)",
            ]
        ],
        column_names=(
            "run_id tenant_id platform report account_id date_from date_to status rows started_at finished_at "
            "duration_s error"
        ).split(),
    )
    return {"tenant": T}


def _texts(at) -> str:
    parts = [
        e.value for e in (*at.error, *at.warning, *at.info, *at.success, *at.caption, *at.markdown, *at.code)
    ]
    for d in at.dataframe:
        parts.append(d.value.to_csv())
    return "\n".join(str(x) for x in parts)


def _table(at, column: str):
    """The page's table that has this column (AppTest does not expose a dataframe's key)."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def _plain(values) -> list[str]:
    """Element texts with the Markdown escapes of dashboards.safe removed."""
    return [str(v.value).replace("\\", "") for v in values]


def _errors(at) -> list[str]:
    return [e.value for e in at.error]


def test_an_empty_tenants_admin_adds_the_first_client_with_precise_errors_and_nothing_half_saved(ch, tl):
    at = logged_in_app("l-admin@empty")
    assert any("add the first one on the Clients page" in w.value for w in at.warning)
    at.switch_page("app_pages/clients.py")
    at.run()
    assert not at.exception, at.exception
    assert any("No clients yet" in i.value for i in at.info)
    at.text_input(key="cl_add_id").input("first")
    at.text_input(key="cl_add_name").input("Первый клиент")
    at.text_input(key="cl_add_inn").input("7707083894")  # a wrong check digit (the real one ends in 3)
    at.text_area(key="cl_add_to").input("boss@first.example, not-an-address")
    next(b for b in at.button if "Add client" in b.label).click()
    at.run()
    assert not at.exception, at.exception
    assert any("INN" in e and "check digits" in e for e in _errors(at)), _errors(at)
    count = "SELECT count() FROM app.clients WHERE tenant_id = {t:String}"
    assert ch.query(count, parameters={"t": EMPTY}).result_rows[0][0] == 0
    at.text_input(key="cl_add_inn").input("7707083893")
    next(b for b in at.button if "Add client" in b.label).click()
    at.run()
    assert any("Report recipients" in e and "not-an-address" in e for e in _errors(at)), _errors(at)
    assert ch.query(count, parameters={"t": EMPTY}).result_rows[0][0] == 0
    at.text_area(key="cl_add_to").input("boss@first.example")
    at.text_input(key="cl_add_tz").input("Asia/Vladivostok")
    next(b for b in at.button if "Add client" in b.label).click()
    at.run()
    assert not at.exception, at.exception
    assert any("Client first added" in s.value for s in at.success), [s.value for s in at.success]
    stored = ch.query(
        "SELECT name, inn, timezone, report_recipients, updated_by FROM app.clients FINAL "
        "WHERE tenant_id = {t:String} AND client_id = 'first'",
        parameters={"t": EMPTY},
    ).result_rows
    assert stored == [
        ("Первый клиент", "7707083893", "Asia/Vladivostok", ["boss@first.example"], "l-admin@empty")
    ]
    table = next(d.value for d in at.dataframe if "Client id" in d.value.columns)
    assert list(table["Client id"]) == ["first"] and list(table["Time zone"]) == ["Asia/Vladivostok"]
    # the sidebar offers the new client at once (its cached list was cleared)
    assert "Первый клиент" in at.selectbox(key="client_sel").options
    # the same id again is refused, by name
    at.text_input(key="cl_add_id").input("first")
    at.text_input(key="cl_add_name").input("Again")
    next(b for b in at.button if "Add client" in b.label).click()
    at.run()
    assert any("Client id" in e and "already exists" in e for e in _errors(at)), _errors(at)
    # edit: a bad currency is refused, a good one saved
    at.text_input(key="cl_edit_first_currency").input("rubles")
    next(b for b in at.button if b.label == "Save").click()
    at.run()
    assert any("Currency" in e for e in _errors(at)), _errors(at)
    at.text_input(key="cl_edit_first_currency").input("usd")
    next(b for b in at.button if b.label == "Save").click()
    at.run()
    cur = "SELECT currency FROM app.clients FINAL WHERE tenant_id = {t:String} AND client_id = 'first'"
    assert ch.query(cur, parameters={"t": EMPTY}).result_rows == [("USD",)]
    # a client without ad accounts: the Connections page says what to do (and the audit log reads empty fine)
    at.switch_page("app_pages/connections.py")
    at.run()
    assert not at.exception, at.exception
    assert any("has no ad accounts: add one below" in i.value for i in at.info), [i.value for i in at.info]
    at.switch_page("app_pages/clients.py")
    at.run()
    # archive needs the confirmation box
    assert at.button(key="cl_archive_btn").disabled
    at.checkbox(key="cl_archive_sure").check().run()
    at.button(key="cl_archive_btn").click().run()
    assert not at.exception, at.exception
    act = "SELECT is_active FROM app.clients FINAL WHERE tenant_id = {t:String} AND client_id = 'first'"
    assert ch.query(act, parameters={"t": EMPTY}).result_rows == [(0,)]


def test_users_page_adds_suspends_resets_assigns_and_shows_the_audit_log(ch, tl):
    from dashboards import auth

    at = logged_in_app("l-admin@tl", page="app_pages/users.py")
    assert not at.exception, at.exception
    table = next(d.value for d in at.dataframe if "Login" in d.value.columns and "Role" in d.value.columns)
    assert {"l-pm@tl", "l-client@tl"} <= set(table["Login"])
    assert "l-admin@empty" not in set(table["Login"])  # another tenant's user
    assert table.set_index("Login").at["l-am-limited@tl", "Clients (* = all)"] == "lother"
    at.text_input(key="us_add_login").input("l-new@tl")
    at.text_input(key="us_add_password").input("short")
    next(b for b in at.button if b.label == "Add user").click()
    at.run()
    assert any("8 characters" in e for e in _errors(at)), _errors(at)
    at.selectbox(key="us_add_role").set_value("client")
    at.text_input(key="us_add_password").input("long-enough-1")
    next(b for b in at.button if b.label == "Add user").click()
    at.run()
    assert any("Field “Client”" in e and "choose it" in e for e in _errors(at)), _errors(at)
    at.selectbox(key="us_add_role").set_value("analyst")
    at.text_input(key="us_add_password").input("long-enough-1")
    next(b for b in at.button if b.label == "Add user").click()
    at.run()
    assert not at.exception, at.exception
    assert auth.authenticate(ch, "l-new@tl", "long-enough-1").role == "analyst"
    # the same login again is refused, not silently replaced
    next(b for b in at.button if b.label == "Add user").click()
    at.run()
    assert any("already exists" in e for e in _errors(at)), _errors(at)
    at.selectbox(key="us_pick").set_value("l-new@tl").run()
    at.button(key="us_toggle").click().run()
    assert not at.exception, at.exception
    with pytest.raises(auth.AuthError):
        auth.authenticate(ch, "l-new@tl", "long-enough-1")
    at.button(key="us_toggle").click().run()  # now "Reactivate"
    at.text_input(key="us_reset_pw").input("brand-new-pw-2")
    next(b for b in at.button if b.label == "Reset password").click()
    at.run()
    assert auth.authenticate(ch, "l-new@tl", "brand-new-pw-2").login == "l-new@tl"
    at.checkbox(key="us_all_l-new@tl").uncheck().run()
    at.multiselect(key="us_assigned_l-new@tl").select("lclient").run()
    at.button(key="us_assign").click().run()
    scope = ch.query(
        "SELECT all_clients, client_ids FROM app.user_client_scope FINAL WHERE tenant_id = {t:String} "
        "AND login = 'l-new@tl'",
        parameters={"t": T},
    ).result_rows
    assert scope == [(0, ["lclient"])]
    # the audit log: the admin's actions, filterable by action
    at.selectbox(key="au_action").set_value("user_suspend").run()
    log = _table(at, "Outcome")
    assert list(log["Action"].unique()) == ["user_suspend"] and list(log["Target"]) == ["l-new@tl"]
    assert set(log["Login"]) == {"l-admin@tl"}


def test_connections_page_shows_health_and_never_a_saved_secret(ch, tl, monkeypatch):
    secret = "y0_AgAAAA-very-secret-token-L"
    at = logged_in_app("l-admin@tl", page="app_pages/connections.py", query={"client": "lclient"})
    # Set after the sign-in: with a secret key the sign-in form also reads a session cookie, which AppTest fakes.
    monkeypatch.setenv("MRM_SECRET_KEY", SECRET_KEY)
    assert not at.exception, at.exception
    health = _table(at, "Stored credentials").set_index("Account")
    assert set(health.index) == {"lclient-acc-1", "lclient-acc-2", "lclient-acc-3"}
    assert "HTTP 401 token revoked" in health.at["lclient-acc-1", "Last error"]
    assert health.at["lclient-acc-3", "Last error"] == "—" and health.at["lclient-acc-3", "Rows"] == 200
    assert any("lclient-acc-1" in w.value and "last load failed" in w.value for w in at.warning)
    at.selectbox(key="cn_secret_account").set_value("yandex_direct|lclient-acc-1")
    at.text_area(key="cn_secret_value").input(secret)
    next(b for b in at.button if b.label == "Save or replace").click()
    at.run()
    assert not at.exception, at.exception
    assert any("OAuth token of lclient-acc-1 saved" in s.value for s in at.success)
    assert at.session_state["cn_secret_value"] == ""  # the form was cleared
    assert secret not in _texts(at)
    row = ch.query(
        "SELECT ciphertext, is_deleted FROM app.account_credentials FINAL WHERE tenant_id = {t:String} "
        "AND account_id = 'lclient-acc-1' AND kind = 'token'",
        parameters={"t": T},
    ).result_rows
    assert row and row[0][1] == 0 and secret not in row[0][0]
    from workspace.credentials import token_for

    assert token_for(ch, T, "yandex_direct", "lclient-acc-1") == secret
    assert (
        _table(at, "Stored credentials").set_index("Account").at["lclient-acc-1", "Stored credentials"]
        == "token"
    )
    # an empty value is refused by field; nothing is written
    next(b for b in at.button if b.label == "Save or replace").click()
    at.run()
    assert any("Value" in e and "empty" in e for e in _errors(at)), _errors(at)
    # delete
    at.selectbox(key="cn_secret_account").set_value("yandex_direct|lclient-acc-1")
    next(b for b in at.button if b.label == "Delete credential").click()
    at.run()
    assert any("deleted" in s.value for s in at.success)
    assert token_for(ch, T, "yandex_direct", "lclient-acc-1", env={}) is None
    # register an account; the same id again is refused by field
    at.text_input(key="cn_add_account").input("lclient-metrika-9")
    at.selectbox(key="cn_add_platform").set_value("yandex_metrika")
    at.checkbox(key="cn_add_vat").uncheck()
    next(b for b in at.button if b.label == "Add account").click()
    at.run()
    assert "lclient-metrika-9" in set(_table(at, "Stored credentials")["Account"])
    vat = ch.query(
        "SELECT client_id, spend_includes_vat FROM app.accounts FINAL WHERE tenant_id = {t:String} AND "
        "account_id = 'lclient-metrika-9'",
        parameters={"t": T},
    ).result_rows
    assert vat == [("lclient", 0)]
    next(b for b in at.button if b.label == "Add account").click()
    at.run()
    assert any("Account" in e and "already registered" in e for e in _errors(at)), _errors(at)


def test_delivery_page_adds_a_weekly_schedule_removes_it_and_gives_a_telegram_code(ch, tl):
    from delivery import schedules as sc

    at = logged_in_app("l-pm@tl", page="app_pages/delivery.py", query={"client": "lclient"})
    assert not at.exception, at.exception
    assert any("No schedules yet" in i.value for i in at.info)
    at.selectbox(key="dl_type").set_value("weekly")
    at.selectbox(key="dl_weekday").set_value(3)
    at.multiselect(key="dl_channels").select("telegram")
    at.text_input(key="dl_to").input("cfo@l.example, nope")
    next(b for b in at.button if b.label == "Add schedule").click()
    at.run()
    assert any("Recipients" in e and "nope" in e for e in _errors(at)), _errors(at)
    assert sc.load(ch, T, "lclient") == []
    at.text_input(key="dl_to").input("cfo@l.example")
    next(b for b in at.button if b.label == "Add schedule").click()
    at.run()
    assert not at.exception, at.exception
    [s] = sc.load(ch, T, "lclient")
    assert (s.report_type, s.weekday, s.local_time, s.channels, s.recipients) == (
        "weekly",
        3,
        "09:00",
        ("email", "telegram"),
        ("cfo@l.example",),
    )
    table = _table(at, "When")
    assert list(table["When"]) == ["Weekly · Wednesday · 09:00"]
    assert any("no chat is linked" in w.value for w in at.warning)
    at.button(key="dl_remove").click().run()
    assert sc.load(ch, T, "lclient") == []
    at.button(key="dl_tg_link").click().run()
    code = next(c.value for c in at.code if c.value.startswith("/start "))
    links = ch.query(
        "SELECT link_code, status FROM app.telegram_links FINAL WHERE tenant_id = {t:String} AND "
        "target_id = 'lclient'",
        parameters={"t": T},
    ).result_rows
    assert links == [(code.split(" ", 1)[1], "pending")]
    assert "waiting for the code" in set(_table(at, "Chat")["Status"])
    audit = ch.query(
        "SELECT detail, target FROM app.audit_log WHERE tenant_id = {t:String} AND "
        "action = 'telegram_link_code'",
        parameters={"t": T},
    ).result_rows
    assert audit and all(code.split(" ", 1)[1] not in f"{d}{tg}" for d, tg in audit)
    # The chat sends the code to the bot (the Bot API emulator over loopback); the bot's poll links it.
    import httpx

    from delivery import telegram as tg
    from ingestion.sandbox.server import SandboxServer
    from ingestion.sandbox.telegram import BOT_TOKEN

    with SandboxServer(apis=["telegram"]) as sbx:
        base = sbx.url("telegram")
        httpx.post(f"{base}/_user/7701/message", json={"text": code}, timeout=30).raise_for_status()
        counts = tg.process_updates(ch, tg.TelegramBot(BOT_TOKEN, base), on_ack=lambda *a: None)
    assert counts["linked"] == 1
    at.run()
    chats = _table(at, "Chat")
    assert list(chats["Status"]) == ["linked"] and list(chats["Chat"]) == [7701]


def test_alerts_page_runs_the_rules_and_acknowledges(ch, tl):
    at = logged_in_app("l-pm@tl", page="app_pages/alerts.py", query={"client": "lclient"})
    assert not at.exception, at.exception
    at.button(key="al_run").click().run()
    assert not at.exception, at.exception
    assert any("the last load of yandex_direct:lclient-acc-1 failed" in i for i in _plain(at.info)), [
        i.value for i in at.info
    ]
    table = _table(at, "Alert")
    assert any("lclient-acc-1 failed" in m for m in table["Alert"])
    at.selectbox(key="al_pick").set_value("load_failed:yandex_direct:lclient-acc-1").run()
    at.button(key="al_ack").click().run()
    assert not at.exception, at.exception
    acked = ch.query(
        "SELECT acked_by FROM app.alerts FINAL WHERE tenant_id = {t:String} AND client_id = 'lclient' "
        "AND alert_key = 'load_failed:yandex_direct:lclient-acc-1'",
        parameters={"t": T},
    ).result_rows
    assert acked == [("l-pm@tl",)]
    # a second run finds the same condition: no new notice (deduplicated)
    at.button(key="al_run").click().run()
    assert not any("lclient-acc-1 failed" in i for i in _plain(at.info))
    # the PM's own chat for alerts: a one-time code for the bot
    assert any("No chat linked" in c.value for c in at.caption)
    at.button(key="al_my_chat_link").click().run()
    code = next(c.value for c in at.code if c.value.startswith("/start "))
    mine = ch.query(
        "SELECT link_code, status FROM app.telegram_links FINAL WHERE tenant_id = {t:String} AND "
        "target_kind = 'user' AND target_id = 'l-pm@tl'",
        parameters={"t": T},
    ).result_rows
    assert mine == [(code.split(" ", 1)[1], "pending")]
    assert any("waiting for the code" in c.value for c in at.caption)


@pytest.mark.parametrize(
    ("login", "call"),
    [
        ("l-pm@tl", lambda wd, p: wd.client_list(p)),
        ("l-pm@tl", lambda wd, p: wd.users(p)),
        ("l-pm@tl", lambda wd, p: wd.audit_log(p)),
        ("l-pm@tl", lambda wd, p: wd.accounts(p, "lclient")),
        ("l-creative@tl", lambda wd, p: wd.schedules(p, "lclient")),
        ("l-creative@tl", lambda wd, p: wd.telegram_code(p, "lclient")),
        ("l-creative@tl", lambda wd, p: wd.alerts(p, "lclient")),
        ("l-creative@tl", lambda wd, p: wd.my_alert_chat_code(p)),
        ("l-client@tl", lambda wd, p: wd.run_alerts(p, "lclient")),
        ("l-am-limited@tl", lambda wd, p: wd.schedules(p, "lclient")),  # assigned to lother only
        ("l-am-limited@tl", lambda wd, p: wd.acknowledge(p, "lclient", "x")),
        ("l-admin@empty", lambda wd, p: wd.accounts(p, "lclient")),  # another tenant's admin
        (
            "l-admin@empty",
            lambda wd, p: wd.save_credential(
                p, "lclient", "yandex_direct", "lclient-acc-1", "token", "x" * 20
            ),
        ),
    ],
)
def test_the_data_layer_refuses_what_the_role_or_scope_does_not_allow(tl, login, call):
    from dashboards import workspace_data as wd

    with pytest.raises((PermissionError, LookupError)):
        call(wd, _p(login))


ADMIN_PAGES = ("clients", "users", "connections")
DELIVERY_PAGES = ("delivery", "alerts")


@pytest.mark.parametrize(
    ("login", "allowed"),
    [
        ("l-admin@tl", ADMIN_PAGES + DELIVERY_PAGES),
        ("l-pm@tl", DELIVERY_PAGES),
        ("l-creative@tl", ()),
        ("l-client@tl", ()),
    ],
)
def test_pages_are_in_the_navigation_only_for_roles_that_may_use_them(tl, login, allowed):
    at = logged_in_app(login)
    for page in ADMIN_PAGES + DELIVERY_PAGES:
        if page in allowed:
            at.switch_page(f"app_pages/{page}.py")
            at.run()
            assert not at.exception, (page, at.exception)
            assert not _errors(at), (page, _errors(at))
        else:  # not registered for this role: AppTest (like the browser) cannot open it
            with pytest.raises(ValueError, match="Could not find a navigation page"):
                at.switch_page(f"app_pages/{page}.py")


def test_every_page_speaks_russian(tl):
    from dashboards.i18n import TEXT

    at = logged_in_app("l-admin@tl", query={"client": "lclient"}, lang="ru")
    for page in ADMIN_PAGES + DELIVERY_PAGES:
        at.switch_page(f"app_pages/{page}.py")
        at.run()
        assert not at.exception, (page, at.exception)
        assert at.title[0].value == TEXT[f"page_{page}"][0]
        labels = [w.label for w in (*at.button, *at.selectbox, *at.text_input) if w.label]
        english = [x for x in labels if x.isascii() and any(c.isalpha() for c in x)]
        assert not english, (page, english)
