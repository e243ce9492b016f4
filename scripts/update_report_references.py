"""Render the reference client report (RU and EN) and write its pages as PNG references for review.

    .venv/bin/python scripts/update_report_references.py [--out DIR]

The report is built from a fixed snapshot (`reference_snapshot`, below) with a fixed branding, so the pages change
only when the renderer does. Run this after a deliberate change to the report's look, look at every page it
writes (tests/integration/reports/references/), and commit them with the change: the test
tests/integration/reports/test_report_references.py compares freshly rendered pages against these files.
Needs poppler's `pdftoppm` (Debian: poppler-utils) and the DejaVu fonts.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import math
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
REFERENCES = ROOT / "tests" / "integration" / "reports" / "references"
DPI = 50
LANGS = ("ru", "en")

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def reference_snapshot() -> dict[str, Any]:
    """A month of a client on three platforms with a previous month to compare with, a plan and insights."""
    start = dt.date(2026, 3, 1)
    daily = []
    for d in range(31):
        spend = round(9000 + 3500 * math.sin(d / 4.0) + 120 * d, 2)
        daily.append(
            {
                "date": (start + dt.timedelta(days=d)).isoformat(),
                "spend": spend,
                "clicks": int(spend / 45),
                "impressions": int(spend * 9),
                "conversions": float(int(spend / 900)),
                "is_provisional": int(d >= 29),
            }
        )

    def perf(platform: str, share: float, conv_rate: float) -> dict[str, Any]:
        spend = round(sum(x["spend"] for x in daily) * share, 2)
        clicks, imps = int(spend / 45), int(spend * 9)
        conv = float(int(clicks * conv_rate))
        return {
            "platform": platform,
            "impressions": imps,
            "clicks": clicks,
            "spend": spend,
            "commission": 0.0,
            "total_cost": spend,
            "conversions": conv,
            "ctr": round(clicks / imps, 6),
            "cpc": round(spend / clicks, 2),
            "cpa": round(spend / conv, 2) if conv else None,
            "cr": round(conv / clicks, 6),
        }

    platforms = [perf("yandex_direct", 0.55, 0.04), perf("vk_ads", 0.3, 0.02), perf("google_ads", 0.15, 0.03)]
    keys = ("impressions", "clicks", "spend", "commission", "total_cost", "conversions")
    totals = {k: round(sum(p[k] for p in platforms), 2) for k in keys}
    totals.update(
        {
            "impressions": int(totals["impressions"]),
            "clicks": int(totals["clicks"]),
            "conversions_value": 0.0,
            "ctr": round(totals["clicks"] / totals["impressions"], 6),
            "cpc": round(totals["spend"] / totals["clicks"], 2),
            "cpa": round(totals["spend"] / totals["conversions"], 2),
            "cr": round(totals["conversions"] / totals["clicks"], 6),
            "is_provisional": 1,
        }
    )
    previous = {
        "from": "2026-01-29",
        "to": "2026-02-28",
        "has_data": True,
        **{k: v * 0.87 if isinstance(v, float) else int(v * 0.92) for k, v in totals.items()},
    }
    plan = [
        {
            "plan_id": "plan-2026-q1",
            "line_id": f"{n}",
            "line_name": name,
            "channel": channel,
            "budget_net": budget,
            "planned_to_date": budget * 0.5,
            "actual_to_date": budget * ratio * 0.5,
            "pacing_ratio": ratio,
            "forecast_net": budget * ratio,
            "pacing_status": status,
            "flight_end": "2026-04-30",
        }
        for n, name, channel, budget, ratio, status in (
            (1, "Поиск — бренд", "yandex_direct", 200000.0, 1.02, "on_track"),
            (2, "Видео OLV", "vk_ads", 150000.0, 0.7, "under"),
            (10, "Медийная кампания", "google_ads", 90000.0, 1.25, "over"),
        )
    ]
    campaigns = [
        {**p, "campaign_id": f"c{i}{j}", "campaign_name": f"{name} {j}", "spend": round(p["spend"] / 2, 2)}
        for i, p in enumerate(platforms)
        for j, name in ((1, "Бренд"), (2, "Охват"))
    ]
    return {
        "version": "report-v1",
        "client_id": "acme",
        "client_name": "ООО «Акме Ритейл»",
        "currency": "RUB",
        "period": {"kind": "monthly", "from": "2026-03-01", "to": "2026-03-31"},
        "include_vat": False,
        "include_commission": False,
        "totals": totals,
        "previous": previous,
        "platforms": platforms,
        "campaigns": campaigns,
        "channels": [{**p, "channel": p.pop("platform")} for p in [dict(x) for x in platforms]],
        "daily": daily,
        "plan_vs_fact": plan,
        "reach": [
            {
                "platform": "vk_ads",
                "campaign_id": "c11",
                "window_grain": "month",
                "window_start": "2026-03-01",
                "window_end": "2026-03-31",
                "reach": 412000,
                "contacts": 1030000,
                "avg_frequency": 2.5,
            }
        ],
    }


INSIGHTS = {
    "ru": [
        {"type": "top_mover", "severity": "high", "text": "Расход в Яндекс Директе вырос на 14 % за неделю."},
        {"type": "pacing", "severity": "critical", "text": "Строка «Медийная кампания» идёт с перерасходом."},
    ],
    "en": [
        {"type": "top_mover", "severity": "high", "text": "Yandex Direct spend rose 14 % week over week."},
        {"type": "pacing", "severity": "critical", "text": "The line “Display campaign” is overspending."},
    ],
}
NARRATIVE = {
    "ru": "В марте расход вырос, конверсии выросли быстрее расхода, CPA снизилась.",
    "en": "In March spend grew, conversions grew faster than spend, and CPA fell.",
}


def reference_branding() -> Any:
    """A plum and amber branding with a drawn PNG logo (no file needed)."""
    from PIL import Image, ImageDraw

    from assistants.reports.branding import Branding, check_logo

    img = Image.new("RGBA", (240, 80), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    draw.rounded_rectangle((4, 4, 236, 76), radius=18, fill=(255, 255, 255, 255))
    draw.ellipse((16, 16, 64, 64), fill=(242, 169, 0, 255))
    draw.rectangle((80, 30, 220, 50), fill=(122, 31, 92, 255))
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    kind, logo = check_logo(buf.getvalue(), "logo.png")
    return Branding("#7A1F5C", "#F2A900", "Агентство «Пример» · +7 495 000-00-00", kind, logo)


def render_pages(lang: str, out_dir: Path) -> list[Path]:
    """The reference report in `lang` as PNG pages (page-1.png, page-2.png …) in out_dir."""
    from assistants.reports.render import ReportContent, write_pdf

    if not shutil.which("pdftoppm"):
        raise FileNotFoundError(
            "pdftoppm not found: install poppler-utils (apt-get install -y poppler-utils)"
        )
    out_dir.mkdir(parents=True, exist_ok=True)
    content = ReportContent(
        reference_snapshot(), INSIGHTS[lang], NARRATIVE[lang], "template", lang, reference_branding()
    )
    pdf = write_pdf(content, out_dir / f"reference-{lang}.pdf")
    subprocess.run(["pdftoppm", "-r", str(DPI), "-png", str(pdf), str(out_dir / lang)], check=True)
    pages = sorted(out_dir.glob(f"{lang}-*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))
    renamed = []
    for n, page in enumerate(pages, start=1):
        target = out_dir / f"{lang}-page-{n}.png"
        page.replace(target)
        renamed.append(target)
    return renamed


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=REFERENCES)
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for old in args.out.glob("*-page-*.png"):
        old.unlink()
    with tempfile.TemporaryDirectory() as tmp:
        for lang in LANGS:
            for page in render_pages(lang, Path(tmp)):
                shutil.copy(page, args.out / page.name)
                print(args.out / page.name)
    print("look at every page before committing them")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
