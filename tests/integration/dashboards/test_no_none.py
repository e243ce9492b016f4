"""Every page a PM and a client user can open, in Russian and English, read as a user reads it: no `None`, `nan`
or `NaT` in any text, tile, tooltip or table cell (the grid draws an empty cell as `None`), no raw platform id,
and no money without its currency sign (tiles; table columns of money name the currency)."""

from __future__ import annotations

import ast
import json
import re
from typing import Any

import pandas as pd
import pytest

from tests.integration.dashboards.conftest import logged_in_app

pytestmark = pytest.mark.usefixtures("dash")

RAW_IDS = re.compile(r"\b(yandex_direct|yandex_metrika|vk_ads|google_ads)\b")
EMPTY_WORDS = re.compile(r"(?<![\w.])(None|nan|NaN|NaT)(?![\w])")
SIGNS = ("₽", "$", "€", "₸", "Br", "сум")
# A header that is a stored column name (`line_id`, `flight_start`) rather than its display name.
RAW_HEADER = re.compile(r"[a-z][a-z0-9]*(_[a-z0-9]+)+")


def _pages(login: str) -> list[str]:
    """The app's pages (its PAGES list, read from the script) that this user's role may open."""
    from tests.integration.dashboards.conftest import APP, principal

    tree = ast.parse(APP.read_text(encoding="utf-8"))
    listed = next(
        ast.literal_eval(n.value)
        for n in tree.body
        if isinstance(n, ast.Assign) and any(getattr(t, "id", "") == "PAGES" for t in n.targets)
    )
    p = principal(login)
    return [path for path, _title, _url, perm in listed if perm is None or p.can(perm)]


def _texts(at) -> list[tuple[str, str]]:
    """(where, text) of everything shown as text: headings, markdown, captions, alerts, tiles and their help,
    widget labels and options, buttons."""
    out: list[tuple[str, str]] = []
    for kind in (
        "title",
        "header",
        "subheader",
        "markdown",
        "caption",
        "info",
        "warning",
        "error",
        "success",
    ):
        out += [(kind, str(e.value)) for e in at.get(kind)]
    for m in at.metric:
        out += [("metric label", str(m.label)), (f"metric {m.label}", str(m.value))]
        out += [
            (f"metric {m.label} help", str(m.help or "")),
            (f"metric {m.label} delta", str(m.proto.delta)),
        ]
    for kind in ("selectbox", "multiselect", "radio"):
        for w in at.get(kind):
            out.append((f"{kind} label", str(w.label)))
            out += [(f"{kind} {w.label} option", str(o)) for o in getattr(w, "options", [])]
    out += [("button", str(b.label)) for b in at.button]
    return out


def _cells(at) -> list[tuple[str, Any, str]]:
    """(table, column, cell) of every table shown; a null cell is returned as None. An editor's empty cell is a
    field to fill in (a new plan line), not a value shown: it is returned as ''."""
    out: list[tuple[str, Any, str]] = []
    for i, d in enumerate(at.dataframe):
        df: pd.DataFrame = d.value
        editor = d.proto.editing_mode != 0  # Arrow.EditingMode: READ_ONLY = 0
        # An editor's headers may be relabelled by its column config: the header shown is that label.
        shown = {
            k: v.get("label") for k, v in json.loads(d.proto.columns or "{}").items() if isinstance(v, dict)
        }
        for col in df.columns:
            out.append((f"table {i} header", col, str(shown.get(str(col)) or col)))
            for v in df[col]:
                null = v is None or (isinstance(v, float) and pd.isna(v)) or v is pd.NaT or v is pd.NA
                out.append((f"table {i}", col, ("" if editor else None) if null else str(v)))
    return out


def drawn_text(d) -> pd.DataFrame | None:
    """A table's cells as the app formatted them (its Styler display text); None when it sends bare numbers."""
    from streamlit import dataframe_util

    raw = d.proto.arrow_data.styler.display_values
    return dataframe_util.convert_arrow_bytes_to_pandas_df(raw) if raw else None


def _shown_money(at) -> list[tuple[str, Any, str]]:
    """(table, column, text as drawn) of every numeric cell of a column that names its currency: the table's own
    display text when it sends one, else '' (the browser would format the bare number in its own locale)."""
    out: list[tuple[str, Any, str]] = []
    for i, d in enumerate(at.dataframe):
        df: pd.DataFrame = d.value
        drawn = drawn_text(d)
        for col in df.columns:
            if str(col).endswith(tuple(f", {s}" for s in SIGNS)) and pd.api.types.is_numeric_dtype(df[col]):
                texts = drawn[col] if drawn is not None and col in drawn.columns else [""] * len(df)
                out += [(f"table {i}", col, str(x)) for x in texts]
    return out


# Money as drawn: two decimals, the language's grouping and decimal mark, the currency sign after it.
MONEY_TEXT = {
    "ru": re.compile(r"-?\d{1,3}(\u00a0\d{3})*,\d{2}\u00a0(" + "|".join(map(re.escape, SIGNS)) + ")"),
    "en": re.compile(r"-?\d{1,3}(,\d{3})*\.\d{2}\u00a0(" + "|".join(map(re.escape, SIGNS)) + ")"),
}


def problems(at) -> list[str]:
    from dashboards.i18n import TEXT
    from dashboards.ui import MONEY

    money_labels = {TEXT[m][i] for m in MONEY if m in TEXT for i in (0, 1)}
    found: list[str] = []
    for where, text in _texts(at):
        if EMPTY_WORDS.search(text):
            found.append(f"{where}: {text[:120]!r}")
        if RAW_IDS.search(text):
            found.append(f"{where}: raw id in {text[:120]!r}")
    for m in at.metric:
        if (
            str(m.label) in money_labels
            and not any(s in str(m.value) for s in SIGNS)
            and m.value not in ("n/a", "н/п", "—")
        ):
            found.append(f"money tile {m.label!r} without a currency sign: {m.value!r}")
    # A selector without a placeholder of ours shows Streamlit's English "Choose an option" while empty.
    for kind in ("selectbox", "multiselect"):
        for w in at.get(kind):
            if not w.placeholder or "Choose an option" in w.placeholder:
                found.append(f"{kind} {w.label!r}: Streamlit's English placeholder")
    # Chart tooltips and axis titles: display names, and money titled with its currency.
    for i, spec in enumerate(json.loads(c.proto.spec) for c in at.get("vega_lite_chart")):
        for layer in [spec, *spec.get("layer", [])]:
            enc = layer.get("encoding", {})
            shown = [(f"chart {i} tooltip", t) for t in enc.get("tooltip", [])]
            shown += [(f"chart {i} {ch} axis", enc[ch]) for ch in ("x", "y") if isinstance(enc.get(ch), dict)]
            for where, e in shown:
                title = str(e.get("title", e.get("field", "")))
                if RAW_HEADER.fullmatch(title):
                    found.append(f"{where}: raw field name {title!r}")
                if title in money_labels:
                    found.append(f"{where}: money {title!r} names no currency")
    lang = at.session_state["ui_lang"] if "ui_lang" in at.session_state else "ru"
    for where, col, text in _shown_money(at):
        if not MONEY_TEXT[lang].fullmatch(text):
            found.append(f"{where}: money in {col!r} drawn as {text or 'the browser formats it'!r} ({lang})")
    for where, col, cell in _cells(at):
        if cell is None:
            found.append(f"{where}: empty cell in {col!r} (drawn as None)")
        elif EMPTY_WORDS.search(cell) or RAW_IDS.search(cell):
            found.append(f"{where}: {col!r} = {cell[:120]!r}")
        if where.endswith("header") and str(col) in money_labels:
            found.append(f"{where}: money column {col!r} names no currency")
        if where.endswith("header") and RAW_HEADER.fullmatch(cell):
            found.append(f"{where}: raw column name {cell!r}")
    return found


# A PM, the tenant's administrator (the workspace pages) and a client user.
WALKS = [(login, lang) for login in ("it-pm@t1", "it-admin@t1", "it-client-acme@t1") for lang in ("ru", "en")]


@pytest.mark.parametrize(("login", "lang"), WALKS)
def test_no_empty_values_raw_ids_or_bare_money_on_any_page(login, lang):
    pages = _pages(login)
    assert "app_pages/campaigns.py" in pages and len(pages) >= 8, pages
    found: dict[str, list[str]] = {}
    for page in pages:
        at = logged_in_app(login, page=page, query={"client": "acme"}, lang=lang)
        assert not at.exception, (page, [e.value for e in at.exception])
        seen = problems(at)
        if seen:
            found[page] = seen[:8]
    assert not found, "\n".join(f"{page}: {x}" for page, xs in found.items() for x in xs)


def test_the_check_sees_what_it_looks_for():
    """The walker is only as good as its eyes: a page with each fault must be caught."""
    import streamlit as st  # noqa: F401 - the AppTest script imports it
    from streamlit.testing.v1 import AppTest

    def faulty():
        import numpy as np
        import pandas as pd
        import streamlit as st

        st.caption("Платформа: vk_ads")
        st.metric("Spend (net)", "1 234,50")
        st.markdown("CPA: None")
        st.dataframe(pd.DataFrame({"CTR": [0.1, np.nan], "Spend (net)": [1.0, 2.0], "line_id": ["L1", "L2"]}))
        st.selectbox("Канал", ["a", "b"], index=None)
        st.dataframe(pd.DataFrame({"CPA, ₽": [1076.787]}))
        tips = [
            {"field": "ad_name", "type": "nominal"},
            {"field": "s", "type": "quantitative", "title": "CPA"},
        ]
        enc = {"x": {"field": "ad_name", "type": "nominal"}, "y": {"field": "s", "type": "quantitative"}}
        st.vega_lite_chart(
            pd.DataFrame({"ad_name": ["a"], "s": [1.0]}),
            {"mark": "bar", "encoding": {**enc, "tooltip": tips}},
        )

    at = AppTest.from_function(faulty).run()
    text = "\n".join(problems(at))
    for fault in (
        "raw id",
        "without a currency sign",
        "'CPA: None'",
        "empty cell in 'CTR'",
        "names no currency",
        "raw column name 'line_id'",
        "selectbox 'Канал': Streamlit's English placeholder",
        "money in 'CPA, ₽' drawn as 'the browser formats it'",
        "chart 0 tooltip: raw field name 'ad_name'",
        "chart 0 x axis: raw field name 'ad_name'",
        "chart 0 tooltip: money 'CPA' names no currency",
    ):
        assert fault in text, (fault, text)


@pytest.mark.parametrize("lang", ["ru", "en"])
@pytest.mark.parametrize(
    "path",
    [
        {"platform": "vk_ads", "account": "acc-2", "campaign": "cmp-2"},
        {"platform": "vk_ads", "account": "acc-2", "campaign": "cmp-2", "group": "grp-2-1"},
        {"platform": "yandex_direct", "account": "acc-1", "campaign": "cmp-1", "group": "grp-1-2"},
    ],
)
def test_campaigns_drill_levels_show_no_empty_values(path, lang):
    at = logged_in_app("it-pm@t1", page="app_pages/campaigns.py", query={"client": "acme", **path}, lang=lang)
    assert at.dataframe and not at.exception
    assert not problems(at), problems(at)


def test_changes_with_nothing_before_read_as_a_dash():
    import datetime as dt

    from tests.integration.dashboards.conftest import DAYS, END

    first = END - dt.timedelta(days=DAYS - 1)  # the sample's first day: the previous period has no rows
    query = {"client": "acme", "from": str(first), "to": str(first + dt.timedelta(days=6))}
    at = logged_in_app("it-pm@t1", page="app_pages/campaigns.py", query=query)
    table = at.dataframe[0].value
    change = [c for c in table.columns if c.startswith("Δ")]
    assert change and all((table[c] == "—").all() for c in change), table[change]
    assert not problems(at), problems(at)
