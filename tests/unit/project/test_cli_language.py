"""The command line speaks one language at a time, from the one catalogue (mrm.i18n): MRM_LANG, else the locale,
else English; a wrong MRM_LANG is a clear error; no CLI module writes "english / русский" pairs inline."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from mrm import i18n
from mrm.cli import cli

ROOT = Path(__file__).resolve().parents[3]
CLI_MODULES = [
    "planning/cli.py",
    "assistants/cli.py",
    "delivery/cli.py",
    "workspace/cli.py",
    "warehouse/cli.py",
    "mrm/demo.py",
    "warehouse/lifecycle_cli.py",
    "ingestion/cli.py",
    "api/cli.py",
    "dashboards/cli.py",
    "mrm/dbt_cli.py",
    "orchestration/cli.py",
    "mrm/cli.py",
]
CYRILLIC = re.compile(r"[А-Яа-яЁё]")
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
LOCALE_VARS = ("MRM_LANG", "LC_ALL", "LC_MESSAGES", "LANG")


@pytest.fixture
def lang_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    """Set the language variables exactly (the others unset); the CLI's log files go to a scratch data dir."""
    monkeypatch.setenv("MRM_DATA_DIR", str(tmp_path / "data"))

    def set_env(**values: str) -> None:
        for name in LOCALE_VARS:
            monkeypatch.delenv(name, raising=False)
        for name, value in values.items():
            monkeypatch.setenv(name, value)

    return set_env


def _mrm(*args: str):
    return CliRunner().invoke(cli, list(args))


def _only(lang: str, text: str) -> None:
    """Every word of `text` is in `lang`: Russian output has Cyrillic prose, English output has none."""
    assert text.strip(), "no output"
    if lang == "en":
        assert not CYRILLIC.search(text), text
    else:
        assert CYRILLIC.search(text), text


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("ru", "совокупный охват 58,00\u00a0%"), ("en", "combined reach 58.00%")],
)
def test_reach_result_comes_out_in_the_chosen_language_with_its_number_format(lang_env, lang, expected):
    lang_env(
        MRM_LANG=lang, LANG="ru_RU.UTF-8" if lang == "en" else "C.UTF-8"
    )  # MRM_LANG wins over the locale
    res = _mrm("reach", "combine", "--reach", "0.4", "--reach", "0.3")
    assert res.exit_code == 0, res.output
    assert expected in res.output
    first = res.output.splitlines()[0]  # the distribution table below it is numbers and a translated header
    _only(lang, first)


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("ru", "некорректный JSON"), ("en", "not valid JSON")],
)
def test_errors_come_out_in_the_chosen_language(lang_env, tmp_path, lang, expected):
    lang_env(MRM_LANG=lang)
    bad = tmp_path / "in.json"
    bad.write_text("{not json", encoding="utf-8")
    res = _mrm("plan", "optimize", "--input", str(bad))
    assert res.exit_code == 1 and expected in res.output, res.output
    message = res.output.split(":", 1)[1]  # after click's own "Error" prefix
    _only(lang, message.replace(str(bad), ""))


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("ru", "нет резервных копий"), ("en", "no backups under")],
)
def test_nothing_to_do_notes_come_out_in_the_chosen_language(lang_env, tmp_path, lang, expected):
    lang_env(MRM_LANG=lang)
    res = _mrm("backup", "list", str(tmp_path))
    assert res.exit_code == 0 and expected in res.output, res.output
    _only(lang, res.output.replace(str(tmp_path), ""))


@pytest.mark.parametrize(
    ("lang", "expected"), [("ru", "не дата ГГГГ-ММ-ДД"), ("en", "is not a date YYYY-MM-DD")]
)
def test_option_validation_errors_are_localised(lang_env, lang, expected):
    lang_env(MRM_LANG=lang)
    res = _mrm("ingest", "-p", "direct", "-t", "t1", "--from", "2026-13-01", "--to", "2026-12-01")
    assert res.exit_code == 2 and expected in res.output, res.output


def test_machine_readable_output_is_the_same_in_both_languages(lang_env, tmp_path):
    problem = {
        "budget": 1000,
        "objective": "reach_1plus",
        "universe": 1000000,
        "lines": [
            {"id": "a", "cpm": 100, "curve": {"model": "negexp", "max_reach": 0.6, "k": 0.01}},
            {"id": "b", "cpm": 200, "curve": {"model": "negexp", "max_reach": 0.5, "k": 0.02}},
        ],
    }
    path = tmp_path / "p.json"
    path.write_text(json.dumps(problem), encoding="utf-8")
    out = {}
    for lang in ("ru", "en"):
        lang_env(MRM_LANG=lang)
        res = _mrm("plan", "optimize", "--input", str(path), "--json")
        assert res.exit_code == 0, res.output
        out[lang] = json.loads(res.output)
    assert out["ru"] == out["en"]


@pytest.mark.parametrize(
    ("env", "lang"),
    [
        ({"LANG": "ru_RU.UTF-8"}, "ru"),
        ({"LANG": "C.UTF-8"}, "en"),
        ({"LANG": "en_US.UTF-8"}, "en"),
        ({}, "en"),
        ({"LC_ALL": "ru_RU.UTF-8", "LANG": "C.UTF-8"}, "ru"),  # LC_ALL first
        ({"LC_MESSAGES": "C", "LANG": "ru_RU.UTF-8"}, "en"),  # then LC_MESSAGES
        ({"MRM_LANG": "EN", "LANG": "ru_RU.UTF-8"}, "en"),  # MRM_LANG wins, case-insensitive
        ({"MRM_LANG": " ru ", "LANG": "C.UTF-8"}, "ru"),
        ({"MRM_LANG": "", "LANG": "ru_RU.UTF-8"}, "ru"),  # empty = unset
    ],
)
def test_language_comes_from_mrm_lang_then_the_locale_then_english(lang_env, env, lang):
    lang_env(**env)
    assert i18n.cli_lang() == lang


def test_locale_fallback_reaches_the_commands(lang_env):
    lang_env(LANG="ru_RU.UTF-8")
    assert "совокупный охват" in _mrm("reach", "combine", "--reach", "0.4").output
    lang_env(LANG="C.UTF-8")
    assert "combined reach" in _mrm("reach", "combine", "--reach", "0.4").output


@pytest.mark.parametrize(
    ("locale", "words"), [("C.UTF-8", "allowed values: ru, en"), ("ru_RU.UTF-8", "ru, en")]
)
def test_an_unknown_mrm_lang_is_a_clear_error(lang_env, locale, words):
    lang_env(MRM_LANG="de", LANG=locale)
    with pytest.raises(i18n.LanguageError, match="MRM_LANG='de'"):
        i18n.cli_lang()
    res = _mrm("reach", "combine", "--reach", "0.4")
    assert res.exit_code == 2, res.output
    assert "MRM_LANG='de'" in res.output and words in res.output
    assert "combined reach" not in res.output and "совокупный" not in res.output  # nothing ran


def test_mrm_help_documents_the_language_variable():
    out = CliRunner().invoke(cli, ["--help"]).output
    assert "MRM_LANG" in out and "LC_ALL" in out


def _literal_text(node: ast.AST) -> str:
    """The literal parts of a string constant or f-string (placeholders dropped)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(_literal_text(v) for v in node.values)
    if isinstance(node, ast.BinOp):
        return _literal_text(node.left) + _literal_text(node.right)
    return ""


def _is_bilingual(text: str) -> bool:
    return any(CYRILLIC.search(part) for part in text.split(" / ")) and any(
        LATIN_WORD.search(part) and not CYRILLIC.search(part) for part in text.split(" / ")
    )


def test_no_cli_message_pairs_english_and_russian_inline():
    """Messages come from the catalogue in one language: no echo, print, prompt or error of a CLI module passes a
    literal joining English and Russian prose with " / "."""
    assert _is_bilingual("nothing imported / ничего не импортировано")
    assert not _is_bilingual("Demo logins (login / password / role)") and not _is_bilingual("клиент / тенант")
    sinks = {"echo", "print", "secho", "prompt", "confirm", "ClickException", "UsageError", "BadParameter"}
    found = []
    for rel in CLI_MODULES:
        tree = ast.parse((ROOT / rel).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "attr", getattr(node.func, "id", ""))
            if name not in sinks:
                continue
            for arg in [*node.args, *(k.value for k in node.keywords)]:
                for part in ast.walk(arg):
                    text = _literal_text(part)
                    if " / " in text and _is_bilingual(text):
                        found.append(f"{rel}:{node.lineno}: {text!r}")
    assert found == []


def test_every_cli_message_key_exists_and_has_both_languages():
    used: set[str] = set()
    for rel in CLI_MODULES:
        for node in ast.walk(ast.parse((ROOT / rel).read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", getattr(node.func, "attr", "")) == "cli_t"
            ):
                first = node.args[0]
                options = [first.body, first.orelse] if isinstance(first, ast.IfExp) else [first]
                used |= {o.value for o in options if isinstance(o, ast.Constant)}
    assert used and used <= set(i18n.TEXT), used - set(i18n.TEXT)
    assert all(key.startswith("cli_") for key in used)
    for key in used:
        ru, en = i18n.TEXT[key]
        assert CYRILLIC.search(ru) or not LATIN_WORD.search(ru.replace("{", " {")), key
        assert not CYRILLIC.search(en), key
