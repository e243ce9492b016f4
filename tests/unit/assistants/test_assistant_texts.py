"""The assistants (and the MCP server) say their texts from the catalogue (mrm.i18n): no inline
`"русский" if ru else "English"` choice in their source, every key they name exists, and a converted text reads
wholly in the reader's language."""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import pytest

from assistants.agents import analyst, project
from assistants.agents.tools import ToolCall
from mrm import i18n

# `assistants.insights.narrate` is also the name of the package's function: import the module by its path
narrate = importlib.import_module("assistants.insights.narrate")
ROOT = Path(__file__).resolve().parents[3]
SOURCES = sorted((ROOT / "assistants").rglob("*.py")) + [ROOT / "api" / "mcp_server.py"]
CYRILLIC = re.compile(r"[А-Яа-яЁё]")
LATIN = re.compile(r"[A-Za-z]")


def _literal_text(node: ast.AST) -> str | None:
    """The literal text of a string expression: a constant, the fixed parts of an f-string, a `+` of such, or both
    branches of a choice between such; None for anything else."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return " ".join(
            v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str)
        )
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        parts = [_literal_text(node.left), _literal_text(node.right)]
    elif isinstance(node, ast.IfExp):
        parts = [_literal_text(node.body), _literal_text(node.orelse)]
    else:
        return None
    if all(p is None for p in parts):
        return None
    return " ".join(p for p in parts if p is not None)


def bilingual_choices(source: str) -> list[tuple[int, str, str]]:
    """Each `a if … else b` whose branches are string literals, one Russian and the other Latin prose."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.IfExp):
            continue
        a, b = _literal_text(node.body), _literal_text(node.orelse)
        if a is None or b is None:
            continue
        for one, other in ((a, b), (b, a)):
            if CYRILLIC.search(one) and LATIN.search(other) and not CYRILLIC.search(other):
                found.append((node.lineno, a, b))
                break
    return found


def test_the_scan_finds_the_old_inline_choices():
    old = """
def to_markdown(self, ru):
    head = "## " + ("Задачи" if ru else "Tasks")
    legend = "R — " + ("исполняет" if ru else "responsible")
    msg = f"Не удалось получить данные: {err}" if ru else f"Could not get the data: {err}"
    order = ("по возрастанию" if low else "по убыванию") if ru else ("lowest first" if low else "highest first")
    tick = f"{n}\\u00a0{'тыс.' if lang == 'ru' else 'k'}"
    return head
"""
    assert sorted(line for line, _, _ in bilingual_choices(old)) == [3, 4, 5, 6, 7]
    # What stays: the language named to the model, a format code, a language code, a currency sign.
    kept = """
x = "Russian" if lang == "ru" else "English"
y = "dd.mm.yyyy" if lang == "ru" else "yyyy-mm-dd"
z = "ru" if lang == "ru" else "en"
w = "₽" if lang == "ru" else "RUB"
"""
    assert bilingual_choices(kept) == []


def test_no_assistant_source_chooses_between_russian_and_english_literals():
    found = [
        f"{path.relative_to(ROOT)}:{line}: {a!r} / {b!r}"
        for path in SOURCES
        for line, a, b in bilingual_choices(path.read_text(encoding="utf-8"))
    ]
    assert found == []


def language_tables(source: str) -> list[int]:
    """Dict literals keyed by the languages (`{"ru": {...}, "en": {...}}`) holding Russian text: a private RU/EN
    label table (the line of each)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Dict):
            continue
        keys = {k.value for k in node.keys if isinstance(k, ast.Constant)}
        if {"ru", "en"} <= keys and any(
            isinstance(c, ast.Constant) and isinstance(c.value, str) and CYRILLIC.search(c.value)
            for c in ast.walk(node)
        ):
            found.append(node.lineno)
    return found


def test_no_assistant_source_keeps_a_table_keyed_by_language():
    old = 'NAMES = {\n    "ru": {"spend": "расход", "cr": "конверсия (CR)"},\n    "en": {"spend": "spend", "cr": "CR"},\n}\n'
    assert language_tables(old) == [1]
    assert language_tables('LANGS = {"ru": "Russian", "en": "English"}') == []
    found = [
        f"{path.relative_to(ROOT)}:{line}"
        for path in SOURCES
        for line in language_tables(path.read_text(encoding="utf-8"))
    ]
    assert found == []


def _keys_named(node: ast.AST) -> list[str]:
    """The catalogue keys a call's first argument names: a constant, both branches of a choice, a dict's values."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return _keys_named(node.body) + _keys_named(node.orelse)
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Dict):
        return [k for v in node.value.values for k in _keys_named(v)]
    return []


def test_every_key_the_assistants_look_up_is_in_the_catalogue():
    named: dict[str, str] = {}
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and node.args):
                continue
            fn = node.func
            name = fn.id if isinstance(fn, ast.Name) else fn.attr if isinstance(fn, ast.Attribute) else ""
            if name in ("t", "say"):
                for key in _keys_named(node.args[0]):
                    named[key] = f"{path.relative_to(ROOT)}:{node.lineno}"
    assert len(named) > 50
    assert {k: where for k, where in named.items() if k not in i18n.TEXT} == {}
    tables = [
        *project.PLAN_ROLE_KEYS.values(),
        *(tpl.title for tpl in project.TEMPLATES),
        *narrate.METRIC_KEYS.values(),
    ]
    assert [k for k in tables if k not in i18n.TEXT] == []


BRIEF = "# Весенний запуск\n\nБюджет: 2 млн, охват OLV\nКреатив: видео\nСрок 01.03.2026\n"


def _headings(markdown: str) -> list[str]:
    lines = markdown.splitlines()
    table_head = next(x for x in lines if x.startswith("| ID |"))
    legend = next(x for x in lines if x.startswith("R — "))
    return [x for x in lines if x.startswith("## ")] + [table_head, legend]


def test_project_plan_markdown_says_its_headers_in_the_plans_language():
    ru = project.decompose_offline(BRIEF, "ru").to_markdown()
    heads = _headings(ru)
    assert heads == [
        "## Задачи",
        "## Матрица RACI",
        "| ID | Задача | Руководитель проекта | Аккаунт-менеджер | Специалист по рекламе | Стратег | Аналитик "
        "| Креатив | Клиент |",
        "R — исполняет, A — утверждает, C — консультирует, I — информируется",
    ]
    assert "зависит от: T01; из брифа: —" in ru and "Уточнить бриф, цели и KPI с клиентом" in ru
    assert "Даты в брифе: 01.03.2026" in ru

    en = project.decompose_offline(BRIEF, "en").to_markdown()
    heads = _headings(en)
    assert heads == [
        "## Tasks",
        "## RACI matrix",
        "| ID | Task | Project manager | Account manager | Ad specialist | Strategist | Analyst | Creative | Client |",
        "R — responsible, A — accountable, C — consulted, I — informed",
    ]
    assert not CYRILLIC.search(en.replace("Весенний запуск", "").replace("Бюджет", "").replace("Креатив", ""))
    assert "depends on: T01; from the brief: —" in en


@pytest.mark.parametrize(
    ("lang", "sheets", "task_head"),
    [
        ("ru", ["RACI", "Задачи"], ["ID", "Задача", "Этап", "Зависит от", "Из брифа"]),
        ("en", ["RACI", "Tasks"], ["ID", "Task", "Phase", "Depends on", "From the brief"]),
    ],
)
def test_project_workbook_names_its_sheets_and_columns_in_the_plans_language(
    tmp_path, lang, sheets, task_head
):
    import openpyxl

    path = project.decompose_offline(BRIEF, lang).write_xlsx(tmp_path / "p.xlsx")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == sheets
    assert [c.value for c in wb[sheets[1]][1]] == task_head
    assert [c.value for c in wb["RACI"][1]][:2] == ["ID", task_head[1]]
    assert [c.value for c in wb["RACI"][1]][2:] == [project.ROLE_NAMES[lang][r] for r in project.ROLES]


def test_analyst_answer_reads_in_one_language():
    call = ToolCall("x", "search_knowledge_base", {}, {"hits": []})
    assert analyst.write_answer(call, "ru")[0] == "В базе знаний нет ответа на этот вопрос."
    assert analyst.write_answer(call, "en")[0] == "The knowledge base has no answer to this question."
    err = ToolCall("x", "daily_series", {}, {}, error="period too long")
    assert analyst.write_answer(err, "ru")[0] == "Не удалось получить данные: period too long"
    assert analyst.write_answer(err, "en")[0] == "Could not get the data: period too long"
