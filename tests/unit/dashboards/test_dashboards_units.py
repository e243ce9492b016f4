"""Pure parts of the app: password hashing, roles, id checks, OIDC expiry, periods, ratios, i18n, safe exports."""

from __future__ import annotations

import ast
import datetime as dt
import io
import re
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from dashboards import auth, data, i18n, ui

ROOT = Path(__file__).resolve().parents[3] / "dashboards"


def test_password_hashes_are_salted_scrypt_and_verify_only_the_right_password():
    a, b = auth.hash_password("s3cret-pass"), auth.hash_password("s3cret-pass")
    assert a != b and a.startswith("scrypt$16384$8$1$")
    assert auth.verify_password("s3cret-pass", a) and auth.verify_password("s3cret-pass", b)
    assert not auth.verify_password("s3cret-pasS", a)
    assert not auth.verify_password("s3cret-pass", "pbkdf2$garbage")
    with pytest.raises(auth.AuthError, match="8 characters"):
        auth.hash_password("short")


def test_reports_are_sent_by_pm_am_analysts_plans_made_by_planners_and_clients_do_nothing():
    # The full role x action walk is tests/unit/workspace/test_permissions.py.
    for role in auth.ROLES:
        p = auth.Principal("t", "u", role, "c" if role == "client" else "")
        assert p.can("send_report") == (role in ("admin", "pm", "account_manager", "analyst"))
        assert p.can("import_plan") == (
            role in ("admin", "pm", "account_manager", "specialist", "strategist")
        )
    client = auth.Principal("t", "u", "client", "c")
    assert not any(client.can(x) for x in ("build_report", "ask", "data_health", "generate_insights"))


@pytest.mark.parametrize("bad", ["", "a b", "x' OR '1'='1", "a;b", "x" * 129, "акме", "a/b", None])
def test_ids_with_anything_but_plain_characters_are_rejected(bad):
    with pytest.raises(ValueError, match="invalid"):
        auth.check_id("client", bad)


def test_oidc_tokens_past_expiry_or_without_exp_or_email_are_refused_before_any_lookup():
    now = 1_800_000_000
    for claims, msg in (
        ({"email": "a@b.c", "exp": now - 1}, "expired"),
        ({"email": "a@b.c", "exp": now}, "expired"),
        ({"email": "a@b.c"}, "no expiry"),
        ({"email": "a@b.c", "exp": "soon"}, "not a number"),
        ({"exp": now + 60}, "e-mail"),
        ({"email": "a@b.c", "email_verified": False, "exp": now + 60}, "e-mail"),
    ):
        with pytest.raises(auth.AuthError, match=msg):
            auth.principal_from_oidc(None, claims, now=now)  # no warehouse needed: refused before lookup


def test_periods_are_validated_and_the_previous_period_has_the_same_length():
    per = data.period("2026-03-10", "2026-03-16")
    assert per.days == 7 and per.previous() == data.Period(dt.date(2026, 3, 3), dt.date(2026, 3, 9))
    for a, b, msg in (
        ("2026-03-10", "2026-03-01", "before it starts"),
        ("2026-02-30", "2026-03-01", "bad period"),
        ("2020-01-01", "2026-01-01", "longer than"),
        ("1 OR 1=1", "2026-01-01", "bad period"),
    ):
        with pytest.raises(data.DataError, match=msg):
            data.period(a, b)


def test_ratios_are_ratios_of_sums_and_missing_on_zero_denominators():
    rows = pd.DataFrame(
        {
            "impressions": [1000, 3000],
            "clicks": [10, 0],
            "spend_net": [100.0, 50.0],
            "conversions": [2.0, 0.0],
            "conversions_value": [500.0, 0.0],
        }
    )
    total = data.add_ratios(rows.sum().to_frame().T).iloc[0]
    assert total["ctr"] == pytest.approx(10 / 4000) and total["cpc"] == pytest.approx(15.0)
    assert total["cpa"] == pytest.approx(75.0) and total["romi"] == pytest.approx((500 - 150) / 150)
    per_row = data.add_ratios(rows)
    assert pd.isna(per_row.loc[1, "cpc"]) and pd.isna(per_row.loc[1, "cr"]) and per_row.loc[1, "ctr"] == 0


def test_every_text_has_russian_and_english_and_every_used_key_exists():
    for key, (ru, en) in i18n.TEXT.items():
        assert ru.strip() and en.strip(), key
        assert re.findall(r"{(\w+)}", ru) == re.findall(r"{(\w+)}", en), key
    used = set()
    for path in [*ROOT.glob("*.py"), *ROOT.glob("app_pages/*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", "") == "t"
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                used.add(node.args[0].value)
    assert used and used <= set(i18n.TEXT), used - set(i18n.TEXT)
    assert i18n.t("page_overview", "ru") == "Обзор" and i18n.t("page_overview", "en") == "Overview"


def test_downloads_never_carry_live_formulas():
    df = pd.DataFrame(
        {"campaign_name": ['=HYPERLINK("http://x")', "+1", "@SUM(A1)", "Brand"], "clicks": [1, 2, 3, 4]}
    )
    csv = ui.csv_bytes(df).decode("utf-8-sig").splitlines()
    assert csv[1].startswith("\"'=HYPERLINK") and csv[2].startswith("'+1") and csv[4].startswith("Brand")
    ws = openpyxl.load_workbook(io.BytesIO(ui.xlsx_bytes(df))).active
    assert ws["A2"].data_type == "s" and ws["A2"].value.startswith(
        "=HYPERLINK"
    )  # stored as text, not a formula


def test_numbers_are_formatted_for_the_language():
    assert ui.fmt_num(1234567.891, 2, "en") == "1,234,567.89"
    assert ui.fmt_num(1234567.891, 2, "ru") == "1\u00a0234\u00a0567,89"
    assert ui.fmt_num(float("nan"), 0, "en") == "—"
    assert ui.delta_pct(110, 100) == "+10.0 %" and ui.delta_pct(1, 0) is None


def test_cached_functions_take_tenant_and_login_first():
    """st.cache_data is shared by every user of the server: each cached query must be keyed by tenant and user."""
    tree = ast.parse((ROOT / "data.py").read_text(encoding="utf-8"))
    cached = [
        f
        for f in tree.body
        if isinstance(f, ast.FunctionDef) and any("cache_data" in ast.unparse(d) for d in f.decorator_list)
    ]
    assert len(cached) >= 9  # the period queries share one cached runner (_period_frame)
    for f in cached:
        assert [a.arg for a in f.args.args[:2]] == ["tenant_id", "login"], f.name


def test_the_marts_database_name_must_be_an_identifier(monkeypatch):
    monkeypatch.setenv("MRM_MARTS_DB", "marts; DROP TABLE x")
    with pytest.raises(data.DataError):
        data.marts_db()
    monkeypatch.setenv("MRM_MARTS_DB", "marts_bench")
    assert data.marts_db() == "marts_bench"


def test_xlsx_export_has_number_formats_and_a_frozen_header():
    import io

    import openpyxl
    import pandas as pd

    from dashboards import ui

    df = pd.DataFrame({"Spend (net), ₽": [1234.5], "CTR": [0.0618], "Campaign": ["=cmd"]})
    formats = {"Spend (net), ₽": '#,##0.00 "₽"', "CTR": "0.00%"}
    ws = openpyxl.load_workbook(io.BytesIO(ui.xlsx_bytes(df, formats=formats))).active
    assert ws.freeze_panes == "A2"
    assert ws["A2"].number_format == '#,##0.00 "₽"' and ws["B2"].number_format == "0.00%"
    assert ws["C2"].value == "=cmd" and ws["C2"].data_type == "s"  # text, not a formula


def test_plan_lines_are_listed_in_the_planners_order():
    import pandas as pd

    from dashboards import data

    days = pd.DataFrame(
        {
            "line_id": ["L10", "L2", "L1"],
            "channel": ["a", "b", "c"],
            "has_data": [1, 1, 1],
            "date_day": ["2026-01-01"] * 3,
            "line_budget_net": [1.0, 2.0, 3.0],
            "flight_start": ["2026-01-01"] * 3,
            "flight_end": ["2026-01-31"] * 3,
            "cum_actual_spend_net": [1.0, 1.0, 1.0],
            "pacing_ratio": [1.0, 1.0, 1.0],
            "forecast_spend_net_end_of_flight": [1.0, 1.0, 1.0],
            "pacing_status": ["on_track"] * 3,
        }
    )
    assert list(data.line_status(days)["line_id"]) == ["L1", "L2", "L10"]
