"""What every official PDF of Pantau shares: the kop (letterhead), the signature block, the mutu
range table and a horizontal bar chart.

The helpers here build plain data (and, for the chart, inline SVG); the Jinja macros in
`templates/_official.html` lay them out: `kop(k)`, `ttd(s)`, `mutu_table(rows)`, `bar_chart(svg)`.
A report template imports them with `{% import "_official.html" as official %}`; the SKM report and
the province recap do, and the PEKPPP evaluation report is meant to.

- Kop: "PEMERINTAH PROVINSI <NAME>" and the issuing body's lines (OPD, unit), with an optional
  logo: the file named by `PANTAU_REPORT_LOGO`, else `deploy/report/logo.{png,jpg,jpeg,svg}` if
  one is there (none is shipped: no logo is drawn then). The logo is embedded as a data: URI, so
  the renderer still fetches nothing; a missing, unreadable, too large or unrecognised file is
  logged and left out rather than failing the report.
- Signature block: place and date, jabatan, then room to sign, the name and the NIP; whatever is
  not known is printed as a dotted line to be filled in by hand.
"""

from __future__ import annotations

import base64
import logging
from datetime import date
from decimal import Decimal
from pathlib import Path

from markupsafe import Markup, escape

from pantau.rules import ikm as rules

from . import fmt

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[3]
DEFAULT_LOGO_DIR = ROOT / "deploy" / "report"
MAX_LOGO_BYTES = 2 * 1024 * 1024
BLANK = "…………………………………"


def _logo_type(data: bytes) -> str | None:
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    head = data[:512].lstrip().lower()
    if head.startswith(b"<svg") or (head.startswith(b"<?xml") and b"<svg" in data[:2048].lower()):
        return "image/svg+xml"
    return None


def logo_data_uri(configured: str = "") -> str | None:
    """The kop's logo as a data: URI, or None (no logo configured or found, or not usable)."""
    if configured:
        candidates = [Path(configured)]
    else:
        candidates = [DEFAULT_LOGO_DIR / f"logo.{ext}" for ext in ("png", "jpg", "jpeg", "svg")]
        candidates = [p for p in candidates if p.is_file()]
        if not candidates:
            return None
    path = candidates[0]
    try:
        if path.stat().st_size > MAX_LOGO_BYTES:
            log.warning("report logo %s is larger than %d bytes: left out", path, MAX_LOGO_BYTES)
            return None
        data = path.read_bytes()
    except OSError as exc:
        log.warning("report logo %s cannot be read (%s): left out", path, exc)
        return None
    kind = _logo_type(data)
    if kind is None:
        log.warning("report logo %s is not PNG, JPEG or SVG: left out", path)
        return None
    return f"data:{kind};base64,{base64.b64encode(data).decode('ascii')}"


def government_line(province_name: str) -> str:
    """"PEMERINTAH PROVINSI KALIMANTAN TIMUR" from the registry's province name (with or without
    the "Pemerintah Provinsi" prefix)."""
    name = " ".join(province_name.split()).upper()
    if name.startswith("PEMERINTAH"):
        return name
    if name.startswith("PROVINSI"):
        return f"PEMERINTAH {name}"
    return f"PEMERINTAH PROVINSI {name}"


def kop(province_name: str, lines: list[str], logo: str | None = None) -> dict:
    """The letterhead: the government line, then the issuing body from the largest to the
    smallest (e.g. OPD, unit); the last line is printed largest."""
    return {"government": government_line(province_name), "lines": [x for x in lines if x], "logo": logo}


def signature(position: str | None, name: str | None, nip: str | None, place: str | None, on: date,
              default_place: str = "") -> dict:
    """The signature block: `{place}, {date}` / jabatan / (room to sign) / name / NIP. A missing
    name or NIP is a dotted line (`filled` False), as is a missing place."""
    return {
        "place": place or default_place or BLANK,
        "date": fmt.tanggal(on.isoformat()),
        "position": position or BLANK,
        "name": name or None,
        "nip": nip or None,
        "blank": BLANK,
        "filled": bool(name),
    }


def mutu_rows() -> list[dict]:
    """The interval table of PermenPANRB 14/2017 from `pantau.rules.ikm.mutu_ranges` (never
    restated): the converted value's range, mutu and kinerja, and the NRR range it matches
    (the converted value / 25)."""
    out = []
    for mutu, kinerja, low, high in rules.mutu_ranges():
        out.append({
            "mutu": mutu,
            "kinerja": kinerja,
            "low": fmt.angka(low),
            "high": fmt.angka(high),
            "nrr_low": fmt.angka(low / Decimal(25), 4),
            "nrr_high": fmt.angka(high / Decimal(25), 4),
        })
    return out


MUTU_COLOURS = {"A": "#2e7d32", "B": "#7cb342", "C": "#f9a825", "D": "#c62828"}


def bar_chart_svg(bars: list[dict], lo: float = 1.0, hi: float = 4.0, ticks: tuple[float, ...] = (1, 2, 3, 4),
                  width: float = 480, value_digits: int = 3, caption: str = "") -> Markup:
    """A horizontal bar chart as inline SVG (WeasyPrint draws it; nothing is fetched): one bar per
    `{"label", "value", "mutu"}` (value None: no bar, "–"), coloured by mutu, with the value at the
    bar's end and a labelled axis. Sizes are in pt."""
    label_w, value_w, row_h, bar_h, top, axis_h = 195.0, 40.0, 18.0, 11.0, 4.0, 22.0
    plot_w = width - label_w - value_w
    height = top + row_h * len(bars) + axis_h

    def x(v: float) -> float:
        return label_w + plot_w * (max(lo, min(hi, v)) - lo) / (hi - lo)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}pt" height="{height}pt" '
             f'viewBox="0 0 {width} {height}" font-family="DejaVu Sans" font-size="7.5">']
    if caption:
        parts.append(f"<title>{escape(caption)}</title>")
    base = top + row_h * len(bars)
    for t in ticks:
        parts.append(f'<line x1="{x(t):.1f}" y1="{top:.1f}" x2="{x(t):.1f}" y2="{base:.1f}" stroke="#ccc" '
                     'stroke-width="0.5"/>')
        parts.append(f'<text x="{x(t):.1f}" y="{base + 10:.1f}" text-anchor="middle" fill="#333">'
                     f'{escape(fmt.angka(t, 0 if float(t).is_integer() else 2))}</text>')
    for i, b in enumerate(bars):
        y = top + row_h * i
        mid = y + row_h / 2 + 2.6
        label = str(b["label"])
        short = label if len(label) <= 46 else label[:44] + "…"
        parts.append(f'<text x="{label_w - 4:.1f}" y="{mid:.1f}" text-anchor="end" fill="#111">{escape(short)}</text>')
        v = b.get("value")
        if v is None:
            parts.append(f'<text x="{label_w + 2:.1f}" y="{mid:.1f}" fill="#555">–</text>')
            continue
        colour = MUTU_COLOURS.get(b.get("mutu") or "", "#5b7a99")
        parts.append(f'<rect x="{label_w:.1f}" y="{y + (row_h - bar_h) / 2:.1f}" width="{x(v) - label_w:.1f}" '
                     f'height="{bar_h:.1f}" fill="{colour}"/>')
        parts.append(f'<text x="{x(v) + 3:.1f}" y="{mid:.1f}" fill="#111">{escape(fmt.angka(v, value_digits))}'
                     f'{" (" + escape(b["mutu"]) + ")" if b.get("mutu") else ""}</text>')
    parts.append(f'<line x1="{label_w:.1f}" y1="{base:.1f}" x2="{label_w + plot_w:.1f}" y2="{base:.1f}" '
                 'stroke="#333" stroke-width="0.7"/>')
    parts.append("</svg>")
    return Markup("".join(parts))
