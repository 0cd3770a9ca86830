"""The readiness report as a 16:9 PowerPoint deck (python-pptx): native, editable charts in the teams' colours,
one finding per slide, tables in an appendix."""

from __future__ import annotations

import io
import math
from typing import Any

from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LEGEND_POSITION
from pptx.util import Inches, Pt

from cxchange import palette
from cxchange.reports.document import Report, Section, heat_colour, section_table_rows
from cxchange.summary import ChartData
from cxchange.text import MISSING

SLIDE_WIDTH_IN, SLIDE_HEIGHT_IN = 13.333, 7.5
TABLE_ROWS_PER_SLIDE = 10
"""Rows of a table per slide at most (fewer where rows wrap, _slide_chunks); longer tables continue on the next."""
HEATMAP_ROWS_PER_SLIDE = 12
MIN_PT = 14
"""The smallest type on any slide, charts included: what a room reads from the back."""
CONTEXT_BOX_NAME = "Context"
"""Name of the text box carrying the context line at the bottom of every slide."""


def _sized(frame: Any, size: float, bold: bool | None = None, color: Any = None) -> None:
    """Every run of a text frame at `size` pt (and bold / colour where given): no run inherits a size."""

    for paragraph in frame.paragraphs:
        for run in paragraph.runs:
            run.font.size = Pt(size)
            if bold is not None:
                run.font.bold = bold
            if color is not None:
                run.font.color.rgb = color


def _column_widths(header: list[str], rows: list[list[str]]) -> tuple[float, ...]:
    """Relative column widths from the longest text of each column, long texts capped so none squeezes the rest."""
    longest = [
        max([*(len(word) for word in header[i].split()), *(len(row[i]) for row in rows)]) for i in range(len(header))
    ]
    return tuple(float(min(max(length, 6), 45) + 5) for length in longest)


def _lines(text: str, width_in: float, size: float = MIN_PT) -> int:
    """How many lines a cell's text takes at `size` pt in a column `width_in` wide (0.58 em per character)."""
    per_line = max(int((width_in - 0.2) * 72 / (size * 0.58)), 1)
    return max(1, math.ceil(len(text) / per_line))


def _slide_chunks(
    header: list[str], rows: list[list[str]], widths_in: list[float], room: float
) -> list[list[list[str]]]:
    """A table's rows cut into slides: as many rows as fit `room` inches below the header (at most
    TABLE_ROWS_PER_SLIDE), each row as tall as its longest cell wraps to at MIN_PT."""
    line = MIN_PT * 1.2 / 72 + 0.02

    def height(cells: list[str]) -> float:
        return max(_lines(cell, width) for cell, width in zip(cells, widths_in, strict=True)) * line + 0.1

    room -= height(header)
    chunks: list[list[list[str]]] = [[]]
    used = 0.0
    for row in rows:
        tall = height(row)
        if chunks[-1] and (used + tall > room or len(chunks[-1]) >= TABLE_ROWS_PER_SLIDE):
            chunks.append([])
            used = 0.0
        chunks[-1].append(row)
        used += tall
    return chunks


def report_pptx(report: Report) -> bytes:
    """The report as a 16:9 deck worth presenting: a title slide, the executive summary, one slide per finding,
    the report's charts as native (editable) PowerPoint charts, and its tables in an appendix; every text at
    MIN_PT or more, the context line on every slide."""

    deck = Presentation()
    deck.slide_width, deck.slide_height = Inches(SLIDE_WIDTH_IN), Inches(SLIDE_HEIGHT_IN)
    margin = Inches(0.5)
    content_width = deck.slide_width - 2 * margin
    grey, ink = RGBColor(0x55, 0x55, 0x55), RGBColor(0x22, 0x22, 0x22)
    context_top = deck.slide_height - Inches(0.72)
    bottom = context_top - Inches(0.1)

    def text_box(slide: Any, left: int, top: int, width: int, height: int, text: str, size: float, **style: Any):
        box = slide.shapes.add_textbox(left, top, width, height)
        frame = box.text_frame
        frame.word_wrap = True
        frame.text = text
        _sized(frame, size, style.get("bold", False), style.get("color", ink))
        return box

    def add_context(slide: Any) -> None:
        box = text_box(slide, margin, context_top, content_width, Inches(0.65), report.context, MIN_PT, color=grey)
        box.name = CONTEXT_BOX_NAME

    def slide_with_title(title: str, note: str = "", note_size: float = 16) -> tuple[Any, int]:
        """A slide titled `title` (a note under it), the context at its foot; returns it and where content starts."""
        slide = deck.slides.add_slide(deck.slide_layouts[5])  # "Title Only"
        heading = slide.shapes.title
        long_title = len(title) > 44  # what one line holds at 28 pt bold
        heading.left, heading.top, heading.width = margin, Inches(0.25), content_width
        heading.height = Inches(1.1 if long_title else 0.8)
        heading.text = title
        heading.text_frame.word_wrap = True
        _sized(heading.text_frame, 24 if long_title else 28, bold=True, color=ink)
        top = heading.top + heading.height + Inches(0.1)
        if note:
            # About 0.58 em per character of DejaVu/Liberation Sans (wider than most), 1.2 em per line.
            per_line = int(content_width / Inches(1) * 72 / (note_size * 0.58))
            lines = sum(max(1, math.ceil(len(part) / per_line)) for part in note.splitlines() or [note])
            height = Inches(lines * note_size * 1.2 / 72 + 0.15)
            text_box(slide, margin, top, content_width, height, note, note_size, color=grey)
            top += height + Inches(0.05)
        add_context(slide)
        return slide, top

    def add_chart(slide: Any, data: ChartData, top: int) -> None:
        kinds = {
            "bar": XL_CHART_TYPE.COLUMN_CLUSTERED,
            "barh": XL_CHART_TYPE.BAR_CLUSTERED,
            "stacked": XL_CHART_TYPE.BAR_STACKED_100,
            "line": XL_CHART_TYPE.LINE_MARKERS,
        }
        chart_data = CategoryChartData(number_format=data.number_format)
        chart_data.categories = list(data.categories)
        for name, values in data.series:
            chart_data.add_series(name, list(values))
        frame = slide.shapes.add_chart(kinds[data.kind], margin, top, content_width, bottom - top, chart_data)
        chart = frame.chart
        chart.font.size = Pt(MIN_PT)
        chart.has_legend = len(data.series) > 1
        if chart.has_legend:
            chart.legend.position = XL_LEGEND_POSITION.BOTTOM
            chart.legend.include_in_layout = False
            chart.legend.font.size = Pt(MIN_PT)
        axis = chart.value_axis
        axis.tick_labels.font.size = Pt(MIN_PT)
        axis.has_major_gridlines = True
        if data.value_range is not None:
            axis.minimum_scale, axis.maximum_scale = data.value_range
        if data.value_title:
            axis.has_title = True
            axis.axis_title.text_frame.text = data.value_title
            _sized(axis.axis_title.text_frame, MIN_PT, color=grey)
        categories = chart.category_axis
        categories.tick_labels.font.size = Pt(MIN_PT)
        if data.kind in ("barh", "stacked"):
            categories.reverse_order = True  # first category at the top, as read
        plot = chart.plots[0]
        if data.kind != "line":
            plot.gap_width = 60
        if len(data.series) == 1 and data.kind in ("bar", "barh"):
            plot.has_data_labels = True
            plot.data_labels.font.size = Pt(MIN_PT)
            plot.data_labels.number_format = data.number_format
            plot.data_labels.number_format_is_linked = False
        drawn = palette.BARRIER_COLOURS if data.kind == "stacked" else data.colours
        for series, colour in zip(plot.series, drawn, strict=False):
            rgb = RGBColor.from_string(colour.lstrip("#").upper())
            if data.kind == "line":  # a team's line and its markers in the team's colour, as on every page
                series.smooth = False
                series.format.line.color.rgb = rgb
                series.marker.format.fill.solid()
                series.marker.format.fill.fore_color.rgb = rgb
                series.marker.format.line.color.rgb = rgb
            else:
                series.format.fill.solid()
                series.format.fill.fore_color.rgb = rgb

    def add_table(slide: Any, header: list[str], rows: list[list[str]], top: int, fills: Any = None) -> None:
        widths = _column_widths(header, [*rows])
        shape = slide.shapes.add_table(len(rows) + 1, len(header), margin, top, content_width, Inches(0.4))
        table = shape.table
        for index, relative in enumerate(widths):
            table.columns[index].width = int(content_width * relative / sum(widths))
        for row_index, cells in enumerate([header, *rows]):
            for column_index, value in enumerate(cells):
                cell = table.cell(row_index, column_index)
                cell.text = value
                _sized(cell.text_frame, MIN_PT, bold=row_index == 0)
                fill = fills(row_index - 1, column_index) if fills is not None and row_index else None
                if fill is not None:
                    cell.fill.solid()
                    cell.fill.fore_color.rgb = RGBColor(*fill)
                    for paragraph in cell.text_frame.paragraphs:
                        for run in paragraph.runs:
                            run.font.color.rgb = ink

    title_slide = deck.slides.add_slide(deck.slide_layouts[0])
    heading = title_slide.shapes.title
    heading.left, heading.top, heading.width, heading.height = margin, Inches(2.0), content_width, Inches(1.8)
    heading.text = report.title
    _sized(heading.text_frame, 40, bold=True, color=ink)
    subtitle = title_slide.placeholders[1]
    subtitle.left, subtitle.top, subtitle.width, subtitle.height = margin, Inches(4.0), content_width, Inches(1.0)
    subtitle.text = "Executive summary, then readiness by team: ADKAR elements, barrier points, trend and change."
    _sized(subtitle.text_frame, 20, color=grey)
    add_context(title_slide)

    appendix: list[Section] = []
    for section in report.sections:
        if section.findings:
            slide, top = slide_with_title(section.title)
            box = slide.shapes.add_textbox(margin, top, content_width, bottom - top)
            frame = box.text_frame
            frame.word_wrap = True
            for number, finding in enumerate(section.findings):
                paragraph = frame.paragraphs[0] if number == 0 else frame.add_paragraph()
                paragraph.text = finding.title
                paragraph.space_after = Pt(8)
            _sized(frame, 20 if len(section.findings) <= 6 else 18, color=ink)
            for finding in section.findings:
                slide, top = slide_with_title(finding.title, finding.sentence, note_size=18)
                if finding.chart is not None:
                    add_chart(slide, finding.chart, top)
                elif len(finding.rows) > 1:
                    header, *rows = finding.rows
                    add_table(slide, list(header), [list(row) for row in rows[:TABLE_ROWS_PER_SLIDE]], top)
        elif section.figures:
            slide, top = slide_with_title(section.title, section.note)
            count = len(section.figures)
            gap = Inches(0.2)
            width = int((content_width - gap * (count - 1)) / count)
            for position, figure in enumerate(section.figures):
                left = margin + position * (width + gap)
                text_box(slide, left, top + Inches(0.2), width, Inches(0.6), figure.label, 16, color=grey)
                text_box(slide, left, top + Inches(0.85), width, Inches(1.0), figure.value, 36, bold=True)
                text_box(slide, left, top + Inches(1.9), width, Inches(2.6), figure.note, MIN_PT, color=grey)
        elif section.native is not None and section.native.kind == "heatmap":
            data = section.native
            header = ["Team", *(name for name, _ in data.series)]
            pages = max(math.ceil(len(data.categories) / HEATMAP_ROWS_PER_SLIDE), 1)
            for page in range(pages):
                first = page * HEATMAP_ROWS_PER_SLIDE
                chunk = range(first, min(first + HEATMAP_ROWS_PER_SLIDE, len(data.categories)))
                title = section.title + (f" ({page + 1} of {pages})" if pages > 1 else "")
                slide, top = slide_with_title(
                    title, "Mean on the 1–5 scale per team and element; a grey row is a hidden team: no figure."
                )
                rows = [
                    [data.categories[i].strip() + ("" if data.series[0][1][i] is not None else " (hidden)")]
                    + [MISSING if values[i] is None else f"{values[i]:.2f}" for _, values in data.series]
                    for i in chunk
                ]
                starts = list(chunk)
                add_table(
                    slide,
                    header,
                    rows,
                    top,
                    fills=lambda row, column, starts=starts, data=data: (
                        None if column == 0 else heat_colour(data.series[column - 1][1][starts[row]])
                    ),
                )
        elif section.native is not None:
            slide, top = slide_with_title(section.title, section.note)
            add_chart(slide, section.native, top)
        elif section.chart is not None:
            slide, top = slide_with_title(section.title, section.note)
            text_box(slide, margin, top, content_width, Inches(1), "No figure to draw: see the tables.", MIN_PT)
        elif section.table is not None:
            appendix.append(section)
        else:
            slide_with_title(section.title, section.note)
    for section in appendix:
        header, rows = section_table_rows(section)
        widths = _column_widths(header, rows)
        inches = [(SLIDE_WIDTH_IN - 1.0) * width / sum(widths) for width in widths]
        chunks = _slide_chunks(header, rows, inches, room=4.6)
        pages = len(chunks)
        for page, chunk in enumerate(chunks):
            title = f"Appendix: {section.title}" + (f" ({page + 1} of {pages})" if pages > 1 else "")
            slide, top = slide_with_title(title, section.note if page == 0 else "")
            add_table(slide, header, chunk, top)
    buffer = io.BytesIO()
    deck.save(buffer)
    return buffer.getvalue()


def render(report: Report) -> bytes:
    """The report's PPTX file."""
    return report_pptx(report)
