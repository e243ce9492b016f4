"""Russian and English UI text of the app. The language lives in the session (st.session_state['ui_lang']),
default Russian. The texts themselves are the platform's one catalogue, `mrm.i18n` (shared with reports, exports and
the command line); this module adds the session's language."""

from __future__ import annotations

from typing import Any

from mrm import i18n as _catalogue
from mrm.i18n import CURRENCY_SIGNS, LANGS, MONTHS, TEXT, fmt_date, fmt_range

__all__ = ["CURRENCY_SIGNS", "LANGS", "MONTHS", "TEXT", "display_name", "fmt_date", "fmt_range", "t"]


def display_name(kind: str, value: Any, lang: str | None = None) -> str:
    """The catalogue's name for a stored id (kind 'platform' or 'load'); an id it does not know is shown as is,
    never as `None`."""
    if value is None:
        return "—"
    key = f"{kind}_{value}"
    return t(key, lang) if key in TEXT else str(value)


def t(key: str, lang: str | None = None, **kw: Any) -> str:
    """The text for `key` in the session's language; a missing key is a bug and fails loudly."""
    if lang is None:
        import streamlit as st

        lang = st.session_state.get("ui_lang", "ru")
    return _catalogue.t(key, lang, **kw)
