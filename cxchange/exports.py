"""Exports for the app: every file it offers (charts as SVG and PNG, tables as CSV and XLSX, the readiness report
as HTML, PDF and PPTX), gathered from cxchange.reports.

The app shows every format on one page, so it loads them all through here. The command line writes one
format and imports only that one's module (cli._report); the renderers live in cxchange.reports, one module
per format. Everything works without a browser (vl-convert draws the charts) and without Streamlit.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Sequence

from cxchange.reports import html, pdf, pptx
from cxchange.reports.cells import (
    FORMULA_STARTS,
    blank_suppressed,
    guarded,
    safe_cell,
    team_table,
)
from cxchange.reports.document import (
    REPORT_FORMATS,
    Figure,
    Report,
    ReportData,
    Section,
    pack_teams,
    readiness_report_document,
    slug,
)
from cxchange.reports.drawn import spec as drawn_spec
from cxchange.reports.images import CHART_FORMATS, chart_png, chart_svg, warm
from cxchange.reports.specs import chart_spec, subtitle_only
from cxchange.reports.tables import TABLE_FORMATS, table_csv, table_xlsx
from cxchange.text import MISSING

__all__ = [
    "CHART_FORMATS",
    "FORMULA_STARTS",
    "MISSING",
    "REPORT_FORMATS",
    "RENDERERS",
    "TABLE_FORMATS",
    "Figure",
    "Report",
    "ReportData",
    "Section",
    "blank_suppressed",
    "chart_png",
    "chart_spec",
    "chart_svg",
    "drawn_spec",
    "guarded",
    "pack_teams",
    "readiness_report_document",
    "report_bytes",
    "report_file",
    "report_pack",
    "safe_cell",
    "slug",
    "subtitle_only",
    "table_csv",
    "table_xlsx",
    "team_table",
    "warm",
]

report_html = html.report_html
report_pdf = pdf.report_pdf
report_pptx = pptx.report_pptx
RENDERERS: dict[str, Callable[[Report], bytes]] = {"html": html.render, "pdf": pdf.render, "pptx": pptx.render}


def report_file(report: Report, kind: str, part: int | None = None) -> bytes:
    """The report as a file (`part` None: html, pdf or pptx) or one of its sections (png, svg, csv or xlsx)."""
    if part is None:
        return report_bytes(report, kind)
    section = report.sections[part]
    if kind == "png":
        return chart_png(drawn_spec(section.chart))
    if kind == "svg":
        return chart_svg(drawn_spec(section.chart)).encode("utf-8")
    if kind == "csv":
        return table_csv(section.table, section.hidden or None)
    return table_xlsx(section.table, section.title, section.hidden or None)


def report_pack(reports: Sequence[Report], kind: str) -> bytes:
    """A per-team pack: one report file per team (each scoped to its team), in one ZIP archive."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for report in reports:
            archive.writestr(f"{report.file_stem}.{kind}", report_bytes(report, kind))
    return buffer.getvalue()


def report_bytes(report: Report, kind: str) -> bytes:
    """The report as a file of the format `kind` (html, pdf or pptx)."""
    if kind not in RENDERERS:
        raise ValueError(f"Unknown report format {kind!r}; formats are: {', '.join(RENDERERS)}.")
    return RENDERERS[kind](report)
