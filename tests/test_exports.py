"""Exports opened and checked: XLSX and CSV read back, the PDF's text, the PPTX's slides, the HTML's sources."""

from __future__ import annotations

import csv
import html
import io
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import altair as alt
import numpy as np
import pandas as pd
import pytest
import streamlit as st
from openpyxl import load_workbook
from pptx import Presentation
from pptx.enum.chart import XL_CHART_TYPE
from pptx.util import Inches
from pypdf import PdfReader
from streamlit.testing.v1 import AppTest
from test_colours import line_colours, trend_spec

from cxchange import charts, cli, exports, organisation, services, store
from cxchange.reports import document as report_doc
from cxchange.reports import images as report_images
from cxchange.reports import pdf as report_pdf
from cxchange.reports import pptx as report_pptx

ROOT = Path(__file__).resolve().parent.parent
CONTEXT = (
    "Customer First · wave 2026 Q4 (opened 2026-10-12) · team: All teams · all respondents · "
    "groups under 5 responses hidden · Demo data"
)
DANGEROUS = ['=HYPERLINK("http://example.invalid","click")', "+1-555-0100", "@SUM(A1)", "-2+3", "\tTab", "\rReturn"]


def collapse(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


# Cells, CSV and XLSX ------------------------------------------------------------------------


def test_safe_cell_neutralises_formula_like_text_and_keeps_numbers():
    for text in DANGEROUS:
        assert exports.safe_cell(text) == "'" + text
    assert exports.safe_cell("Stores North") == "Stores North"
    assert exports.safe_cell("fewer than 5") == "fewer than 5"
    assert exports.safe_cell(3) == 3
    assert exports.safe_cell(-2.5) == -2.5  # a negative number is a number, not a formula
    assert type(exports.safe_cell(np.int64(4))) is int
    assert type(exports.safe_cell(np.float64(66.7))) is float
    for missing in (None, float("nan"), np.nan, pd.NA):
        assert exports.safe_cell(missing) is None


@pytest.fixture
def risky_table() -> pd.DataFrame:
    """Team names a user typed, one a formula, beside figures; the second row is a hidden team."""
    return pd.DataFrame(
        {
            "Team": ["Stores North", "Tiny team", *DANGEROUS[:3]],
            "Responses (n)": pd.array([231, 3, 20, 21, 22], dtype="Int64"),
            "Readiness index": [71.4, 99.9, 60.0, 61.0, 62.0],
            "Barrier point": ["none", "fewer than 5", "Awareness", "none", "none"],
        }
    )


HIDDEN = (False, True, False, False, False)


def test_xlsx_reads_back_as_values_with_formulas_neutralised_and_hidden_figures_blank(risky_table):
    data = exports.table_xlsx(risky_table, "Teams: 2026/Q4", hidden=HIDDEN)
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet.title == "Teams  2026 Q4"  # characters Excel forbids in a sheet name are replaced
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("Team", "Responses (n)", "Readiness index", "Barrier point")
    assert all(cell.font.bold for cell in sheet[1])
    assert rows[1] == ("Stores North", 231, 71.4, "none")
    assert rows[2] == ("Tiny team", "—", "—", "fewer than 5")  # hidden: no figure, whatever the table held
    assert [row[0] for row in rows[3:]] == ["'" + text for text in DANGEROUS[:3]]
    assert not [cell for row in sheet.iter_rows() for cell in row if cell.data_type == "f"]
    assert sheet.column_dimensions["A"].width >= len(DANGEROUS[0])


def test_csv_has_a_bom_neutralised_cells_and_no_hidden_figure(risky_table):
    data = exports.table_csv(risky_table, hidden=HIDDEN)
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == ["Team", "Responses (n)", "Readiness index", "Barrier point"]
    assert rows[1] == ["Stores North", "231", "71.4", "none"]
    assert rows[2] == ["Tiny team", "—", "—", "fewer than 5"]
    assert [row[0] for row in rows[3:]] == ["'" + text for text in DANGEROUS[:3]]
    assert "99.9" not in data.decode("utf-8-sig")


def test_hidden_flags_must_match_the_rows(risky_table):
    with pytest.raises(ValueError, match="5 rows but 2 hidden flags"):
        exports.table_csv(risky_table, hidden=(True, False))


def test_team_table_never_shows_a_suppressed_figure_even_when_the_rows_carry_one(demo_frame):
    wave = int(demo_frame["wave_id"].max())
    tampered = demo_frame.copy()
    hidden = tampered["suppressed"].astype(bool)
    assert hidden[tampered["wave_id"] == wave].sum() == 2
    # As if a bug upstream had left the figures in: the exporter must blank them again.
    tampered.loc[hidden, ["readiness", "n", "awareness", "response_rate"]] = [99.9, 3, 1.5, 0.43]
    tampered.loc[hidden, "barrier_point"] = "awareness"

    table, flags = exports.team_table(tampered, wave, 5)
    rows = table.set_index("Team")
    assert pd.isna(rows.loc["Customer Insight", "Readiness index"])
    assert pd.isna(rows.loc["Customer Insight", "Responses (n)"])
    assert rows.loc["Customer Insight", "Response rate"] == ""
    assert rows.loc["Customer Insight", "Barrier point"] == "fewer than 5"
    assert rows.loc["Complaints Resolution", "Barrier point"] == "hidden"
    assert rows.loc["Stores North", "Responses (n)"] == 231
    assert rows.loc["Stores North", "Response rate"] == "55% of 420"
    assert sum(flags) == 2

    book = load_workbook(io.BytesIO(exports.table_xlsx(table, "Teams", hidden=flags))).active
    values = {row[0]: row for row in book.iter_rows(min_row=2, values_only=True)}
    assert values["Customer Insight"][1:5] == ("—", "—", "—", "fewer than 5")
    assert values["Distribution Centre"][4] == "Awareness"
    text = exports.table_csv(table, hidden=flags).decode("utf-8-sig")
    assert "99.9" not in text
    assert next(line for line in text.splitlines() if line.startswith("Customer Insight")).startswith(
        "Customer Insight,—,—,—,fewer than 5"
    )


# Charts --------------------------------------------------------------------------------------


@pytest.fixture
def small_chart() -> alt.Chart:
    data = pd.DataFrame({"team": ["Stores North", "HR & People"], "readiness": [71.4, 64.4]})
    return alt.Chart(data, title="Readiness").mark_bar().encode(x="readiness:Q", y="team:N")


def only_namespace_urls(text: str) -> bool:
    """No http(s) URL in `text` except the namespace names of xmlns declarations."""
    return not re.search(r"https?://", re.sub(r'xmlns(:\w+)?="https?://[^"]*"', "", text))


def test_chart_svg_is_a_standalone_svg_that_fetches_nothing(small_chart):
    svg = exports.chart_svg(small_chart)
    assert svg.lstrip().startswith("<svg")
    assert "Stores North" in svg
    assert "HR &amp; People" in svg
    assert only_namespace_urls(svg)
    assert "<script" not in svg


def test_chart_png_from_a_chart_or_an_inlined_spec(small_chart):
    png = exports.chart_png(small_chart)
    assert png.startswith(b"\x89PNG")
    spec = exports.chart_spec(small_chart)  # as ui.chart draws it: rows inside the views, no named datasets
    assert "datasets" not in spec
    assert spec["data"]["values"][0]["team"] == "Stores North"
    assert exports.chart_png(spec, scale=1).startswith(b"\x89PNG")
    width_2x = int.from_bytes(png[16:20], "big")
    width_1x = int.from_bytes(exports.chart_png(spec, scale=1)[16:20], "big")
    assert width_2x == 2 * width_1x


def test_references_outside_an_svg_are_removed_but_namespaces_kept():
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
        '<image href="https://example.invalid/a.png" width="4"/><image xlink:href="//example.invalid/b.png"/></svg>'
    )
    cleaned = report_images._without_external_references(svg)
    assert "example.invalid" not in cleaned
    assert 'xmlns="http://www.w3.org/2000/svg"' in cleaned
    assert '<image width="4"/>' in cleaned


# The report document -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_report(demo_file: Path) -> exports.Report:
    database = store.open_db(demo_file)
    try:
        return services.report_document(database, *services.report_ids(database, "Customer First", "2026 Q4"))
    finally:
        database.close()


def section(report: exports.Report, title_start: str) -> exports.Section:
    return next(part for part in report.sections if part.title.startswith(title_start))


def test_report_document_carries_its_context_and_agrees_with_the_overview(demo_report):
    assert demo_report.title == "Readiness report: Customer First, 2026 Q4"
    assert demo_report.context == CONTEXT
    assert [part.title for part in demo_report.sections] == [
        "Executive summary, 2026 Q4",
        "At a glance",
        "Readiness by team and ADKAR element, 2026 Q4",
        "Barrier points, 2026 Q4",
        "Readiness index over waves",
        "Responses behind the trend (n)",
        "Change by team and element, 2026 Q3 → 2026 Q4",
        "Teams, 2026 Q4",
    ]
    figures = {figure.label: figure for figure in section(demo_report, "At a glance").figures}
    # The Overview shows the same: 67, n = 1,061, a significant change since 2026 Q3, 2 of 16 hidden.
    assert figures["Readiness index (0–100)"].value == "67"
    assert figures["Readiness index (0–100)"].note.startswith("95% CI ")
    assert figures["Complete responses (n)"].value == "1,061"
    assert figures["Change since 2026 Q3"].value == "+2.2"
    assert figures["Change since 2026 Q3"].note.startswith("Up 2.2 points since 2026 Q3")
    assert figures["Teams hidden"].value == "2 of 16"
    # The Overview's "Teams at a barrier", not the organisation's own barrier point ("none" from its roll-up)
    assert figures["Teams at a barrier"].value == "2 of 10"
    assert figures["Teams at a barrier"].note.startswith("Distribution Centre, Logistics Planning: an element")
    assert "Barrier point" not in figures
    change = section(demo_report, "Change by team")
    assert change.note.startswith("Of 75 team × element figures tested")
    trend_counts = section(demo_report, "Responses behind the trend").table.set_index("Team")
    assert trend_counts.loc["All teams", "2026 Q4"] == 1061
    assert demo_report.file_stem == "readiness-customer-first-2026-q4"


def test_report_for_a_team_covers_it_and_the_teams_below_it(demo_file):
    database = store.open_db(demo_file)
    report = services.report_document(
        database, *services.report_ids(database, "Customer First", "2026 Q4", "Supply Chain")
    )
    assert report.title == "Readiness report: Supply Chain · Customer First, 2026 Q4"
    assert "team: Supply Chain and the teams below it" in report.context
    table = section(report, "Teams").table
    assert table["Team"].tolist() == ["Supply Chain (all)", "Distribution Centre", "Logistics Planning"]
    figures = {figure.label: figure.value for figure in section(report, "At a glance").figures}
    assert figures["Teams at a barrier"] == "2 of 2"
    assert figures["Complete responses (n)"] == "95"
    assert report.sections[0].findings[1].title == "Supply Chain stuck at Awareness, −4.9 points since 2026 Q3"


def test_a_change_is_called_only_where_it_is_significant(demo_file):
    database = store.open_db(demo_file)
    # HR & People moves by a few points between waves with n under 20: no test can call that a change.
    report = services.report_document(
        database, *services.report_ids(database, "Customer First", "2026 Q4", "HR & People")
    )
    change = {figure.label: figure for figure in section(report, "At a glance").figures}["Change since 2026 Q3"]
    assert change.value == "no clear change"
    assert change.note.startswith("No clear change since 2026 Q3")


def test_the_first_wave_has_nothing_to_compare(demo_file):
    database = store.open_db(demo_file)
    report = services.report_document(database, *services.report_ids(database, "Customer First", "2025 Q3"))
    assert section(report, "Change since the wave before").note == "First wave: nothing to compare with yet."
    assert section(report, "Change since the wave before").chart is None


def test_a_report_on_a_hidden_team_shows_no_figure(demo_file):
    database = store.open_db(demo_file)
    report = services.report_document(
        database, *services.report_ids(database, "Customer First", "2026 Q4", "Customer Insight")
    )
    headline = section(report, "At a glance").figures
    assert [(figure.label, figure.value) for figure in headline] == [("Readiness index (0–100)", "hidden")]
    assert headline[0].note.startswith("Fewer than 5")
    assert [part.title for part in report.sections] == [
        "Executive summary, 2026 Q4",
        "At a glance",
        "No figures to show",
        "Teams, 2026 Q4",
    ]
    findings = report.sections[0].findings
    assert findings[0].title == "Customer Insight: readiness hidden in 2026 Q4"
    assert not re.search(r"\d", findings[0].sentence.replace("Fewer than 5", ""))
    assert {found.kind for found in findings} == {"headline", "actions", "kotter", "champions", "outcomes"}
    # Its CX outcome figures meet no shown readiness: the line says so, with no figure.
    assert findings[-1].title == "CX outcomes: none meets a shown readiness figure yet"
    table = section(report, "Teams").table
    assert table["Barrier point"].tolist() == ["fewer than 5"]
    assert table[["Responses (n)", "Readiness index"]].isna().all().all()
    body = exports.report_html(report).split("<h2>Teams")[1].split("<tbody>")[1].split("</tbody>")[0]
    assert not re.search(r"\d", body.replace("fewer than 5", ""))


def test_the_threshold_and_the_workspace_kind_reach_the_context(demo_path):
    database = store.open_db(demo_path)
    services.save_settings(database, {"min_group_size": 40})
    store.settings.set_workspace_kind(database, "own")
    report = services.report_document(database, *services.report_ids(database, "Customer First", "2026 Q4"))
    assert report.context.endswith("all respondents · groups under 40 responses hidden")
    assert "Demo data" not in report.context
    rows = section(report, "Teams").table.set_index("Team")
    assert rows.loc["Logistics Planning", "Barrier point"] == "fewer than 40"
    assert pd.isna(rows.loc["Logistics Planning", "Readiness index"])


def test_the_reports_heatmap_legend_names_the_workspaces_barrier_threshold(demo_path):
    database = store.open_db(demo_path)
    services.save_settings(database, {"barrier_threshold": 3.5})
    report = services.report_document(database, *services.report_ids(database, "Customer First", "2026 Q4"))
    heatmap = section(report, "Readiness by team and ADKAR element")
    assert exports.drawn_spec(heatmap.chart)["title"]["subtitle"][0].startswith(
        "Outlined: the team's barrier point, the first element at or below 3.50 as shown"
    )


def test_a_group_filter_reaches_the_context(demo_file):
    database = store.open_db(demo_file)
    initiative, wave, _ = services.report_ids(database, "Customer First", "2026 Q4")
    report = services.report_document(database, initiative, wave, group="champions")
    assert " · champions · " in report.context
    with pytest.raises(ValueError, match="Unknown respondent group 'managers'"):
        services.report_document(database, initiative, wave, group="managers")


def test_unknown_names_are_refused_with_what_exists(demo_file):
    database = store.open_db(demo_file)
    with pytest.raises(LookupError, match="no initiative called 'Customer Last'; initiatives are: Customer First"):
        services.report_ids(database, "Customer Last", "2026 Q4")
    with pytest.raises(LookupError, match="Customer First has no wave called '2027 Q1'; its waves are: 2025 Q3"):
        services.report_ids(database, "Customer First", "2027 Q1")
    with pytest.raises(LookupError, match="no team called 'Stores East'"):
        services.report_ids(database, "Customer First", "2026 Q4", "Stores East")
    assert services.report_ids(database, "Customer First", "2026 Q4", "All teams")[2] == 0


# The report's files --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_html(demo_report) -> str:
    return exports.report_html(demo_report)


def test_html_report_is_self_contained_with_inline_svgs(demo_html, demo_report):
    charts = [part for part in demo_report.sections if part.chart is not None]
    # The heatmap and the changes are coloured tables, as in the PDF; the barrier shares and the trend pictures.
    assert len(charts) == 4
    assert demo_html.count("<svg") == 2
    assert demo_html.count('<table class="grid">') == 2
    assert "<script" not in demo_html.lower()
    assert only_namespace_urls(demo_html)
    assert not re.search(r"""(src|href)\s*=\s*["'](?!#)""", demo_html)  # nothing loaded from anywhere
    assert demo_html.count(CONTEXT) >= len(demo_report.sections)
    assert "<h1>Readiness report: Customer First, 2026 Q4</h1>" in demo_html
    assert "HR &amp; People" in demo_html
    assert "HR & People" not in demo_html  # every text escaped


def test_html_report_table_shows_no_figure_for_a_hidden_team(demo_html):
    hidden_rows = re.findall(r'<tr class="hidden">(.*?)</tr>', demo_html)
    assert len(hidden_rows) == 4  # two hidden teams, in the heatmap and in the team table
    rows = [re.findall(r"<td[^>]*>(.*?)</td>", row) for row in hidden_rows if "Customer Insight" in row]
    heatmap, table = rows
    assert heatmap == ["Customer Insight (hidden)", *["—"] * 5]
    assert table[:5] == ["Customer Insight", "—", "—", "—", "fewer than 5"]


def test_html_report_draws_the_heatmap_and_changes_as_the_pdf_does(demo_html, demo_report):
    """One table builder for both files: the same rows, cells filled by the same scale."""
    heatmap = section(demo_report, "Readiness by team and ADKAR element")
    header, rows, fills = report_doc.chart_grid(heatmap.native)
    table = demo_html.split('<table class="grid">')[1].split("</table>")[0]
    assert re.findall(r"<th>(.*?)</th>", table) == header
    drawn = re.findall(r"<tr[^>]*>(.*?)</tr>", table.split("<tbody>")[1])
    assert [html.unescape(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", drawn[0])] == rows[0]
    r, g, b = fills[0][1]
    assert f'style="background: #{r:02x}{g:02x}{b:02x}"' in drawn[0]
    changes = demo_html.split('<table class="grid">')[2].split("</table>")[0]
    assert "Significant change" in changes


@pytest.fixture(scope="module")
def demo_pdf(demo_report) -> PdfReader:
    return PdfReader(io.BytesIO(exports.report_pdf(demo_report)))


def test_pdf_report_text_has_title_context_on_every_page_and_teams(demo_pdf):
    pages = [collapse(page.extract_text()) for page in demo_pdf.pages]
    assert len(pages) >= 4
    assert "Readiness report: Customer First, 2026 Q4" in pages[0]
    for number, text in enumerate(pages, start=1):
        assert CONTEXT in text, number
        assert f"page {number} of {len(pages)}" in text
    everything = " ".join(pages)
    for team in ("Stores North", "Distribution Centre", "Logistics Planning", "HR & People", "Customer Insight"):
        assert team in everything
    assert "Readiness index (0–100): 67" in everything
    assert "Complete responses (n): 1,061" in everything


def test_pdf_report_shows_no_figure_for_a_hidden_team(demo_pdf):
    lines = [line for page in demo_pdf.pages for line in page.extract_text().splitlines()]
    # The heatmap's row, then the team table's: neither carries a figure.
    customer_insight = [line for line in lines if line.startswith("Customer Insight")]
    assert customer_insight == ["Customer Insight (hidden) — — — — —", "Customer Insight — — — fewer than 5 survey —"]
    complaints = [line for line in lines if line.startswith("Complaints Resolution")]
    assert complaints == ["Complaints Resolution (hidden) — — — — —", "Complaints Resolution — — — hidden survey —"]


@pytest.fixture(scope="module")
def demo_deck(demo_report):
    return Presentation(io.BytesIO(exports.report_pptx(demo_report)))


def test_pptx_report_is_a_deck_to_present_title_summary_findings_native_charts_appendix(demo_deck, demo_report):
    assert (demo_deck.slide_width, demo_deck.slide_height) == (Inches(13.333), Inches(7.5))
    findings = section(demo_report, "Executive summary").findings
    team_rows = len(section(demo_report, "Teams").table)
    titles = [slide.shapes.title.text for slide in demo_deck.slides]
    team_slides = [slide for slide in demo_deck.slides if slide.shapes.title.text.startswith("Appendix: Teams")]
    table_slides = len(team_slides)
    # Every team's row once, over slides whose rows fit above the context line (wrapped text makes rows tall)
    counted = [len(shape.table.rows) - 1 for slide in team_slides for shape in slide.shapes if shape.has_table]
    assert sum(counted) == team_rows
    assert max(counted) <= report_pptx.TABLE_ROWS_PER_SLIDE
    assert titles == [
        "Readiness report: Customer First, 2026 Q4",
        "Executive summary, 2026 Q4",
        *(finding.title for finding in findings),
        "At a glance",
        "Readiness by team and ADKAR element, 2026 Q4 (1 of 2)",
        "Readiness by team and ADKAR element, 2026 Q4 (2 of 2)",
        "Barrier points, 2026 Q4",
        "Readiness index over waves",
        "Change by team and element, 2026 Q3 → 2026 Q4",
        "Appendix: Responses behind the trend (n)",
        *(f"Appendix: Teams, 2026 Q4 ({page} of {table_slides})" for page in range(1, table_slides + 1)),
    ]
    # The summary slide lists every finding's title, the Overview's barrier count among them.
    summary_text = " ".join(shape.text_frame.text for shape in demo_deck.slides[1].shapes if shape.has_text_frame)
    for finding in findings:
        assert finding.title in summary_text
    for slide in demo_deck.slides:
        context = [shape for shape in slide.shapes if shape.name == report_pptx.CONTEXT_BOX_NAME]
        assert len(context) == 1
        assert context[0].text_frame.text == CONTEXT
        assert context[0].top + context[0].height <= demo_deck.slide_height
        for shape in slide.shapes:
            assert shape.left >= 0, shape.name
            assert shape.left + shape.width <= demo_deck.slide_width, shape.name
            assert shape.shape_type != 13, "a picture: charts are native"
    charts = [shape.chart for slide in demo_deck.slides for shape in slide.shapes if shape.has_chart]
    # headline trend, the barrier finding, the moves; barrier shares, trend, change (the heatmap is a table)
    assert len(charts) == 6
    assert {int(chart.chart_type) for chart in charts} == {51, 57, 59, 65}  # columns, bars, 100% stacked, lines
    figures = [shape.text_frame.text for shape in demo_deck.slides[len(findings) + 2].shapes if shape.has_text_frame]
    assert "67" in figures
    assert "1,061" in figures
    assert "2 of 10" in figures


def test_every_text_of_the_deck_is_14_pt_or_more_charts_included(demo_deck):
    runs = 0
    for number, slide in enumerate(demo_deck.slides, start=1):
        frames = [shape.text_frame for shape in slide.shapes if shape.has_text_frame]
        frames += [
            cell.text_frame
            for shape in slide.shapes
            if shape.has_table
            for row in shape.table.rows
            for cell in row.cells
        ]
        for frame in frames:
            for paragraph in frame.paragraphs:
                for run in paragraph.runs:
                    assert run.font.size is not None, (number, run.text)
                    assert run.font.size.pt >= 14, (number, run.text)
                    runs += 1
        for shape in slide.shapes:
            if shape.has_chart:
                chart = shape.chart
                assert chart.font.size.pt >= 14, number
                assert chart.value_axis.tick_labels.font.size.pt >= 14
                assert chart.category_axis.tick_labels.font.size.pt >= 14
                if chart.has_legend:
                    assert chart.legend.font.size.pt >= 14
    assert runs > 200


def test_the_decks_barrier_chart_holds_the_teams_means(demo_deck, demo_report):
    finding = section(demo_report, "Executive summary").findings[1]
    slide = next(slide for slide in demo_deck.slides if slide.shapes.title.text == finding.title)
    chart = next(shape.chart for shape in slide.shapes if shape.has_chart)
    assert list(chart.plots[0].categories) == ["Awareness", "Desire", "Knowledge", "Ability", "Reinforcement"]
    series = {item.name: item.values for item in chart.plots[0].series}
    assert set(series) == {"Supply Chain", "Distribution Centre", "Logistics Planning"}
    assert series["Supply Chain"][0] == finding.numbers["score"] == 2.71


def test_pdf_table_headers_never_break_a_word(demo_report):
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_margins(15, 12, 15)
    pdf.add_page()
    family = "Helvetica"
    if found := report_pdf._pdf_font():  # measured in the font the report is set in (its "—" is not Latin-1)
        family = "Report"
        pdf.add_font(family, "", found[0])
        pdf.add_font(family, "B", found[1])
    for part in demo_report.sections:
        if part.table is None:
            continue
        header, rows = report_doc.section_table_rows(part)
        if family == "Helvetica":  # no Unicode font on this machine: the report writes Latin-1 stand-ins
            rows = [[cell.translate(report_pdf._LATIN1) for cell in row] for row in rows]
        size, widths = report_pdf._pdf_column_widths(pdf, family, header, rows, padding=1)
        pdf.set_font(family, "B", size)
        for name, width in zip(header, widths, strict=True):
            for word in name.split():
                assert pdf.get_string_width(word) + 2 <= width, (part.title, word, width)
    # Read back from the file: every header word is whole in the text (no "Response" / "s (n)").
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(exports.report_pdf(demo_report))).pages)
    for word in ("Responses", "Response rate", "Readiness index", "Barrier point"):
        assert word in collapse(text)
    assert not re.search(r"Respons\s+e", text)


def test_pptx_report_tables_show_no_figure_for_a_hidden_team(demo_deck):
    rows = [
        [cell.text for cell in row.cells]
        for slide in demo_deck.slides
        for shape in slide.shapes
        if shape.has_table
        for row in shape.table.rows
    ]
    assert ["Customer Insight", "—", "—", "—", "fewer than 5", "survey", "—"] in rows
    appendix = [row for row in rows if len(row) == 7]
    assert next(row for row in appendix if row[0] == "Stores North")[1:4] == ["231", "55% of 420", "71.4"]
    heatmap = [row for row in rows if len(row) == 6]  # team and five element means; a hidden team has none
    assert ["Customer Insight (hidden)", "—", "—", "—", "—", "—"] in heatmap


def test_report_bytes_refuses_an_unknown_format(demo_report):
    with pytest.raises(ValueError, match="Unknown report format 'docx'"):
        exports.report_bytes(demo_report, "docx")


# The command line ----------------------------------------------------------------------------


def cxchange(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "cxchange", *args], cwd=ROOT, capture_output=True, text=True, timeout=300
    )


@pytest.mark.parametrize(("kind", "start"), [("html", b"<!DOCTYPE html>"), ("pdf", b"%PDF-"), ("pptx", b"PK")])
def test_cli_writes_the_report_in_each_format(demo_file, tmp_path, kind, start, capsys):
    database = tmp_path / "demo.db"
    shutil.copy(demo_file, database)
    out = tmp_path / f"report.{kind}"
    arguments = [
        "report", "--db", str(database), "--initiative", "Customer First", "--wave", "2026 Q4",
        "--format", kind, "--out", str(out), "--team", "Supply Chain",
    ]  # fmt: skip
    if kind == "html":  # one format through a real process, as a user runs it; the others in this one
        result = cxchange(*arguments)
        assert result.returncode == 0, result.stderr
        said = result.stdout
    else:
        assert cli.main(arguments) == 0
        said = capsys.readouterr().out
    assert f"to {out}" in said
    data = out.read_bytes()
    assert data.startswith(start)
    if kind == "html":
        assert "team: Supply Chain and the teams below it" in data.decode("utf-8")
        text = html_text(data.decode("utf-8"))
    elif kind == "pdf":
        assert "Supply Chain" in PdfReader(io.BytesIO(data)).pages[0].extract_text()
        text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    else:
        deck = Presentation(io.BytesIO(data))
        assert len(deck.slides) >= 6
        shapes = [shape for slide in deck.slides for shape in slide.shapes]
        cells = [cell.text for shape in shapes if shape.has_table for row in shape.table.rows for cell in row.cells]
        text = " ".join([*(shape.text_frame.text for shape in shapes if shape.has_text_frame), *cells])
    # The published precision holds in what the command writes too: no figure beyond 2 decimals, no "17.0".
    assert all(places <= 2 for _, places in decimals_in(text))
    assert not re.search(r"\bn ?= ?\d+\.\d", text)


@pytest.mark.parametrize(
    ("names", "message"),
    [
        (["--initiative", "Customer Last", "--wave", "2026 Q4"], "no initiative called 'Customer Last'"),
        (["--initiative", "Customer First", "--wave", "2030 Q1"], "no wave called '2030 Q1'"),
        (["--initiative", "Customer First", "--wave", "2026 Q4", "--team", "Stores East"], "no team called"),
    ],
)
def test_cli_refuses_unknown_names_and_writes_nothing(demo_file, tmp_path, names, message):
    database = tmp_path / "demo.db"
    shutil.copy(demo_file, database)
    out = tmp_path / "report.pdf"
    result = cxchange("report", "--db", str(database), *names, "--format", "pdf", "--out", str(out))
    assert result.returncode == 2
    assert message in result.stderr
    assert not out.exists()


def test_cli_refuses_an_unknown_format_and_a_missing_database(tmp_path):
    out = tmp_path / "report.docx"
    wrong_format = cxchange(
        "report", "--db", str(tmp_path / "x.db"), "--initiative", "A", "--wave", "B", "--format", "docx",
        "--out", str(out),
    )  # fmt: skip
    assert wrong_format.returncode == 2
    assert "invalid choice: 'docx'" in wrong_format.stderr
    missing = cxchange(
        "report", "--db", str(tmp_path / "x.db"), "--initiative", "A", "--wave", "B", "--format", "html",
        "--out", str(tmp_path / "r.html"),
    )  # fmt: skip
    assert missing.returncode == 2
    assert "There is no database at" in missing.stderr
    assert not (tmp_path / "x.db").exists()
    assert not (tmp_path / "r.html").exists()


# Published precision, read back from every file ----------------------------------------------

NUMBER = re.compile(r"(?<![\w.])[-+−]?\d[\d,]*(?:\.(\d+))?")
P_VALUE = re.compile(r"\bp(?: \([\w-]+\))?(?::|\s*[=<>])?\s*$")
INDEX_COLUMNS = ("Readiness index",)
"""Table columns of the readiness index (0–100), published at 1 decimal."""


def count_column(name: str) -> bool:
    """Whether a table column holds whole counts: n, responses, or a wave's n in the trend's counts."""
    return "(n)" in name or name.startswith("Responses") or bool(re.fullmatch(r"\d{4} Q\d|Pilot .*", name))


def decimals_in(text: str) -> list[tuple[str, int]]:
    """Every number written in `text` that is not a p-value, with its decimals."""
    found = []
    for match in NUMBER.finditer(text):
        if P_VALUE.search(text[max(0, match.start() - 16) : match.start()]):
            continue  # a p-value describes a test, not a group ("p < 0.001" needs its digits)
        found.append((match.group(0), len(match.group(1) or "")))
    return found


def check_published(header: list[str], rows: list[list[object]], hidden: tuple[bool, ...], where: str) -> int:
    """Cells as a reader finds them: the index at 1 decimal, every other figure at 2 at most, counts whole
    (no "207.0"), response rates as whole percents, and a hidden team's row without a figure or an n.

    Returns how many hidden rows it checked.
    """
    for row, is_hidden in zip(rows, hidden or (False,) * len(rows), strict=True):
        for name, cell in zip(header, row, strict=True):
            at = f"{where}: {row[0]} · {name} = {cell!r}"
            if cell is None or cell == "":
                continue
            if cell == exports.MISSING:  # an empty cell, as every table writes it
                continue
            if is_hidden:
                assert name in ("Team", "Barrier point", "Source"), at  # why it is hidden, never a figure
                continue
            text = f"{cell:.15g}" if isinstance(cell, float) else str(cell)
            assert text not in ("nan", "NaN", "None", "<NA>", "NaT"), at  # "none" is a barrier point's word
            for _, places in decimals_in(text):
                assert places <= (1 if name in INDEX_COLUMNS else 2), at
                if count_column(name):
                    assert places == 0, at  # never "207.0"
                    assert not isinstance(cell, float), at  # nor 207.0 in Excel
            if name == "Response rate":
                assert re.fullmatch(r"\d+% of [\d,]+", str(cell)), at
    return sum(hidden)


def csv_rows(data: bytes) -> tuple[list[str], list[list[str]]]:
    header, *rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    return header, rows


def xlsx_rows(data: bytes) -> tuple[list[str], list[list[object]]]:
    sheet = load_workbook(io.BytesIO(data)).active
    header, *rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    return [str(cell) for cell in header], rows


def html_text(document: str) -> str:
    """What the HTML holds besides markup and style: its text and every attribute's value (aria labels too)."""
    without_style = re.sub(r"<style>.*?</style>", " ", document, flags=re.DOTALL)
    attributes = " ".join(
        value
        for name, value in re.findall(r'\s([\w:-]+)="([^"]*)"', without_style)
        if name in ("aria-label", "title", "alt")
    )
    return html.unescape(re.sub(r"<[^>]+>", " ", without_style) + " " + attributes)


def report_variants(database) -> list[tuple[str, exports.Report]]:
    """The demo's report for the first and latest wave (the whole organisation, and a parent with a hidden
    team), the latest for each respondent group and for a hidden team itself, and the pilot's latest wave."""
    chosen = [
        ("Customer First", "2025 Q3", None, "all"),
        ("Customer First", "2025 Q3", "Customer Operations", "all"),
        *(("Customer First", "2026 Q4", None, group) for group in ("all", "champions", "others")),
        ("Customer First", "2026 Q4", "Customer Operations", "champions"),
        ("Customer First", "2026 Q4", "Customer Insight", "all"),
        ("Digital self-service", "Pilot follow-up", None, "all"),
    ]
    return [
        (
            f"{initiative} {wave} {team or 'All teams'} {group}",
            services.report_document(database, *services.report_ids(database, initiative, wave, team), group=group),
        )
        for initiative, wave, team, group in chosen
    ]


@pytest.fixture(scope="module")
def every_report(demo_file: Path, tmp_path_factory) -> list[tuple[str, exports.Report]]:
    """report_variants of a demo copy that also holds a wave of entered team-level results (2027 Q1)."""
    path = tmp_path_factory.mktemp("published") / "demo.db"
    shutil.copy(demo_file, path)
    database = store.open_db(path)
    try:
        with store.write_transaction(database):
            store.settings.set_workspace_kind(database, "own")  # results are entered into a workspace of one's own
        database.execute("INSERT INTO waves (initiative_id, name, opened_on) VALUES (1, '2027 Q1', '2027-01-11')")
        wave = int(store.org.wave_id(database, 1, "2027 Q1"))
        ids = store.org.team_ids(database)
        entered = pd.DataFrame(
            [
                {"team_id": ids[team], "element": element, "mean": mean, "n": n, "sd": None}
                for team, n, mean in (("HR & People", 9, 3.456789), ("Store Support", 12, 2.998765))
                for element in ("awareness", "desire", "knowledge", "ability", "reinforcement")
            ]
        )
        services.save_team_results(database, wave, entered, "test")
        variants = report_variants(database)
        ids = services.report_ids(database, "Customer First", "2027 Q1")
        return [*variants, ("Customer First 2027 Q1 entered", services.report_document(database, *ids))]
    finally:
        database.close()


def test_every_table_export_publishes_rounded_figures_whole_counts_and_nothing_of_a_hidden_team(every_report):
    tables = hidden = 0
    for name, report in every_report:
        for part, found in enumerate(report.sections):
            if found.table is None:
                continue
            where = f"{name} · {found.title}"
            header, rows = csv_rows(exports.report_file(report, "csv", part))
            assert header == [str(column) for column in found.table.columns]
            hidden += check_published(header, rows, found.hidden, where + " (CSV)")
            header, rows = xlsx_rows(exports.report_file(report, "xlsx", part))
            check_published(header, rows, found.hidden, where + " (XLSX)")
            tables += 1
    assert tables > len(every_report)  # the trend's counts and the teams, in most reports
    assert hidden >= 8  # Customer Insight and Complaints Resolution, among others, in most of them


def test_the_html_report_publishes_rounded_figures_and_hides_a_hidden_teams_row(every_report):
    for name, report in every_report[::3]:  # drawing the charts is what takes the time
        document = exports.report_html(report)
        for number, places in decimals_in(html_text(document)):
            assert places <= 2, f"{name}: {number}"
        for found in report.sections:
            if found.table is None:
                continue
            table = document.split(f"<h2>{html.escape(found.title)}</h2>", 1)[1].split("</table>", 1)[0]
            header = [html.unescape(cell) for cell in re.findall(r"<th>(.*?)</th>", table)]
            rows = [
                [html.unescape(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row)]
                for row in re.findall(r"<tr(?: class=\"hidden\")?>(.*?)</tr>", table.split("<tbody>", 1)[1])
            ]
            check_published(header, rows, found.hidden, f"{name} · {found.title} (HTML)")
        # A chart's marks are not described from their unrounded data ("readiness: 76.91").
        assert not re.search(r"aria-label=\"[^\"]*: -?\d+\.\d{2}", document), name


# Every table and chart the demo shows, as files -------------------------------------------------

INVISIBLE = re.compile("[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2800\ufeff]")
"""Characters no reader sees (braille blank, zero-width, direction marks, word joiners): never in a file."""
NOT_A_VALUE = ("None", "nan", "NaN", "NaT", "<NA>", "null")


@pytest.fixture(scope="module")
def every_page(demo_file: Path, tmp_path_factory) -> list[tuple[str, list[pd.DataFrame], list[dict], list[str]]]:
    """Each page of the demo as it opens: the tables it shows, the chart specs it sends, and each table's
    placeholder for an empty cell."""
    path = tmp_path_factory.mktemp("pages") / "demo.db"
    shutil.copy(demo_file, path)
    previous = os.environ.get("CXCHANGE_DB")
    os.environ["CXCHANGE_DB"] = str(path)
    found = []
    try:
        for page in sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "app_pages").glob("*.py")):
            st.cache_data.clear()
            at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90).switch_page(page).run()
            assert not at.exception, page
            tables = [frame.value for frame in at.dataframe]
            placeholders = [frame.proto.placeholder for frame in at.dataframe]
            specs = [json.loads(chart.proto.spec) for chart in at.get("vega_lite_chart")]
            found.append((page, tables, specs, placeholders))
    finally:
        if previous is None:
            os.environ.pop("CXCHANGE_DB")
        else:
            os.environ["CXCHANGE_DB"] = previous
    return found


def whole_number_columns(table: pd.DataFrame) -> list[int]:
    """Positions of the numeric columns holding only whole numbers (counts, headcounts, sessions)."""
    positions = []
    for position, (_, column) in enumerate(table.items()):
        values = pd.to_numeric(column.dropna(), errors="coerce")
        if len(values) and column.dtype.kind in "iuf" and values.notna().all() and (values == values.round()).all():
            positions.append(position)
    return positions


def test_every_table_the_demo_shows_reads_a_dash_for_an_empty_cell_and_its_files_write_whole_counts(every_page):
    checked = empty_cells = counts = 0
    for page, tables, _, placeholders in every_page:
        assert set(placeholders) <= {exports.MISSING}, page  # on screen: "—", never "None"
        for number, table in enumerate(tables):
            where = f"{page} table {number + 1} ({', '.join(map(str, table.columns[:3]))})"
            header, rows = csv_rows(exports.table_csv(table))
            _, cells = xlsx_rows(exports.table_xlsx(table))
            for kind, found in (("CSV", rows), ("XLSX", cells)):
                text = [str(cell) for row in found for cell in row]
                assert not set(text) & set(NOT_A_VALUE), f"{where} {kind}"
                assert not [cell for cell in text if INVISIBLE.search(cell)], f"{where} {kind}"
                assert "" not in text, f"{where} {kind}"  # an empty cell says so
            empty_cells += sum(cell == exports.MISSING for row in rows for cell in row)
            for position in whole_number_columns(table):
                name = header[position]
                assert all(re.fullmatch(r"-?\d+|—", row[position]) for row in rows), f"{where} CSV {name}"
                assert all(isinstance(row[position], int) or row[position] == "—" for row in cells), f"{where} {name}"
                counts += 1
            checked += 1
    assert checked >= 25
    assert empty_cells >= 50  # roster end dates, Kotter owners and evidence, teams without a parent...
    assert counts >= 20


def test_the_barrier_table_writes_207_not_207_0_with_a_hidden_team_in_it(demo_frame):
    wave = int(demo_frame["wave_id"].max())
    table, flags = exports.team_table(demo_frame, wave, 5)
    table = table.assign(**{"Responses (n)": table["Responses (n)"].astype(float)})  # as a gap makes it float
    header, rows = csv_rows(exports.table_csv(table, hidden=flags))
    by_team = {row[0]: dict(zip(header, row, strict=True)) for row in rows}
    assert by_team["Customer Operations (all)"]["Responses (n)"] == "207"
    assert by_team["Customer Insight"]["Responses (n)"] == "—"
    _, cells = xlsx_rows(exports.table_xlsx(table, hidden=flags))
    assert next(row for row in cells if row[0] == "Customer Operations (all)")[1] == 207


def test_no_chart_the_demo_sends_to_the_browser_carries_an_invisible_character(every_page):
    specs = 0
    for page, _, charts_sent, _ in every_page:
        for spec in charts_sent:
            text = json.dumps(spec, ensure_ascii=False)  # labels, tooltips' fields and data alike
            assert not INVISIBLE.search(text), f"{page}: {INVISIBLE.search(text)!r}"
            specs += 1
    assert specs >= 10


def test_no_report_file_carries_an_invisible_character_or_a_none(demo_report, demo_html, demo_pdf):
    html_text_only = html_text(demo_html)
    assert not INVISIBLE.search(demo_html)
    assert not re.search(r"\b(None|nan|NaN|NaT)\b", html_text_only)
    pdf_text = " ".join(page.extract_text() for page in demo_pdf.pages)
    assert not INVISIBLE.search(pdf_text)
    assert not re.search(r"\b(None|nan|NaN|NaT)\b", pdf_text)
    for part, found in enumerate(demo_report.sections):
        if found.chart is not None:
            svg = exports.report_file(demo_report, "svg", part).decode("utf-8")
            assert not INVISIBLE.search(svg), found.title
            assert "Stores North" in svg or found.title.startswith(("Readiness index", "Change"))
        if found.table is not None:
            csv_text = exports.report_file(demo_report, "csv", part).decode("utf-8-sig")
            assert not INVISIBLE.search(csv_text), found.title


def test_safe_cell_drops_characters_no_reader_sees():
    assert exports.safe_cell("\u2800\u2800· Stores North") == "· Stores North"
    assert exports.safe_cell("Owner:\u2060 Hannah Reed\u200b") == "Owner: Hannah Reed"
    assert exports.safe_cell(np.datetime64("NaT")) is None
    assert exports.safe_cell(pd.NaT) is None


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_the_teams_grid_exported_with_dashes_imports_back_unchanged(own_db, kind):
    grid = store.org.teams(own_db)
    table = organisation.team_grid(grid).drop(columns="id")
    data = exports.table_csv(table) if kind == "csv" else exports.table_xlsx(table)
    assert "—".encode() in data or kind == "xlsx"  # top-level teams have no parent, no team has a code
    result = services.import_teams(own_db, data, f"teams.{kind}", dry_run=True)
    assert not result.plan.problems
    assert result.plan.summary() == f"0 teams to create, 0 to update, {len(grid)} unchanged."


def test_the_decks_trend_draws_each_team_in_its_overview_colour(demo_path: Path, tmp_path: Path, monkeypatch):
    monkeypatch.setenv("CXCHANGE_DB", str(demo_path))
    st.cache_data.clear()
    overview = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90).switch_page("app_pages/overview.py").run()
    assert not overview.exception
    on_overview = line_colours(trend_spec(overview))
    out = tmp_path / "deck.pptx"
    code = cli.main(
        ["report", "--db", str(demo_path), "--initiative", "Customer First", "--wave", "2026 Q4"]
        + ["--format", "pptx", "--out", str(out)]
    )
    assert code == 0
    (chart,) = [
        shape.chart
        for slide in Presentation(str(out)).slides
        for shape in slide.shapes
        if shape.has_chart and slide.shapes.title.text == "Readiness index over waves"
    ]
    assert chart.chart_type == XL_CHART_TYPE.LINE_MARKERS
    in_deck = {series.name: f"#{series.format.line.color.rgb}".lower() for series in chart.plots[0].series}
    markers = {series.name: f"#{series.marker.format.fill.fore_color.rgb}".lower() for series in chart.plots[0].series}
    assert in_deck == markers
    assert in_deck["All teams"] == charts.ORGANISATION_COLOUR.lower()
    assert len(on_overview) == 6
    assert {team: in_deck[team] for team in on_overview} == {team: c.lower() for team, c in on_overview.items()}
