"""A tenant's branding of its client reports: logo, primary and accent colours, footer line (app.tenant_branding).

Uploads are checked before anything is stored: a PNG must decode, stay within the size limits and is re-encoded
(so nothing but pixels survives); an SVG must parse as plain XML and may hold no script, event handler, foreign
object or reference outside itself. Colours are #RRGGBB. The PDF, the XLSX and the e-mail read one `Branding`.
"""

from __future__ import annotations

import base64
import io
import re
from dataclasses import dataclass
from typing import Any

from workspace import access

__all__ = ["Branding", "BrandingError", "check_color", "check_logo", "load", "save"]

MAX_LOGO_BYTES = 512 * 1024
MAX_LOGO_PIXELS = 2000  # either side
MAX_FOOTER = 200
DEFAULT_PRIMARY = "#1F4E79"
DEFAULT_ACCENT = "#E07B39"
_HEX = re.compile(r"#[0-9A-Fa-f]{6}")
_SVG_FORBIDDEN_TAGS = {"script", "foreignobject", "iframe", "embed", "object", "image", "use", "style"}


class BrandingError(ValueError):
    """A branding value that cannot be stored; the message names the field and is safe to show."""


@dataclass(frozen=True)
class Branding:
    primary: str = DEFAULT_PRIMARY
    accent: str = DEFAULT_ACCENT
    footer: str = ""
    logo_kind: str = ""  # '' | png | svg
    logo: bytes = b""

    def rgb(self, which: str = "primary") -> tuple[int, int, int]:
        h = self.primary if which == "primary" else self.accent
        return int(h[1:3], 16), int(h[3:5], 16), int(h[5:7], 16)


def check_color(value: str, field: str) -> str:
    """'#1f4e79' → '#1F4E79'; anything else is refused naming the field."""
    v = (value or "").strip()
    if not _HEX.fullmatch(v):
        raise BrandingError(f"{field}: a colour is #RRGGBB (six hex digits), got {v[:20]!r}")
    return v.upper()


def check_logo(data: bytes, filename: str = "") -> tuple[str, bytes]:
    """The logo as it will be stored: ('png', re-encoded bytes) or ('svg', the checked text)."""
    if not data:
        raise BrandingError("logo: the file is empty")
    if len(data) > MAX_LOGO_BYTES:
        raise BrandingError(f"logo: {len(data):,} bytes, more than the {MAX_LOGO_BYTES:,} allowed")
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png", _png(data)
    head = data[:512].lstrip().lower()
    if head.startswith((b"<?xml", b"<svg")) or filename.lower().endswith(".svg"):
        return "svg", _svg(data)
    raise BrandingError(f"logo: {filename or 'the file'} is neither a PNG nor an SVG image")


def _png(data: bytes) -> bytes:
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as img:
            if img.format != "PNG":
                raise BrandingError("logo: not a PNG image")
            w, h = img.size
            if w > MAX_LOGO_PIXELS or h > MAX_LOGO_PIXELS or w < 8 or h < 8:
                raise BrandingError(f"logo: {w}×{h} px; allowed 8–{MAX_LOGO_PIXELS} px a side")
            img.load()
            out = io.BytesIO()
            img.convert("RGBA").save(out, format="PNG", optimize=True)
    except BrandingError:
        raise
    except Exception as exc:  # Pillow's many decoder errors: the upload is not a usable image
        raise BrandingError(f"logo: the PNG cannot be read ({type(exc).__name__})") from None
    return out.getvalue()


def _svg(data: bytes) -> bytes:
    from defusedxml import ElementTree
    from defusedxml.common import DefusedXmlException

    try:
        root = ElementTree.fromstring(data, forbid_dtd=True)
    except (DefusedXmlException, ElementTree.ParseError, ValueError) as exc:
        raise BrandingError(f"logo: the SVG is not plain XML ({type(exc).__name__})") from None
    if _local(root.tag) != "svg":
        raise BrandingError("logo: the file's root element is not <svg>")
    for el in root.iter():
        tag = _local(el.tag)
        if tag in _SVG_FORBIDDEN_TAGS:
            raise BrandingError(f"logo: the SVG may not contain <{tag}>")
        for name, value in el.attrib.items():
            attr = _local(name)
            if attr.startswith("on"):
                raise BrandingError(f"logo: the SVG may not carry event handlers ({attr} on <{tag}>)")
            if attr == "href" or "url(" in value.replace(" ", "").lower() and "url(#" not in value.lower():
                raise BrandingError(f"logo: the SVG may not refer outside itself ({attr} on <{tag}>)")
    return data


def _local(tag: Any) -> str:
    return str(tag).rsplit("}", 1)[-1].lower()


def load(ch: Any, tenant_id: str) -> Branding:
    """The tenant's branding, or the defaults when none is set."""
    rows = ch.query(
        "SELECT primary_color, accent_color, footer, logo_kind, logo_b64 FROM app.tenant_branding FINAL "
        "WHERE tenant_id = {t:String}",
        parameters={"t": tenant_id},
    ).result_rows
    if not rows:
        return Branding()
    primary, accent, footer, kind, b64 = rows[0]
    return Branding(primary, accent, footer, kind, base64.b64decode(b64) if b64 else b"")


def save(
    ch: Any,
    p: Any,
    *,
    primary: str,
    accent: str,
    footer: str,
    logo: bytes | None = None,
    logo_name: str = "",
    remove_logo: bool = False,
) -> Branding:
    """Store the tenant's branding (admins only, audited); `logo=None` keeps the stored logo."""
    from dashboards.auth import audit

    access.require(ch, p, "manage_branding", target=p.tenant_id)
    primary, accent = check_color(primary, "primary_color"), check_color(accent, "accent_color")
    footer = " ".join((footer or "").split())
    if len(footer) > MAX_FOOTER:
        raise BrandingError(f"footer: {len(footer)} characters, at most {MAX_FOOTER}")
    old = load(ch, p.tenant_id)
    kind, blob = ("", b"") if remove_logo else (old.logo_kind, old.logo)
    if logo is not None:
        kind, blob = check_logo(logo, logo_name)
    ch.insert(
        "app.tenant_branding",
        [[p.tenant_id, kind, base64.b64encode(blob).decode(), primary, accent, footer, p.login]],
        column_names=[
            "tenant_id",
            "logo_kind",
            "logo_b64",
            "primary_color",
            "accent_color",
            "footer",
            "updated_by",
        ],
    )
    audit(ch, p.tenant_id, p.login, "manage_branding", "ok", target=kind or "no logo")
    return Branding(primary, accent, footer, kind, blob)
