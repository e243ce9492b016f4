"""runReport answers → typed rows and the report's quality flags.

An answer lists `dimensionHeaders`/`metricHeaders`, `rows` of `dimensionValues`/`metricValues` (all values are
strings), `rowCount` (rows of the whole report, not of the page) and `metadata`: `dataLossFromOtherRow` (rare
values were folded into an "(other)" row), `samplingMetadatas` (samplesReadCount / samplingSpaceSize per date
range) and `subjectToThresholding` (rows withheld for privacy). Damage is a PayloadError naming row and field.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from ingestion.common.errors import PayloadError
from ingestion.ga4.settings import PLATFORM

OTHER = "(other)"


@dataclass(frozen=True)
class ReportFlags:
    has_other_row: bool
    sampling_share: float | None  # samplesReadCount / samplingSpaceSize; None = not sampled
    thresholded: bool
    currency: str


@dataclass(frozen=True)
class ReportPage:
    rows: list[dict[str, Any]]  # header name → typed value
    row_count: int
    flags: ReportFlags


def parse_page(
    payload: Any, *, dimensions: list[str], metrics: list[str], offset: int, request_id: str | None = None
) -> ReportPage:
    if not isinstance(payload, dict):
        raise PayloadError("runReport answer is not a JSON object", platform=PLATFORM, request_id=request_id)
    dims = [h.get("name") for h in payload.get("dimensionHeaders") or []]
    mets = [h.get("name") for h in payload.get("metricHeaders") or []]
    raw_rows = payload.get("rows") or []
    if raw_rows and (dims != dimensions or mets != metrics):
        raise PayloadError(
            f"runReport headers {dims} / {mets} differ from the request {dimensions} / {metrics}",
            platform=PLATFORM,
            request_id=request_id,
            retryable=False,
        )
    rows = []
    for i, raw in enumerate(raw_rows):
        n = offset + i + 1
        dv = [v.get("value", "") for v in raw.get("dimensionValues") or []]
        mv = [v.get("value", "0") for v in raw.get("metricValues") or []]
        if len(dv) != len(dimensions) or len(mv) != len(metrics):
            raise PayloadError(
                "row has the wrong number of values",
                platform=PLATFORM,
                request_id=request_id,
                row=n,
                field="dimensionValues/metricValues",
            )
        row: dict[str, Any] = {}
        for name, value in zip(dimensions, dv, strict=True):
            row[name] = _date(value, n, request_id) if name == "date" else str(value)
        for name, value in zip(metrics, mv, strict=True):
            row[name] = _number(value, n, name, request_id)
        rows.append(row)
    meta = payload.get("metadata") or {}
    share = None
    for sm in meta.get("samplingMetadatas") or []:
        try:
            read, space = int(sm["samplesReadCount"]), int(sm["samplingSpaceSize"])
        except (KeyError, TypeError, ValueError):
            raise PayloadError(
                f"bad samplingMetadatas {sm!r}",
                platform=PLATFORM,
                request_id=request_id,
                field="metadata.samplingMetadatas",
                retryable=False,
            ) from None
        share = min(share or 1.0, read / space if space else 1.0)
    try:
        row_count = int(payload.get("rowCount") or 0)
    except (TypeError, ValueError):
        raise PayloadError(
            f"rowCount {payload.get('rowCount')!r}",
            platform=PLATFORM,
            request_id=request_id,
            field="rowCount",
            retryable=False,
        ) from None
    flags = ReportFlags(
        has_other_row=bool(meta.get("dataLossFromOtherRow")),
        sampling_share=share,
        thresholded=bool(meta.get("subjectToThresholding")),
        currency=str(meta.get("currencyCode") or ""),
    )
    return ReportPage(rows, row_count, flags)


def _date(value: str, row: int, request_id: str | None) -> date:
    try:
        return datetime.strptime(value, "%Y%m%d").date()
    except ValueError:
        raise PayloadError(
            f"date {value!r} is not YYYYMMDD",
            platform=PLATFORM,
            request_id=request_id,
            row=row,
            field="date",
            retryable=False,
        ) from None


def _number(value: str, row: int, field: str, request_id: str | None) -> Decimal:
    try:
        out = Decimal(value)
    except InvalidOperation:
        raise PayloadError(
            f"not a number: {value!r}",
            platform=PLATFORM,
            request_id=request_id,
            row=row,
            field=field,
            retryable=False,
        ) from None
    if not out.is_finite() or out < 0:
        raise PayloadError(
            f"not a finite non-negative number: {value!r}",
            platform=PLATFORM,
            request_id=request_id,
            row=row,
            field=field,
            retryable=False,
        )
    return out
