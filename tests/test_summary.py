"""The executive summary: findings a sponsor reads first, the same on the Overview and in every report."""

from __future__ import annotations

import html
import io
import re
import zipfile
from datetime import date
from pathlib import Path

import pytest
import streamlit as st
from pptx import Presentation
from streamlit.testing.v1 import AppTest

from cxchange import analysis, exports, sample_data, services, store, summary
from cxchange.text import markdown_text

ROOT = Path(__file__).resolve().parent.parent
TODAY = date(2026, 12, 2)
HIDDEN_TEAMS = ("Complaints Resolution", "Customer Insight")
"""The demo's teams whose 2026 Q4 figures are hidden."""


@pytest.fixture(scope="module")
def database(demo_file: Path):
    database = store.open_db(demo_file)
    yield database
    database.close()


@pytest.fixture(scope="module")
def ids(database) -> tuple[int, int, int]:
    return services.report_ids(database, "Customer First", "2026 Q4")


@pytest.fixture(scope="module")
def found(database, ids) -> summary.Summary:
    return services.executive_summary(database, ids[0], ids[1], today=TODAY)


def test_teams_at_a_barrier_are_the_shown_teams_with_respondents_whose_element_means_stick(database, ids):
    settings = store.settings.settings(database)
    frame = services.readiness_by_team(database, settings, ids[0])
    stuck, shown = summary.teams_at_barrier(frame[frame["wave_id"] == ids[1]])
    assert (stuck["team"].tolist(), shown) == (["Distribution Centre", "Logistics Planning"], 10)
    assert set(stuck["barrier_point"]) == {"awareness"}


def test_the_summary_says_its_findings_in_their_titles(found):
    assert found.title == "Executive summary, 2026 Q4"
    assert [finding.kind for finding in found.findings] == [
        "headline",
        "barrier",
        "moves",
        "actions",
        "kotter",
        "champions",
        "outcomes",
    ]
    headline, barrier, moves, late, steps, network, cx = found.findings
    assert headline.title == "Readiness 67 of 100, +2.2 points since 2026 Q3"
    assert headline.numbers == {"readiness": 67, "n": 1061, "change": 2.2, "previous_wave": "2026 Q3"}
    # Both stuck teams sit under Supply Chain, stuck where they are: one finding for the parent, naming them.
    assert barrier.title == "Supply Chain stuck at Awareness, −4.9 points since 2026 Q3"
    assert barrier.numbers["teams"] == ["Distribution Centre", "Logistics Planning"]
    assert (barrier.numbers["teams_at_barrier"], barrier.numbers["teams_shown"]) == (2, 10)
    assert "Distribution Centre 2.65 (n = 78), Logistics Planning 3.00 (n = 17)" in barrier.sentence
    assert "What helps: Sponsor messages" in barrier.sentence
    assert moves.title == "15 significant moves since 2026 Q3: 12 up, 3 down; Distribution Centre Awareness down most"
    assert late.title == "3 actions overdue, owned by Kwame Mensah, Stefan Novak and Victor Lang"
    assert (
        "Aimed past the team's barrier: Add a help channel for the new order process (Distribution Centre: aimed at "
        "Knowledge, past its Awareness barrier)." in late.sentence
    )
    assert "155 days overdue" in late.sentence
    assert steps.title == "Kotter: step 5 'Enable action by removing barriers' in progress"
    assert "owner Operations director" in steps.sentence
    assert network.title == "Champions: 26 active, 1 per 70 people"
    assert "6 of 12 teams without one" in network.sentence
    assert cx.title == "CX outcomes: no clear association with readiness"


def test_only_significant_moves_are_called_moves(database, ids, found):
    settings = store.settings.settings(database)
    frame = services.readiness_by_team(database, settings, ids[0])
    table = analysis.changes(frame, 5, ids[1], frame["team_id"].unique().tolist())
    called = {(row.team, row.element) for row in table.itertuples() if row.call in ("up", "down")}
    moves = found.finding("moves").numbers["moves"]
    assert {(team, element) for team, element, _ in moves} == called
    assert len(called) < len(table)  # most cells moved by chance or not at all, and are not named


def test_a_hidden_team_is_never_named_with_a_figure(found):
    for finding in found.findings:
        if finding.kind in ("actions", "champions"):
            continue  # an action or a missing champion names a team, but says nothing about its answers
        for team in HIDDEN_TEAMS:
            assert team not in finding.title + finding.sentence, finding.kind


def test_a_larger_minimum_hides_the_small_stuck_team_from_the_summary(demo_db):
    services.save_settings(demo_db, {"min_group_size": 40})
    initiative, wave, _ = services.report_ids(demo_db, "Customer First", "2026 Q4")
    found = services.executive_summary(demo_db, initiative, wave, today=TODAY)
    text = " ".join(finding.title + " " + finding.sentence for finding in found.findings)
    assert "Logistics Planning" not in text  # n = 17: under 40, hidden
    # Distribution Centre is hidden too (else Supply Chain minus it would give Logistics Planning away); Supply
    # Chain's own figure is published, and says it is stuck, though the Overview's count has no stuck team.
    barrier = found.finding("barrier")
    assert barrier.title == "Supply Chain stuck at Awareness, −4.9 points since 2026 Q3"
    assert barrier.numbers["teams"] == ["Supply Chain"]
    assert (barrier.numbers["teams_at_barrier"], barrier.numbers["teams_shown"]) == (0, 3)


def test_a_team_summary_is_cut_to_its_subtree_and_a_hidden_team_shows_no_figure(database, ids):
    chain = services.executive_summary(database, ids[0], ids[1], 12, today=TODAY)
    assert chain.finding("headline").title == "Readiness 37 of 100, −4.9 points since 2026 Q3"
    assert chain.finding("headline").sentence.startswith("Supply Chain: readiness index 37 (n = 95, 51% of 185).")
    moves = chain.finding("moves").numbers["moves"]
    assert {team for team, _, _ in moves} == {"Supply Chain", "Distribution Centre"}
    assert chain.finding("actions").numbers["overdue"] == 2
    insight = services.executive_summary(database, ids[0], ids[1], 8, today=TODAY)
    headline = insight.finding("headline")
    assert headline.title == "Customer Insight: readiness hidden in 2026 Q4"
    assert not re.search(r"\d", headline.sentence.replace("Fewer than 5", ""))
    assert insight.finding("barrier") is None
    assert insight.finding("moves") is None


def test_the_first_wave_calls_no_move_and_nothing_is_overdue_before_its_date(database):
    initiative, wave, _ = services.report_ids(database, "Customer First", "2025 Q3")
    found = services.executive_summary(database, initiative, wave, today=date(2025, 7, 20))
    assert found.finding("moves").title == "First wave: no moves to call yet"
    assert found.finding("headline").numbers["change"] is None
    assert found.finding("actions").title == "No action overdue"


def test_every_report_opens_with_the_summary_the_overview_shows(database, ids):
    for team in (0, 12):
        report = services.report_document(database, ids[0], ids[1], team, today=TODAY)
        assert report.sections[0].findings == services.executive_summary(database, *ids[:2], team, TODAY).findings
        deck = Presentation(io.BytesIO(exports.report_pptx(report)))
        assert deck.slides[1].shapes.title.text == "Executive summary, 2026 Q4"
        listed = " ".join(shape.text_frame.text for shape in deck.slides[1].shapes if shape.has_text_frame)
        for finding in report.sections[0].findings:
            assert finding.title in listed
        html = exports.report_html(report)
        assert html.index("Executive summary") < html.index("At a glance")


def test_the_overview_shows_the_summary_with_the_reports_numbers(demo_path, monkeypatch):
    monkeypatch.setenv("CXCHANGE_DB", str(demo_path))
    st.cache_data.clear()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert not at.exception
    database = store.open_db(demo_path)
    try:
        report = services.report_document(database, *services.report_ids(database, "Customer First", "2026 Q4"))
    finally:
        database.close()
    findings = report.sections[0].findings
    page = "\n".join(str(element.value) for element in at.markdown)
    for finding in findings:
        assert markdown_text(finding.title) in page
        assert markdown_text(finding.sentence) in page
    subheaders = [element.value for element in at.subheader]
    assert subheaders[0] == "Executive summary, 2026 Q4"
    barrier = next(finding for finding in findings if finding.kind == "barrier").numbers
    shown = next(m.value for m in at.metric if m.label == "Teams at a barrier")
    assert shown == f"{barrier['teams_at_barrier']} of {barrier['teams_shown']}" == "2 of 10"
    at_a_glance = {figure.label: figure.value for figure in report.sections[1].figures}
    assert at_a_glance["Teams at a barrier"] == shown
    headline = next(finding for finding in findings if finding.kind == "headline").numbers
    assert next(m.value for m in at.metric if m.label == "Readiness index (0–100)") == str(headline["readiness"])
    # Page and report count days from the demo's own day, as the Actions page does (not the calendar's today).
    late = (sample_data.LAST_DAY - date(2026, 6, 30)).days
    assert (
        f"Supply Chain, {late} days overdue"
        in next(finding for finding in findings if finding.kind == "actions").sentence
    )


def test_the_reports_page_offers_a_per_team_pack(demo_path, monkeypatch):
    monkeypatch.setenv("CXCHANGE_DB", str(demo_path))
    st.cache_data.clear()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.switch_page("app_pages/reports.py").run()
    assert not at.exception
    assert any("A ZIP of 6 decks, one per team" in caption.value for caption in at.caption)
    assert "Executive summary, 2026 Q4" in [element.value for element in at.subheader]


def test_a_per_team_pack_has_one_deck_per_team_each_scoped_to_it(database, ids):
    teams = exports.pack_teams(store.org.teams(database, archived=False), 12)
    reports = [services.report_document(database, ids[0], ids[1], team, today=TODAY) for team in teams]
    archive = zipfile.ZipFile(io.BytesIO(exports.report_pack(reports, "pptx")))
    assert archive.namelist() == [
        "readiness-customer-first-2026-q4-distribution-centre.pptx",
        "readiness-customer-first-2026-q4-logistics-planning.pptx",
    ]
    deck = Presentation(io.BytesIO(archive.read(archive.namelist()[1])))
    text = " ".join(shape.text_frame.text for slide in deck.slides for shape in slide.shapes if shape.has_text_frame)
    assert "Logistics Planning" in text
    assert "Stores North" not in text
    assert "Distribution Centre" not in text


def test_the_cli_writes_a_per_team_pack(demo_file, tmp_path, cli):
    result = cli(
        "report", "--db", str(demo_file), "--initiative", "Customer First", "--wave", "2026 Q4",
        "--format", "pptx", "--out", str(tmp_path), "--team", "Supply Chain", "--each-team",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert sorted(path.name for path in tmp_path.iterdir()) == [
        "readiness-customer-first-2026-q4-distribution-centre.pptx",
        "readiness-customer-first-2026-q4-logistics-planning.pptx",
    ]
    assert "Wrote Readiness report: Distribution Centre · Customer First, 2026 Q4 (PPTX)" in result.stdout
    missing = cli(
        "report", "--db", str(demo_file), "--initiative", "Customer First", "--wave", "2026 Q4",
        "--format", "pptx", "--out", str(tmp_path / "nowhere"), "--each-team",
    )  # fmt: skip
    assert missing.returncode == 2
    assert "There is no folder" in missing.stderr


def test_the_summarys_cx_outcomes_line_says_what_the_cx_outcomes_page_says(demo_path, monkeypatch):
    monkeypatch.setenv("CXCHANGE_DB", str(demo_path))
    st.cache_data.clear()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).switch_page("app_pages/cx_outcomes.py").run()
    assert not at.exception
    # The page's statement per measure: the bold line at the top of each tab.
    statements = [
        str(element.value).strip("*")
        for element in at.markdown
        if str(element.value).startswith("**") and "readiness and" in str(element.value)
    ]
    assert len(statements) == 3  # NPS, CSAT, complaint rate
    database = store.open_db(demo_path)
    try:
        ids = services.report_ids(database, "Customer First", "2026 Q4")
        cx = services.executive_summary(database, *ids[:2], today=TODAY).finding("outcomes")
        report = services.report_document(database, *ids, today=TODAY)
    finally:
        database.close()
    assert _sentences(cx.sentence) == statements
    assert "no clear association between readiness and NPS (r = 0.46, 95% CI" in cx.sentence
    assert cx in report.sections[0].findings
    assert html.escape(cx.sentence) in exports.report_html(report)


def _sentences(text: str) -> list[str]:
    """The page's statements joined in a finding's sentence, one per measure (each ends with the cause note)."""
    return [part.strip() for part in re.findall(r".+?association, not cause\.", text)]
