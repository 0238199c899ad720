"""Paper is a first-class channel: QR codes back to the online page for printed notices, agendas and sheets."""

import segno
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _


def qr_svg(url: str, scale: int = 4) -> SafeString:
    """The QR code of ``url`` as inline SVG (the content policy allows inline ``<svg>``, never inline scripts).

    The SVG has its natural size for the screen and a viewBox, so that a printed page may scale it down or up
    without cutting off modules. segno writes only numbers and path data derived from the URL's bits, so the
    markup is safe to inline.
    """
    qr = segno.make(url, error="m")
    width, height = qr.symbol_size(scale=scale)
    svg = qr.svg_inline(scale=scale, svgclass="qr", lineclass=None, omitsize=True)
    label = _("QR code of %(url)s") % {"url": url}
    opening = f'<svg width="{width}" height="{height}" role="img" aria-label="{escape(label)}" '
    return mark_safe(svg.replace("<svg ", opening, 1))  # noqa: S308
