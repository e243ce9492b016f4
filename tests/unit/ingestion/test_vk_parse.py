"""VK Ads payload parsing on recorded payloads (docs/api_formats.md, VK Ads): day.json variants, listings, errors."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import httpx
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ingestion.common import PayloadError
from ingestion.vk_ads import parse, schema
from ingestion.vk_ads.auth import error_of

PAYLOADS = Path(__file__).parents[2] / "fixtures" / "payloads" / "vk_ads"


def payload(name: str) -> object:
    return json.loads((PAYLOADS / name).read_text("utf-8"), parse_float=Decimal)


def day_rows(
    name: str,
    ids: list[int],
    *,
    skip_empty: bool = True,
    provisional_from: date = date(2024, 5, 3),
    date_to: date = date(2024, 5, 31),
) -> list[dict]:
    return parse.banner_day_rows(
        payload(name),
        parse.DayRequest(
            tenant_id="t1",
            account_id="acc",
            requested_ids=ids,
            date_from=date(2024, 5, 1),
            date_to=date_to,
            currency="RUB",
            spent_includes_vat=False,
            timezone="Europe/Moscow",
            is_provisional=lambda d: d >= provisional_from,
            skip_empty=skip_empty,
        ),
    )


def one_day(ids: list[int], day: date = date(2024, 5, 1), date_to: date | None = None) -> parse.DayRequest:
    return parse.DayRequest(
        tenant_id="t",
        account_id="a",
        requested_ids=ids,
        date_from=day,
        date_to=date_to or day,
        currency="RUB",
        spent_includes_vat=False,
        timezone="Europe/Moscow",
        is_provisional=lambda d: False,
    )


def test_doc_example_day_json_flattens_base_and_uniques_and_ignores_deprecated_fields() -> None:
    rows = day_rows("banners_day_doc_example.json", [8372481])
    assert [r["date_day"] for r in rows] == [
        date(2024, 5, 1),
        date(2024, 5, 3),
    ]  # the all-zero day is skipped
    first, third = rows
    assert (first["shows"], first["clicks"], first["goals"], first["vk_goals"]) == (75881, 270, 0, 0)
    assert first["spent"] == Decimal("23328.920000")
    assert (first["uniques_total"], first["uniques_increment"], first["uniques_initial_total"]) == (
        786752,
        53327,
        733425,
    )
    assert first["uniques_frequency"] == pytest.approx(1.1433)
    assert third["spent"] == Decimal("1520.500000") and third["vk_goals"] == 3
    assert [r["is_provisional"] for r in rows] == [0, 1]
    assert all(
        r["tenant_id"] == "t1" and r["currency"] == "RUB" and r["spent_includes_vat"] == 0 for r in rows
    )
    table = parse.stats_table(rows)
    assert table.schema == schema.BANNER_STATS_DAILY


def test_zero_days_are_kept_when_asked() -> None:
    rows = day_rows("banners_day_doc_example.json", [8372481], skip_empty=False)
    assert len(rows) == 3 and rows[1]["shows"] == 0


def test_integers_and_floats_sent_as_strings_are_accepted() -> None:
    (row,) = day_rows("banners_day_string_ints.json", [8372482])
    assert (row["banner_id"], row["shows"], row["clicks"], row["uniques_total"]) == (8372482, 1000, 12, 900)
    assert row["spent"] == Decimal("100") and row["vk_goals"] == 0  # no `vk` group → 0


def test_rows_that_do_not_add_up_to_the_item_total_fail_loudly() -> None:
    with pytest.raises(PayloadError, match=r"banner 8372481 total.*shows=10.*says 20"):
        day_rows("banners_day_total_mismatch.json", [8372481])


def test_unrequested_banner_and_out_of_window_day_are_refused() -> None:
    with pytest.raises(PayloadError, match="banner 8372481 was not requested"):
        day_rows("banners_day_doc_example.json", [1])
    with pytest.raises(PayloadError, match="day 2024-05-03 is outside 2024-05-01..2024-05-02"):
        day_rows("banners_day_doc_example.json", [8372481], date_to=date(2024, 5, 2))


def test_money_as_binary_float_or_missing_groups_is_an_error_naming_banner_day_and_field() -> None:
    body = payload("banners_day_string_ints.json")
    body["items"][0]["rows"][0]["base"]["spent"] = 100.5  # decoded without Decimal
    with pytest.raises(PayloadError, match=r"banner 8372482 day 2024-05-01: field 'base.spent'"):
        parse.banner_day_rows(body, one_day([8372482]))
    body = payload("banners_day_string_ints.json")
    del body["items"][0]["rows"][0]["uniques"]
    with pytest.raises(PayloadError, match="'uniques' is missing"):
        parse.banner_day_rows(body, one_day([8372482]))
    body = payload("banners_day_string_ints.json")
    body["items"][0]["rows"][0]["base"]["shows"] = "12a"
    with pytest.raises(PayloadError, match=r"field 'base.shows' is not an integer"):
        parse.banner_day_rows(body, one_day([8372482]))


def test_listing_pages_parse_with_every_documented_variant() -> None:
    count, items = parse.collection_items(payload("ad_plans_page.json"), "ad_plans")
    plans = parse.ad_plan_rows(items, tenant_id="t", account_id="a").to_pylist()
    assert count == 2 and [p["ad_plan_id"] for p in plans] == [1001, 1002]
    assert plans[0]["budget_limit"] is None and plans[0]["budget_limit_day"] == Decimal("1500.5")
    assert plans[0]["date_end"] is None and plans[1]["date_end"] == date(2023, 2, 10)
    assert plans[0]["created"].isoformat() == "2024-02-28T10:11:12+03:00"

    _, items = parse.collection_items(payload("ad_groups_page.json"), "ad_groups")
    (group,) = parse.ad_group_rows(items, tenant_id="t", account_id="a").to_pylist()
    assert (group["ad_group_id"], group["ad_plan_id"], group["package_id"]) == (6617841, 1001, 83)
    assert group["updated"].isoformat() == "2022-07-04T17:36:16+03:00"  # from `last_updated`

    _, items = parse.collection_items(payload("banners_page.json"), "banners")
    banners = parse.banner_rows(items, tenant_id="t", account_id="a").to_pylist()
    assert [b["url"] for b in banners] == ["https://example.ru/a", "https://example.ru/b", ""]
    assert banners[2]["status"] == "" and banners[2]["updated"] is None


def test_listing_shape_and_duplicates_are_checked() -> None:
    with pytest.raises(PayloadError, match="not a collection response"):
        parse.collection_items({"items": []}, "GET /api/v2/banners.json offset=0")
    _, items = parse.collection_items(payload("banners_page.json"), "banners")
    with pytest.raises(PayloadError, match="duplicate banner_id 23826937"):
        parse.banner_rows(items + items[:1], tenant_id="t", account_id="a")
    with pytest.raises(PayloadError, match="ad_group 6617841.*'ad_plan_id' is missing"):
        parse.ad_group_rows([{"id": 6617841}], tenant_id="t", account_id="a")


@pytest.mark.parametrize(
    ("name", "status", "code", "text"),
    [
        ("error_limit_exceeded.json", 400, "ERR_LIMIT_EXCEEDED", "Too many ids in request"),
        ("error_expired_token.json", 401, "expired_token", "Access token is expired"),
        ("error_validation.json", 400, "validation_failed", "Validation failed"),
    ],
)
def test_error_bodies_yield_code_and_message(name: str, status: int, code: str, text: str) -> None:
    response = httpx.Response(status, content=(PAYLOADS / name).read_bytes())
    assert error_of(response) == (code, text)


def test_oauth_style_and_non_json_error_bodies() -> None:
    assert error_of(httpx.Response(403, json={"error": "token_limit", "error_description": "too many"})) == (
        "token_limit",
        "too many",
    )
    assert error_of(httpx.Response(502, content=b"<html>Bad gateway</html>")) == (
        "502",
        "<html>Bad gateway</html>",
    )


_ODD = st.one_of(
    st.integers(-3, -1),
    st.booleans(),
    st.none(),
    st.just(""),
    st.integers(0, 999).map(str),
    st.decimals(0, 10**6, places=2, allow_nan=False),
    st.floats(0, 9),
    st.just("12.50"),
    st.just("abc"),
    st.just("--"),
    st.just("1e3"),
    st.just(" 7.5 "),
    st.just({}),
)
_FIELDS = [
    ("date",),
    ("base",),
    ("uniques",),
    ("base", "shows"),
    ("base", "clicks"),
    ("base", "goals"),
    ("base", "spent"),
    ("base", "vk"),
    ("base", "vk", "goals"),
    ("uniques", "total"),
    ("uniques", "increment"),
    ("uniques", "initial_total"),
    ("uniques", "frequency"),
]


@st.composite
def _day(draw: st.DrawFn, odd: bool = True) -> dict:
    """A well-formed day row, then (if `odd`) maybe one field replaced by an odd value or dropped."""
    n = st.integers(0, 10**9)
    dates = (
        st.sampled_from(["2024-05-01", "2024-05-17", "2024-05-31", "2024-06-01"])
        if odd
        else st.dates(date(2024, 5, 1), date(2024, 5, 31)).map(date.isoformat)
    )
    raw = {
        "date": draw(dates),
        "base": {
            "shows": draw(n),
            "clicks": draw(n),
            "goals": draw(n),
            "spent": draw(
                st.decimals(
                    0, 10**7, places=draw(st.integers(0, 7)), allow_nan=False, allow_infinity=False
                ).map(str)
            ),
        },
        "uniques": {
            "total": draw(n),
            "increment": draw(n),
            "initial_total": draw(n),
            "frequency": draw(st.one_of(st.decimals(0, 50, places=3, allow_nan=False), st.integers(0, 9))),
        },
    }
    if draw(st.booleans()):
        raw["base"]["vk"] = {"goals": draw(n)}
    if odd and draw(st.booleans()):
        *parents, leaf = draw(st.sampled_from(_FIELDS))
        node = raw
        for key in parents:
            node = node.setdefault(key, {}) if isinstance(node.get(key, {}), dict) else {}
        if draw(st.booleans()):
            node.pop(leaf, None)
        else:
            node[leaf] = draw(_ODD)
    return raw


@given(raw=_day())
@settings(max_examples=400, deadline=None)
def test_fast_day_row_path_agrees_with_the_checked_path(raw: dict) -> None:
    """The hot-loop parser either declines a row or returns exactly what the validating parser returns."""
    fast = parse._clean_banner_day_row(raw, date(2024, 5, 1), date(2024, 5, 31), {})
    try:
        checked = parse._checked_banner_day_row(raw, 7, "req", date(2024, 5, 1), date(2024, 5, 31))
    except (PayloadError, TypeError):
        assert fast is None
        return
    if fast is not None:
        assert fast == checked
        assert [type(v) for v in fast.values()] == [type(v) for v in checked.values()]


# -- columnar path (banner_day_table): the same table as the checked path, or None so the checked path runs ----
def _json_number(value: object) -> object:
    if isinstance(value, Decimal):
        return float(value)  # the decimals drawn here have ≤ 15 significant digits: the text round-trips
    raise TypeError(type(value).__name__)


def _both_paths(body: bytes, ids: list[int], *, skip_empty: bool = True, date_to: date = date(2024, 5, 31)):
    """(columnar table or None, checked table or the PayloadError it raised) for one day.json body."""
    kw = dict(
        tenant_id="t1",
        account_id="acc",
        requested_ids=ids,
        date_from=date(2024, 5, 1),
        date_to=date_to,
        currency="RUB",
        spent_includes_vat=True,
        timezone="Europe/Moscow",
        is_provisional=lambda d: d >= date(2024, 5, 17),
        skip_empty=skip_empty,
    )
    fast = parse.banner_day_table(body, parse.DayRequest(**kw))
    try:
        checked = parse.stats_table(
            parse.banner_day_rows(json.loads(body, parse_float=Decimal), parse.DayRequest(**kw))
        )
    except (PayloadError, TypeError, ValueError, pa.ArrowException) as exc:
        return fast, exc
    return fast, checked


def _agree(fast, checked) -> bool:
    """True if the columnar path was taken; fails if it accepted what the checked path refuses or differs."""
    if isinstance(checked, Exception):
        assert fast is None, f"columnar path accepted a payload the checked path refuses: {checked}"
        return False
    if fast is None:
        return False
    assert fast.schema == schema.BANNER_STATS_DAILY
    assert fast.equals(checked), (fast.to_pylist()[:3], checked.to_pylist()[:3])
    return True


@pytest.mark.parametrize("name", sorted(p.name for p in PAYLOADS.glob("banners_day_*.json")))
@pytest.mark.parametrize("skip_empty", [True, False])
def test_columnar_path_agrees_with_the_checked_path_on_recorded_payloads(name: str, skip_empty: bool) -> None:
    body = (PAYLOADS / name).read_bytes()
    ids = [
        item["id"] if isinstance(item["id"], int) else int(item["id"]) for item in json.loads(body)["items"]
    ]
    _agree(*_both_paths(body, ids, skip_empty=skip_empty))
    _agree(*_both_paths(body, ids[:-1] or [1], skip_empty=skip_empty))  # an unrequested banner
    _agree(
        *_both_paths(body, ids, date_to=date(2024, 5, 2), skip_empty=skip_empty)
    )  # a day outside the window


def test_columnar_path_takes_clean_answers_and_declines_odd_ones() -> None:
    clean = {
        "items": [
            {
                "id": 5,
                "rows": [
                    {
                        "date": "2024-05-01",
                        "base": {
                            "shows": 10,
                            "clicks": 1,
                            "goals": 0,
                            "spent": "12.50",
                            "cpm": "1250",
                            "vk": {"goals": 0, "cpa": 0.0},
                        },
                        "uniques": {
                            "reach": 0,
                            "total": 9,
                            "increment": 9,
                            "initial_total": 0,
                            "frequency": 1.1111,
                        },
                    },
                    {
                        "date": "2024-05-20",
                        "base": {"shows": 0, "clicks": 0, "goals": 0, "spent": "0.00", "vk": {"goals": 0}},
                        "uniques": {"total": 9, "increment": 0, "initial_total": 9, "frequency": 0},
                    },
                ],
                "total": {"base": {"shows": 10, "clicks": 1, "spent": "12.50"}},
            }
        ]
    }
    body = json.dumps(clean).encode()
    for skip_empty in (True, False):
        fast, checked = _both_paths(body, [5], skip_empty=skip_empty)
        assert _agree(fast, checked) and fast.num_rows == (1 if skip_empty else 2)
    assert _agree(*_both_paths(json.dumps(clean, indent=2).encode(), [5]))  # pretty-printed: still one object
    for path, value in [
        (("base", "shows"), "10"),
        (("base", "shows"), -1),
        (("base", "spent"), 12.5),
        (("base", "spent"), "1e3"),
        (("date",), "2024-5-1"),
        (("base", "vk"), None),
        (("uniques", "total"), None),
        (("base", "clicks"), True),
    ]:
        odd = json.loads(body)
        node = odd["items"][0]["rows"][0]
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value
        fast, checked = _both_paths(json.dumps(odd).encode(), [5])
        assert fast is None, (path, value)
        _agree(fast, checked)
    twice = json.loads(body)
    twice["items"][0]["rows"].append(twice["items"][0]["rows"][0])
    fast, checked = _both_paths(json.dumps(twice).encode(), [5])
    assert fast is None and isinstance(checked, PayloadError) and "appears twice" in str(checked)
    off = json.loads(body)
    off["items"][0]["total"]["base"]["spent"] = "12.51"
    fast, checked = _both_paths(json.dumps(off).encode(), [5])
    assert fast is None and isinstance(checked, PayloadError) and "spent" in str(checked)


@pytest.mark.parametrize("kind", ["truncate", "garble"])
def test_columnar_path_declines_mangled_bodies(kind: str) -> None:
    from ingestion.sandbox.faults import Fault, FaultBoard

    body = (PAYLOADS / "banners_day_doc_example.json").read_bytes()
    for fraction in (0.1, 0.5, 0.9, 0.999):
        mangled = FaultBoard.mangle(body, Fault(1, "vk", kind, params={"fraction": fraction}))
        assert parse.banner_day_table(mangled, one_day([8372481], date_to=date(2024, 5, 31))) is None


@given(
    rows=st.lists(
        st.tuples(st.sampled_from([11, 12, 13]), st.one_of(_day(odd=False), _day(odd=False), _day())),
        max_size=6,
    ),
    totals=st.sampled_from(["none", "exact", "exact", "off"]),
    requested=st.sampled_from([[11, 12, 13], [11, 12, 13], [11, 12]]),
    skip_empty=st.booleans(),
)
@settings(max_examples=300, deadline=None)
def test_columnar_path_agrees_with_the_checked_path(
    rows: list, totals: str, requested: list[int], skip_empty: bool
) -> None:
    """Random answers (odd values, dropped fields, repeated days, unrequested banners, totals right or wrong):
    the columnar path returns exactly the checked path's table, or None where the checked path decides."""
    items: dict[int, dict] = {}
    for banner, raw in rows:
        items.setdefault(banner, {"id": banner, "rows": []})["rows"].append(raw)
    for item in items.values():
        if totals == "none":
            continue
        try:
            sums = [sum(int(r["base"][k]) for r in item["rows"]) for k in ("shows", "clicks")]
            spent = sum(Decimal(r["base"]["spent"]) for r in item["rows"])
        except (KeyError, TypeError, ValueError, ArithmeticError):
            continue
        item["total"] = {
            "base": {"shows": sums[0] + (totals == "off"), "clicks": sums[1], "spent": str(spent)}
        }
    body = json.dumps({"items": list(items.values())}, default=_json_number).encode()
    _agree(*_both_paths(body, requested, skip_empty=skip_empty))
