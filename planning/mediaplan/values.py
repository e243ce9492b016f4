"""Cell-value parsing for agency media plans: numbers as text, percents, dates, periods, injection."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from mrm.i18n import carry, refusal, t

_SPACES = re.compile(r"[\s\u00a0\u202f\u2009\u2007']+")
_CURRENCY = re.compile(r"(₽|руб(лей|ля|ль)?\.?|р\.|rub|rur|\$|usd|€|eur|₸|kzt|тг|byn|uah|грн)", re.IGNORECASE)
_MULT_RE = re.compile(r"(тыс\.?|млн\.?|k|m)\s*$", re.IGNORECASE)
_EMPTY = {"", "-", "—", "–", "n/a", "na", "н/д", "нет", "x", "х", "#н/д", "#n/a", "none", "null"}
_NUMERIC_RE = re.compile(r"^[+-]?(\d+([.,]\d+)*|[.,]\d+)$")

CURRENCY_CODES = {
    "₽": "RUB",
    "руб": "RUB",
    "rub": "RUB",
    "rur": "RUB",
    "р.": "RUB",
    "$": "USD",
    "usd": "USD",
    "€": "EUR",
    "eur": "EUR",
    "₸": "KZT",
    "kzt": "KZT",
    "тг": "KZT",
    "byn": "BYN",
}


# Why a cell or a formula is unsafe: a catalogue key and its values.
Reason = tuple[str, dict[str, str]]


class ValueParseError(ValueError):
    """A cell that should hold a value of some kind but does not; `key` and `values` are its catalogue text
    (str() is the English one, `mrm.i18n.explain` gives it in either language)."""

    def __init__(self, key: str, /, **values: Any) -> None:
        self.key, self.values = key, values
        super().__init__(t(key, "en", **values))
        carry(refusal(ValueError, key, **values), self)


def is_empty(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return value.strip().lower() in _EMPTY
    return False


def parse_number(value: object, *, decimal_comma: bool = True) -> Decimal | None:
    """Parse '1 234 567,89', '1,234,567.89', '12%' (-> 0.12), '(1 000)', '1,5 млн', '₽ 300'.

    Returns None for an empty cell; raises ValueParseError when the text is not a number.
    `decimal_comma` decides the ambiguous '1,234' (RU plans: 1.234; EN plans: 1234).
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        if isinstance(value, float) and value != value:  # NaN
            return None
        return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    if isinstance(value, Decimal):
        return value
    if isinstance(value, (dt.date, dt.datetime)):
        raise ValueParseError("plan_value_date_not_number", value=str(value))
    text = str(value).strip()
    if text.lower() in _EMPTY:
        return None
    original = text
    negative = False
    if text.startswith("(") and text.endswith(")"):
        negative, text = True, text[1:-1]
    percent = text.endswith("%")
    if percent:
        text = text[:-1]
    text = _CURRENCY.sub("", text).strip()
    mult = Decimal(1)
    m = _MULT_RE.search(text)
    if m and re.search(r"\d", text[: m.start()]):
        word = m.group(1).lower().rstrip(".")
        mult = Decimal(1000) if word in ("тыс", "k") else Decimal(10**6)
        text = text[: m.start()]
    text = _SPACES.sub("", text).replace("−", "-")
    if text.startswith("+"):
        text = text[1:]
    if text.startswith("-"):
        negative, text = not negative, text[1:]
    if not _NUMERIC_RE.match(text):
        raise ValueParseError("plan_value_not_number", value=repr(original))
    text = _normalise_separators(text, decimal_comma)
    try:
        num = Decimal(text) * mult
    except InvalidOperation:
        raise ValueParseError("plan_value_not_number", value=repr(original)) from None
    if percent:
        num = num / 100
    return -num if negative else num


def _normalise_separators(text: str, decimal_comma: bool) -> str:
    has_comma, has_dot = "," in text, "." in text
    if has_comma and has_dot:
        # The separator that comes last is the decimal one: '1.234.567,89' or '1,234,567.89'.
        if text.rfind(",") > text.rfind("."):
            return text.replace(".", "").replace(",", ".")
        return text.replace(",", "")
    if has_comma:
        parts = text.split(",")
        if len(parts) > 2:
            return text.replace(",", "")
        if len(parts[1]) == 3 and not decimal_comma:
            return text.replace(",", "")
        return text.replace(",", ".")
    if has_dot:
        parts = text.split(".")
        if len(parts) > 2:
            return text.replace(".", "")
        if len(parts[1]) == 3 and decimal_comma and len(parts[0]) <= 3 and parts[0] not in ("0", ""):
            # '1.234' in a RU plan is a thousands separator (1234), as in '1.234.567'.
            return text.replace(".", "")
        return text
    return text


def parse_percent(
    value: object, *, decimal_comma: bool = True, header_says_percent: bool = False
) -> Decimal | None:
    """A share as a fraction: '45%' -> 0.45, 0.45 -> 0.45, and 45 -> 0.45 when the header says %."""
    if isinstance(value, str) and value.strip().endswith("%"):
        return parse_number(value, decimal_comma=decimal_comma)
    num = parse_number(value, decimal_comma=decimal_comma)
    if num is None:
        return None
    if header_says_percent or num > 1:
        return num / 100
    return num


# ---------------------------------------------------------------------------------------------
# Dates
# ---------------------------------------------------------------------------------------------
_MONTHS = {
    "январ": 1, "янв": 1, "феврал": 2, "фев": 2, "март": 3, "мар": 3, "апрел": 4, "апр": 4,
    "ма": 5, "июн": 6, "июл": 7, "август": 8, "авг": 8, "сентябр": 9, "сен": 9, "окт": 10,
    "ноябр": 11, "ноя": 11, "декабр": 12, "дек": 12,
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "april": 4,
    "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9,
    "sept": 9, "sep": 9, "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
}  # fmt: skip
_MONTH_KEYS = sorted(_MONTHS, key=len, reverse=True)
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_DMY = re.compile(r"^(\d{1,2})[./\-](\d{1,2})[./\-](\d{2}|\d{4})$")
_YMD = re.compile(r"^(\d{4})[./\-](\d{1,2})[./\-](\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_WORDY = re.compile(r"^(\d{1,2})\s+([a-zа-яё]+)\.?,?\s+(\d{4})(?:\s*г\.?)?$", re.IGNORECASE)
_WORDY_EN = re.compile(r"^([a-z]+)\.?\s+(\d{1,2}),?\s+(\d{4})$", re.IGNORECASE)
_MONTH_YEAR = re.compile(r"^([a-zа-яё]+)\.?\s*'?(\d{2}|\d{4})(?:\s*г\.?)?$", re.IGNORECASE)


def _month(word: str) -> int | None:
    w = word.lower().replace("ё", "е")
    if w in ("ма", "мая", "май"):
        return 5
    for key in _MONTH_KEYS:
        if w.startswith(key) and (len(key) >= 3 or w == key):
            return _MONTHS[key]
    return None


def _year(y: str) -> int:
    n = int(y)
    return 2000 + n if n < 100 else n


def parse_date(value: object, *, day_first: bool = True) -> dt.date | None:
    """Parse a date cell: datetime, Excel serial number, '01.03.2025', '2025-03-01', '1 марта 2025',
    'March 1, 2025', '03/01/2025' (month first only when `day_first` is False)."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if 20000 <= value <= 80000:  # Excel serial day numbers for 1954..2119
            return _EXCEL_EPOCH + dt.timedelta(days=int(value))
        raise ValueParseError("plan_value_not_date", value=repr(value))
    text = str(value).strip().replace("\u00a0", " ")
    if text.lower() in _EMPTY:
        return None
    try:
        if m := _YMD.match(text):
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        if m := _DMY.match(text):
            a, b, y = int(m[1]), int(m[2]), _year(m[3])
            month_first = "/" in text and a <= 12 and (not day_first or b > 12)
            return dt.date(y, a, b) if month_first else dt.date(y, b, a)
        if m := _WORDY.match(text):
            mon = _month(m[2])
            if mon:
                return dt.date(int(m[3]), mon, int(m[1]))
        if m := _WORDY_EN.match(text):
            mon = _month(m[1])
            if mon:
                return dt.date(int(m[3]), mon, int(m[2]))
    except ValueError:
        pass
    raise ValueParseError("plan_value_not_date", value=repr(text))


def parse_month(value: object) -> tuple[dt.date, dt.date] | None:
    """'Март 2025' / 'March 2025' / 'мар.25' -> (first day, last day) of that month, else None."""
    if not isinstance(value, str):
        return None
    m = _MONTH_YEAR.match(value.strip())
    if not m:
        return None
    mon = _month(m[1])
    if not mon:
        return None
    y = _year(m[2])
    start = dt.date(y, mon, 1)
    end = (dt.date(y + (mon == 12), mon % 12 + 1, 1)) - dt.timedelta(days=1)
    return start, end


_PERIOD_SPLIT = re.compile(r"\s*(?:[-–—]|по|to|till|until|\.\.)\s*", re.IGNORECASE)
_FULL_DATE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[./]\d{1,2}[./]\d{2,4}(?!\d)")
_DM = re.compile(r"^(\d{1,2})[./](\d{1,2})\.?$")


def parse_period(value: object, *, day_first: bool = True) -> tuple[dt.date, dt.date] | None:
    """A flight in one cell: '01.03.2025 - 31.03.2025', '01.03-31.03.2025', 'с 1 по 31 марта 2025',
    'Март 2025'. Returns None for an empty cell, raises ValueParseError otherwise."""
    if value is None or (isinstance(value, str) and value.strip().lower() in _EMPTY):
        return None
    if isinstance(value, (dt.date, dt.datetime)):
        d = parse_date(value)
        assert d is not None
        return d, d
    text = str(value).strip()
    month = parse_month(text)
    if month:
        return month
    cleaned = re.sub(r"^(с|from)\s+", "", text, flags=re.IGNORECASE)
    # 'с 1 по 31 марта 2025'
    m = re.match(
        r"^(\d{1,2})\s*(?:-|–|—|по|to)\s*(\d{1,2})\s+([a-zа-яё]+)\.?\s+(\d{4})", cleaned, re.IGNORECASE
    )
    if m and _month(m[3]):
        mon, y = _month(m[3]), int(m[4])
        assert mon is not None
        return dt.date(y, mon, int(m[1])), dt.date(y, mon, int(m[2]))
    full = _FULL_DATE.findall(cleaned)
    if len(full) == 2:
        start, end = (parse_date(x, day_first=day_first) for x in full)
        assert start is not None and end is not None
        return start, end
    if len(full) == 1 and full[0] == cleaned.strip():
        one = parse_date(full[0], day_first=day_first)
        assert one is not None
        return one, one
    parts = [p for p in _PERIOD_SPLIT.split(cleaned) if p]
    if len(parts) == 2:
        left, right = parts
        end = parse_date(right, day_first=day_first)
        assert end is not None
        if dm := _DM.match(left):
            start = dt.date(end.year, int(dm[2]), int(dm[1]))
            if start > end:
                start = start.replace(year=end.year - 1)
            return start, end
        start = parse_date(left, day_first=day_first)
        assert start is not None
        return start, end
    raise ValueParseError("plan_value_not_period", value=repr(text))


# ---------------------------------------------------------------------------------------------
# Formula injection
# ---------------------------------------------------------------------------------------------
_FUNC_CALL = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*\s*\(")
_DANGEROUS = re.compile(
    r"\b(HYPERLINK|WEBSERVICE|FILTERXML|IMPORTXML|IMPORTDATA|IMPORTHTML|IMPORTFEED|IMPORTRANGE|IMAGE|"
    r"CALL|REGISTER(\.ID)?|EXEC|RTD|DDE|INDIRECT|SHELL|CMD)\b",
    re.IGNORECASE,
)
# Functions a normal plan formula uses; anything else in a formula is rejected.
SAFE_FUNCTIONS = frozenset(
    "SUM SUMIF SUMIFS SUMPRODUCT ROUND ROUNDUP ROUNDDOWN IF IFERROR AVERAGE MIN MAX COUNT COUNTA COUNTIF "
    "ABS INT DATE EOMONTH EDATE DAYS NETWORKDAYS AND OR NOT SUBTOTAL CEILING FLOOR MROUND VLOOKUP "
    "HLOOKUP INDEX MATCH XLOOKUP TEXT VALUE CONCATENATE CONCAT LEFT RIGHT MID LEN UPPER LOWER TRIM "
    "YEAR MONTH DAY WEEKDAY TODAY DATEDIF POWER SQRT EXP LN LOG PRODUCT MEDIAN".split()
)


def injection_reason(text: str) -> Reason | None:
    """Why a text cell is a formula-injection payload (None when it is safe).

    A cell is dangerous when a spreadsheet would execute it: it starts with '=', '@', or with
    '+'/'-' followed by something other than a number, or it carries a DDE pipe.
    """
    s = text.lstrip(" \t\r\n")
    if not s:
        return None
    head = s[0]
    if head in "=@":
        return "plan_inject_starts", {"head": repr(head), "text": repr(s[:60])}
    if head in "+-":
        rest = s[1:].strip()
        if not rest or rest in ("-", "—"):
            return None
        try:
            parse_number(s)
            return None
        except ValueParseError:
            pass
        if _FUNC_CALL.search(rest) or "|" in rest or "!" in rest or rest[0] in "=@+-":
            return "plan_inject_starts", {"head": repr(head), "text": repr(s[:60])}
    if _DANGEROUS.search(s) and ("|" in s or re.search(r"=\s*" + _DANGEROUS.pattern, s, re.IGNORECASE)):
        return "plan_inject_executable", {"text": repr(s[:60])}
    return None


def formula_reason(formula: str) -> Reason | None:
    """Why a real formula in an xlsx cell is unsafe: unknown functions, links, external workbooks."""
    body = formula.lstrip("=")
    if "[" in body and re.search(r"\[[^\]]*\]", body.replace("[#", "")):
        return "plan_formula_external", {"formula": repr(formula[:60])}
    if re.search(r"https?://|file:|\\\\", body, re.IGNORECASE):
        return "plan_formula_link", {"formula": repr(formula[:60])}
    if "|" in body:
        return "plan_formula_dde", {"formula": repr(formula[:60])}
    # Function names outside string literals.
    code = re.sub(r'"[^"]*"', '""', body)
    for name in re.findall(r"([A-Za-z_][A-Za-z0-9_.]*)\s*\(", code):
        upper = name.upper().removeprefix("_XLFN.")
        if upper not in SAFE_FUNCTIONS:
            return "plan_formula_function", {"function": upper, "formula": repr(formula[:60])}
    return None


def neutralise(text: str) -> str:
    """Make a text safe to write into a spreadsheet cell: prefix a quote when it could execute."""
    if injection_reason(text) or (text[:1] in "=+-@\t\r" and text.strip() not in ("-", "—")):
        try:
            parse_number(text)
            if text[:1] not in "=@\t\r":
                return text
        except ValueParseError:
            pass
        return "'" + text
    return text


def normalise_header(text: object) -> str:
    """Lower-case, 'ё' -> 'е', punctuation to spaces, collapsed whitespace."""
    s = str(text or "").lower().replace("ё", "е").replace("\n", " ")
    s = re.sub(r"[\"'`«»“”()\[\]{}:;,*_/\\|]+", " ", s)
    s = re.sub(r"(?<![\d])\.(?![\d])", " ", s)
    return re.sub(r"\s+", " ", s).strip()
