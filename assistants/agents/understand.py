"""The offline analyst's reading of a question (RU/EN): which tool, which metrics, platform, period, comparison
and top-N, as slots; a follow-up ("and last week?", "а по VK?") fills only what it says and keeps the rest of the
previous turn's slots.

Deterministic and free of I/O: the anchor day (newest day with data) is given by the caller.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from assistants.agents.tools import COST_METRICS
from mrm import clock

# Longest phrases first: "стоимость конверсии" is CPA, not conversions; "кликабельность" is CTR, not clicks.
_METRIC_WORDS: tuple[tuple[str, str], ...] = (
    (
        "cpa",
        r"\bcpa\b|cost per (?:acquisition|conversion|lead)|стоимост\w* (?:конверси\w*|лид\w*|заявк\w*)"
        r"|цен\w* (?:конверси\w*|лид\w*|заявк\w*)",
    ),
    ("cpc", r"\bcpc\b|cost per click|стоимост\w* клик\w*|цен\w* клик\w*"),
    ("cpm", r"\bcpm\b|cost per (?:mille|thousand)|стоимост\w* (?:тысяч\w*|1000) показ\w*"),
    ("ctr", r"\bctr\b|click[- ]through|кликабельн\w*"),
    ("cr", r"conversion rate|\bcr\b|коэффициент\w* конверси\w*|\bcr\b"),
    ("romi", r"\bromi\b|\broi\b|окупаемост\w*"),
    ("drr", r"\bdrr\b|\bдрр\b|доля рекламных расходов"),
    ("unique_visitors", r"unique visitors?|уникальн\w* посетител\w*|\breach\b|охват\w*"),
    ("revenue", r"revenue|доход\w*|выручк\w*"),
    ("spend", r"\bspend\w*|\bspent\b|\bcosts?\b|расход\w*|потрат\w*|затрат\w*|стоил\w*"),
    ("impressions", r"impressions?|показ\w*"),
    ("clicks", r"\bclicks?\b|клик\w*"),
    ("conversions", r"conversions?|конверси\w*|\bleads?\b|лид\w*|заявк\w*"),
    ("sessions", r"sessions?|визит\w*"),
)
PLATFORM_WORDS: dict[str, str] = {
    r"\bvk\b|\bвк\b|вконтакте|vkontakte|vk ads": "vk_ads",
    r"direct|директ\w*|яндекс\w*|yandex": "yandex_direct",
    r"garpun|гарпун\w*|mytarget|майтаргет\w*|my target": "garpun",
}
_ALL_PLATFORMS = r"all platforms|every platform|overall|in total|все\w* площадк\w*|все\w* канал\w*|в целом|в сумме|итого|по всем\b"
_FOLLOW_UP = r"^(?:and\b|what about|how about|same\b|now\b|а\b|и\b|теперь|а что|то же|тоже)"
_DEFINITION = r"what is|what does|how (?:is|do you) (?:\w+ )?(?:calculated|computed|defined)|что такое|как (?:считать|счита\w+|рассчит\w+)|что значит|определени"
_COMPARE = (
    r"\bvs\.?\b|versus|compared? (?:to|with)|\bcompare\b|against|week over week|month over month|\bwow\b"
    r"|по сравнению с|в сравнении с|сравни\w*|против|относительно"
)
_YEAR_AGO = r"year ago|last year|previous year|\byoy\b|год назад|прошл\w* год\w*|предыдущ\w* год\w*"
_TOP = r"\btop\b|\bтоп\b|\bbest\b|\bworst\b|лучш\w*|худш\w*|which campaigns?|what campaigns?|какие кампании|какая кампания|самы\w+|highest|lowest|\bmost\b|\bleast\b|больше всего|меньше всего|максимальн\w*|минимальн\w*|ranking|рейтинг"
_WORST = r"\bworst\b|худш\w*|\bhighest\b|lowest|больше всего|меньше всего|максимальн\w*|минимальн\w*|\bmost\b|\bleast\b|самы\w+ (?:высок|низк|больш|маленьк)\w*"
_PLATFORM_SPLIT = r"by platforms?|per platform|each platform|by channels?|per channel|по площадкам|по каналам|по сетям|в разрезе площадок|разбивк\w*"
_DAILY = r"by day|per day|daily|each day|trend|по дням|динамик\w*|тренд\w*|ежедневн\w*"
_PLAN = r"media ?plan|\bplan\b|pacing|медиаплан\w*|план\w*|освоени\w*|\bтемп\w*"
_MONTHS = {
    1: "январ|january|\\bjan\\b",
    2: "феврал|february|\\bfeb\\b",
    3: "март|march",
    4: "апрел|april",
    5: "\\bма[йя]\\b|\\bmay\\b",
    6: "июн|june",
    7: "июл|july",
    8: "август|august",
    9: "сентябр|september",
    10: "октябр|october",
    11: "ноябр|november",
    12: "декабр|december",
}
_WORD_NUM = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "ten": 10,
    "один": 1,
    "одна": 1,
    "две": 2,
    "два": 2,
    "три": 3,
    "пять": 5,
    "десять": 10,
}


@dataclass
class Slots:
    """What the question asks for; empty fields are filled from the previous turn of a follow-up."""

    intent: str = (
        ""  # totals | top | platforms | daily | plan | site_reach | reach_forecast | grp_for_reach | kb
    )
    metrics: list[str] = field(default_factory=list)
    platform: str = ""  # a platform id, "" for all
    date_from: str = ""
    date_to: str = ""
    compare: str = ""  # previous_period | last_year | ""
    top_n: int = 0
    direction: str = "best"
    channel: str = ""
    number: float = 0.0  # GRP, or a target reach fraction, for the calculators
    query: str = ""  # knowledge-base query

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any] | None) -> Slots | None:
        if not d:
            return None
        known = {k: v for k, v in d.items() if k in cls.__dataclass_fields__}
        return cls(**known)


def _norm(q: str) -> str:
    return re.sub(r"\s+", " ", q.lower().replace("ё", "е")).strip()


def metrics_in(q: str) -> list[str]:
    """Catalogue metrics named in the question, in the order they appear (each matched phrase used once)."""
    text, found = q, []
    for name, pattern in _METRIC_WORDS:
        for m in re.finditer(pattern, text):
            found.append((m.start(), name))
        text = re.sub(pattern, lambda m: " " * len(m.group(0)), text)
    out: list[str] = []
    for _, name in sorted(found):
        if name not in out:
            out.append(name)
    return out


def platform_in(q: str) -> str | None:
    """A platform id named in the question, "" for an explicit "all platforms", None when it says nothing."""
    for pattern, pid in PLATFORM_WORDS.items():
        if re.search(pattern, q):
            return pid
    return "" if re.search(_ALL_PLATFORMS, q) else None


def _month_end(d: dt.date) -> dt.date:
    return (d.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)


def _last_full_week(anchor: dt.date) -> tuple[dt.date, dt.date]:
    end = anchor - dt.timedelta(days=(anchor.weekday() + 1) % 7)  # the Sunday on or before the anchor
    return end - dt.timedelta(days=6), end


def period_in(q: str, anchor: dt.date) -> tuple[dt.date, dt.date] | None:
    """The period a question names, relative to the newest day with data; None when it names none."""
    iso = re.findall(r"\b(\d{4}-\d{2}-\d{2})\b", q)
    dmy = re.findall(r"\b(\d{1,2})\.(\d{1,2})\.(\d{4})\b", q)
    days = [dt.date.fromisoformat(x) for x in iso] + [dt.date(int(y), int(m), int(d)) for d, m, y in dmy]
    if days:
        return min(days), max(days)
    m = re.search(
        r"(?:last|past|previous|последни\w*|прошедши\w*|за)\s+(?:последни\w*\s+)?(\d{1,3}|[^\W\d]+)\s+"
        r"(?:days?\b|дн\w*|день)",
        q,
    )
    if m:
        n = int(m.group(1)) if m.group(1).isdigit() else _WORD_NUM.get(m.group(1), 0)
        if n:
            return anchor - dt.timedelta(days=n - 1), anchor
    if re.search(r"yesterday|вчера|last day|последний день", q):
        return anchor, anchor
    if re.search(r"week before last|позапрошл\w* недел\w*", q):
        a, b = _last_full_week(anchor)
        return a - dt.timedelta(days=7), b - dt.timedelta(days=7)
    if re.search(r"(?:last|previous|past) week|прошл\w* недел\w*|предыдущ\w* недел\w*", q):
        return _last_full_week(anchor)
    if re.search(r"this week|current week|эт\w* недел\w*|текущ\w* недел\w*", q):
        return anchor - dt.timedelta(days=anchor.weekday()), anchor
    if re.search(r"(?:last|previous|past) month|прошл\w* месяц\w*|предыдущ\w* месяц\w*", q):
        end = anchor if _month_end(anchor) == anchor else anchor.replace(day=1) - dt.timedelta(days=1)
        return end.replace(day=1), end
    if re.search(r"this month|current month|эт\w* месяц\w*|текущ\w* месяц\w*", q):
        return anchor.replace(day=1), anchor
    for month, pattern in _MONTHS.items():
        if re.search(pattern, q):
            year = anchor.year if month <= anchor.month else anchor.year - 1
            start = dt.date(year, month, 1)
            return start, min(_month_end(start), anchor)
    if re.search(r"\bweek\b|недел\w*", q):
        return anchor - dt.timedelta(days=6), anchor
    if re.search(r"\bmonth\b|месяц\w*", q):
        return anchor - dt.timedelta(days=29), anchor
    return None


def _top_n(q: str) -> int:
    m = re.search(
        r"(?:top|топ)[- ]?(\d{1,2})\b|\b(\d{1,2}) (?:best|worst|top|лучш\w*|худш\w*|campaigns?|кампани\w*)", q
    )
    if m:
        return max(1, min(20, int(m.group(1) or m.group(2))))
    m = re.search(r"(?:top|топ|best|worst|лучш\w*|худш\w*) (\w+)", q)
    if m and m.group(1) in _WORD_NUM:
        return _WORD_NUM[m.group(1)]
    if re.search(
        r"which campaign\b|what campaign\b|какая кампания|какой кампании|самая|самой|the best campaign|the worst campaign",
        q,
    ):
        return 1
    return 5


def _channel_word(q: str) -> str:
    for w in (
        "olv",
        "tv",
        "тв",
        "видео",
        "video",
        "radio",
        "радио",
        "search",
        "поиск",
        "social",
        "соцсет",
        "display",
        "медийн",
        "ooh",
        "наружн",
    ):
        if w in q:
            return w
    return "olv"


def _calculator(q: str) -> Slots | None:
    pct = re.search(r"(\d{1,2}(?:[.,]\d+)?)\s*%", q)
    grp = re.search(r"(\d{2,4})\s*(?:grp|trp|грп|трп)", q)
    if not re.search(r"охват|reach", q):
        return None
    if pct and re.search(r"grp|trp|грп|трп|сколько|how many|нужн|need", q):
        return Slots(
            "grp_for_reach", channel=_channel_word(q), number=float(pct.group(1).replace(",", ".")) / 100
        )
    if grp:
        return Slots("reach_forecast", channel=_channel_word(q), number=float(grp.group(1)))
    return None


def understand(question: str, anchor: dt.date | None, previous: Slots | None = None) -> Slots:
    """Slots of `question`; with `previous` (the thread's last analyst turn) a follow-up keeps what it omits."""
    q = _norm(question)
    calc = _calculator(q)
    if calc is not None:
        return calc
    anchor = anchor or clock.today()
    # The comparison phrase ("vs the previous week") must not be read as the period itself.
    compare, head = "", q
    cm = re.search(_COMPARE, q)
    if cm:
        compare = "last_year" if re.search(_YEAR_AGO, q[cm.start() :]) else "previous_period"
        head = q[: cm.start()]
        if not period_in(head, anchor):
            head = re.split(r"\b(?:with|to|and|с|и)\b", q[cm.end() :], maxsplit=1)[0] or head
    elif re.search(
        r"change|изменил\w*|измен\w*|рост|dynamics vs|growth|выросл\w*|упал\w*|снизил\w*", q
    ) and re.search(r"week|недел|month|месяц|period|период", q):
        compare = "previous_period"
    period = period_in(head, anchor) or (period_in(q, anchor) if not cm else None)
    metrics = metrics_in(q)
    platform = platform_in(q)
    follow = previous is not None and bool(re.search(_FOLLOW_UP, q))
    if re.search(_DEFINITION, q) and not period and platform is None:
        return Slots("kb", query=question[:500])
    if re.search(_PLAN, q) and not re.search(r"planned reach", q):
        intent = "plan"
    elif re.search(_TOP, q) and not re.search(_PLATFORM_SPLIT, q):
        intent = "top"
    elif re.search(_PLATFORM_SPLIT, q):
        intent = "platforms"
    elif re.search(_DAILY, q):
        intent = "daily"
    elif "unique_visitors" in metrics:
        intent = "site_reach"
    elif metrics or re.search(
        r"how (?:did|is|are|was)|как (?:дела|прошл|идут|отработал)|итог\w*|results?|результат\w*|performance|эффективн\w*|сколько|how much|how many",
        q,
    ):
        intent = "totals"
    else:
        intent = ""
    # Nothing new but a period, a platform or a comparison ("за октябрь?", "VK?"): a follow-up too.
    follow = follow or (previous is not None and not intent and not metrics)
    if follow and previous is not None:
        s = replace(previous)
        if (
            intent
            and intent != previous.intent
            and (metrics or intent in ("plan", "top", "platforms", "daily"))
        ):
            s.intent = intent
        if metrics:
            s.metrics = [m for m in metrics if m != "unique_visitors"] or s.metrics
        if platform is not None:
            s.platform = platform
        if period:
            s.date_from, s.date_to = period[0].isoformat(), period[1].isoformat()
        if compare:
            s.compare = compare
        elif re.search(r"without comparison|без сравнения", q):
            s.compare = ""
        if s.intent == "top" and re.search(_TOP + r"|\d", q):
            s.top_n = _top_n(q)
            s.direction = "worst" if re.search(_WORST, q) else "best"
        return s
    if not intent:
        return Slots("kb", query=question[:500])
    a, b = period or (anchor - dt.timedelta(days=6), anchor)
    s = Slots(
        intent,
        [m for m in metrics if m != "unique_visitors"],
        platform or "",
        a.isoformat(),
        b.isoformat(),
        compare,
    )
    if intent == "plan" and not period:
        s.date_from = s.date_to = ""  # the plan to date
    if intent == "top":
        s.top_n = _top_n(q)
        s.direction = "worst" if re.search(_WORST, q) else "best"
        # "highest CPA" is the worst CPA; "most clicks" the best clicks: highest means descending.
        if re.search(
            r"highest|\bmost\b|больше всего|максимальн\w*|самы\w+ (?:высок|больш)\w*|expensive|дорог\w*", q
        ):
            s.direction = "worst" if (s.metrics or ["spend"])[0] in COST_METRICS else "best"
        elif re.search(
            r"lowest|\bleast\b|меньше всего|минимальн\w*|самы\w+ (?:низк|маленьк)\w*|cheapest|дешев\w*", q
        ):
            s.direction = "best" if (s.metrics or ["spend"])[0] in COST_METRICS else "worst"
    return s
