"""The QR code on a printable sample label: the order's page, drawn as inline SVG (no image file, no script)."""
import io

import segno
from markupsafe import Markup


def qr_svg(url, scale=3):
    """An SVG QR code of `url` (error correction M: a label stays readable when slightly scuffed)."""
    buffer = io.BytesIO()
    segno.make(url, error="m", micro=False).save(buffer, kind="svg", xmldecl=False, svgns=True, scale=scale,
                                                  svgclass="qi-qr", title=url)
    return Markup(buffer.getvalue().decode())  # segno writes the SVG itself; `url` is escaped in <title>
