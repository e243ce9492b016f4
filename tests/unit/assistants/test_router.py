"""The offline router on labelled RU/EN questions (tests/fixtures/assistants_router_questions.json)."""

from __future__ import annotations

import json
from pathlib import Path

from assistants.agents.router import ROUTES, route, route_rule

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "assistants_router_questions.json"


def _labelled() -> list[dict[str, str]]:
    return json.loads(FIXTURE.read_text(encoding="utf-8"))["questions"]


def test_labelled_questions_routed_at_least_90_percent():
    qs = _labelled()
    assert len(qs) >= 30 and {q["lang"] for q in qs} == {"ru", "en"}
    assert {q["agent"] for q in qs} == set(ROUTES)
    misses = [
        (q["q"], q["agent"], route_rule(q["q"]).agent) for q in qs if route_rule(q["q"]).agent != q["agent"]
    ]
    assert (len(qs) - len(misses)) / len(qs) >= 0.9, misses
    for agent in ROUTES:  # every assistant is reached, not only the default
        mine = [q for q in qs if q["agent"] == agent]
        assert sum(route_rule(q["q"]).agent == agent for q in mine) / len(mine) >= 0.8, agent


def test_rule_is_deterministic_and_explains_itself():
    r = route_rule("Что если перенести 20 % бюджета VK в Директ?")
    assert r == route_rule("Что если перенести 20 % бюджета VK в Директ?")
    assert r.agent == "plan" and r.by == "rule" and r.matched and "что если" in r.reason
    d = route_rule("Сколько кликов было вчера?")
    assert d.agent == "analyst" and not d.matched


def test_without_a_key_the_rule_decides():
    class Offline:
        offline = True

    assert route("Make a RACI matrix", gateway=Offline(), tenant_id="t").by == "rule"
