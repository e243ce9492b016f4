"""Target fields of a media-plan line and their RU/EN header synonyms and value patterns."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .values import normalise_header


@dataclass(frozen=True)
class Field:
    name: str
    kind: str  # text | number | int | money | percent | date | period | pricing | currency | reach
    description: str
    synonyms: tuple[str, ...]


def _f(name: str, kind: str, description: str, synonyms: str) -> Field:
    return Field(
        name, kind, description, tuple(normalise_header(s) for s in synonyms.split("|") if s.strip())
    )


FIELDS: dict[str, Field] = {
    f.name: f
    for f in [
        _f(
            "line_id",
            "text",
            "line number or id inside the plan",
            "№|#|no|n|номер|номер строки|line|line id|line no|№ п п|п п",
        ),
        _f(
            "channel",
            "text",
            "media channel (OLV, Search, Display, Social, TV, Radio, OOH)",
            "канал|медиа|тип медиа|медиаканал|медианоситель|тип рекламы|вид рекламы|инструмент|направление|"
            "channel|media|media type|media channel|medium",
        ),
        _f(
            "platform",
            "text",
            "ad platform or publisher (Yandex Direct, VK Ads, a site)",
            "площадка|платформа|рекламная система|рекламная площадка|система|ресурс|сайт|паблишер|издатель|источник|"
            "platform|site|publisher|network|ad network|vendor|source|seller",
        ),
        _f(
            "campaign_name",
            "text",
            "advertising campaign name as set up on the platform",
            "кампания|название кампании|имя кампании|рк|название рк|рекламная кампания|campaign|campaign name",
        ),
        _f(
            "platform_campaign_id",
            "text",
            "campaign id on the ad platform",
            "id кампании|ид кампании|номер кампании|id рк|campaign id|platform campaign id|id",
        ),
        _f(
            "account_id",
            "text",
            "ad account / client login",
            "аккаунт|логин|кабинет|client login|account|account id",
        ),
        _f(
            "placement",
            "text",
            "placement / line description",
            "размещение|описание размещения|позиция|инвентарь|placement|line item|description|описание",
        ),
        _f(
            "ad_format",
            "text",
            "ad format or creative",
            "формат|формат рекламы|тип размещения|креатив|хронометраж|ad format|format|creative|ad type",
        ),
        _f(
            "flight_start",
            "date",
            "flight start date",
            "начало|дата начала|старт|дата старта|начало размещения|начало флайта|с|start|start date|from|flight start|begin",
        ),
        _f(
            "flight_end",
            "date",
            "flight end date",
            "окончание|конец|дата окончания|дата завершения|окончание размещения|конец флайта|по|end|end date|to|"
            "flight end|finish",
        ),
        _f(
            "period",
            "period",
            "flight period in one cell (start - end, or a month)",
            "период|период размещения|даты|даты размещения|сроки|сроки размещения|флайт|месяц|дата|день|"
            "flight|dates|period|month|date|day",
        ),
        _f(
            "budget_net",
            "money",
            "planned cost without VAT",
            "бюджет без ндс|стоимость без ндс|сумма без ндс|итого без ндс|нетто|бюджет нетто|бюджет net|net|net budget|"
            "budget net|net cost|cost net|budget excl vat|cost excl vat|net media|net net",
        ),
        _f(
            "budget_gross",
            "money",
            "planned cost including VAT",
            "бюджет с ндс|стоимость с ндс|сумма с ндс|итого с ндс|брутто|бюджет брутто|бюджет gross|gross|gross budget|"
            "budget gross|gross cost|budget incl vat|cost incl vat|incl vat",
        ),
        _f(
            "budget",
            "money",
            "planned cost, VAT not stated (treated as net)",
            "бюджет|стоимость|сумма|стоимость размещения|итоговая стоимость|инвестиции|затраты|расход|"
            "budget|cost|spend|total cost|media cost|investment|amount",
        ),
        _f("currency", "currency", "currency code", "валюта|currency|cur"),
        _f(
            "pricing_model",
            "pricing",
            "buying model: CPM, CPC, CPA, CPV or fixed",
            "модель закупки|тип закупки|модель оплаты|способ закупки|тип оплаты|модель|единица закупки|"
            "buying model|buy type|pricing model|pricing|cost type|cost model|rate type|unit",
        ),
        _f(
            "unit_price",
            "money",
            "price per buying unit",
            "цена|цена за единицу|стоимость единицы|ставка|прайс|цена за ед|unit price|rate|price|unit cost",
        ),
        _f(
            "cpm",
            "money",
            "cost per 1000 impressions",
            "cpm|цена за 1000 показов|стоимость 1000 показов|цена 1000|cpt",
        ),
        _f("cpc", "money", "cost per click", "cpc|цена клика|стоимость клика|цена за клик"),
        _f(
            "cpa",
            "money",
            "cost per action",
            "cpa|cpl|цена конверсии|стоимость конверсии|цена лида|стоимость лида",
        ),
        _f("ctr", "percent", "click-through rate", "ctr|ктр"),
        _f("cr", "percent", "conversion rate", "cr|cr %|конверсия %|conversion rate"),
        _f(
            "planned_impressions",
            "int",
            "planned impressions (contacts)",
            "показы|кол-во показов|количество показов|прогноз показов|показов|impressions|imps|impr|contacts|"
            "контакты|количество контактов|ots",
        ),
        _f(
            "planned_clicks", "int", "planned clicks", "клики|кол-во кликов|количество кликов|переходы|clicks"
        ),
        _f(
            "planned_conversions",
            "number",
            "planned conversions / leads",
            "конверсии|лиды|заявки|целевые действия|продажи|установки|conversions|leads|actions|installs|sales",
        ),
        _f(
            "planned_reach",
            "percent",
            "planned reach as a share of the TA",
            "охват %|охват в %|охват ца %|доля охвата|reach %|reach share|reach rate",
        ),
        _f(
            "reach",
            "reach",
            "planned reach (share of TA or persons)",
            "охват|reach|охват ца|охват 1+|reach 1+",
        ),
        _f(
            "planned_reach_persons",
            "int",
            "planned reach in persons",
            "охват чел|охват тыс чел|охват пользователей|уникальные пользователи|уники|reach users|unique users|"
            "unique reach|reach persons",
        ),
        _f(
            "planned_frequency",
            "number",
            "average frequency",
            "частота|средняя частота|frequency|avg frequency|freq|f",
        ),
        _f("planned_grp", "number", "GRP in rating points", "grp|грп|суммарный рейтинг|gross rating points"),
        _f("planned_trp", "number", "TRP in rating points", "trp|трп|целевой рейтинг|target rating points"),
        _f(
            "target_audience",
            "text",
            "target audience description",
            "ца|целевая аудитория|аудитория|target audience|audience|ta|target",
        ),
        _f(
            "ta_size",
            "int",
            "target audience size, persons",
            "размер ца|объем ца|численность ца|ta size|universe",
        ),
        _f(
            "geo",
            "text",
            "geography",
            "гео|география|регион|регионы|город|geo|region|geography|location|market",
        ),
        _f(
            "comment",
            "text",
            "free-text comment",
            "комментарий|комментарии|примечание|примечания|comment|comments|notes|note",
        ),
    ]
}

# Words that qualify but do not change a header's meaning ('Плановые показы' = impressions).
_NOISE = {
    "план", "плановый", "плановые", "плановая", "плановое", "прогноз", "прогнозный", "прогнозные", "planned",
    "plan", "forecast", "est", "estimated", "кол-во", "количество", "кол", "во", "шт", "руб", "rub", "₽",
    "usd", "eur", "тыс", "млн", "thousand", "000", "k", "%", "в", "in", "чел", "total", "итого", "всего",
}  # fmt: skip
_KEEP_FOR = {"%": {"reach", "ctr", "cr"}, "чел": {"planned_reach_persons"}}

TOTAL_RE = re.compile(
    r"^\s*(итого|итог|всего|total|grand total|sub-?total|подытог|промежуточный итог|в т\.?\s*ч\.?|сумма по)\b",
    re.IGNORECASE,
)
SUMMARY_SHEET_RE = re.compile(
    r"(свод|итог|summary|total|обложка|cover|инструкц|instruction|справочн|dictionary|lists?$|настройк|settings|kpi)",
    re.IGNORECASE,
)

PRICING_VALUES = {
    "cpm": "CPM", "cpt": "CPM", "cpc": "CPC", "cpa": "CPA", "cpl": "CPA", "cpo": "CPA", "cpi": "CPA",
    "cpv": "CPV", "cpcv": "CPV", "fix": "fixed", "fixed": "fixed", "фикс": "fixed", "фиксированная": "fixed",
    "flat": "fixed", "пакет": "fixed", "спонсорство": "fixed", "cpd": "fixed", "cpp": "CPP", "grp": "CPP",
}  # fmt: skip

PLATFORM_VALUES = {
    "яндекс директ": "yandex_direct", "яндекс.директ": "yandex_direct", "yandex direct": "yandex_direct",
    "директ": "yandex_direct", "direct": "yandex_direct", "рся": "yandex_direct", "yandex": "yandex_direct",
    "яндекс": "yandex_direct", "vk ads": "vk_ads", "vk реклама": "vk_ads", "vk": "vk_ads", "вк": "vk_ads",
    "вконтакте": "vk_ads", "вк реклама": "vk_ads", "mytarget": "vk_ads", "my target": "vk_ads",
    "одноклассники": "vk_ads", "garpun": "garpun", "гарпун": "garpun", "google ads": "google_ads",
    "youtube": "google_ads", "google": "google_ads", "telegram ads": "telegram_ads", "telegram": "telegram_ads",
    "тв": "tv", "tv": "tv", "радио": "radio", "radio": "radio", "наружка": "ooh", "ooh": "ooh", "dooh": "ooh",
}  # fmt: skip

CHANNEL_VALUES = {
    "olv", "видео", "video", "поиск", "search", "контекст", "контекстная реклама", "баннеры", "display", "медийная реклама",
    "медийка", "таргет", "таргетированная реклама", "social", "соцсети", "tv", "тв", "radio", "радио", "ooh", "наружная реклама",
    "programmatic", "программатик", "performance", "рся", "смарт-баннеры", "ретаргетинг", "retargeting", "email", "push",
}  # fmt: skip


def header_units(header: str) -> tuple[int, bool]:
    """Scale (1000 for 'тыс.', 10**6 for 'млн') and whether the header says '%'."""
    h = normalise_header(header)
    scale = 1
    if re.search(r"\b(тыс|thousand|'000|000s?)\b|\bк\b|\(000\)", h) or "тыс." in str(header).lower():
        scale = 1000
    if re.search(r"\b(млн|mln|million)\b", h):
        scale = 1_000_000
    return scale, "%" in str(header)


def _tokens(text: str) -> list[str]:
    return [t for t in re.split(r"[\s.,]+", text) if t]


@lru_cache(maxsize=8192)
def score_header(header: str) -> list[tuple[float, str]]:
    """Candidate fields for a header cell, best first, as (score in [0, 1], field)."""
    if len(header) > 80 or not re.search(r"[^\W\d_]|[%№#]", header):
        return []  # long notes and plain numbers are never headers
    h = normalise_header(header)
    if not h:
        return []
    raw = str(header)
    toks = _tokens(h)
    core = [t for t in toks if t not in _NOISE]
    out: dict[str, float] = {}
    for field in FIELDS.values():
        best = 0.0
        for syn, syn_toks in _SYN_TOKENS[field.name]:
            if h == syn:
                best = 1.0
                break
            if not syn_toks:
                continue
            if " ".join(core) == syn:
                best = max(best, 0.97)
                continue
            if all(_has_token(toks, st) for st in syn_toks):
                denom = max(len(core), len(syn_toks))
                # A longer matching synonym is more specific: 'стоимость (net)' is net, not generic.
                best = max(best, 0.6 + 0.35 * len(syn_toks) / denom + 0.001 * len(syn_toks))
        if best > 0:
            out[field.name] = min(best, 1.0)
    # Units refine the generic reach header: '%' means a share, 'чел'/'тыс' means persons.
    if "reach" in out and ("чел" in toks or "пользователей" in toks or "users" in toks):
        out["planned_reach_persons"] = max(out.get("planned_reach_persons", 0), out["reach"] + 0.01)
    if "%" in raw and "planned_reach_persons" in out and "reach" in out:
        out["reach"] = max(out["reach"], out["planned_reach_persons"] + 0.01)
    # A money header qualified by VAT words is net or gross, never the generic budget.
    net = bool({"без", "excl", "net", "нетто", "exc"} & set(toks))
    gross = not net and bool({"gross", "брутто", "incl", "inc"} & set(toks) or {"с", "ндс"} <= set(toks))
    money = max(out.get("budget", 0.0), out.get("unit_price", 0.0) * 0)
    if net:
        out.pop("budget_gross", None)
        if money:
            out["budget_net"] = max(out.get("budget_net", 0.0), money + 0.01)
    elif gross and money:
        out["budget_gross"] = max(out.get("budget_gross", 0.0), money + 0.01)
    return sorted(((s, f) for f, s in out.items()), reverse=True)


_SYN_TOKENS = {f.name: [(syn, _tokens(syn)) for syn in f.synonyms] for f in FIELDS.values()}


def _has_token(tokens: list[str], wanted: str) -> bool:
    if len(wanted) <= 3:
        return wanted in tokens
    return any(
        t == wanted or (t.startswith(wanted[: max(4, len(wanted) - 2)]) and len(t) <= len(wanted) + 3)
        for t in tokens
    )


def field_descriptions() -> dict[str, str]:
    """Field name -> description, for the mapping UI and the LLM suggester."""
    return {name: f.description for name, f in FIELDS.items()}
