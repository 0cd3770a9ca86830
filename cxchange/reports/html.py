"""The readiness report as one self-contained HTML file: inline SVG charts and CSS, no script, nothing fetched.

A heatmap and a set of changes are coloured tables, as in the PDF (document.chart_grid builds both): they read
as tables and take no time to draw, where their pictures took the renderer a second and more."""

from __future__ import annotations

import html
import re
from typing import Any

import pandas as pd

from cxchange.reports import drawn
from cxchange.reports.document import Report, chart_grid, section_table_rows
from cxchange.reports.images import chart_svg
from cxchange.reports.specs import subtitle_only

_HTML_STYLE = """
body { font-family: "DejaVu Sans", "Liberation Sans", Arial, Helvetica, sans-serif; color: #222;
       max-width: 1100px; margin: 2rem auto; padding: 0 1.5rem; line-height: 1.45; }
h1 { font-size: 1.7rem; margin-bottom: 0.2rem; }
h2 { font-size: 1.25rem; margin: 2.2rem 0 0.4rem; border-bottom: 1px solid #ddd; padding-bottom: 0.2rem; }
.context { color: #555; font-size: 0.85rem; }
.note { color: #333; font-size: 0.95rem; }
.figures { display: flex; flex-wrap: wrap; gap: 1rem; }
.figure { flex: 1 1 9rem; border: 1px solid #ddd; border-radius: 6px; padding: 0.6rem 0.8rem; }
.figure .label { font-size: 0.85rem; color: #555; }
.figure .value { font-size: 2rem; font-weight: bold; }
.figure .note { font-size: 0.8rem; color: #555; }
figure { margin: 0.5rem 0; }
figure svg { max-width: 100%; height: auto; }
table { border-collapse: collapse; width: 100%; font-size: 0.9rem; }
th, td { border-bottom: 1px solid #e2e2e2; padding: 0.35rem 0.5rem; text-align: left; vertical-align: top; }
th { background: #f4f4f4; }
td.number { text-align: right; white-space: nowrap; }
tr.hidden td { color: #777; }
table.grid td { border-bottom: 1px solid #fff; }
ol.findings { padding-left: 1.4rem; }
ol.findings li { margin: 0 0 0.7rem; }
ol.findings strong { font-size: 1.1rem; }
footer { margin-top: 3rem; border-top: 1px solid #ddd; padding-top: 0.5rem; }
@media print { section { break-inside: avoid; } body { margin: 0; max-width: none; } }
"""


def _svg_body(svg: str) -> str:
    """An SVG document as an element to write inline into HTML (no XML declaration)."""
    return re.sub(r"^\s*<\?xml[^>]*>\s*", "", svg)


_NUMBER = ' class="number"'


def _fill(colour: tuple[int, int, int] | None) -> str:
    return "" if colour is None else ' style="background: #{:02x}{:02x}{:02x}"'.format(*colour)


def _grid_table(header: list[str], rows: list[list[str]], fills: list[list[Any]]) -> list[str]:
    """A heatmap or a set of changes (document.chart_grid) as an HTML table: cells filled, figures right-aligned,
    a hidden team's row greyed (its cells carry no figure)."""
    escape = html.escape
    head = "".join(f"<th>{escape(cell)}</th>" for cell in header)
    parts = ['<table class="grid">', f"<thead><tr>{head}</tr></thead>", "<tbody>"]
    for cells, colours in zip(rows, fills, strict=True):
        drawn = "".join(
            f"<td{_NUMBER if at else ''}{_fill(colour)}>{escape(cell)}</td>"
            for at, (cell, colour) in enumerate(zip(cells, colours, strict=True))
        )
        hidden = cells[0].endswith(" (hidden)")
        parts.append(f'<tr class="hidden">{drawn}</tr>' if hidden else f"<tr>{drawn}</tr>")
    parts.append("</tbody></table>")
    return parts


def report_html(report: Report) -> str:
    """The report as one self-contained HTML file: inline SVG charts and CSS, no script, nothing fetched."""
    escape = html.escape
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(report.title)}</title>",
        f"<style>{_HTML_STYLE}</style>",
        "</head>",
        "<body>",
        "<header>",
        f"<h1>{escape(report.title)}</h1>",
        f'<p class="context">{escape(report.context)}</p>',
        "</header>",
    ]
    for section in report.sections:
        parts.append("<section>")
        parts.append(f"<h2>{escape(section.title)}</h2>")
        if section.findings:
            parts.append('<ol class="findings">')
            for finding in section.findings:
                parts.append(
                    f'<li class="{escape(finding.kind)}"><strong>{escape(finding.title)}</strong>'
                    f"<br>{escape(finding.sentence)}</li>"
                )
            parts.append("</ol>")
        if section.figures:
            parts.append('<div class="figures">')
            for figure in section.figures:
                parts.append(
                    '<div class="figure">'
                    f'<div class="label">{escape(figure.label)}</div>'
                    f'<div class="value">{escape(figure.value)}</div>'
                    f'<div class="note">{escape(figure.note)}</div>'
                    "</div>"
                )
            parts.append("</div>")
        grid = chart_grid(section.native)
        if grid is not None:
            parts.extend(_grid_table(*grid))
        elif section.chart is not None:
            parts.append(f'<figure role="img" aria-label="{escape(section.title)}">')
            parts.append(_svg_body(chart_svg(subtitle_only(drawn.spec(section.chart)))))
            parts.append("</figure>")
        if section.table is not None:
            header, rows = section_table_rows(section)
            numeric = [pd.api.types.is_numeric_dtype(section.table[column]) for column in section.table.columns]
            parts.append("<table>")
            parts.append("<thead><tr>" + "".join(f"<th>{escape(cell)}</th>" for cell in header) + "</tr></thead>")
            parts.append("<tbody>")
            flags = section.hidden or (False,) * len(rows)
            for row, hidden in zip(rows, flags, strict=True):
                cells = "".join(
                    f'<td class="number">{escape(cell)}</td>' if is_number else f"<td>{escape(cell)}</td>"
                    for cell, is_number in zip(row, numeric, strict=True)
                )
                parts.append(f'<tr class="hidden">{cells}</tr>' if hidden else f"<tr>{cells}</tr>")
            parts.append("</tbody></table>")
        if section.note:
            parts.append(f'<p class="note">{escape(section.note)}</p>')
        parts.append(f'<p class="context">{escape(report.context)}</p>')
        parts.append("</section>")
    parts += [
        f'<footer><p class="context">{escape(report.context)} · made with cxchange</p></footer>',
        "</body>",
        "</html>",
    ]
    return "\n".join(parts)


def render(report: Report) -> bytes:
    """The report's HTML file, as bytes (UTF-8)."""
    return report_html(report).encode("utf-8")
