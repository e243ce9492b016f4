"""`require_filled`: an empty required value is refused with its field and its row in the platform's answer."""

from __future__ import annotations

import pyarrow as pa
import pytest

from ingestion.common import PayloadError
from ingestion.common.schema import require_filled


def _batch() -> pa.RecordBatch:
    return pa.record_batch({"Date": ["2026-01-01", "2026-01-02", "2026-01-03"], "Cost": [1, None, None]})


def test_the_first_empty_value_is_named_by_field_and_row() -> None:
    with pytest.raises(PayloadError) as err:
        require_filled(_batch(), ["Date", "Cost"], platform="p", request_id="rq-1", first_row=11, blank="--")
    exc = err.value
    assert (exc.field, exc.row, exc.retryable, exc.request_id) == ("Cost", 12, False, "rq-1")
    assert "Cost is empty ('--')" in str(exc) and "[p]" in str(exc)


def test_filled_columns_pass_and_other_columns_are_not_looked_at() -> None:
    require_filled(_batch(), ["Date"], platform="p", request_id=None, first_row=1)
    with pytest.raises(PayloadError, match=r"Cost is empty(?! \()"):
        require_filled(_batch(), ["Cost"], platform="p", request_id=None, first_row=1)
