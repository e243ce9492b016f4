"""Charts of the app as plain Vega-Lite specs drawn by `st.vega_lite_chart`.

Why not Plotly figures: with five sessions on two cores, building a Plotly Express figure cost 250–300 ms of
server CPU per chart (its validators) and the browser parses a 4.7 MB Plotly bundle; a Vega-Lite spec is a small
dict (no validation pass) and Streamlit's Vega bundle is 0.8 MB. Altair would build the same specs, with a
JSON-schema validation on every run. The functions take the data frame and the (already translated) titles.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

HEIGHT = 320


def _temporal(df: pd.DataFrame, *cols: str) -> pd.DataFrame:
    """Date columns as datetime64: Arrow date32 reaches the browser as a day number, datetime64 as a timestamp."""
    out = df.copy()
    for c in cols:
        if c in out.columns:
            out[c] = pd.to_datetime(out[c])
    return out


def _field(name: str, kind: str, title: str | None = None, **extra: Any) -> dict[str, Any]:
    enc: dict[str, Any] = {"field": name, "type": kind, "title": title if title is not None else name}
    enc.update(extra)
    return enc


def _tooltip(*fields: dict[str, Any]) -> list[dict[str, Any]]:
    tips = []
    for f in fields:
        tip = {k: f[k] for k in ("field", "type", "title")}
        if f["type"] == "quantitative":
            tip["format"] = ",.2f"
        elif f["type"] == "temporal":
            tip["format"] = "%e %b %Y"  # day and the locale's month name
        tips.append(tip)
    return tips


def _spec(title: str | None, mark: dict[str, Any], encoding: dict[str, Any], **extra: Any) -> dict[str, Any]:
    spec: dict[str, Any] = {"height": HEIGHT, "mark": mark, "encoding": encoding, **extra}
    if title:
        spec["title"] = title
    return spec


# Vega's own locale for the Russian UI: month and day names on time axes, decimal comma and narrow-space
# grouping in axis labels and tooltips (English is Vega's default).
RU_LOCALE = {
    "number": {"decimal": ",", "thousands": "\u00a0", "grouping": [3], "currency": ["", "\u00a0₽"]},
    "time": {
        "dateTime": "%A, %e %B %Y г. %X",
        "date": "%d.%m.%Y",
        "time": "%H:%M:%S",
        "periods": ["", ""],
        "days": ["воскресенье", "понедельник", "вторник", "среда", "четверг", "пятница", "суббота"],
        "shortDays": ["вс", "пн", "вт", "ср", "чт", "пт", "сб"],
        "months": [
            "январь",
            "февраль",
            "март",
            "апрель",
            "май",
            "июнь",
            "июль",
            "август",
            "сентябрь",
            "октябрь",
            "ноябрь",
            "декабрь",
        ],
        "shortMonths": ["янв", "фев", "мар", "апр", "май", "июн", "июл", "авг", "сен", "окт", "ноя", "дек"],
    },
}


def localized(spec: dict[str, Any], lang: str | None = None) -> dict[str, Any]:
    """The spec with the UI language's number and time locale (Russian needs one; English is the default)."""
    lang = lang or st.session_state.get("ui_lang", "ru")
    if lang != "ru":
        return spec
    return {**spec, "config": {**spec.get("config", {}), "locale": RU_LOCALE}}


def draw(df: pd.DataFrame, spec: dict[str, Any], key: str) -> None:
    st.vega_lite_chart(df, localized(spec), key=key, width="stretch")


def _xy(
    x_enc: dict[str, Any], y: str, color: str | None, labels: dict[str, str], *extra_tips: dict[str, Any]
) -> dict[str, Any]:
    """x/y (and colour) encodings with a tooltip showing each of them."""
    enc: dict[str, Any] = {"x": x_enc, "y": _field(y, "quantitative", labels.get(y))}
    if color:
        enc["color"] = _field(color, "nominal", labels.get(color))
    enc["tooltip"] = _tooltip(*enc.values(), *extra_tips)
    return enc


def bar(
    df: pd.DataFrame,
    x: str,
    y: str,
    *,
    key: str,
    title: str | None = None,
    labels: dict[str, str] | None = None,
    color: str | None = None,
    temporal_x: bool = False,
    lighter: str | None = None,
    grouped: bool = False,
) -> None:
    """Bars of y per x, stacked by `color` (side by side with `grouped`: for values that must not add up, such
    as reach of different windows); rows whose `lighter` column is non-empty are drawn paler (provisional
    days). Categories keep the order of the frame."""
    labels = labels or {}
    x_enc = (
        _field(x, "temporal", labels.get(x), timeUnit="yearmonthdate")
        if temporal_x
        else _field(x, "nominal", labels.get(x), sort=None)
    )
    if lighter:
        enc = _xy(x_enc, y, color, labels, _field(lighter, "nominal", labels.get(lighter)))
        enc["opacity"] = {
            "condition": {"test": {"not": {"field": lighter, "equal": ""}}, "value": 0.4},
            "value": 1.0,
        }
    else:
        enc = _xy(x_enc, y, color, labels)
    if grouped and color:
        enc["xOffset"] = {"field": color, "type": "nominal", "sort": None}
    draw(_temporal(df, x) if temporal_x else df, _spec(title, {"type": "bar"}, enc), key)


def line(
    df: pd.DataFrame,
    x: str,
    y: str,
    *,
    key: str,
    color: str | None = None,
    title: str | None = None,
    labels: dict[str, str] | None = None,
) -> None:
    """A line of y over the date column x, one line per `color` value."""
    labels = labels or {}
    enc = _xy(_field(x, "temporal", labels.get(x)), y, color, labels)
    draw(_temporal(df, x), _spec(title, {"type": "line"}, enc), key)


def pie(
    df: pd.DataFrame,
    names: str,
    values: str,
    *,
    key: str,
    title: str | None = None,
    labels: dict[str, str] | None = None,
) -> None:
    """Shares of `values` per `names` as a donut."""
    labels = labels or {}
    theta = _field(values, "quantitative", labels.get(values), stack=True)
    colour = _field(names, "nominal", labels.get(names))
    enc = {"theta": theta, "color": colour, "tooltip": _tooltip(colour, theta)}
    draw(df, _spec(title, {"type": "arc", "innerRadius": 50}, enc), key)


def pacing(
    days: pd.DataFrame,
    series: dict[str, str],
    *,
    key: str,
    title: str,
    x_title: str,
    y_title: str,
    forecast: tuple[Any, float, str] | None = None,
) -> None:
    """Cumulative planned (dashed) and actual (solid) spend per day: `series` maps the two columns of `days` to
    their legend labels, planned first; `forecast` = (day, value, label) is drawn as a marker."""
    (planned, planned_label), (actual, actual_label) = series.items()
    long = days.rename(columns=series).melt(
        id_vars=["date_day"], value_vars=[planned_label, actual_label], var_name="series", value_name="value"
    )
    star_label = forecast[2] if forecast is not None else ""
    if forecast is not None:
        long = pd.concat(
            [long, pd.DataFrame({"date_day": [forecast[0]], "series": [star_label], "value": [forecast[1]]})],
            ignore_index=True,
        )
    long = _temporal(long.dropna(subset=["value"]), "date_day")
    x = _field("date_day", "temporal", x_title)
    y = _field("value", "quantitative", y_title)
    # Fixed colours per role, so the planned line keeps its colour whatever the language sorts first.
    domain = [planned_label, actual_label, *([star_label] if forecast is not None else [])]
    colour = _field(
        "series",
        "nominal",
        "",
        scale={"domain": domain, "range": ["#9e9e9e", "#1565c0", "#c62828"][: len(domain)]},
        legend={"orient": "bottom"},
    )
    tips = _tooltip(x, y, colour)
    lines = {
        "transform": [{"filter": {"not": {"field": "series", "equal": star_label}}}],
        "mark": {"type": "line"},
        "encoding": {
            "x": x,
            "y": y,
            "color": colour,
            "tooltip": tips,
            "strokeDash": {
                "field": "series",
                "type": "nominal",
                "legend": None,
                "scale": {"domain": [planned_label, actual_label], "range": [[6, 4], [1, 0]]},
            },
        },
    }
    layers = [lines]
    if forecast is not None:
        layers.append(
            {
                "transform": [{"filter": {"field": "series", "equal": star_label}}],
                "mark": {"type": "point", "shape": "diamond", "size": 160, "filled": True},
                "encoding": {"x": x, "y": y, "color": colour, "tooltip": tips},
            }
        )
    draw(long, {"height": HEIGHT, "title": title, "layer": layers}, key)
