"""The plan editor's computed table draws its numbers in the UI language (AppTest, real warehouse): money with two
decimals, the language's grouping and the currency sign, reach in percent; the grid keeps the numbers."""

from __future__ import annotations

import uuid

import pytest

from tests.integration.dashboards.conftest import logged_in_app
from tests.integration.dashboards.test_no_none import MONEY_TEXT, drawn_text, problems

pytestmark = pytest.mark.usefixtures("dash")


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_computed_plan_lines_show_money_and_reach_in_the_ui_language(lang):
    from dashboards.i18n import t

    pid = f"nf{uuid.uuid4().hex[:6]}"
    at = logged_in_app("it-pm@t1", page="app_pages/plan_editor.py", query={"client": "acme"}, lang=lang)
    at.text_input(key="pe_new_id").input(pid)
    at.run()
    at.session_state[f"pe_grid_{pid}_0"] = {
        "edited_rows": {"0": {"channel": "TV", "unit_price": 300.0, "budget_net": 1234567.5}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    budget, reach = t("col_budget_net", lang), t("col_reach_1plus", lang)
    table = next(d for d in at.dataframe if reach in d.value.columns)  # the computed lines
    drawn = drawn_text(table)
    assert drawn is not None, "the computed table sends bare numbers"
    assert float(table.value[budget].iloc[0]) == 1234567.5  # the numbers stay numbers
    text = drawn[budget].iloc[0]
    assert MONEY_TEXT[lang].fullmatch(text), text
    assert text.startswith("1\u00a0234\u00a0567,50" if lang == "ru" else "1,234,567.50"), text
    assert str(drawn[reach].iloc[0]).endswith(" %"), drawn[reach].iloc[0]
    assert not problems(at), problems(at)
