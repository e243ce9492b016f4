"""The workspace package's refusals come from the catalogue (mrm.i18n): English in str(), wholly Russian or wholly
English through explain(), and no message of the package joins English and Russian prose inline with " / "."""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path

import pytest

from mrm.i18n import TEXT, explain, refused_field
from tests.unit.project.test_cli_language import CYRILLIC, LATIN_WORD, _is_bilingual, _literal_text
from workspace import clients, discovery, invitations, sync
from workspace.access import require
from workspace.permissions import ACTIONS

ROOT = Path(__file__).resolve().parents[3]

# The one bilingual document the package writes on purpose: docs/permissions.md, both languages side by side.
# (The invitation e-mail is bilingual too, the invitee's language being unknown, but its texts are the catalogue's.)
BILINGUAL_BY_DESIGN = {("workspace/permissions.py", "render_markdown")}


def _russian_only(text: str, values: tuple[str, ...] = ()) -> None:
    """Russian prose: Cyrillic, and no Latin word once the values (ids, names, codes) are taken out."""
    for v in values:
        text = text.replace(v, " ")
    assert CYRILLIC.search(text), text
    assert not LATIN_WORD.search(text), text


def _english_only(text: str) -> None:
    assert text.strip() and not CYRILLIC.search(text), text


def test_a_client_form_refusal_names_its_field_and_reads_fully_in_either_language():
    with pytest.raises(clients.ClientError) as bad:
        clients.validate(clients.Client("acme", "Acme", currency="rubles"))
    exc = bad.value
    assert str(exc) == "currency: 'rubles' — a three-letter ISO code such as RUB"
    assert refused_field(exc) == "currency"
    ru = explain(exc, "ru")
    assert ru == "currency: 'rubles' — нужен трёхбуквенный код ISO, например RUB"
    _russian_only(ru, ("currency", "'rubles'", "ISO", "RUB"))
    _english_only(explain(exc, "en"))


def test_sync_window_and_key_file_refusals_read_fully_in_russian():
    last = dt.date(2026, 3, 9)
    with pytest.raises(sync.SyncError) as late:
        sync.window("backfill", dt.date(2026, 3, 20), today=dt.date(2026, 3, 10))
    assert str(late.value) == f"date_from: 2026-03-20 is after the last complete day {last}"
    ru = explain(late.value, "ru")
    assert ru == f"date_from: 2026-03-20 позже последнего полного дня {last}"
    _russian_only(ru, ("date_from",))
    with pytest.raises(discovery.KeyFileError) as empty:
        discovery.validate_garpun_key(b"  ")
    assert str(empty.value) == "key file: empty" and refused_field(empty.value) == "key file"
    assert explain(empty.value, "ru") == "key file: файл пуст"


def test_a_denied_action_names_it_in_the_readers_language():
    class Ch:
        def insert(self, *a, **k):  # the audit row of the denial
            pass

        def command(self, *a, **k):
            pass

    from dashboards.auth import AccessDenied, Principal

    with pytest.raises(AccessDenied) as denied:
        require(Ch(), Principal("t1", "viewer", "client"), "manage_users")
    en, ru = ACTIONS["manage_users"]
    assert str(denied.value) == f"role 'client' may not: {en}"
    assert explain(denied.value, "ru") == f"роль 'client' не может: {ru}"
    _russian_only(explain(denied.value, "ru"), ("'client'",))


def test_the_invitation_mail_keeps_both_languages_from_the_catalogue():
    inv = invitations.Invitation(
        "t1", "a@b.example", "analyst", "", True, (), "boss", dt.date(2026, 3, 1), ""
    )
    subject, text = invitations._message(inv, "https://app.example/i/x", "Boss")
    assert subject == f"{TEXT['ws_inv_subject'][0]} / {TEXT['ws_inv_subject'][1]}"
    ru, sep, en = text.partition("\n---\n\n")
    assert sep and "Аналитик" in ru and "Analyst" in en and "2026-03-01" in ru and "2026-03-01" in en
    _english_only(en)


def test_every_workspace_text_is_a_full_translation():
    for key, (ru, en) in TEXT.items():
        if key.startswith(("ws_", "oauth_")) and key != "ws_key_unfit":  # that one wraps a connector's detail
            assert CYRILLIC.search(ru), key
            _english_only(en)


def _functions(tree: ast.AST) -> dict[ast.AST, str]:
    """Each node under a top-level function, mapped to that function's name."""
    owner: dict[ast.AST, str] = {}
    for fn in ast.walk(tree):
        if isinstance(fn, ast.FunctionDef):
            for node in ast.walk(fn):
                owner.setdefault(node, fn.name)
    return owner


def test_no_workspace_string_pairs_english_and_russian_inline():
    """No string literal (or f-string, or concatenation) in workspace/ joins English and Russian prose with " / "."""
    assert _is_bilingual("nothing imported / ничего не импортировано")
    assert not _is_bilingual("Invite (login / password)") and not _is_bilingual("клиент / тенант")
    found = []
    for path in sorted((ROOT / "workspace").glob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        tree = ast.parse(path.read_text(encoding="utf-8"))
        owner = _functions(tree)
        for node in ast.walk(tree):
            if (rel, owner.get(node, "")) in BILINGUAL_BY_DESIGN:
                continue
            text = _literal_text(node)
            if " / " in text and _is_bilingual(text):
                found.append(f"{rel}:{getattr(node, 'lineno', '?')}: {text!r}")
    assert not found, "\n".join(found)
