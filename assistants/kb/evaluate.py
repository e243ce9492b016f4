"""Retrieval evaluation over the labelled question set (recall@k)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml  # type: ignore[import-untyped]

QUESTIONS = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "retrieval" / "questions.yaml"


@dataclass
class EvalResult:
    k: int
    total: int
    found: int
    by_lang: dict[str, tuple[int, int]] = field(default_factory=dict)
    misses: list[str] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.found / self.total if self.total else 0.0


def load_questions(path: Path = QUESTIONS) -> list[dict[str, Any]]:
    qs = yaml.safe_load(path.read_text(encoding="utf-8"))
    for q in qs:
        missing = {"id", "lang", "q", "source", "contains"} - set(q)
        if missing:
            raise ValueError(f"{path}: question {q.get('id')} lacks {sorted(missing)}")
    return qs


def relevant(hit: Any, q: dict[str, Any], report_langs: dict[str, str] | None = None) -> bool:
    src = q["source"]
    if src.startswith("report:"):
        ok_src = (report_langs or {}).get(hit.source_path) == src.split(":", 1)[1]
    else:
        ok_src = hit.source_path.endswith(src)
    text = f"{hit.heading}\n{hit.text}".lower()
    return ok_src and any(c.lower() in text for c in q["contains"])


def evaluate(
    search_fn: Any, questions: list[dict[str, Any]], k: int = 5, report_langs: dict[str, str] | None = None
) -> EvalResult:
    """`search_fn(question, k) -> hits`; a question counts as found if any of its top-k hits is relevant."""
    res = EvalResult(k=k, total=len(questions), found=0)
    for q in questions:
        hits = search_fn(q["q"], k)
        ok = any(relevant(h, q, report_langs) for h in hits[:k])
        f, t = res.by_lang.get(q["lang"], (0, 0))
        res.by_lang[q["lang"]] = (f + int(ok), t + 1)
        if ok:
            res.found += 1
        else:
            res.misses.append(f"{q['id']}: {q['q']}")
    return res
