"""E-mail to a plan's approvers when a version is submitted for approval, each in the approver's language.

Approvers are the tenant's active people whose role may approve plans (the permission matrix) and who may see the
client; those whose login is an e-mail address get one message each, through the SMTP settings the reports use.
A person's language is the one set on their Profile page (app.user_settings), Russian until then. A failed
send does not undo the submit: the caller gets the failure to show, and the audit log records it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from dashboards.auth import Principal, audit
from dashboards.i18n import LANGS, t
from mrm.i18n import refusal

Sender = Callable[[list[str], str, str], None]


@dataclass
class Notice:
    sent: list[str] = field(default_factory=list)  # e-mail addresses written to
    failed: dict[str, str] = field(default_factory=dict)  # address -> why the send failed


def remember_language(ch: Any, p: Principal, lang: str) -> None:
    """Store `p`'s language (the Profile page's choice; only written when it changed)."""
    if lang not in LANGS:
        raise refusal(ValueError, "plan_one_of", field="language", allowed=", ".join(LANGS), value=repr(lang))
    if languages(ch, p.tenant_id, [p.login]).get(p.login) != lang:
        ch.insert(
            "app.user_settings",
            [[p.tenant_id, p.login, lang, dt.datetime.now(dt.UTC)]],
            column_names=["tenant_id", "login", "language", "updated_at"],
        )


def languages(ch: Any, tenant_id: str, logins: list[str]) -> dict[str, str]:
    """login -> stored language, for the logins that have one."""
    rows = ch.query(
        "SELECT login, language FROM app.user_settings FINAL WHERE tenant_id = {t:String} "
        "AND login IN {l:Array(String)}",
        parameters={"t": tenant_id, "l": logins},
    ).result_rows
    return {str(login): str(lang) for login, lang in rows}


def approvers(ch: Any, tenant_id: str, client_id: str) -> list[str]:
    """Active logins of the tenant who may see `client_id` (the staff the alerts reach) and whose role may approve
    plans by the permission matrix."""
    from delivery.dispatch import staff_logins
    from workspace.permissions import allowed

    staff = staff_logins(ch, tenant_id, client_id)
    roles = ch.query(
        "SELECT login, role FROM app.users FINAL WHERE tenant_id = {t:String} AND login IN {l:Array(String)}",
        parameters={"t": tenant_id, "l": staff},
    ).result_rows
    may = {str(login) for login, role in roles if allowed(str(role), "approve_plan")}
    return [x for x in staff if x in may]


def _is_address(login: str) -> bool:
    return "@" in login and "." in login.rsplit("@", 1)[-1]


def message(lang: str, *, plan_id: str, version: int, client: str, by: str, note: str) -> tuple[str, str]:
    """(subject, body) of the notice in `lang`."""
    subject = t("pe_mail_subject", lang, plan=plan_id, version=version, client=client)
    body = t("pe_mail_body", lang, plan=plan_id, version=version, client=client, by=by)
    if note.strip():
        body += "\n\n" + t("pe_mail_note", lang, note=note.strip())
    return subject, body


def notify_submitted(
    ch: Any,
    p: Principal,
    client_id: str,
    plan_id: str,
    version: int,
    note: str = "",
    *,
    send: Sender | None = None,
) -> Notice:
    """Write to every approver of the client that `p` submitted `plan_id` v`version`; each send on its own."""
    if send is None:
        from delivery.dispatch import smtp_send

        send = smtp_send
    people = [x for x in approvers(ch, p.tenant_id, client_id) if _is_address(x) and x != p.login]
    langs = languages(ch, p.tenant_id, people)
    out = Notice()
    for person in people:
        subject, body = message(
            langs.get(person, "ru"), plan_id=plan_id, version=version, client=client_id, by=p.login, note=note
        )
        try:
            send([person], subject, body)
        except OSError as exc:  # refused, unreachable, timed out: the submit stands, the caller shows it
            out.failed[person] = f"{type(exc).__name__}: {exc}"
        else:
            out.sent.append(person)
    audit(
        ch,
        p.tenant_id,
        p.login,
        "plan_submit_notice",
        "ok" if not out.failed else "failed",
        target=f"{client_id}/{plan_id} v{version}",
        detail=f"sent {len(out.sent)}, failed {len(out.failed)}",
    )
    return out
