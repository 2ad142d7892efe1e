"""Small server-rendered SVG bar charts: no chart library, no JavaScript, a few hundred bytes each.

Every chart is meant to sit beside a table with the same numbers (``templates/core/_charts.html``),
so the SVG is decoration for sighted readers and the table is the accessible, printable record.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from .fmt import angka

# Colour-blind-safe palette (Okabe-Ito), readable on white and in greyscale print.
PALETTE = ("#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9")


@dataclass
class ChartRow:
    label: str
    values: tuple[float, ...]


def _rows(rows) -> list[ChartRow]:
    out = []
    for label, value in rows:
        values = tuple(value) if isinstance(value, (list, tuple)) else (value,)
        out.append(ChartRow(str(label), tuple(v or 0 for v in values)))
    return out


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def bar_chart(
    rows: Sequence,
    title: str,
    series: Sequence[str] = (),
    width: int = 360,
    label_width: int = 120,
    bar: int = 14,
    gap: int = 6,
) -> Markup:
    """Horizontal bar chart as inline SVG.

    ``rows`` is ``[(label, value), ...]``, or ``[(label, (v1, v2, ...)), ...]`` with one name per value
    in ``series`` for grouped bars (e.g. laki-laki / perempuan). Bars scale to the largest value; each bar
    carries its number, so the chart reads without the table too.
    """
    data = _rows(rows)
    groups = max([len(r.values) for r in data] + [len(series), 1])
    peak = max([v for r in data for v in r.values] + [0]) or 1
    value_room = 44
    plot = max(40, width - label_width - value_room)
    legend = 18 if len(series) > 1 else 0
    band = groups * bar + gap
    height = legend + max(1, len(data)) * band + gap
    out = [
        (
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
            f'height="{height}" role="img" aria-label="{escape(title)}" font-size="11" '
            f'font-family="system-ui,sans-serif"><title>{escape(title)}</title>'
        )
    ]
    if legend:
        x = label_width
        for i, name in enumerate(series):
            colour = PALETTE[i % len(PALETTE)]
            out.append(
                f'<rect x="{x}" y="3" width="10" height="10" fill="{colour}"/>'
                f'<text x="{x + 14}" y="12">{escape(_clip(str(name), 18))}</text>'
            )
            x += 24 + 7 * len(_clip(str(name), 18))
    if not data:
        out.append(f'<text x="4" y="{legend + 14}" fill="#5b6770">Belum ada data</text>')
    for n, row in enumerate(data):
        top = legend + gap + n * band
        out.append(
            f'<text x="{label_width - 6}" y="{top + groups * bar / 2 + 4:g}" text-anchor="end">'
            f"{escape(_clip(row.label, label_width // 6))}</text>"
        )
        for i in range(groups):
            value = row.values[i] if i < len(row.values) else 0
            length = round(plot * value / peak, 1)
            y = top + i * bar
            out.append(
                f'<rect x="{label_width}" y="{y}" width="{length:g}" height="{bar - 2}" '
                f'fill="{PALETTE[i % len(PALETTE)]}"/>'
                f'<text x="{label_width + length + 4:g}" y="{y + bar - 4}">{angka(value)}</text>'
            )
    out.append("</svg>")
    return Markup("".join(out))


def percent(part: float, whole: float) -> str:
    """'42,9%' for tables beside charts; '–' when there is nothing to divide by."""
    if not whole:
        return "–"
    return angka(100 * part / whole, 1) + "%"
