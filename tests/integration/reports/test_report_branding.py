"""Tenant branding: what an upload must be to be stored, who may store it, and the e-mail that carries it."""

from __future__ import annotations

import base64
import io
import socket
from email import message_from_bytes
from email.policy import default

import pytest
from PIL import Image

from assistants.reports import branding
from assistants.reports.branding import BrandingError, check_color, check_logo

TENANT = "it_brand"


def _png(w: int = 120, h: int = 40, extra: bytes = b"") -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (w, h), (200, 30, 60)).save(buf, format="PNG")
    return buf.getvalue() + extra


def test_a_png_is_re_encoded_so_nothing_but_pixels_is_kept():
    kind, stored = check_logo(_png(extra=b"<script>alert(1)</script>"), "logo.png")
    assert kind == "png" and stored.startswith(b"\x89PNG") and b"script" not in stored
    assert Image.open(io.BytesIO(stored)).size == (120, 40)


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"", "a.png", "empty"),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 600_000, "big.png", "more than"),
        (_png(4000, 20), "wide.png", "4000×20 px"),
        (b"\x89PNG\r\n\x1a\nnot really", "broken.png", "cannot be read"),
        (b"GIF89a....", "logo.gif", "neither a PNG nor an SVG"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "x.svg", "<script>"),
        (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "x.svg", "event handlers"),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
            b'<a xlink:href="https://evil.example/">x</a></svg>',
            "x.svg",
            "refer outside",
        ),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg"><rect style="fill:url(https://evil.example/p)"/></svg>',
            "x.svg",
            "refer outside",
        ),
        (
            b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            b'<svg xmlns="http://www.w3.org/2000/svg"><text>&x;</text></svg>',
            "x.svg",
            "not plain XML",
        ),
        (b"<?xml version='1.0'?><html/>", "x.svg", "not <svg>"),
    ],
)
def test_uploads_that_are_refused_say_why(data, name, message):
    with pytest.raises(BrandingError, match=message):
        check_logo(data, name)


def test_a_plain_svg_is_kept_as_drawn():
    svg = (
        b'<svg xmlns="http://www.w3.org/2000/svg" width="100" height="40"><defs><linearGradient id="g">'
        b'<stop offset="0" stop-color="#fff"/></linearGradient></defs><rect width="100" height="40" '
        b'fill="url(#g)"/></svg>'
    )
    assert check_logo(svg, "logo.svg") == ("svg", svg)


@pytest.mark.parametrize("bad", ["red", "#12345", "#GGGGGG", "1F4E79", "#1F4E79;x", ""])
def test_colours_are_six_hex_digits(bad):
    with pytest.raises(BrandingError, match="primary_color"):
        check_color(bad, "primary_color")


def test_only_an_admin_stores_branding_and_the_stored_logo_is_kept(ch):
    from dashboards.auth import AccessDenied, Principal
    from warehouse.migrate import migrate

    migrate(ch)
    for role in ("pm", "account_manager", "analyst", "client"):
        with pytest.raises(AccessDenied):
            branding.save(
                ch,
                Principal(TENANT, f"{role}@b", role, "c1"),
                primary="#000000",
                accent="#FFFFFF",
                footer="x",
            )
    admin = Principal(TENANT, "admin@b", "admin")
    branding.save(
        ch, admin, primary="#7a1f5c", accent="#f2a900", footer=" Агентство\n «Пример» ", logo=_png()
    )
    branding.save(ch, admin, primary="#7A1F5C", accent="#F2A900", footer="Агентство «Пример»")  # no new logo
    got = branding.load(ch, TENANT)
    assert (got.primary, got.accent, got.footer, got.logo_kind) == (
        "#7A1F5C",
        "#F2A900",
        "Агентство «Пример»",
        "png",
    )
    assert Image.open(io.BytesIO(got.logo)).size == (120, 40)
    stored = ch.query(
        "SELECT logo_b64 FROM app.tenant_branding FINAL WHERE tenant_id = {t:String}",
        parameters={"t": TENANT},
    ).result_rows[0][0]
    assert base64.b64decode(stored) == got.logo
    with pytest.raises(BrandingError, match="footer"):
        branding.save(ch, admin, primary="#7A1F5C", accent="#F2A900", footer="x" * 201)
    assert branding.load(ch, "it_brand_nobody") == branding.Branding()  # defaults for a tenant without one


def test_the_email_carries_the_branding_and_the_headline_change(ch, tmp_path):
    from aiosmtpd.controller import Controller

    from assistants import reports
    from tests.integration.reports.test_report_references import refs

    test_only_an_admin_stores_branding_and_the_stored_logo_is_kept(
        ch
    )  # the tenant's branding, as stored there
    snap = {**refs.reference_snapshot(), "narrative": {"text": "Итоги марта.", "narrator": "template"}}
    files = reports.ReportFiles(
        TENANT, "acme", "run-1", reports.parse_period("2026-03-01:2026-03-31"), "ru",
        tmp_path / "r.xlsx", tmp_path / "r.pdf", snap, "hash", "template", 0.1, ["cmo@acme.example"],
    )  # fmt: skip
    files.xlsx.write_bytes(b"PK xlsx")
    files.pdf.write_bytes(b"%PDF-1.4 pdf")
    got = []

    class Sink:
        async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd hook name
            got.append(envelope.content)
            return "250 OK"

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    ctl = Controller(Sink(), hostname="127.0.0.1", port=port)
    ctl.start()
    try:
        reports.send_report(ch, files, smtp_host="127.0.0.1", smtp_port=port)
    finally:
        ctl.stop()
    msg = message_from_bytes(got[0], policy=default)
    html = msg.get_body(("html",)).get_content()
    assert "background:#7A1F5C" in html and "Агентство «Пример»" in html
    assert "1–31 марта 2026" in html and "Сравнение с периодом 29 января – 28 февраля 2026" in html
    assert "345 540,93\u00a0₽" in html and "▲ +14,9" in html  # spend with its sign and its change
    logo = [p for p in msg.walk() if p.get("Content-ID") == "<logo>"]
    assert len(logo) == 1 and logo[0].get_content_type() == "image/png" and 'src="cid:logo"' in html
    assert msg.get_body(("plain",)).get_content().rstrip().endswith("Агентство «Пример»")
    assert sorted(p.get_filename() for p in msg.iter_attachments()) == ["r.pdf", "r.xlsx"]


def test_an_svg_logo_is_drawn_on_the_cover(tmp_path, caplog):
    from assistants.reports.render import ReportContent, write_pdf
    from tests.integration.reports.test_report_references import refs

    svg = b'<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40" viewBox="0 0 120 40"><rect width="120" height="40" fill="#0A0"/></svg>'
    kind, logo = check_logo(svg, "logo.svg")
    brand = branding.Branding("#123456", "#654321", "", kind, logo)
    with caplog.at_level("WARNING", logger="assistants.reports.render"):
        write_pdf(
            ReportContent(refs.reference_snapshot(), [], "—", "template", "en", brand), tmp_path / "r.pdf"
        )
    assert not [r for r in caplog.records if "logo" in r.getMessage()]
    import subprocess

    subprocess.run(
        ["pdftoppm", "-r", "30", "-f", "1", "-l", "1", "-png", str(tmp_path / "r.pdf"), str(tmp_path / "p")],
        check=True,
    )
    img = Image.open(next(tmp_path.glob("p*.png"))).convert("RGB")
    greens = sum(1 for px in img.getdata() if px[1] > 140 and px[0] < 40 and px[2] < 40)
    assert greens > 100, greens  # the logo's green rectangle is on the page
