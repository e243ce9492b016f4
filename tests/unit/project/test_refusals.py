"""Refusals people read come from the catalogue: English in str() (logs, API, tests), the reader's language on the
page and the command line, the field they name kept apart for a form's label."""

from __future__ import annotations

import pytest

from mrm import i18n


@pytest.fixture
def text(monkeypatch):
    monkeypatch.setitem(i18n.TEXT, "test_no_client", ("нет клиента {client}", "no client {client}"))
    return "test_no_client"


def test_a_refusal_reads_in_english_and_explains_in_either_language(text):
    exc = i18n.refusal(LookupError, text, client="acme")
    assert isinstance(exc, LookupError) and str(exc) == "no client acme"
    assert i18n.explain(exc, "ru") == "нет клиента acme" and i18n.explain(exc, "en") == "no client acme"
    assert i18n.is_refusal(exc) and i18n.refused_field(exc) is None


def test_a_field_leads_the_message_and_stays_apart_for_a_form(text):
    exc = i18n.refusal(ValueError, text, field="client_id", client="acme")
    assert str(exc) == "client_id: no client acme"
    assert i18n.explain(exc, "ru") == "client_id: нет клиента acme"
    assert i18n.reason(exc, "ru") == "нет клиента acme" and i18n.refused_field(exc) == "client_id"


def test_another_exception_reads_as_it_is_and_carry_keeps_what_a_refusal_says(text):
    plain = ValueError("disk full")
    assert not i18n.is_refusal(plain) and i18n.explain(plain, "ru") == "disk full"
    assert i18n.reason(plain, "ru") == "disk full" and i18n.refused_field(plain) is None
    wrapped = i18n.carry(i18n.refusal(ValueError, text, client="x"), RuntimeError("no client x"))
    assert isinstance(wrapped, RuntimeError) and i18n.explain(wrapped, "ru") == "нет клиента x"
    assert i18n.carry(plain, RuntimeError("y")).args == ("y",) and not i18n.is_refusal(RuntimeError("y"))


def test_the_command_line_explains_in_its_language(text, monkeypatch):
    exc = i18n.refusal(ValueError, text, client="acme")
    monkeypatch.setenv("MRM_LANG", "ru")
    assert i18n.cli_explain(exc) == "нет клиента acme"
    monkeypatch.setenv("MRM_LANG", "en")
    assert i18n.cli_explain(exc) == "no client acme"


def test_an_unknown_key_fails_loudly():
    with pytest.raises(KeyError):
        i18n.refusal(ValueError, "no_such_text_key")
