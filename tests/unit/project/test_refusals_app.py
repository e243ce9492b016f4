"""The app, delivery, the API and the platform's own modules say their refusals from the one catalogue
(mrm.i18n): no string literal of these packages pairs English and Russian prose with " / ", and a representative
refusal of each package reads wholly in Russian and in English."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from mrm import i18n
from tests.unit.project.test_cli_language import CYRILLIC, LATIN_WORD, _is_bilingual, _literal_text

ROOT = Path(__file__).resolve().parents[3]
PACKAGES = ["dashboards", "delivery", "api", "mrm", "warehouse", "ingestion", "metrics"]


def _sources() -> list[Path]:
    skip = {ROOT / "mrm" / "i18n.py"}  # the catalogue itself
    return [p for pkg in PACKAGES for p in sorted((ROOT / pkg).rglob("*.py")) if p not in skip]


def test_no_literal_of_these_packages_pairs_english_and_russian_prose():
    assert _is_bilingual("wrong login or password / неверный логин или пароль")
    assert not _is_bilingual("Demo logins (login / password / role)") and not _is_bilingual("клиент / тенант")
    found = []
    for path in _sources():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant | ast.JoinedStr | ast.BinOp):
                text = _literal_text(node)
                if " / " in text and _is_bilingual(text):
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {text[:80]!r}")
    assert found == []


def _wholly(lang: str, text: str, *values: str) -> None:
    """`text` is prose of `lang` only: the values it quotes removed, Russian has no Latin word, English no
    Cyrillic."""
    for v in values:
        text = text.replace(v, "")
    if lang == "ru":
        assert CYRILLIC.search(text) and not LATIN_WORD.search(text), text
    else:
        assert not CYRILLIC.search(text), text


def _refusals():
    from api import keys
    from dashboards import auth, data
    from delivery import schedules, thresholds
    from metrics.query import MetricError
    from mrm import private
    from warehouse import provision

    def raised(call, *args, **kw):
        with pytest.raises(Exception) as info:
            call(*args, **kw)
        return info.value

    return [
        ("dashboards", raised(auth.check_password, "short"), ()),
        ("dashboards", raised(data.period, "2026-02-01", "2026-01-01"), ("2026-02-01", "2026-01-01")),
        ("delivery", raised(schedules.zone, "Mars/Olympus"), ("'Mars/Olympus'",)),
        ("delivery", raised(thresholds.parse, {"stale_hours": "many"}), ("stale_hours", "'many'")),
        ("api", raised(keys._parts, "not-a-key"), ("API",)),
        ("metrics", MetricError.said("client_id", "api_name_the_client"), ("client_id",)),
        ("mrm", raised(private.write_private, "/dev/null", "x"), ("/dev/null",)),
        ("warehouse", raised(provision.check_tenant, "a b"), ("'a b'", "'_', '.', '-'")),
    ]


def test_a_refusal_of_each_package_reads_wholly_in_russian_and_in_english():
    seen = set()
    for package, exc, values in _refusals():
        seen.add(package)
        assert i18n.is_refusal(exc), (package, exc)
        assert i18n.explain(exc, "en") == str(exc)
        _wholly("en", i18n.explain(exc, "en"), *values)
        _wholly("ru", i18n.explain(exc, "ru"), *values)
    assert seen == set(PACKAGES) - {"ingestion"}  # ingestion raises none a person reads


def test_the_throttle_and_a_metric_refusal_keep_their_own_shape():
    from dashboards.auth import Throttled
    from metrics.query import MetricError

    exc = Throttled(4.2)
    assert exc.retry_after == 4.2 and str(exc) == "too many failed sign-ins; try again in 5 s"
    assert i18n.explain(exc, "ru") == "слишком много неудачных попыток входа; повторите через 5 с"
    err = MetricError.said("client_id", "api_name_the_client")
    assert err.field == "client_id" and str(err) == "client_id: name the client the question is about"
    assert (
        i18n.reason(err, "ru") == "укажите клиента, о котором вопрос"
        and i18n.refused_field(err) == "client_id"
    )


def test_the_keys_these_packages_use_exist_in_both_languages():
    used: set[str] = set()
    for path in _sources():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            name = getattr(node, "func", None) and getattr(node.func, "id", getattr(node.func, "attr", ""))
            at = {"refusal": 1, "said": 1, "both": 0, "bilingual": 0}.get(name or "")  # the key's position
            if isinstance(node, ast.Call) and at is not None and len(node.args) > at:
                key = node.args[at]
                if isinstance(key, ast.Constant) and isinstance(key.value, str):
                    used.add(key.value)
    assert used and used <= set(i18n.TEXT), used - set(i18n.TEXT)
    for key in used:
        ru, en = i18n.TEXT[key]
        assert CYRILLIC.search(ru) and not CYRILLIC.search(en), key
