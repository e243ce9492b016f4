"""Number formatting (RU/EN) and the grounding post-check: every number in a text must come from evidence."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

NBSP = "\u00a0"


def fmt_num(value: float, lang: str, decimals: int = 0) -> str:
    """1234567.8 → '1 234 567,8' (ru) / '1,234,567.8' (en)."""
    s = f"{value:,.{decimals}f}"
    if lang == "ru":
        s = s.replace(",", " ").replace(".", ",")
    return s


def fmt_pct(fraction: float, lang: str, decimals: int = 1) -> str:
    return f"{fmt_num(fraction * 100, lang, decimals)}{NBSP if lang == 'ru' else ''}%"


# Numbers as people write them: 1 234,5 / 1,234.5 / 12.5 / -3 / +12,3 — thousands with space, nbsp or comma.
_NUM = re.compile(
    r"(?<![\w.,])[-+−]?(?:\d{1,3}(?:[ \u00a0\u202f]\d{3})+|\d{1,3}(?:,\d{3})+(?=\.\d|\b(?!,\d))|\d+)(?:[.,]\d+)?(?![\w])"
)


@dataclass(frozen=True)
class FoundNumber:
    text: str
    value: float
    decimals: int


def extract_numbers(text: str) -> list[FoundNumber]:
    """Find numbers in RU or EN prose; ids and dates are numbers too (they must be in evidence as well)."""
    out: list[FoundNumber] = []
    for m in _NUM.finditer(text):
        raw = m.group(0)
        s = raw.replace("−", "-").replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
        if re.fullmatch(r"[-+]?\d{1,3}(,\d{3})+(\.\d+)?", s):
            s = s.replace(",", "")  # EN thousands separators
        s = s.replace(",", ".")
        decimals = len(s.split(".")[1]) if "." in s else 0
        try:
            out.append(FoundNumber(raw, float(s), decimals))
        except ValueError:
            continue
    return out


def evidence_numbers(obj: Any) -> set[float]:
    """All numbers reachable in a JSON-like evidence object, plus the parts of dates (day, month, year)."""
    acc: set[float] = set()

    def walk(o: Any) -> None:
        if isinstance(o, bool) or o is None:
            return
        if isinstance(o, int | float | Decimal):
            f = float(o)
            if math.isfinite(f):
                acc.add(f)
        elif isinstance(o, datetime | date):
            acc.update({float(o.year), float(o.month), float(o.day)})
        elif isinstance(o, str):
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}.*", o):
                y, mth, d = o[:10].split("-")
                acc.update({float(y), float(mth), float(d)})
            else:
                for n in extract_numbers(o):
                    acc.add(n.value)
        elif isinstance(o, dict):
            for v in o.values():
                walk(v)
        elif isinstance(o, Iterable):
            for v in o:
                walk(v)

    walk(obj)
    return acc


def _matches(n: FoundNumber, e: float) -> bool:
    tol = 0.5 * 10 ** (-n.decimals) + 1e-9
    for cand in (e, e * 100, -e, -e * 100):  # fractions may be written as percentages; signs as words
        if abs(abs(n.value) - abs(cand)) <= tol:
            return True
    return False


def ungrounded_numbers(text: str, evidence: Any) -> list[str]:
    """Numbers in `text` that match no evidence number at their displayed precision; [] means grounded."""
    ev = evidence_numbers(evidence)
    return [n.text for n in extract_numbers(text) if not any(_matches(n, e) for e in ev)]
