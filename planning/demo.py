"""Demo data: one realistic media plan per demo client whose lines map to the sandbox campaigns.

The plan goes through the real import path (an xlsx built in memory, field detection, validation,
versioned write), so `mrm demo` shows plan-vs-fact on the same tables production uses.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from collections.abc import Mapping, Sequence
from typing import Any

import xlsxwriter

from mrm import clock
from planning.mediaplan import ImportResult, import_plan, list_plans

_CHANNEL = {
    "yandex_direct": ("Поиск / РСЯ", "Яндекс Директ", "CPC"),
    "vk_ads": ("Таргет", "VK Реклама", "CPM"),
}


def _stable(seed: str, lo: int, hi: int) -> int:
    h = int(hashlib.sha256(seed.encode()).hexdigest()[:8], 16)
    return lo + h % (hi - lo + 1)


def build_demo_plan_xlsx(
    client_id: str, campaigns: Sequence[Mapping[str, Any]], flight_start: dt.date, flight_end: dt.date
) -> bytes:
    """An agency-style xlsx (title block, RU headers, formulas, total row) with one line per campaign."""
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False})
    ws = wb.add_worksheet("Медиаплан")
    bold = wb.add_format({"bold": True})
    date = wb.add_format({"num_format": "dd.mm.yyyy"})
    money = wb.add_format({"num_format": "# ##0.00"})
    ws.write("A1", f"Медиаплан: {client_id}", bold)
    ws.write("A2", f"Период: {flight_start:%d.%m.%Y} - {flight_end:%d.%m.%Y}")
    ws.write("A3", "Все цены указаны без НДС")
    headers = ["№", "Канал", "Площадка", "Название кампании", "ID кампании", "Аккаунт", "Дата начала", "Дата окончания",
               "Модель закупки", "Цена за ед., руб.", "Показы", "Клики", "Конверсии", "Бюджет без НДС, руб."]  # fmt: skip
    ws.write_row(4, 0, headers, bold)
    days = (flight_end - flight_start).days + 1
    total = 0.0
    for i, camp in enumerate(campaigns):
        r = 5 + i
        platform = str(camp.get("platform", "yandex_direct"))
        channel, site, model = _CHANNEL.get(platform, ("Digital", platform, "CPM"))
        cid = str(camp.get("campaign_id", ""))
        seed = f"{client_id}:{platform}:{cid}:{camp.get('campaign_name', '')}"
        daily = float(camp.get("daily_budget") or _stable(seed, 2_000, 15_000))
        budget = round(daily * days, 2)
        price = float(_stable(seed + "p", 15, 60)) if model == "CPC" else float(_stable(seed + "p", 90, 350))
        clicks = int(budget / price) if model == "CPC" else int(budget / price * 1000 * 0.006)
        imps = int(clicks / 0.04) if model == "CPC" else int(budget / price * 1000)
        conversions = round(clicks * 0.03, 1)
        total += budget
        ws.write_row(
            r,
            0,
            [i + 1, channel, site, str(camp.get("campaign_name", "")), cid, str(camp.get("account_id", ""))],
        )
        ws.write_datetime(r, 6, dt.datetime.combine(flight_start, dt.time()), date)
        ws.write_datetime(r, 7, dt.datetime.combine(flight_end, dt.time()), date)
        ws.write_row(r, 8, [model, price, imps, clicks, conversions])
        ws.write_number(r, 13, budget, money)
    last = 5 + len(campaigns)
    ws.write(last, 0, "Итого", bold)
    ws.write_formula(last, 13, f"=SUM(N6:N{last})", money, total)
    wb.close()
    return buf.getvalue()


def seed_demo_plans(
    client: Any,
    tenant_id: str,
    client_ids: Sequence[str],
    campaigns: Mapping[str, Sequence[Mapping[str, Any]]] | Sequence[Mapping[str, Any]],
    *,
    flight_start: dt.date | None = None,
    flight_end: dt.date | None = None,
    if_exists: str = "skip",
) -> dict[str, ImportResult | None]:
    """Import one plan ("demo-<client_id>") per client; lines carry the sandbox campaigns' names and ids.

    `campaigns` is {client_id: [{"platform", "campaign_id", "campaign_name", "account_id"?, "daily_budget"?}]}
    or a flat list of such dicts with a "client_id" key. Flight defaults to the 30 days before today
    through 30 days after. With if_exists="skip" a client that already has the demo plan is left as it
    is (None in the result); "new_version" imports another version.
    """
    if isinstance(campaigns, Mapping):
        per_client = {k: list(v) for k, v in campaigns.items()}
    else:
        per_client = {}
        for c in campaigns:
            per_client.setdefault(str(c["client_id"]), []).append(c)
    today = clock.today()
    start = flight_start or today - dt.timedelta(days=30)
    end = flight_end or today + dt.timedelta(days=30)
    existing = (
        {(p["client_id"], p["plan_id"]) for p in list_plans(client, tenant_id)}
        if if_exists == "skip"
        else set()
    )
    out: dict[str, ImportResult | None] = {}
    for cid in client_ids:
        camps = per_client.get(cid, [])
        plan_id = f"demo-{cid}"
        if not camps or (cid, plan_id) in existing:
            out[cid] = None
            continue
        data = build_demo_plan_xlsx(cid, camps, start, end)
        res = import_plan(
            client, data, tenant_id=tenant_id, client_id=cid, plan_id=plan_id, name=f"Демо-медиаплан {cid}",
            filename=f"{plan_id}.xlsx", remember=False, imported_by="mrm demo",
        )  # fmt: skip
        if not res.imported:
            raise RuntimeError(f"demo plan for {cid} did not import:\n{res.report.as_text()}")
        out[cid] = res
    return out
