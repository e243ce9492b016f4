"""Approvers hear by e-mail when a plan version is submitted (a real SMTP server on loopback): every approver of
the client who has an e-mail login, each in the language they last used the plan pages in, nobody else; a mail
server that refuses does not undo the submit and the failure is reported."""

from __future__ import annotations

import socket
import uuid
from email import message_from_bytes
from email.policy import default

import pytest

from dashboards.auth import Principal
from planning import notify
from tests.integration.delivery.test_delivery import smtp  # noqa: F401 - the SMTP sink fixture
from workspace import plan_versions as pv
from workspace.access import set_client_scope
from workspace.clients import Client, add_client

TENANT = "pn_it"
ADMIN = Principal(TENANT, "boss@pn.example", "admin")


@pytest.fixture(scope="module")
def team(ch):
    from dashboards import auth
    from warehouse.migrate import migrate

    migrate(ch)
    cid = f"c{uuid.uuid4().hex[:6]}"
    add_client(ch, ADMIN, Client(cid, "Notice client"))
    add_client(ch, ADMIN, Client(f"{cid}x", "Another client"))
    for login, role in (
        ("boss@pn.example", "admin"),
        ("anna.pm@pn.example", "pm"),
        ("boris.am@pn.example", "account_manager"),
        ("other.am@pn.example", "account_manager"),  # sees only the other client
        ("plain-pm", "pm"),  # not an e-mail address
        ("sveta@pn.example", "strategist"),  # may not approve
        ("olga@pn.example", "analyst"),
    ):
        auth.add_user(ch, tenant_id=TENANT, login=login, role=role, password="correct-horse-9")
    set_client_scope(ch, ADMIN, "other.am@pn.example", all_clients=False, client_ids=(f"{cid}x",))
    notify.remember_language(ch, Principal(TENANT, "anna.pm@pn.example", "pm"), "en")
    return cid


def _submitted(ch, cid: str) -> tuple[str, Principal]:
    pid = f"p{uuid.uuid4().hex[:6]}"
    who = Principal(TENANT, "sveta@pn.example", "strategist")
    lines = [
        {"line_id": "L1", "channel": "TV", "pricing_model": "CPM", "unit_price": 300.0, "budget_net": 1000.0}
    ]
    pv.save_version(ch, who, cid, pid, lines, name="Spring")
    pv.transition(ch, who, cid, pid, 1, "submitted", note="please look at TV")
    return pid, who


def test_each_approver_gets_one_mail_in_their_language(ch, team, smtp):  # noqa: F811
    pid, who = _submitted(ch, team)
    before = len(smtp.messages)
    told = notify.notify_submitted(ch, who, team, pid, 1, "please look at TV")
    assert told.sent == ["anna.pm@pn.example", "boris.am@pn.example", "boss@pn.example"] and not told.failed
    mails = {tuple(to): message_from_bytes(raw, policy=default) for to, raw in smtp.messages[before:]}
    assert set(mails) == {(x,) for x in told.sent}  # one each; nobody else
    en, ru = mails[("anna.pm@pn.example",)], mails[("boris.am@pn.example",)]
    assert en["Subject"] == f"For approval: media plan {pid}, version 1 ({team})"
    assert "sveta@pn.example submitted media plan" in en.get_content() and "Comment: please look at TV" in (
        en.get_content()
    )
    assert ru["Subject"] == f"На согласование: медиаплан {pid}, версия 1 ({team})"
    assert (
        "отправил(а) медиаплан" in ru.get_content() and "Комментарий: please look at TV" in ru.get_content()
    )
    # Switching language is remembered: the next notice to Boris is in English.
    notify.remember_language(ch, Principal(TENANT, "boris.am@pn.example", "account_manager"), "en")
    before = len(smtp.messages)
    notify.notify_submitted(ch, who, team, pid, 1)
    later = {tuple(to): message_from_bytes(raw, policy=default) for to, raw in smtp.messages[before:]}
    assert later[("boris.am@pn.example",)]["Subject"].startswith("For approval:")


def test_a_refusing_mail_server_leaves_the_submit_and_reports_each_failure(ch, team, monkeypatch):
    pid, who = _submitted(ch, team)
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("MRM_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("MRM_SMTP_PORT", str(port))
    told = notify.notify_submitted(ch, who, team, pid, 1)
    assert not told.sent and set(told.failed) == {
        "anna.pm@pn.example",
        "boris.am@pn.example",
        "boss@pn.example",
    }
    assert all("ConnectionRefusedError" in why for why in told.failed.values())
    assert pv.plan_status_of(ch, who, team, pid, 1) == "submitted"
    logged = ch.query(
        "SELECT outcome, detail FROM app.audit_log WHERE tenant_id = {t:String} AND action = 'plan_submit_notice' "
        "AND target = {g:String}",
        parameters={"t": TENANT, "g": f"{team}/{pid} v1"},
    ).result_rows
    assert logged == [("failed", "sent 0, failed 3")]


def test_an_unknown_language_is_refused(ch, team):
    with pytest.raises(ValueError, match="language: one of ru, en"):
        notify.remember_language(ch, Principal(TENANT, "anna.pm@pn.example", "pm"), "de")
