"""Russian and English UI text of the app. The language lives in the session (st.session_state['ui_lang']),
default Russian. The texts themselves are the platform's one catalogue, `mrm.i18n` (shared with reports, exports and
the command line); this module adds the session's language."""

from __future__ import annotations

from typing import Any

from mrm import i18n as _catalogue
from mrm.i18n import CURRENCY_SIGNS, LANGS, MONTHS, TEXT, fmt_date, fmt_range

__all__ = [
    "CURRENCY_SIGNS",
    "LANGS",
    "MONTHS",
    "TEXT",
    "display_name",
    "explain",
    "fmt_date",
    "fmt_range",
    "reason",
    "t",
]


def display_name(kind: str, value: Any, lang: str | None = None) -> str:
    """The catalogue's name for a stored id (kind 'platform' or 'load'); an id it does not know is shown as is,
    never as `None`."""
    if value is None:
        return "—"
    key = f"{kind}_{value}"
    return t(key, lang) if key in TEXT else str(value)


def _session_lang(lang: str | None) -> str:
    if lang is not None:
        return lang
    import streamlit as st

    return str(st.session_state.get("ui_lang", "ru"))


def explain(exc: BaseException, lang: str | None = None) -> str:
    """An exception's message in the session's language (a catalogue refusal; any other as it reads)."""
    return _catalogue.explain(exc, _session_lang(lang))


def reason(exc: BaseException, lang: str | None = None) -> str:
    """A refusal's reason in the session's language, without the field it names."""
    return _catalogue.reason(exc, _session_lang(lang))


def t(key: str, lang: str | None = None, **kw: Any) -> str:
    """The text for `key` in the session's language; a missing key is a bug and fails loudly."""
    return _catalogue.t(key, _session_lang(lang), **kw)
