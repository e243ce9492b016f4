"""The client report's PDF pages, rendered now, against the reviewed reference pages (RU and EN) in references/.

After a deliberate change to the report's look: `.venv/bin/python scripts/update_report_references.py`, look at
every page it writes, commit them with the change."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import pytest
from PIL import Image, ImageChops

ROOT = Path(__file__).resolve().parents[3]
REFERENCES = Path(__file__).resolve().parent / "references"
_spec = importlib.util.spec_from_file_location(
    "update_report_references", ROOT / "scripts" / "update_report_references.py"
)
refs = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(refs)

# A page matches when its channel values differ by 1/255 on average and at most 0.01 % of them differ strongly:
# another poppler build's anti-aliasing moves edges by a little; a changed amount on the cover (a dozen glyphs) is
# about 0.04 % strong, a changed colour far more (the last test keeps the tolerance honest).
MEAN_TOLERANCE = 1.0
STRONG = 64
STRONG_SHARE = 0.0001

pytestmark = pytest.mark.skipif(
    not shutil.which("pdftoppm"), reason="pdftoppm (poppler-utils) is not installed"
)


def _difference(a: Path, b: Path) -> tuple[float, float]:
    """(mean absolute difference per colour channel, share of channel values differing by more than STRONG):
    in colour, so a changed hue of the same lightness counts too."""
    x, y = Image.open(a).convert("RGB"), Image.open(b).convert("RGB")
    assert x.size == y.size, f"{a.name}: {x.size} against the reference's {y.size}"
    hist = ImageChops.difference(x, y).histogram()  # 3 × 256 counts: R, G, B
    n = 3 * x.width * x.height
    per_level = [sum(hist[c * 256 + i] for c in range(3)) for i in range(256)]
    return sum(i * c for i, c in enumerate(per_level)) / n, sum(per_level[STRONG + 1 :]) / n


@pytest.mark.parametrize("lang", refs.LANGS)
def test_rendered_pages_match_the_reviewed_references(lang, tmp_path):
    pages = refs.render_pages(lang, tmp_path)
    expected = sorted(REFERENCES.glob(f"{lang}-page-*.png"))
    assert expected, f"no references for {lang}: run scripts/update_report_references.py"
    assert [p.name for p in pages] == [p.name for p in expected], "the report has a different number of pages"
    for page, ref in zip(pages, expected, strict=True):
        mean, strong = _difference(page, ref)
        assert mean <= MEAN_TOLERANCE and strong <= STRONG_SHARE, (
            f"{lang} {page.name} differs from the reference: mean {mean:.2f}, strong {strong:.2%} "
            f"(fresh page: {page}); if the change is meant, regenerate and review the references"
        )


def test_the_comparison_sees_a_changed_colour_and_a_changed_number(tmp_path, monkeypatch):
    """The tolerance is not so loose that a visible change passes: another primary colour, or another total."""
    base = refs.reference_branding()
    monkeypatch.setattr(
        refs,
        "reference_branding",
        lambda: type(base)("#1F7A3C", base.accent, base.footer, base.logo_kind, base.logo),
    )
    page = refs.render_pages("ru", tmp_path / "colour")[0]
    mean, strong = _difference(page, REFERENCES / "ru-page-1.png")
    assert mean > MEAN_TOLERANCE or strong > STRONG_SHARE, (mean, strong)

    monkeypatch.undo()
    snap = refs.reference_snapshot()
    snap["totals"]["spend"] = 123456.78
    monkeypatch.setattr(refs, "reference_snapshot", lambda: snap)
    page = refs.render_pages("ru", tmp_path / "number")[0]
    mean, strong = _difference(page, REFERENCES / "ru-page-1.png")
    assert strong > STRONG_SHARE, (mean, strong)
