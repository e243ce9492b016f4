"""Benchmark: detection and validation of a 10,000-line media plan (target <= 5 s on 2 cores).

`python -m planning.bench [--lines N]` builds a realistic xlsx in memory (formulas, dates, text
numbers), then times reading + field detection + validation, and prints the seconds.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import sys
import time

import xlsxwriter

from planning.mediaplan import analyse, read_workbook

LIMIT_S = 5.0
HEADERS = ["№", "Канал", "Площадка", "Название кампании", "ID кампании", "Формат", "Дата начала", "Дата окончания",
           "Модель закупки", "Цена за ед., руб.", "Показы", "Клики", "CTR, %", "Бюджет без НДС, руб.",
           "Бюджет с НДС, руб.", "Охват, %", "Частота", "ЦА", "Гео", "Комментарий"]  # fmt: skip
CHANNELS = [("Поиск", "Яндекс Директ", "CPC"), ("РСЯ", "Яндекс Директ", "CPM"), ("OLV", "VK Реклама", "CPM"),
            ("Таргет", "VK Реклама", "CPC"), ("Медийная реклама", "Яндекс", "CPM")]  # fmt: skip


def build_plan(lines: int = 10_000) -> bytes:
    """An xlsx plan with `lines` lines, a title block, formulas with cached values and a total row."""
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet("Медиаплан")
    date = wb.add_format({"num_format": "dd.mm.yyyy"})
    ws.write("A1", "Медиаплан: нагрузочный тест")
    ws.write("A2", "Период: 01.01.2026 - 31.12.2026")
    ws.write_row(3, 0, HEADERS)
    start = dt.datetime(2026, 1, 1)
    total = 0.0
    for i in range(lines):
        r = 4 + i
        ch, platform, model = CHANNELS[i % len(CHANNELS)]
        s = start + dt.timedelta(days=i % 300)
        price = 50.0 + (i % 40) * 5
        imps = 100_000 + (i * 37) % 900_000
        clicks = imps // 100
        budget = price * imps / 1000 if model == "CPM" else price * clicks
        total += budget
        ws.write_row(r, 0, [i + 1, ch, platform, f"camp_{i:05d}", str(70000000 + i), "Баннер"])
        ws.write_datetime(r, 6, s, date)
        ws.write_datetime(r, 7, s + dt.timedelta(days=30), date)
        ws.write_row(r, 8, [model, price, imps, clicks, f"{clicks / imps * 100:.2f}%".replace(".", ",")])
        ws.write_formula(
            r, 13, f"=J{r + 1}*K{r + 1}/1000" if model == "CPM" else f"=J{r + 1}*L{r + 1}", None, budget
        )
        ws.write_formula(r, 14, f"=N{r + 1}*1.22", None, budget * 1.22)
        ws.write_row(r, 15, [f"{10 + i % 50}%", 1.5 + (i % 10) / 10, "Все 25-45", "Москва", ""])
    ws.write(4 + lines, 0, "Итого")
    ws.write_formula(4 + lines, 13, f"=SUM(N5:N{4 + lines})", None, total)
    wb.close()
    return buf.getvalue()


def run(lines: int = 10_000) -> tuple[float, float, int]:
    """(seconds for read+detect+validate, seconds for detect+validate alone, lines parsed)."""
    data = build_plan(lines)
    t0 = time.perf_counter()
    wb = read_workbook(data, "bench.xlsx")
    t1 = time.perf_counter()
    _, _, report, parsed, _ = analyse(wb)
    t2 = time.perf_counter()
    if not report.ok or len(parsed) != lines:
        raise SystemExit(f"benchmark plan did not validate:\n{report.as_text(20)}")
    return t2 - t0, t2 - t1, len(parsed)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lines", type=int, default=10_000)
    args = parser.parse_args(argv)
    total, detect, n = run(args.lines)
    print(f"media-plan import benchmark: {n} lines; read+detect+validate {total:.2f} s "
          f"(detect+validate {detect:.2f} s); limit {LIMIT_S:.0f} s")  # fmt: skip
    print(f"{total:.3f}")
    return 0 if total <= LIMIT_S else 1


if __name__ == "__main__":
    sys.exit(main())
