"""Pure parsers: VK Ads JSON payloads → typed rows / Arrow tables of the raw schema.

Every function takes already-decoded JSON (decoded with ``parse_float=Decimal`` so money never passes
through a binary float) and raises ``PayloadError`` naming the object, day and field it choked on.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pa_json

from ingestion.common import PayloadError, parse_decimal
from ingestion.vk_ads import schema

MSK = ZoneInfo("Europe/Moscow")
PLATFORM = "vk_ads"


def _bad(message: str) -> PayloadError:
    return PayloadError(message, platform=PLATFORM)


def _where(ctx: str, field: str) -> str:
    return f"{ctx}: field {field!r}"


def as_uint(value: Any, ctx: str, field: str, *, required: bool = True) -> int | None:
    """Integer counters: the docs say JSON strings ("123"), real statistics send numbers; accept both."""
    if value is None or value == "":
        if required:
            raise _bad(f"{_where(ctx, field)} is missing")
        return None
    if isinstance(value, bool):
        raise _bad(f"{_where(ctx, field)} is a boolean, expected an integer: {value!r}")
    if isinstance(value, int):
        out = value
    elif isinstance(value, Decimal) and value == value.to_integral_value():
        out = int(value)
    elif isinstance(value, str) and value.strip().lstrip("-").isdigit():
        out = int(value.strip())
    else:
        raise _bad(f"{_where(ctx, field)} is not an integer: {value!r}")
    if out < 0:
        raise _bad(f"{_where(ctx, field)} is negative: {value!r}")
    return out


def as_decimal(value: Any, ctx: str, field: str, *, required: bool = True) -> Decimal | None:
    """VK money is a decimal string ("23328.92"); zero sometimes arrives as the number 0."""
    if value is None or value == "":
        if required:
            raise _bad(f"{_where(ctx, field)} is missing")
        return None
    if isinstance(value, bool | float):
        # A float means the payload was decoded without parse_float=Decimal: refuse to guess the digits.
        raise _bad(f"{_where(ctx, field)} is {value!r}, expected a decimal string")
    try:
        return parse_decimal(str(value), field=field, platform=PLATFORM)
    except PayloadError as exc:
        raise _bad(f"{ctx}: {exc.message}") from None


def as_float(value: Any, ctx: str, field: str) -> float:
    if value is None or value == "":
        return 0.0
    if isinstance(value, bool):
        raise _bad(f"{_where(ctx, field)} is a boolean, expected a number: {value!r}")
    try:
        return float(value)
    except (TypeError, ValueError):
        raise _bad(f"{_where(ctx, field)} is not a number: {value!r}") from None


def as_date(value: Any, ctx: str, field: str) -> dt.date | None:
    if value in (None, ""):
        return None
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise _bad(f"{_where(ctx, field)} is not a YYYY-MM-DD date: {value!r}") from None


def as_msk_datetime(value: Any, ctx: str, field: str) -> dt.datetime | None:
    """VK datetimes are ``YYYY-MM-DD HH:MM:SS`` in Europe/Moscow."""
    if value in (None, ""):
        return None
    try:
        parsed = dt.datetime.strptime(str(value), "%Y-%m-%d %H:%M:%S")
    except ValueError:
        raise _bad(f"{_where(ctx, field)} is not 'YYYY-MM-DD HH:MM:SS': {value!r}") from None
    return parsed.replace(tzinfo=MSK)


def collection_items(payload: Any, ctx: str) -> tuple[int, list[Mapping[str, Any]]]:
    """Validate a list-resource page ``{"count", "offset", "items"}`` and return (count, items)."""
    if not isinstance(payload, Mapping) or "items" not in payload or "count" not in payload:
        raise _bad(f"{ctx}: not a collection response (expected count/offset/items): {str(payload)[:200]}")
    items = payload["items"]
    if not isinstance(items, list) or not all(isinstance(i, Mapping) for i in items):
        raise _bad(f"{ctx}: 'items' is not a list of objects")
    count = as_uint(payload["count"], ctx, "count")
    assert count is not None
    return count, items


def _status(item: Mapping[str, Any], ctx: str) -> str:
    value = item.get("status", "")
    if not isinstance(value, str):
        raise _bad(f"{_where(ctx, 'status')} is not a string: {value!r}")
    return value


def _object_table(
    items: Iterable[Mapping[str, Any]],
    kind: str,
    arrow_schema: pa.Schema,
    fields: Callable[[Mapping[str, Any], str], dict[str, Any]],
    *,
    tenant_id: str,
    account_id: str,
) -> pa.Table:
    """One row per listed object of `kind`: tenant, account and `<kind>_id` (from ``id``), then what
    `fields(item, ctx)` reads; `ctx` names the object in errors. A repeated id is an error."""
    rows = []
    for item in items:
        ctx = f"{kind} {item.get('id')!r}"
        row = {
            "tenant_id": tenant_id,
            "account_id": account_id,
            f"{kind}_id": as_uint(item.get("id"), ctx, "id"),
        }
        rows.append(row | fields(item, ctx))
    return _unique_table(rows, arrow_schema, f"{kind}_id")


def ad_plan_rows(items: Iterable[Mapping[str, Any]], *, tenant_id: str, account_id: str) -> pa.Table:
    def fields(item: Mapping[str, Any], ctx: str) -> dict[str, Any]:
        return {
            "name": str(item.get("name") or ""),
            "status": _status(item, ctx),
            "objective": str(item.get("objective") or ""),
            "budget_limit": as_decimal(item.get("budget_limit"), ctx, "budget_limit", required=False),
            "budget_limit_day": as_decimal(
                item.get("budget_limit_day"), ctx, "budget_limit_day", required=False
            ),
            "date_start": as_date(item.get("date_start"), ctx, "date_start"),
            "date_end": as_date(item.get("date_end"), ctx, "date_end"),
            "created": as_msk_datetime(item.get("created"), ctx, "created"),
            "updated": as_msk_datetime(item.get("updated"), ctx, "updated"),
        }

    return _object_table(
        items, "ad_plan", schema.AD_PLANS, fields, tenant_id=tenant_id, account_id=account_id
    )


def ad_group_rows(
    items: Iterable[Mapping[str, Any]], *, tenant_id: str, account_id: str, ad_plan_field: str = "ad_plan_id"
) -> pa.Table:
    """Ad groups; the parent field name is configurable because the docs do not confirm ``ad_plan_id``."""

    def fields(item: Mapping[str, Any], ctx: str) -> dict[str, Any]:
        # The listing example shows `last_updated`, object docs show `updated`: take whichever is present.
        updated = item.get("updated", item.get("last_updated"))
        return {
            "ad_plan_id": as_uint(item.get(ad_plan_field), ctx, ad_plan_field),
            "name": str(item.get("name") or ""),
            "status": _status(item, ctx),
            "package_id": as_uint(item.get("package_id", 0), ctx, "package_id"),
            "budget_limit_day": as_decimal(
                item.get("budget_limit_day"), ctx, "budget_limit_day", required=False
            ),
            "updated": as_msk_datetime(updated, ctx, "updated"),
        }

    return _object_table(
        items, "ad_group", schema.AD_GROUPS, fields, tenant_id=tenant_id, account_id=account_id
    )


def _primary_url(urls: Any, ctx: str) -> str:
    """``urls`` is ``{"primary": {"id": .., "url": ..}, ...}``; older payloads send a plain string."""
    if urls in (None, "", {}):
        return ""
    if isinstance(urls, str):
        return urls
    if isinstance(urls, Mapping):
        slot = urls.get("primary") or next(iter(urls.values()))
        if isinstance(slot, Mapping):
            return str(slot.get("url") or "")
        if isinstance(slot, str):
            return slot
    raise _bad(f"{_where(ctx, 'urls')} has an unexpected shape: {str(urls)[:200]}")


def banner_rows(items: Iterable[Mapping[str, Any]], *, tenant_id: str, account_id: str) -> pa.Table:
    def fields(item: Mapping[str, Any], ctx: str) -> dict[str, Any]:
        return {
            "ad_group_id": as_uint(item.get("ad_group_id"), ctx, "ad_group_id"),
            "name": str(item.get("name") or ""),
            "status": _status(item, ctx),
            "moderation_status": str(item.get("moderation_status") or ""),
            "url": _primary_url(item.get("urls"), ctx),
            "updated": as_msk_datetime(item.get("updated"), ctx, "updated"),
        }

    return _object_table(items, "banner", schema.BANNERS, fields, tenant_id=tenant_id, account_id=account_id)


def _unique_table(rows: list[dict[str, Any]], arrow_schema: pa.Schema, key: str) -> pa.Table:
    seen: set[int] = set()
    for row in rows:
        if row[key] in seen:
            raise _bad(f"duplicate {key} {row[key]} across pages (listing changed while paging?)")
        seen.add(row[key])
    return pa.Table.from_pylist(rows, schema=arrow_schema)


@dataclass(frozen=True)
class DayRequest:
    """What a ``day.json`` answer is checked against (the banners and days asked for) and the constants its rows
    carry; ``is_provisional`` flags days still inside the lookback window."""

    tenant_id: str
    account_id: str
    requested_ids: Sequence[int]
    date_from: dt.date
    date_to: dt.date
    currency: str
    spent_includes_vat: bool
    timezone: str
    is_provisional: Callable[[dt.date], bool]
    skip_empty: bool = True


def banner_day_rows(
    payload: Any,
    ctx: DayRequest,
    *,
    request: str = "statistics/banners/day.json",
) -> list[dict[str, Any]]:
    """Flatten a ``day.json`` response (metrics base,uniques) into raw rows, one per banner per day.

    Deprecated fields (``uniques.reach``, ``uniques.frequency_total``, ``base.a_amount``/``n_amount``) are
    accepted and ignored. Each item's rows must add up to its ``total.base`` (shows, clicks, spent), which
    catches garbled or cut payloads that still decode as JSON.
    """
    if not isinstance(payload, Mapping) or not isinstance(payload.get("items"), list):
        raise _bad(f"{request}: response has no 'items' list: {str(payload)[:200]}")
    wanted = set(ctx.requested_ids)
    out: list[dict[str, Any]] = []
    seen: set[tuple[int, dt.date]] = set()
    days: dict[str, dt.date] = {}
    provisional: dict[dt.date, int] = {}
    constants = {
        "tenant_id": ctx.tenant_id,
        "account_id": ctx.account_id,
        "currency": ctx.currency,
        "spent_includes_vat": int(ctx.spent_includes_vat),
        "timezone": ctx.timezone,
    }
    for item in payload["items"]:
        if not isinstance(item, Mapping):
            raise _bad(f"{request}: an item is not an object: {str(item)[:200]}")
        banner_id = as_uint(item.get("id"), request, "items[].id")
        assert banner_id is not None
        if banner_id not in wanted:
            raise _bad(f"{request}: banner {banner_id} was not requested")
        rows = item.get("rows")
        if not isinstance(rows, list):
            raise _bad(f"{request}: banner {banner_id} has no 'rows' list")
        sums = {"shows": 0, "clicks": 0, "spent": Decimal(0)}
        for raw in rows:
            row = _banner_day_row(raw, banner_id, request, ctx.date_from, ctx.date_to, days)
            key = (banner_id, row["date_day"])
            if key in seen:
                raise _bad(f"{request}: banner {banner_id} day {row['date_day']} appears twice")
            seen.add(key)
            for name in sums:
                sums[name] += row[name]
            if ctx.skip_empty and not (row["shows"] or row["clicks"] or row["goals"] or row["spent"]):
                continue
            day = row["date_day"]
            flag = provisional.get(day)
            if flag is None:
                flag = provisional[day] = int(ctx.is_provisional(day))
            row.update(constants)
            row["banner_id"] = banner_id
            row["is_provisional"] = flag
            out.append(row)
        _check_item_total(item, banner_id, sums, request)
    return out


def _banner_day_row(
    raw: Any,
    banner_id: int,
    request: str,
    date_from: dt.date,
    date_to: dt.date,
    days: dict[str, dt.date] | None = None,
) -> dict[str, Any]:
    fast = _clean_banner_day_row(raw, date_from, date_to, {} if days is None else days)
    if fast is not None:
        return fast
    return _checked_banner_day_row(raw, banner_id, request, date_from, date_to)


def _clean_banner_day_row(
    raw: Any, date_from: dt.date, date_to: dt.date, days: dict[str, dt.date]
) -> dict[str, Any] | None:
    """The row of a well-formed day (plain ints, a decimal string for spent), or None.

    This is the hot loop of a statistics load (one call per banner per day), so it accepts only the exact
    shapes it can convert without judgement; anything else (numbers as strings, a missing group, a bad
    value) returns None and goes through `_checked_banner_day_row`, which gives the same values or the
    error naming banner, day and field. Both paths produce identical rows for what this one accepts.
    """
    if type(raw) is not dict:
        return None
    base, uniques, text = raw.get("base"), raw.get("uniques"), raw.get("date")
    if type(base) is not dict or type(uniques) is not dict or type(text) is not str:
        return None
    day = days.get(text)
    if day is None:
        try:
            day = dt.date.fromisoformat(text)
        except ValueError:
            return None
        days[text] = day
    if not date_from <= day <= date_to:
        return None
    vk = base.get("vk")
    vk_goals = vk.get("goals", 0) if type(vk) is dict else 0
    shows, clicks, goals = base.get("shows"), base.get("clicks"), base.get("goals")
    total, increment, initial = (
        uniques.get("total", 0),
        uniques.get("increment", 0),
        uniques.get("initial_total", 0),
    )
    for v in (shows, clicks, goals, vk_goals, total, increment, initial):
        if type(v) is not int or v < 0:  # type(), not isinstance: a bool is refused by the checked path
            return None
    spent = base.get("spent")
    if type(spent) is not str or not spent:
        return None
    try:
        money = parse_decimal(spent, field="base.spent", platform=PLATFORM)
    except PayloadError:
        return None
    if money is None:
        return None
    freq = uniques.get("frequency")
    if freq is None or freq == "":
        frequency = 0.0
    elif type(freq) in (Decimal, int, float):
        frequency = float(freq)
    else:
        return None
    return {
        "date_day": day,
        "shows": shows,
        "clicks": clicks,
        "goals": goals,
        "vk_goals": vk_goals,
        "spent": money,
        "uniques_total": total,
        "uniques_increment": increment,
        "uniques_initial_total": initial,
        "uniques_frequency": frequency,
    }


def _checked_banner_day_row(
    raw: Any, banner_id: int, request: str, date_from: dt.date, date_to: dt.date
) -> dict[str, Any]:
    if not isinstance(raw, Mapping):
        raise _bad(f"{request}: banner {banner_id}: a row is not an object")
    day = as_date(raw.get("date"), f"{request}: banner {banner_id}", "date")
    if day is None:
        raise _bad(f"{request}: banner {banner_id}: a row has no date")
    if not date_from <= day <= date_to:
        raise _bad(f"{request}: banner {banner_id}: day {day} is outside {date_from}..{date_to}")
    ctx = f"{request}: banner {banner_id} day {day}"
    base = raw.get("base")
    if not isinstance(base, Mapping):
        raise _bad(f"{ctx}: metric group 'base' is missing")
    uniques = raw.get("uniques")
    if not isinstance(uniques, Mapping):
        raise _bad(f"{ctx}: metric group 'uniques' is missing (request metrics=base,uniques)")
    vk_group = base.get("vk")
    vk: Mapping[str, Any] = vk_group if isinstance(vk_group, Mapping) else {}
    return {
        "date_day": day,
        "shows": as_uint(base.get("shows"), ctx, "base.shows"),
        "clicks": as_uint(base.get("clicks"), ctx, "base.clicks"),
        "goals": as_uint(base.get("goals"), ctx, "base.goals"),
        "vk_goals": as_uint(vk.get("goals", 0), ctx, "base.vk.goals"),
        "spent": as_decimal(base.get("spent"), ctx, "base.spent"),
        "uniques_total": as_uint(uniques.get("total", 0), ctx, "uniques.total"),
        "uniques_increment": as_uint(uniques.get("increment", 0), ctx, "uniques.increment"),
        "uniques_initial_total": as_uint(uniques.get("initial_total", 0), ctx, "uniques.initial_total"),
        "uniques_frequency": as_float(uniques.get("frequency"), ctx, "uniques.frequency"),
    }


def _check_item_total(item: Mapping[str, Any], banner_id: int, sums: dict[str, Any], request: str) -> None:
    total = item.get("total")
    if not isinstance(total, Mapping) or not isinstance(total.get("base"), Mapping):
        return  # totals are optional in the docs; nothing to check against
    ctx = f"{request}: banner {banner_id} total"
    base = total["base"]
    expected = {
        "shows": as_uint(base.get("shows"), ctx, "base.shows"),
        "clicks": as_uint(base.get("clicks"), ctx, "base.clicks"),
        "spent": as_decimal(base.get("spent"), ctx, "base.spent"),
    }
    for name, value in expected.items():
        if value != sums[name]:
            raise _bad(
                f"{ctx}: rows add up to {name}={sums[name]} but the platform total says {value}; "
                "payload is inconsistent (truncated or garbled?)"
            )


def stats_table(rows: list[dict[str, Any]]) -> pa.Table:
    return pa.Table.from_pylist(rows, schema=schema.BANNER_STATS_DAILY)


# -- columnar fast path for statistics answers ---------------------------------------------------------------
_INT = pa.int64()
# Only the fields the raw table keeps (and the item totals they are checked against); the rest is skipped unread.
_DAY_JSON = pa.schema(
    [
        (
            "items",
            pa.list_(
                pa.struct(
                    [
                        ("id", _INT),
                        (
                            "rows",
                            pa.list_(
                                pa.struct(
                                    [
                                        ("date", pa.string()),
                                        (
                                            "base",
                                            pa.struct(
                                                [
                                                    ("shows", _INT),
                                                    ("clicks", _INT),
                                                    ("goals", _INT),
                                                    ("spent", pa.string()),
                                                    ("vk", pa.struct([("goals", _INT)])),
                                                ]
                                            ),
                                        ),
                                        (
                                            "uniques",
                                            pa.struct(
                                                [
                                                    ("total", _INT),
                                                    ("increment", _INT),
                                                    ("initial_total", _INT),
                                                    ("frequency", pa.float64()),
                                                ]
                                            ),
                                        ),
                                    ]
                                )
                            ),
                        ),
                        (
                            "total",
                            pa.struct(
                                [
                                    (
                                        "base",
                                        pa.struct(
                                            [("shows", _INT), ("clicks", _INT), ("spent", pa.string())]
                                        ),
                                    )
                                ]
                            ),
                        ),
                    ]
                )
            ),
        )
    ]
)
_DAY_TEXT = r"^\d{4}-\d{2}-\d{2}$"
_MONEY_TEXT = r"^\d{1,12}(\.\d{1,6})?$"  # exactly representable in Decimal(18, 6), no rounding, no sign
_EPOCH = dt.date(1970, 1, 1).toordinal()


def _ints(arr: pa.Array) -> np.ndarray | None:
    """A non-negative int64 column without nulls as numpy, else None."""
    if arr.null_count:
        return None
    out = arr.to_numpy(zero_copy_only=False)
    return None if len(out) and out.min() < 0 else out


def _money(arr: pa.Array) -> tuple[pa.Array, np.ndarray] | None:
    """Decimal strings without nulls → (Decimal(18, 6) column, micros as int64), else None."""
    if arr.null_count or pc.all(pc.match_substring_regex(arr, _MONEY_TEXT)).as_py() not in (True, None):
        return None
    money = arr.cast(schema.BANNER_STATS_DAILY.field("spent").type)
    micros = pc.multiply(money, pa.scalar(Decimal(1_000_000), pa.decimal128(7, 0))).cast(_INT)
    return money, micros.to_numpy(zero_copy_only=False)


def _segment_sums(values: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Sums of consecutive segments of `values` with the given lengths (empty segments sum to 0)."""
    cumulative = np.concatenate([[0], np.cumsum(values, dtype=np.int64)])
    ends = np.cumsum(counts)
    return cumulative[ends] - cumulative[ends - counts]


def banner_day_table(body: bytes, ctx: DayRequest) -> pa.Table | None:
    """A ``day.json`` body straight to the raw table (Arrow's JSON reader, no Python object per value), or None.

    Accepts only answers it can prove clean: every kept field present with its documented JSON type, numbers
    non-negative, dates in the window, each banner-day once, requested banners only, rows adding up to their
    item totals. For anything else it returns None and the caller decodes the body for `banner_day_rows`,
    which gives the same table (`stats_table`) or the error naming banner, day and field.
    """
    try:
        parsed = pa_json.read_json(
            io.BytesIO(body),
            read_options=pa_json.ReadOptions(use_threads=False, block_size=len(body) + 1),
            parse_options=pa_json.ParseOptions(explicit_schema=_DAY_JSON, unexpected_field_behavior="ignore"),
        )
    except (pa.ArrowException, ValueError):
        return None  # not one well-typed JSON object: the decoding path reports what is wrong
    if parsed.num_rows != 1 or parsed.column("items").null_count:
        return None
    items = pc.list_flatten(parsed.column("items").combine_chunks())
    item_id, item_rows, item_total = items.flatten()
    ids = _ints(item_id)
    if (
        ids is None
        or item_rows.null_count
        or not np.isin(ids, np.fromiter(set(ctx.requested_ids), np.int64)).all()
    ):
        return None
    counts = pc.list_value_length(item_rows).to_numpy(zero_copy_only=False).astype(np.int64)
    day_text, base, uniques = pc.list_flatten(item_rows).flatten()
    shows, clicks, goals, spent_text, vk = base.flatten()
    maybe = [_ints(a) for a in (shows, clicks, goals, vk.flatten()[0], *uniques.flatten()[:3])]
    cols = [c for c in maybe if c is not None]
    money = _money(spent_text)
    if money is None or len(cols) < len(maybe) or day_text.null_count:
        return None
    if len(day_text) and not pc.all(pc.match_substring_regex(day_text, _DAY_TEXT)).as_py():
        return None
    try:
        day = day_text.cast(pa.date32())
    except pa.ArrowInvalid:
        return None
    day_num = day.cast(pa.int32()).to_numpy(zero_copy_only=False)
    if len(day_num) and (
        day_num.min() < ctx.date_from.toordinal() - _EPOCH or day_num.max() > ctx.date_to.toordinal() - _EPOCH
    ):
        return None
    banner = np.repeat(ids, counts)
    order = np.lexsort((day_num, banner))
    if ((banner[order][1:] == banner[order][:-1]) & (day_num[order][1:] == day_num[order][:-1])).any():
        return None  # a banner-day twice
    n_shows, n_clicks, n_goals, n_vk_goals, u_total, u_increment, u_initial = cols
    spent, micros = money
    if not _totals_match(item_total, counts, n_shows, n_clicks, micros):
        return None
    keep = (
        ~((n_shows == 0) & (n_clicks == 0) & (n_goals == 0) & (micros == 0))
        if ctx.skip_empty
        else np.ones(len(banner), dtype=bool)
    )
    rows = np.flatnonzero(keep)
    days = np.unique(day_num[rows])
    flags = np.array(
        [bool(ctx.is_provisional(dt.date.fromordinal(int(d) + _EPOCH))) for d in days], dtype=np.uint8
    )
    n = len(rows)

    def const(value: Any, kind: pa.DataType) -> pa.Array:
        return pa.array([value], kind).take(np.zeros(n, dtype=np.int32))

    out = {
        "tenant_id": const(ctx.tenant_id, pa.string()),
        "account_id": const(ctx.account_id, pa.string()),
        "date_day": day.take(rows),
        "banner_id": banner[rows],
        "shows": n_shows[rows],
        "clicks": n_clicks[rows],
        "goals": n_goals[rows],
        "vk_goals": n_vk_goals[rows],
        "spent": spent.take(rows),
        "spent_includes_vat": const(int(ctx.spent_includes_vat), pa.uint8()),
        "currency": const(ctx.currency, pa.string()),
        "uniques_total": u_total[rows],
        "uniques_increment": u_increment[rows],
        "uniques_initial_total": u_initial[rows],
        "uniques_frequency": pc.fill_null(uniques.flatten()[3], 0.0).take(rows),
        "timezone": const(ctx.timezone, pa.string()),
        "is_provisional": flags[np.searchsorted(days, day_num[rows])],
    }
    return pa.Table.from_arrays(
        [
            pa.array(out[f.name], f.type) if isinstance(out[f.name], np.ndarray) else out[f.name]
            for f in schema.BANNER_STATS_DAILY
        ],
        schema=schema.BANNER_STATS_DAILY,
    )


def _totals_match(
    item_total: pa.Array, counts: np.ndarray, shows: np.ndarray, clicks: np.ndarray, micros: np.ndarray
) -> bool:
    """Every item with a ``total.base`` has well-typed totals equal to the sums of its rows."""
    base = item_total.flatten()[0]
    present = base.is_valid().to_numpy(zero_copy_only=False)
    if not present.any():
        return True
    want = np.flatnonzero(present)
    t_shows, t_clicks, t_spent = (a.take(want) for a in base.flatten())
    e_shows, e_clicks, e_spent = _ints(t_shows), _ints(t_clicks), _money(t_spent)
    if e_shows is None or e_clicks is None or e_spent is None:
        return False
    return (
        np.array_equal(_segment_sums(shows, counts)[want], e_shows)
        and np.array_equal(_segment_sums(clicks, counts)[want], e_clicks)
        and np.array_equal(_segment_sums(micros, counts)[want], e_spent[1])
    )
