"""Labels people read come from the one RU/EN catalogue (mrm.i18n): no module keeps its own table of
(English, Russian) pairs, and the role and plan-status names read from the catalogue in both languages."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from mrm import i18n

ROOT = Path(__file__).resolve().parents[3]
PACKAGES = (
    "workspace",
    "planning",
    "delivery",
    "orchestration",
    "dashboards",
    "api",
    "metrics",
    "warehouse",
    "ingestion",
    "mrm",
)
CATALOGUE = "mrm/i18n.py"
CYRILLIC = re.compile(r"[А-Яа-яЁё]")


def _pair(node: ast.expr) -> tuple[str, str] | None:
    """The two strings of a literal 2-tuple of strings, else None."""
    if not (isinstance(node, ast.Tuple) and len(node.elts) == 2):
        return None
    texts = [e.value for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
    return (texts[0], texts[1]) if len(texts) == 2 else None


def label_tables(source: str) -> list[str]:
    """Module-level dicts whose values are all 2-tuples of strings, one of them Russian and the other not: a
    private RU/EN label table (`name:line`)."""
    found = []
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets, value = [node.target], node.value
        else:
            continue
        if not isinstance(value, ast.Dict) or not value.values:
            continue
        pairs = [_pair(v) for v in value.values]
        if all(pairs) and any(
            bool(CYRILLIC.search(a)) != bool(CYRILLIC.search(b)) for a, b in filter(None, pairs)
        ):
            names = ", ".join(ast.unparse(t) for t in targets)
            found.append(f"{names}:{node.lineno}")
    return found


def _sources() -> list[Path]:
    return [
        path
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
        if path.relative_to(ROOT).as_posix() != CATALOGUE
    ]


def test_the_scan_flags_a_label_table_and_nothing_else():
    old_permissions = (
        "ROLE_NAMES: dict[str, tuple[str, str]] = {\n"
        '    "admin": ("Administrator", "Администратор"),\n'
        '    "pm": ("Project manager", "Руководитель проекта"),\n'
        "}\n"
        'ACTIONS = {"read": ("Read the dashboards", "Смотреть дашборды"), "ask": ("Ask", "Спрашивать")}\n'
    )
    assert label_tables(old_permissions) == ["ROLE_NAMES:1", "ACTIONS:5"]
    assert not label_tables(
        'WORDS = {"tv": ("tv", "тв", "телевид"), "radio": ("radio", "радио")}'
    )  # matching
    assert not label_tables('PAIRS = {"a": ("x", "y"), "b": ("один", "два")}')  # no language pairs
    assert not label_tables('def f():\n    LOCAL = {"a": ("Draft", "Черновик")}\n')  # not module-level


def test_no_module_keeps_its_own_label_table():
    sources = _sources()
    assert len(sources) > 100
    found = [
        f"{path.relative_to(ROOT).as_posix()}:{where}"
        for path in sources
        for where in label_tables(path.read_text(encoding="utf-8"))
    ]
    assert not found, "RU/EN label tables outside the catalogue (move them to mrm/i18n.py):\n" + "\n".join(
        found
    )


def test_role_and_plan_status_names_come_from_the_catalogue_in_both_languages():
    from workspace import permissions, plan_versions

    assert permissions.role_name("account_manager", "ru") == "Аккаунт-менеджер"
    assert permissions.role_name("account_manager", "en") == "Account manager"
    assert permissions.role_name("robot", "ru") == "robot"  # an unknown role as stored
    assert plan_versions.status_label("submitted", "ru") == "На согласовании"
    assert plan_versions.status_label("submitted", "en") == "Pending approval"
    assert set(plan_versions.STATUSES) >= {to for (_, to) in plan_versions.FLOW}
    assert all(plan_versions.status_label(s, "ru") != s for s in plan_versions.STATUSES)


def test_each_label_is_stated_once_and_aliases_name_a_stated_key():
    """Two keys with the same Russian and English would state one label twice: the second is an alias instead."""
    stated = {k: v for k, v in i18n.TEXT.items() if k not in i18n.ALIASES}
    seen: dict[tuple[str, str], str] = {}
    twice = {key: seen[v] for key, v in stated.items() if seen.setdefault(v, key) != key}
    assert twice == {}
    assert all(source in stated for source in i18n.ALIASES.values())
    assert all(i18n.TEXT[alias] == i18n.TEXT[source] for alias, source in i18n.ALIASES.items())
