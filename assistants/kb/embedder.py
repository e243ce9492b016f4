"""Offline embedder: signed feature hashing of words, light stems and character n-grams (RU + EN).

No model download; deterministic across processes (crc32, not Python's salted hash). Pluggable: anything
with `name`, `dim` and `embed(texts) -> np.ndarray` can replace it.
"""

from __future__ import annotations

import math
import re
import zlib
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:  # numpy costs ~0.2-0.3 s to import; a single query (`mrm ask`) is embedded without it
    import numpy as np

DIM = 1024
_TOKEN = re.compile(r"[a-zа-яё0-9]+", re.I)
_STOP = set(
    "и в во не что он на я с со как а то все она так его но да ты к у же вы за бы по только ее мне было вот от "
    "меня еще нет о из ему теперь когда даже ну вдруг ли если уже или ни быть был него до вас нибудь опять уж "
    "вам ведь там потом себя ничего ей может они тут где есть надо ней для мы тебя их чем была сам чтобы без "
    "будто чего раз тоже себе под будет ж тогда кто этот того потому этого какой совсем ним здесь этом один "
    "почти мой тем чтобы нее сейчас были куда зачем всех никогда можно при наконец два об другой хоть после "
    "над больше тот через эти нас про всего них какая много разве три эту моя впрочем хорошо свою этой перед "
    "иногда лучше чуть том нельзя такой им более всегда конечно всю между это как какие каков какова каково "
    "the a an of to in and or is are was were be been for on at by with from as that this these those it its "
    "which what who whom how why when where do does did has have had will would can could should shall may "
    "our we you your they their there here not no yes into about than then also all any each".split()
)
_RU_SUFFIX = re.compile(
    r"(иями|ями|ами|ого|его|ому|ему|ыми|ими|ией|ией|ость|ости|ений|ения|ение|ании|ания|ание|ать|ять|ить|ете|ите|"
    r"ая|яя|ое|ее|ые|ие|ый|ий|ой|ом|ем|ам|ям|ах|ях|ию|ия|ии|ей|ов|ев|ую|юю|а|я|о|е|ы|и|у|ю|ь|й)$"
)
_EN_SUFFIX = re.compile(r"(ations|ation|ings|ing|ies|ied|ed|es|s|ly|ment|ments)$")


# Bilingual domain glossary: a Russian question must find an English passage (and vice versa). Each stem
# maps to a concept feature shared by both languages.
_GLOSSARY = {
    "роль": "role",
    "рол": "role",
    "role": "role",
    "бюджет": "budget",
    "budget": "budget",
    "отчет": "report",
    "отчёт": "report",
    "report": "report",
    "расход": "spend",
    "затрат": "spend",
    "spend": "spend",
    "cost": "spend",
    "стоимост": "spend",
    "клиент": "client",
    "client": "client",
    "кампани": "campaign",
    "campaign": "campaign",
    "показ": "impression",
    "impression": "impression",
    "клик": "click",
    "click": "click",
    "конверси": "conversion",
    "conversion": "conversion",
    "медиаплан": "media plan",
    "политик": "policy",
    "policy": "policy",
    "media": "media",
    "план": "plan",
    "plan": "plan",
    "охват": "reach",
    "reach": "reach",
    "частот": "frequency",
    "frequency": "frequency",
    "пользовател": "user",
    "user": "user",
    "проект": "project",
    "project": "project",
    "задач": "task",
    "task": "task",
    "безопасност": "security",
    "security": "security",
    "резервн": "backup",
    "backup": "backup",
    "хранени": "retention",
    "retention": "retention",
    "масштабирова": "scaling",
    "scaling": "scaling",
    "scale": "scaling",
    "стоимость": "spend",
    "цен": "price",
    "price": "price",
    "pricing": "price",
    "команд": "team",
    "team": "team",
    "тестирова": "test",
    "test": "test",
    "testing": "test",
    "развертывани": "deploy",
    "deployment": "deploy",
    "deploy": "deploy",
    "мониторинг": "monitor",
    "monitoring": "monitor",
    "база": "database",
    "баз": "database",
    "database": "database",
    "таблиц": "table",
    "table": "table",
    "кэш": "cache",
    "cache": "cache",
    "очеред": "queue",
    "queue": "queue",
    "аналитик": "analytics",
    "analytics": "analytics",
    "эффективност": "performance",
    "performance": "performance",
    "канал": "channel",
    "channel": "channel",
    "площадк": "platform",
    "platform": "platform",
    "ндс": "vat",
    "vat": "vat",
    "комисси": "commission",
    "commission": "commission",
    "инсайт": "insight",
    "insight": "insight",
    "аномали": "anomaly",
    "anomaly": "anomaly",
    "прогноз": "forecast",
    "forecast": "forecast",
    "дата": "date",
    "date": "date",
    "период": "period",
    "period": "period",
    "цел": "goal",
    "goal": "goal",
    "требовани": "requirement",
    "requirement": "requirement",
    "архитектур": "architecture",
    "architecture": "architecture",
    "интеграци": "integration",
    "integration": "integration",
    "аутентификаци": "auth",
    "auth": "auth",
    "authentication": "auth",
    "векторн": "vector",
    "vector": "vector",
    "поиск": "search",
    "search": "search",
    "шаблон": "template",
    "template": "template",
    "недел": "week",
    "week": "week",
    "месяц": "month",
    "month": "month",
    "итог": "total",
    "total": "total",
    "всего": "total",
    "входн": "input",
    "input": "input",
    "выходн": "output",
    "output": "output",
    "токен": "token",
    "token": "token",
    "миллион": "million",
    "million": "million",
    "1m": "million",
    "метрик": "metric",
    "metric": "metric",
    "metrics": "metric",
    "успех": "success",
    "успеш": "success",
    "success": "success",
    "производительн": "performance",
    "хран": "retention",
    "лог": "log",
    "логи": "log",
    "log": "log",
    "logs": "log",
    "пол": "field",
    "пола": "field",
    "field": "field",
    "fields": "field",
    "column": "field",
    "columns": "field",
    "колонк": "field",
    "столбц": "field",
    "сесси": "session",
    "session": "session",
    "задержк": "latency",
    "latency": "latency",
    "скорост": "latency",
    "ответ": "response",
    "response": "response",
    "пользователь": "user",
    "users": "user",
    "агентств": "agency",
    "agency": "agency",
    "agencies": "agency",
    "источник": "source",
    "source": "source",
    "ошибк": "error",
    "error": "error",
    "errors": "error",
    "расписани": "schedule",
    "schedule": "schedule",
    "daily": "daily",
    "ежедневн": "daily",
    # Agency workflow words (briefs, onboarding, pacing, reporting rules) so RU questions find EN documents.
    "заказ": "order",
    "order": "order",
    "еженед": "weekly",
    "weekly": "weekly",
    "ежемес": "monthly",
    "monthly": "monthly",
    "отправ": "send",
    "send": "send",
    "sent": "send",
    "deliver": "send",
    "счетчик": "counter",
    "counter": "counter",
    "доступ": "access",
    "access": "access",
    "подклю": "onboarding",
    "onboarding": "onboarding",
    "флайт": "flight",
    "flight": "flight",
    "бриф": "brief",
    "brief": "brief",
    "темп": "pacing",
    "pacing": "pacing",
    "вывод": "lesson",
    "lesson": "lesson",
    "утверд": "approve",
    "согласу": "approve",
    "согласов": "approve",
    "approv": "approve",
    "средн": "average",
    "average": "average",
    "выручк": "revenue",
    "revenue": "revenue",
    "перерасход": "overspend",
    "overspend": "overspend",
    "предвари": "provisional",
    "provisional": "provisional",
    "preliminary": "provisional",
    "исправл": "correction",
    "correction": "correction",
    "restate": "correction",
}


def bilingual_terms(text: str) -> set[str]:
    """Glossary words of the other language for the text's terms (бюджет → budget), for the full-text side."""
    out: set[str] = set()
    for t in tokens(text):
        c = concept(t)
        if c is None:
            continue
        cyrillic = _CYRILLIC.search(t) is not None
        out |= {
            w for w in _BY_CONCEPT.get(c, ()) if len(w) >= 4 and (_CYRILLIC.search(w) is not None) != cyrillic
        }
    return out


def concept(token: str) -> str | None:
    if token in _GLOSSARY:
        return _GLOSSARY[token]
    st = stem(token)
    for k in (st, st[:6], st[:5], st[:4]):
        if len(k) >= 3 and k in _GLOSSARY:
            return _GLOSSARY[k]
    return None


_CYRILLIC = re.compile(r"[а-яё]")
_BY_CONCEPT: dict[str, list[str]] = {}
for _word, _concept in _GLOSSARY.items():
    _BY_CONCEPT.setdefault(_concept, []).append(_word)


class Embedder(Protocol):
    name: str
    dim: int

    def embed(self, texts: list[str]) -> np.ndarray: ...

    def embed_one(self, text: str) -> list[float]: ...


def stem(word: str) -> str:
    if re.search(r"[а-яё]", word):
        s = _RU_SUFFIX.sub("", word)
        return s if len(s) >= 3 else word
    s = _EN_SUFFIX.sub("", word)
    return s if len(s) >= 3 else word


def tokens(text: str) -> list[str]:
    return [t for t in (w.lower().replace("ё", "е") for w in _TOKEN.findall(text)) if t not in _STOP]


class HashingEmbedder:
    """Words (weight 1), stems (1) and in-word char 3/4-grams (spread over 0.6) hashed into `dim` signed buckets."""

    name = "hash-ngram-v1"

    def __init__(self, dim: int = DIM):
        self.dim = dim

    def _features(self, text: str) -> dict[int, float]:
        feats: dict[int, float] = {}

        def add(key: str, w: float) -> None:
            h = zlib.crc32(key.encode())
            idx = h % self.dim
            sign = 1.0 if (h >> 31) & 1 else -1.0
            feats[idx] = feats.get(idx, 0.0) + sign * w

        for t in tokens(text):
            add("w:" + t, 1.0)
            st = stem(t)
            add("s:" + st, 1.0)
            for c in (concept(t) or "").split():
                add("c:" + c, 2.0)
            if len(t) > 3 and not t.isdigit():
                padded = f"<{st}>"
                grams = [padded[i : i + n] for n in (3, 4) for i in range(len(padded) - n + 1)]
                for g in grams:
                    add("g:" + g, 0.6 / len(grams) * 2)
        return feats

    def embed_one(self, text: str) -> list[float]:
        """Pure-Python twin of `embed` for one text (identical numbers up to float32 rounding)."""
        row = [0.0] * self.dim
        for idx, w in self._features(text).items():
            row[idx] += w
        row = [math.copysign(math.log1p(abs(x)), x) if x else 0.0 for x in row]
        n = math.sqrt(sum(x * x for x in row))
        return [x / n for x in row] if n > 0 else row

    def embed(self, texts: list[str]) -> np.ndarray:
        import numpy as np

        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for r, text in enumerate(texts):
            for idx, w in self._features(text).items():
                out[r, idx] += w
            # Sublinear tf: long chunks should not win only by repeating words.
            row = np.sign(out[r]) * np.log1p(np.abs(out[r]))
            n = np.linalg.norm(row)
            out[r] = row / n if n > 0 else row
        return out
