"""Planning and the assistants say their refusals from the catalogue (mrm.i18n): English in str() (logs, the API,
the model), wholly Russian or wholly English for a reader, and no literal of theirs pairs "english / русский"."""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any

import pytest

from assistants.agents import analyst, mediaplan, memory, plan_advisor
from mrm import i18n
from planning import editor
from planning import reach as R
from planning.mediaplan import PlanFileError, read_workbook
from planning.mediaplan.values import ValueParseError, parse_number
from planning.optimizer import OptimizeInputError, parse_problem
from tests.unit.project.test_cli_language import CYRILLIC, LATIN_WORD, _is_bilingual

ROOT = Path(__file__).resolve().parents[3]
PACKAGES = ("planning", "assistants")
# The prefixes of the catalogue texts these packages say (not column names such as plan_id or plan_version).
KEY = re.compile(
    r"(asst|plan_(opt|edit|value|inject|formula|report|issue|skip|file|reach)|plan_one_of|plan_channel_no_cpp"
    r"|plan_tenant_client_required)(_[a-z0-9]+)*"
)


def _reads_in(text: str, lang: str, *values: str) -> None:
    """`text` is prose of `lang` around `values` (ids, names, numbers as given): Russian has no Latin words."""
    rest = text
    for v in sorted(values, key=len, reverse=True):
        assert v in rest, (v, text)
        rest = rest.replace(v, " ")
    if lang == "ru":
        assert CYRILLIC.search(rest) and not LATIN_WORD.search(rest), text
    else:
        assert LATIN_WORD.search(rest) and not CYRILLIC.search(rest), text


def _refused(call: Any, cls: type[BaseException]) -> BaseException:
    with pytest.raises(cls) as err:
        call()
    return err.value


@pytest.mark.parametrize(
    ("call", "cls", "values"),
    [
        (lambda: parse_number("abc"), ValueParseError, ["'abc'"]),
        (lambda: read_workbook(b"", "plan.csv"), PlanFileError, ["plan.csv"]),
        (lambda: R.hofmans_reach(3, 0.2, 0.41), R.ParamError, ["r2", "(0.2, 0.4)", "0.41", "r1 < r2 < 2*r1"]),
        (lambda: parse_problem({"objective": "reach_1plus"}), OptimizeInputError, []),
    ],
)
def test_a_planning_refusal_reads_wholly_in_either_language(call: Any, cls: type, values: list[str]) -> None:
    exc = _refused(call, cls)
    assert i18n.is_refusal(exc) and str(exc) == i18n.explain(exc, "en")
    for lang in ("ru", "en"):
        _reads_in(i18n.reason(exc, lang), lang, *values)


def test_the_exact_texts_of_representative_planning_refusals() -> None:
    err = _refused(lambda: R.hofmans_reach(3, 0.2, 0.41), R.ParamError)
    assert str(err) == "r2 must be in (0.2, 0.4) (r1 < r2 < 2*r1 (Hofmans)), got 0.41" and err.param == "r2"
    assert (
        i18n.explain(err, "ru")
        == "r2: нужно значение в (0.2, 0.4) (r1 < r2 < 2*r1, модель Хофманса), получено 0.41"
    )
    opt = _refused(lambda: parse_problem({"objective": "reach_1plus"}), OptimizeInputError)
    assert str(opt) == "universe: required" and i18n.explain(opt, "ru") == "universe: обязательное поле"
    empty = _refused(lambda: read_workbook(b"", "plan.csv"), PlanFileError)
    assert (empty.code, empty.en, empty.ru) == ("empty", "plan.csv is empty", "plan.csv пуст")


def test_an_editor_cell_issue_names_row_and_field_in_either_language() -> None:
    issue = editor.CellIssue(1, "line_id", "plan_edit_repeats", {"id": "'a'"})
    assert issue.message == issue.text("en") == "row 2, line_id: 'a' repeats"
    assert issue.text("ru") == "строка 2, line_id: 'a' повторяется"


@pytest.mark.parametrize(
    ("call", "cls", "values"),
    [
        (lambda: memory._check_id("bad id!"), memory.ThreadError, ["'bad id!'"]),
        (lambda: analyst.check_question("x" * 2001), ValueError, ["2000"]),
        (lambda: plan_advisor.select([], "radio"), plan_advisor.ToolError, ["'radio'"]),
        (
            lambda: mediaplan.advise([], tenant_id="t", client_id="c", plan_id="p", budget=-1.0),
            ValueError,
            ["-1.0"],
        ),
    ],
)
def test_an_assistant_refusal_reads_wholly_in_either_language(
    call: Any, cls: type, values: list[str]
) -> None:
    exc = _refused(call, cls)
    assert i18n.is_refusal(exc) and str(exc) == i18n.explain(exc, "en")
    for lang in ("ru", "en"):
        _reads_in(i18n.reason(exc, lang), lang, *values)


def _literals(tree: ast.AST) -> list[tuple[int, str]]:
    """Every string literal (f-strings by their literal parts, implicit and '+' concatenations joined), docstrings
    left out."""
    docs = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }

    def text(node: ast.AST) -> str:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value
        if isinstance(node, ast.JoinedStr):
            return "".join(text(v) for v in node.values)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            return text(node.left) + text(node.right)
        return ""

    return [
        (node.lineno, text(node))
        for node in ast.walk(tree)
        if isinstance(node, (ast.Constant, ast.JoinedStr, ast.BinOp)) and id(node) not in docs and text(node)
    ]


def test_no_literal_of_planning_or_the_assistants_pairs_english_and_russian() -> None:
    assert _is_bilingual("plan has no lines / в медиаплане нет строк")
    assert not _is_bilingual("Поиск / РСЯ") and not _is_bilingual("login / password")
    found = [
        f"{path.relative_to(ROOT)}:{line}: {text!r}"
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
        for line, text in _literals(ast.parse(path.read_text(encoding="utf-8")))
        if " / " in text and _is_bilingual(text)
    ]
    assert found == []


def test_every_catalogue_key_planning_and_the_assistants_name_exists_in_both_languages() -> None:
    used = {
        node.value
        for package in PACKAGES
        for path in (ROOT / package).rglob("*.py")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and KEY.fullmatch(node.value)
    }
    assert len(used) > 100 and used <= set(i18n.TEXT), sorted(used - set(i18n.TEXT))
    for key in sorted(k for k in i18n.TEXT if KEY.fullmatch(k)):
        ru, en = i18n.TEXT[key]
        assert CYRILLIC.search(ru) or not LATIN_WORD.search(re.sub(r"\{\w+\}", " ", ru)), key
        assert not CYRILLIC.search(en), key
