"""Which assistant answers a chat question: the analyst, the plan advisor or the project assistant.

The offline rule is deterministic and reads the question's words (RU and EN): budget moves, what-if and optimising
questions go to the plan advisor, briefs, tasks and RACI to the project assistant, everything else to the analyst.
With ANTHROPIC_API_KEY the decision may come from Claude (a forced `choose_assistant` tool call through the gateway);
when that call fails or names no known assistant, the rule decides.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)

ROUTES = ("analyst", "plan", "project")
# (pattern, weight): weight 2 for phrases that settle the question on their own, 1 for hints.
_PLAN: tuple[tuple[str, int], ...] = (
    (r"what[- ]if|что (?:будет,? )?если|а если|допустим,? (?:мы )?(?:перенес|добав|убер|сократ)", 2),
    (r"медиаплан\w*|media[- ]?plan\w*", 2),
    (r"перераспредел\w*|realloc\w*|rebalanc\w*|оптимиз\w*|optimi[sz]\w*", 2),
    (
        r"(?:перенес\w*|перенест\w*|перекин\w*|передвин\w*|перелож\w*|переве\w*|move|shift|transfer)\b[^.?!]{0,40}"
        r"(?:бюджет\w*|budget|денег|деньги|\d)",
        2,
    ),
    (
        r"(?:добав\w*|add|вложи\w*|put|убра\w*|убер\w*|сократи\w*|урез\w*|cut|remove)\b[^.?!]{0,30}"
        r"(?:\d[\d\s.,]*\s*(?:тыс\w*|млн|k\b|m\b|million|%|₽|руб\w*|rub))",
        2,
    ),
    (r"pacing|освоени\w*|\bтемп\w*", 1),
    (r"сплит\w*|split (?:the |of )?budget|распределени\w* бюджет\w*|budget split|budget allocation", 2),
    (r"охват\w* (?:плана|по плану)|plan(?:'s|ned)? reach|reach of the plan|reach curve|кривая охвата", 1),
    (r"\bflight\w*|флайт\w*|строк\w* плана|plan lines?", 1),
)
_PROJECT: tuple[tuple[str, int], ...] = (
    (r"\braci\b|\bрачи\b", 2),
    (r"бриф\w*|\bbrief\w*", 2),
    (r"\bпроект\w*|\bprojects?\b", 2),
    (r"\bзадач\w*|\btasks?\b|to-?do|декомпоз\w*|decompos\w*|разбей\w*|break (?:it |this )?down", 2),
    (
        r"ответственн\w*|responsib\w*|accountab\w*|кто (?:делает|отвечает|согласует)|who (?:does|owns|approves)",
        1,
    ),
    (
        r"дедлайн\w*|deadline\w*|срок\w* (?:сдачи|задач)|kick-?off|кик-?офф|roadmap|дорожн\w* карт\w*|план работ"
        r"|work ?plan|чек-?лист\w*|checklist",
        1,
    ),
    (r"команд\w* (?:проекта|на запуск)|project team|назнач\w*|assign\w*", 1),
)


@dataclass(frozen=True)
class Route:
    agent: str
    by: str  # "rule" | "claude" | "rule (claude failed)"
    reason: str
    matched: bool  # the rule found a word for its choice (False: the analyst by default)

    def as_dict(self) -> dict[str, Any]:
        return {"agent": self.agent, "by": self.by, "reason": self.reason}


def _hits(q: str, rules: tuple[tuple[str, int], ...]) -> tuple[int, list[str]]:
    score, words = 0, []
    for pattern, weight in rules:
        m = re.search(pattern, q)
        if m:
            score += weight
            words.append(m.group(0).strip()[:40])
    return score, words


def route_rule(question: str) -> Route:
    """The offline decision: the assistant whose words weigh most; a tie or nothing is the analyst's."""
    q = re.sub(r"\s+", " ", question.lower().replace("ё", "е"))
    plan, plan_words = _hits(q, _PLAN)
    proj, proj_words = _hits(q, _PROJECT)
    if proj > plan:
        return Route("project", "rule", "project words: " + ", ".join(proj_words), True)
    if plan > proj:
        return Route("plan", "rule", "plan words: " + ", ".join(plan_words), True)
    if plan:  # as many plan words as project words: a plan question names the plan's numbers
        return Route("plan", "rule", "plan and project words; plan first: " + ", ".join(plan_words), True)
    return Route("analyst", "rule", "no plan or project words: the client's data", False)


CHOICE_SCHEMA = {
    "type": "object",
    "properties": {
        "agent": {"type": "string", "enum": list(ROUTES)},
        "reason": {"type": "string", "maxLength": 200},
    },
    "required": ["agent"],
}


def route(question: str, *, gateway: Any = None, tenant_id: str = "") -> Route:
    """Claude's choice when the gateway has a key (a forced tool call), else or on failure the rule's."""
    rule = route_rule(question)
    if gateway is None or gateway.offline or not tenant_id:
        return rule
    from assistants.llm import LLMError, load_prompt

    try:
        res = gateway.structured(
            tenant_id=tenant_id,
            purpose="router",
            prompt=load_prompt("assistant_router"),
            variables={"question": question},
            tool_name="choose_assistant",
            input_schema=CHOICE_SCHEMA,
            offline=lambda: {"agent": rule.agent, "reason": rule.reason},
        )
    except LLMError as exc:
        log.warning("router: Claude call failed (%s); the rule decides", exc)
        return Route(rule.agent, "rule (claude failed)", rule.reason, rule.matched)
    agent = res.data.get("agent")
    if agent not in ROUTES:
        log.warning("router: Claude named %r, not an assistant; the rule decides", agent)
        return Route(rule.agent, "rule (claude failed)", rule.reason, rule.matched)
    return Route(str(agent), "claude", str(res.data.get("reason") or "")[:200], True)
