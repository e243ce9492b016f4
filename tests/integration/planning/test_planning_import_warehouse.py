"""Versioned, all-or-nothing media-plan import into the embedded warehouse."""

from __future__ import annotations

import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from planning.mediaplan import PlanFileError, import_plan, list_plans, load_plan
from planning.mediaplan.store import PlanStoreError

GOOD = [
    "ru_basic_mediaplan.xlsx",
    "en_agency_plan.xlsx",
    "ru_multisheet.xlsx",
    "ru_merged_subtotals.xlsx",
    "ru_plan_cp1251.csv",
    "en_plan_utf8.csv",
    "ru_sections_thousands.xlsx",
    "ru_legacy_plan.xls",
    "ru_stats_history.xlsx",
    "en_pasted_blocks.xlsx",
]
BAD = ["ru_invalid_values.xlsx", "en_injection.csv", "ru_injection_formula.xlsx"]
BROKEN = ["broken_truncated.xlsx", "broken_pdf_named.xlsx", "broken_plain_zip.xlsx", "broken_too_big.csv"]


@pytest.fixture()
def tenant(ch: Any) -> tuple[str, str]:
    t, c = f"t_{uuid.uuid4().hex[:8]}", "client_a"
    ch.insert("app.tenants", [[t, "Test agency"]], column_names=["tenant_id", "name"])
    ch.insert(
        "app.clients",
        [[t, c, "Client A"], [t, "client_b", "Client B"]],
        column_names=["tenant_id", "client_id", "name"],
    )
    return t, c


def _counts(ch: Any, tenant_id: str) -> tuple[int, int, int]:
    q = "SELECT count() FROM {} WHERE tenant_id = {{t:String}}"
    return tuple(  # type: ignore[return-value]
        ch.query(q.format(t), parameters={"t": tenant_id}).result_rows[0][0]
        for t in ("app.media_plans", "app.media_plan_lines", "app.mapping_templates")
    )


@pytest.mark.parametrize("name", GOOD)
def test_good_plans_import_with_lines_and_header(
    ch: Any, tenant: tuple[str, str], corpus: Any, name: str
) -> None:
    directory, expectations = corpus
    exp = next(e for e in expectations if e.filename == name)
    t, c = tenant
    res = import_plan(ch, directory / name, tenant_id=t, client_id=c, kind=exp.kind)
    assert res.imported, res.report.as_text()
    if exp.kind == "history":  # past results: their own table, no plan version at all
        assert res.plan_version is None and _counts(ch, t)[:2] == (0, 0)
        rows = ch.query(
            "SELECT count(), sum(spend_net), min(date_from) FROM app.history_results WHERE tenant_id = {t:String} "
            "AND client_id = {c:String} AND import_id = {i:String}",
            parameters={"t": t, "c": c, "i": res.import_id},
        ).result_rows
        assert rows == [(exp.lines, exp.total_net, exp.sample[1]["flight_start"])]
        return
    assert res.plan_version == 1
    header, lines = load_plan(ch, t, res.plan_id, client_id=c)
    assert header["line_count"] == exp.lines == len(lines)
    assert header["total_budget_net"] == exp.total_net
    assert sum(ln["budget_net"] for ln in lines) == exp.total_net
    assert header["kind"] == exp.kind
    assert header["source_format"] == Path(name).suffix.lstrip(".")
    assert all(ln["tenant_id"] == t and ln["client_id"] == c for ln in lines)


def test_new_version_never_overwrites_the_old(ch: Any, tenant: tuple[str, str], corpus: Any) -> None:
    directory, _ = corpus
    t, c = tenant
    first = import_plan(ch, directory / "ru_basic_mediaplan.xlsx", tenant_id=t, client_id=c, plan_id="spring")
    second = import_plan(
        ch, directory / "ru_merged_subtotals.xlsx", tenant_id=t, client_id=c, plan_id="spring"
    )
    assert (first.plan_version, second.plan_version) == (1, 2)
    h1, l1 = load_plan(ch, t, "spring", version=1)
    h2, l2 = load_plan(ch, t, "spring")
    assert h2["plan_version"] == 2 and len(l1) == 4 and len(l2) == 4
    assert {ln["campaign_name"] for ln in l1} == {
        "romashka_search_brand",
        "romashka_rsya",
        "romashka_olv",
        "romashka_target",
    }
    assert h1["import_id"] != h2["import_id"]
    current = ch.query(
        "SELECT DISTINCT plan_version FROM app.media_plan_lines_current WHERE tenant_id = {t:String} AND plan_id = 'spring'",
        parameters={"t": t},
    ).result_rows
    assert current == [(2,)]
    versions = [p["plan_version"] for p in list_plans(ch, t, c) if p["plan_id"] == "spring"]
    assert versions == [2, 1]


@pytest.mark.parametrize("name", BAD)
def test_invalid_plan_writes_nothing(ch: Any, tenant: tuple[str, str], corpus: Any, name: str) -> None:
    directory, _ = corpus
    t, c = tenant
    before = _counts(ch, t)
    res = import_plan(ch, directory / name, tenant_id=t, client_id=c)
    assert not res.imported and res.report.errors
    assert _counts(ch, t) == before


@pytest.mark.parametrize("name", BROKEN)
def test_broken_file_writes_nothing(ch: Any, tenant: tuple[str, str], corpus: Any, name: str) -> None:
    directory, _ = corpus
    t, c = tenant
    before = _counts(ch, t)
    with pytest.raises(PlanFileError):
        import_plan(ch, directory / name, tenant_id=t, client_id=c)
    assert _counts(ch, t) == before


def test_dry_run_and_refused_confirmation_write_nothing(
    ch: Any, tenant: tuple[str, str], corpus: Any
) -> None:
    directory, _ = corpus
    t, c = tenant
    before = _counts(ch, t)
    res = import_plan(ch, directory / "en_agency_plan.xlsx", tenant_id=t, client_id=c, dry_run=True)
    assert not res.imported and res.report.ok and res.line_count == 3
    seen: list[Any] = []
    res = import_plan(
        ch,
        directory / "en_agency_plan.xlsx",
        tenant_id=t,
        client_id=c,
        confirm=lambda m, r: seen.append(m) or False,
    )
    assert not res.imported and seen
    assert _counts(ch, t) == before


def test_unknown_client_is_refused(ch: Any, tenant: tuple[str, str], corpus: Any) -> None:
    directory, _ = corpus
    t, _ = tenant
    with pytest.raises(PlanFileError) as err:
        import_plan(ch, directory / "en_agency_plan.xlsx", tenant_id=t, client_id="nobody")
    assert err.value.code == "unknown_client"


def test_confirmed_mapping_is_remembered_per_client_and_reused(
    ch: Any, tenant: tuple[str, str], corpus: Any
) -> None:
    directory, _ = corpus
    t, c = tenant
    path = directory / "en_odd_headers.xlsx"
    manual = {"columns": {"Eyeballs": "planned_impressions", "Hits": "planned_clicks"}}
    first = import_plan(ch, path, tenant_id=t, client_id=c, manual=manual)
    assert first.imported and first.template_id
    # Next upload of the same layout: no manual mapping, no suggester, the template places the columns.
    again = import_plan(ch, path, tenant_id=t, client_id=c)
    assert again.imported and again.template_id == first.template_id
    cols = again.mapping.sheets[0].by_field()
    assert (
        cols["planned_impressions"].header == "Eyeballs" and cols["planned_impressions"].source == "template"
    )
    _, lines = load_plan(ch, t, again.plan_id)
    assert lines[0]["planned_impressions"] == 2_500_000
    # Another client of the same tenant does not inherit it.
    other = import_plan(ch, path, tenant_id=t, client_id="client_b")
    assert "planned_impressions" not in other.mapping.sheets[0].by_field()


def test_tenants_are_isolated(ch: Any, tenant: tuple[str, str], corpus: Any) -> None:
    directory, _ = corpus
    t, c = tenant
    import_plan(ch, directory / "en_agency_plan.xlsx", tenant_id=t, client_id=c, plan_id="iso")
    with pytest.raises(KeyError):
        load_plan(ch, "another_tenant", "iso")
    assert list_plans(ch, "another_tenant") == []


class _FailingLinesClient:
    """The real client, except that the header insert fails (a crash between the two writes)."""

    def __init__(self, real: Any) -> None:
        self.real = real

    def insert(self, table: str, *args: Any, **kwargs: Any) -> Any:
        if table == "app.media_plans":
            raise ConnectionError("connection reset while writing the header")
        return self.real.insert(table, *args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)


def test_failure_between_lines_and_header_leaves_no_version(
    ch: Any, tenant: tuple[str, str], corpus: Any
) -> None:
    directory, _ = corpus
    t, c = tenant
    with pytest.raises(PlanStoreError):
        import_plan(
            _FailingLinesClient(ch),
            directory / "en_agency_plan.xlsx",
            tenant_id=t,
            client_id=c,
            plan_id="crash",
        )
    assert list_plans(ch, t) == []
    visible = ch.query(
        "SELECT count() FROM app.media_plan_lines_current WHERE tenant_id = {t:String}", parameters={"t": t}
    ).result_rows[0][0]
    assert visible == 0
    # And the next attempt is version 1, complete.
    res = import_plan(ch, directory / "en_agency_plan.xlsx", tenant_id=t, client_id=c, plan_id="crash")
    assert res.plan_version == 1
    assert load_plan(ch, t, "crash")[0]["total_budget_net"] == Decimal("46500.00")
