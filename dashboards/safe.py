"""Untrusted text on the page, shown as exactly its characters (issue 21 finding 2).

Streamlit renders the body of st.markdown, st.error/warning/info/success, st.caption, st.subheader, widget labels
and help tooltips as Markdown: an image `![x](http://host/…)` in a URL parameter, a campaign name, a plan cell, a
knowledge-base passage or a model's answer would make every viewer's browser fetch that URL. Everything that did
not come from this code base (URL parameters, warehouse rows, uploads, documents, model output, error messages
that quote any of them) goes through `md()` or one of the renderers below before it reaches such a call.
"""

from __future__ import annotations

import re
from typing import Any

import streamlit as st

from dashboards.i18n import explain

# The marks that open a Markdown, GFM, HTML or LaTeX construct anywhere in a line: links and images (`[`, `!`),
# emphasis, code, autolinks and HTML (`<`), entities (`&`), tables, strike-through, math. CommonMark lets a
# backslash escape any ASCII punctuation, so the escaped text renders as the original characters and nothing else.
# Marks that only matter at the start of a line (lists, headings' underlines, quotes) are escaped only there, so
# ordinary text such as "sign-in", "docs/a.md" or "1.5" keeps its source readable.
_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~$!&])")
_LINE_START = re.compile(r"^([ \t]*)([-+=]|\d+[.)])", re.MULTILINE)
# C0 controls (except tab and newline) and the bidi overrides that could reorder what the viewer reads.
_INVISIBLE = re.compile("[\x00-\x08\x0b-\x1f\x7f\u202a-\u202e\u2066-\u2069]")


def md(value: Any) -> str:
    """`value` as Markdown source that renders as its own characters: no link, image, HTML, math or formatting.

    Line breaks stay visible line breaks (a Markdown hard break), so multi-line texts keep their shape. An
    exception says its message in the session's language (a catalogue refusal; any other as it reads).
    """
    s = "" if value is None else explain(value) if isinstance(value, BaseException) else str(value)
    s = s.replace("\r\n", "\n").replace("\r", "\n")
    s = _SPECIAL.sub(r"\\\1", _INVISIBLE.sub("", s))
    s = _LINE_START.sub(lambda m: m[1] + m[2][:-1] + "\\" + m[2][-1], s)
    return s.replace("\n", "  \n")


def text(value: Any) -> None:
    """A paragraph of untrusted text (a report narrative, an assistant answer)."""
    st.markdown(md(value))


def error(value: Any) -> None:
    st.error(md(value))


def warning(value: Any) -> None:
    st.warning(md(value))


def info(value: Any) -> None:
    st.info(md(value))


def success(value: Any) -> None:
    st.success(md(value))


def caption(value: Any, target: Any = None) -> None:
    """A caption of untrusted text; `target` is a container such as st.sidebar (default: the page)."""
    (target or st).caption(md(value))
