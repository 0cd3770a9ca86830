"""The readiness report as a PDF (A4, fpdf2): charts as images, heatmaps and changes as coloured tables."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pandas as pd
from fpdf import FPDF
from fpdf.fonts import FontFace

from cxchange.reports import drawn
from cxchange.reports.document import Report, chart_grid, section_table_rows
from cxchange.reports.images import chart_png, png_size
from cxchange.reports.specs import subtitle_only

PDF_FONT_FILES: tuple[tuple[str, str], ...] = (
    ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
    (
        "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
        "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",
    ),
    ("/Library/Fonts/Arial Unicode.ttf", "/Library/Fonts/Arial Unicode.ttf"),
    ("C:/Windows/Fonts/arial.ttf", "C:/Windows/Fonts/arialbd.ttf"),
)
"""Unicode fonts a PDF embeds, first found wins; without one, the PDF's built-in Helvetica and plain Latin-1."""
_LATIN1 = str.maketrans({"–": "-", "—": "-", "→": "->", "≤": "<=", "≥": ">=", "×": "x", "\u2800": " ", "−": "-"})


def _pdf_font() -> tuple[str, str] | None:
    for regular, bold in PDF_FONT_FILES:
        if Path(regular).is_file() and Path(bold).is_file():
            return regular, bold
    return None


def report_pdf(report: Report) -> bytes:
    """The report as a PDF (A4): charts as images fitted to the page, tables as text, context on every page."""

    font_files = _pdf_font()

    def clean(text: str) -> str:
        if font_files:
            return text
        return text.translate(_LATIN1).encode("latin-1", "replace").decode("latin-1")

    def draw_table(
        header: list[str],
        rows: list[list[str]],
        align: tuple[str, ...],
        line_height: float,
        fills: list[list[Any]] | None = None,
    ) -> None:
        """A table no narrower per column than its longest word (_pdf_column_widths), cells filled where given."""
        pdf.set_text_color(20, 20, 20)
        size, widths = _pdf_column_widths(pdf, family, header, rows, padding=1)
        pdf.set_font(family, "", size)
        with pdf.table(
            col_widths=widths,
            headings_style=FontFace(emphasis="BOLD", fill_color=(240, 240, 240)),
            line_height=line_height,
            padding=1,
            text_align=align,
        ) as table:
            table.row([clean(cell) for cell in header])
            for at, cells in enumerate(rows):
                row = table.row()
                colours = fills[at] if fills else [None] * len(cells)
                for cell, colour in zip(cells, colours, strict=True):
                    row.cell(clean(cell), style=FontFace(fill_color=colour) if colour else None)

    class ReportPDF(FPDF):
        def header(self) -> None:
            self.set_font(family, "B", 9)
            self.set_text_color(90, 90, 90)
            self.cell(0, 5, clean(report.title), new_x="LMARGIN", new_y="NEXT")
            self.ln(2)

        def footer(self) -> None:
            self.set_y(-16)
            self.set_font(family, "", 7.5)
            self.set_text_color(90, 90, 90)
            self.multi_cell(0, 3.6, clean(f"{report.context} · page {self.page_no()} of {{nb}}"), align="L")

    pdf = ReportPDF(orientation="portrait", unit="mm", format="A4")
    pdf.set_title(clean(report.title))
    pdf.set_creator("cxchange")
    if font_files:
        family = "ReportSans"
        pdf.add_font(family, "", font_files[0])
        pdf.add_font(family, "B", font_files[1])
    else:
        family = "Helvetica"
    pdf.set_auto_page_break(auto=True, margin=20)
    pdf.set_margins(15, 12, 15)
    pdf.add_page()
    pdf.set_font(family, "B", 18)
    pdf.set_text_color(20, 20, 20)
    pdf.multi_cell(0, 9, clean(report.title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(family, "", 10)
    pdf.set_text_color(80, 80, 80)
    pdf.multi_cell(0, 5, clean(report.context), new_x="LMARGIN", new_y="NEXT")
    bottom = pdf.h - 20
    for section in report.sections:
        grid = chart_grid(section.native)
        # A heatmap and a grid of changes read as tables on paper (and are drawn in no time); the rest as pictures.
        image = (
            chart_png(subtitle_only(drawn.spec(section.chart))) if section.chart is not None and grid is None else None
        )
        width_mm = pdf.epw
        height_mm = 0.0
        if image is not None:
            pixels_w, pixels_h = png_size(image)
            height_mm = width_mm * pixels_h / pixels_w
            room = bottom - 40  # a whole page below the header and the section's title
            if height_mm > room:
                width_mm, height_mm = width_mm * room / height_mm, room
        if pdf.get_y() + 14 + max(height_mm, 25) > bottom:
            pdf.add_page()
        pdf.ln(4)
        pdf.set_font(family, "B", 13)
        pdf.set_text_color(20, 20, 20)
        pdf.multi_cell(0, 7, clean(section.title), new_x="LMARGIN", new_y="NEXT")
        for number, finding in enumerate(section.findings, start=1):
            if pdf.get_y() + 16 > bottom:
                pdf.add_page()
            pdf.set_font(family, "B", 11.5)
            pdf.set_text_color(20, 20, 20)
            pdf.multi_cell(0, 6, clean(f"{number}. {finding.title}"), new_x="LMARGIN", new_y="NEXT")
            pdf.set_font(family, "", 9.5)
            pdf.set_text_color(60, 60, 60)
            pdf.set_x(pdf.l_margin + 5)
            pdf.multi_cell(pdf.epw - 5, 4.6, clean(finding.sentence), new_x="LMARGIN", new_y="NEXT")
            pdf.ln(1.5)
        if section.figures:
            for figure in section.figures:
                pdf.set_font(family, "B", 11)
                pdf.set_text_color(20, 20, 20)
                pdf.multi_cell(0, 6, clean(f"{figure.label}: {figure.value}"), new_x="LMARGIN", new_y="NEXT")
                if figure.note:
                    pdf.set_font(family, "", 9)
                    pdf.set_text_color(80, 80, 80)
                    pdf.multi_cell(0, 4.5, clean(figure.note), new_x="LMARGIN", new_y="NEXT")
                pdf.ln(1)
        if grid is not None:
            header, rows, fills = grid
            draw_table(header, rows, ("LEFT", *("RIGHT",) * (len(header) - 1)), 4.4, fills)
        if image is not None:
            pdf.image(io.BytesIO(image), x=pdf.l_margin + (pdf.epw - width_mm) / 2, w=width_mm, h=height_mm)
        if section.table is not None:
            header, rows = section_table_rows(section)
            numeric = [pd.api.types.is_numeric_dtype(section.table[column]) for column in section.table.columns]
            draw_table(header, rows, tuple("RIGHT" if is_number else "LEFT" for is_number in numeric), 4)
        if section.note:
            pdf.ln(1)
            pdf.set_font(family, "", 9)
            pdf.set_text_color(60, 60, 60)
            pdf.multi_cell(0, 4.5, clean(section.note), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


PDF_TABLE_SIZES: tuple[float, ...] = (8, 7.5, 7, 6.5, 6)
"""Font sizes (pt) a PDF table tries, largest first, until its longest words fit their columns."""


def _pdf_column_widths(
    pdf: Any, family: str, header: list[str], rows: list[list[str]], padding: float
) -> tuple[float, tuple[float, ...]]:
    """A table's font size and column widths (mm, summing to the page's width) at which no column is narrower
    than its longest word, header words in bold included: a table never breaks a word ("Response / s (n)").

    The space left over makes the shorter texts whole first, then goes to the long ones.
    """
    columns = range(len(header))
    for size in PDF_TABLE_SIZES:
        pdf.set_font(family, "B", size)
        head = [max(pdf.get_string_width(word) for word in (header[i].split() or [""])) for i in columns]
        pdf.set_font(family, "", size)
        words = [max([0.0, *(pdf.get_string_width(word) for row in rows for word in row[i].split())]) for i in columns]
        whole = [max([0.0, *(pdf.get_string_width(row[i]) for row in rows)]) for i in columns]
        slack = 2 * padding + 1.2
        least = [max(head[i], words[i]) + slack for i in columns]
        if sum(least) <= pdf.epw or size == PDF_TABLE_SIZES[-1]:
            break
    # A header may wrap between its words ("Readiness / index"); the cells' text is what asks for room.
    wanted = [min(max(head[i], whole[i]) + slack, 75.0) for i in columns]
    wanted = [max(wanted[i], least[i]) for i in columns]
    room = pdf.epw - sum(least)
    extra = [wanted[i] - least[i] for i in columns]
    if room <= 0 or sum(extra) == 0:
        spread = [least[i] + max(room, 0) / len(header) for i in columns]
    elif sum(extra) <= room:
        spread = [wanted[i] + (room - sum(extra)) / len(header) for i in columns]
    else:
        # Short texts whole first (a team's name on one line), then what is left to the long ones.
        spread = list(least)
        for i in sorted(columns, key=lambda i: extra[i]):
            given = min(extra[i], room / sum(1 for j in columns if extra[j] >= extra[i]))
            spread[i] += given
            room -= given
        spread = [width + room / len(header) for width in spread]
    return size, tuple(spread)


def render(report: Report) -> bytes:
    """The report's PDF file."""
    return report_pdf(report)
