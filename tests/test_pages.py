"""Every page through the router, as a user sees it (streamlit.testing AppTest on the real app.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from cxchange import db as store

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted(path.relative_to(ROOT).as_posix() for path in (ROOT / "app_pages").glob("*.py"))
TESTED_PAGES = {
    "app_pages/overview.py",
    "app_pages/readiness.py",
    "app_pages/team_detail.py",
    "app_pages/cx_outcomes.py",
    "app_pages/import_entry.py",
    "app_pages/settings.py",
}
FIXTURES = ROOT / "tests" / "fixtures" / "imports"


@pytest.fixture
def app(demo_path, monkeypatch) -> AppTest:
    """The app on a private copy of the demo workspace, caches cleared."""
    monkeypatch.setenv("CXCHANGE_DB", str(demo_path))
    st.cache_data.clear()
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)


def texts(at: AppTest) -> str:
    """Everything written on the page as text, for 'the user sees' assertions."""
    parts = [element.value for kind in ("markdown", "caption", "info", "success", "error") for element in at.get(kind)]
    return "\n".join(str(part) for part in parts)


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def test_every_page_file_is_registered_and_tested():
    # A folder named pages/ would switch Streamlit to its old multipage mode, where a deep link
    # runs the page without app.py (no navigation, no demo label).
    assert not (ROOT / "pages").exists()
    registered = set(re.findall(r'st\.Page\("([^"]+)"', (ROOT / "app.py").read_text()))
    assert set(PAGES) == registered
    assert set(PAGES) == TESTED_PAGES


def test_overview_shows_the_demo_at_a_glance(app):
    at = app.run()
    assert not at.exception
    assert "Demo data" in texts(at)
    assert metric(at, "Readiness index (0–100)") == "67"
    assert metric(at, "Complete responses (n)") == "1,061"
    assert metric(at, "Teams hidden") == "2 of 16"
    assert "since 2026 Q3" in texts(at)
    assert len(at.get("vega_lite_chart")) == 2
    table = at.dataframe[0].value.set_index("Team")
    assert table.loc["Customer Insight", "Barrier point"] == "fewer than 5"
    assert table.loc["Distribution Centre", "Barrier point"] == "Awareness"
    at.selectbox(key="comments_team").select("Customer Insight").run()
    assert "Comments are shown for teams of at least 10 responses" in texts(at)
    at.selectbox(key="comments_team").select("Stores North").run()
    assert "comments from" in texts(at)


def test_overview_first_wave_has_nothing_to_compare(app):
    at = app.run()
    at.selectbox(key="wave").select_index(len(at.selectbox(key="wave").options) - 1).run()
    assert not at.exception
    assert "First wave: nothing to compare with yet." in texts(at)
    table = at.dataframe[0].value.set_index("Team")
    assert table.loc["Stores North", "Barrier point"] == "Knowledge"


def test_overview_for_the_pilot_initiative(app):
    at = app.run()
    at.selectbox(key="initiative").select_index(1).run()
    assert not at.exception
    assert at.selectbox(key="wave").value is not None
    table = at.dataframe[0].value
    assert set(table["Team"]) >= {"Contact Centre", "E-commerce"}
    assert "Stores North" not in set(table["Team"])


def test_settings_change_reaches_the_overview(app):
    at = app.run()
    at.switch_page("app_pages/settings.py").run()
    assert not at.exception
    at.number_input[0].set_value(40)  # minimum group size for scores
    at.button[0].click().run()
    assert not at.exception
    at.switch_page("app_pages/overview.py").run()
    assert int(metric(at, "Teams hidden").split()[0]) > 2
    table = at.dataframe[0].value.set_index("Team")
    assert table.loc["Logistics Planning", "Barrier point"] == "fewer than 40"


def test_settings_refuses_nothing_silently(app, demo_path):
    at = app.run()
    at.switch_page("app_pages/settings.py").run()
    assert [n.label for n in at.number_input][:3] == [
        "Minimum group size for scores",
        "Minimum group size for comments",
        "Barrier threshold",
    ]
    at.number_input[2].set_value(3.5)
    at.button[0].click().run()
    assert store.settings(store.open_db(demo_path))["barrier_threshold"] == 3.5


def test_start_an_empty_workspace_and_get_the_demo_back(app, demo_path):
    at = app.run()
    at.switch_page("app_pages/settings.py").run()
    next(b for b in at.button if b.label == "Start an empty workspace").click().run()
    assert "A backup of the current workspace is kept" in texts(at)
    next(b for b in at.button if b.label == "Yes, start empty").click().run()
    assert not at.exception
    assert "Started an empty workspace" in texts(at)
    assert "Demo data" not in texts(at)
    assert store.count(store.open_db(demo_path), "responses") == 0
    assert len(store.backups(demo_path)) == 1

    at.switch_page("app_pages/overview.py").run()
    assert not at.exception
    assert "No survey results yet" in texts(at)

    at.switch_page("app_pages/settings.py").run()
    next(b for b in at.button if b.label == "Load the demo organisation").click().run()
    next(b for b in at.button if b.label == "Yes, load the demo").click().run()
    assert not at.exception
    assert "Demo data" in texts(at)
    at.switch_page("app_pages/overview.py").run()
    assert metric(at, "Readiness index (0–100)") == "67"


def test_restore_a_backup_after_confirming(app, demo_path):
    at = app.run()
    at.switch_page("app_pages/settings.py").run()
    next(b for b in at.button if b.label == "Start an empty workspace").click().run()
    next(b for b in at.button if b.label == "Yes, start empty").click().run()
    next(b for b in at.button if b.label == "Restore this backup").click().run()
    assert "will be replaced by the backup demo-before-empty-" in texts(at)
    next(b for b in at.button if b.label == "Cancel").click().run()
    assert store.count(store.open_db(demo_path), "responses") == 0  # cancelled: nothing restored
    next(b for b in at.button if b.label == "Restore this backup").click().run()
    next(b for b in at.button if b.label == "Yes, restore it").click().run()
    assert not at.exception
    assert "Restored demo-before-empty-" in texts(at)
    assert store.count(store.open_db(demo_path), "responses") > 6000
    assert "Demo data" in texts(at)


def _upload(at: AppTest, name: str, data: bytes | None = None) -> AppTest:
    at.switch_page("app_pages/import_entry.py").run()
    at.selectbox(key="import_wave").select("New wave…").run()
    at.text_input(key="import_new_wave").input("2027 Q1").run()
    at.file_uploader[0].upload(name, data if data is not None else (FIXTURES / name).read_bytes()).run()
    return at


def test_import_wizard_previews_imports_and_undoes(app, demo_path):
    at = _upload(app.run(), "qualtrics_choice_text.csv")
    assert not at.exception
    assert metric(at, "Complete responses") == "8"
    assert metric(at, "Incomplete (kept out of scores)") == "1"
    assert metric(at, "Rows skipped") == "2"
    assert "Read as a Qualtrics export" in texts(at)
    problems = at.dataframe[1].value
    assert "skipped: blank row" in set(problems["What happens"])
    before = store.count(store.open_db(demo_path), "responses")
    assert store.count(store.open_db(demo_path), "import_batches") == 0  # the preview wrote nothing

    next(b for b in at.button if b.label == "Import").click().run()
    assert not at.exception
    assert "Imported qualtrics_choice_text.csv" in texts(at)
    assert store.count(store.open_db(demo_path), "responses") == before + 9

    history = at.dataframe[-2].value if len(at.dataframe) > 1 else at.dataframe[0].value
    assert "qualtrics_choice_text.csv" in set(history["File"])
    next(b for b in at.button if b.label == "Undo this import").click().run()
    next(b for b in at.button if b.label == "Yes, remove it").click().run()
    assert not at.exception
    assert "Removed batch 1: 9 responses." in texts(at)
    assert store.count(store.open_db(demo_path), "responses") == before


def test_import_wizard_asks_for_an_unknown_label(app, demo_path):
    data = (FIXTURES / "googleforms.csv").read_text(encoding="utf-8").replace(",4 - Agree,", ",Kinda agree,", 1)
    at = _upload(app.run(), "forms.csv", data.encode())
    assert not at.exception
    assert "not on the 1–5 agreement scale" in "\n".join(w.value for w in at.warning)
    assert not any(b.label == "Import" for b in at.button)
    choice = next(s for s in at.selectbox if s.label == "“Kinda agree” means")
    choice.select("Agree (4)")
    next(b for b in at.button if b.label == "Use these values").click().run()
    assert not at.exception
    assert metric(at, "Complete responses") == "8"
    next(b for b in at.button if b.label == "Import").click().run()
    assert store.count(store.open_db(demo_path), "import_batches") == 1


def test_import_wizard_refuses_a_pdf_in_one_sentence(app, demo_path):
    at = _upload(app.run(), "results.csv", b"%PDF-1.7 binary")
    assert not at.exception
    assert [e.value for e in at.error] == [
        "results.csv is a PDF report, not the survey's data: download the responses as CSV or Excel (.xlsx)."
    ]


def test_team_level_results_show_in_the_grid_and_on_the_overview(app, demo_path):
    from cxchange import entry

    database = store.open_db(demo_path)
    teams = store.teams(database)
    ids = dict(zip(teams["name"], teams["id"], strict=True))
    row = {"Team": "HR & People", "Awareness": 4, "Desire": 4, "Knowledge": 4, "Ability": 4, "Reinforcement": 4}
    rows, problems = entry.check_grid(pd.DataFrame([row | {"n": 9, "sd (optional)": None}]), ids)
    assert problems == []
    store.save_team_results(database, int(store.waves(database, 1)["id"].iloc[-1]), rows, "test")

    at = app.run()
    at.switch_page("app_pages/import_entry.py").run()
    assert not at.exception
    grid = next(d.value for d in at.dataframe if "sd (optional)" in d.value.columns)
    assert grid["Team"].tolist() == ["HR & People"]
    assert grid["n"].tolist() == [9]
    at.switch_page("app_pages/overview.py").run()
    table = at.dataframe[0].value.set_index("Team")
    assert table.loc["HR & People", "Source"] == "team-level entry: no significance test possible"
    assert table.loc["HR & People", "Responses (n)"] == 18 + 9  # its survey responses and the 9 entered


def test_import_wizard_maps_a_new_team_name_to_an_existing_team(app, demo_path):
    at = _upload(app.run(), "googleforms.csv")
    assert "Created team Click & Collect." in texts(at)
    next(s for s in at.selectbox if s.label == "Team “Click & Collect” in the file is").select("E-commerce").run()
    assert not at.exception
    assert "Created team Click & Collect." not in texts(at)
    next(b for b in at.button if b.label == "Import").click().run()
    teams = store.teams(store.open_db(demo_path))["name"].tolist()
    assert "Click & Collect" not in teams


def test_cx_outcomes_shows_readiness_against_each_measure_as_association(app):
    at = app.run()
    at.switch_page("app_pages/cx_outcomes.py").run()
    assert not at.exception
    shown = texts(at)
    assert "Teams with higher readiness had higher CSAT (r = 0.87, 95% CI 0.79 to 0.92, n = 54 team-waves)." in shown
    assert "Teams with higher readiness had lower complaint rates" in shown
    assert "This is an association, not proof that readiness causes it." in shown
    assert "its points are not independent" in shown
    assert "Left out: 6 NPS figures, because the team's readiness is hidden in that wave" in shown
    charts = at.get("vega_lite_chart")
    assert len(charts) == 3
    assert "association, not cause" in charts[0].proto.spec
    per_wave = at.dataframe[0].value
    assert per_wave["Wave"].tolist() == ["2025 Q3", "2025 Q4", "2026 Q1", "2026 Q2", "2026 Q3", "2026 Q4"]
    assert per_wave["Teams (n)"].eq(9).all()


def test_cx_outcomes_without_figures_says_how_to_add_them(app, demo_path):
    store.open_db(demo_path)["cx_outcomes"].delete_where()
    at = app.run()
    at.switch_page("app_pages/cx_outcomes.py").run()
    assert not at.exception
    assert "No CX outcome figures yet. Type them under **Enter figures**" in texts(at)
    assert not at.get("vega_lite_chart")


def test_cx_outcomes_grid_saves_a_figure_that_then_shows(app, demo_path):
    at = app.run()
    at.switch_page("app_pages/cx_outcomes.py").run()
    assert at.selectbox(key="outcomes_period").value == "2026 Q4"
    grid = at.data_editor(key="outcomes_grid:2026 Q4").value
    north = grid.index[grid["Team"] == "Stores North"][0]
    at.session_state["outcomes_grid:2026 Q4"] = {
        "edited_rows": {int(north): {"NPS": 41.5}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.button(key="outcomes_save").click().run()
    assert not at.exception
    assert "Saved 2026 Q4: 30 figures: 0 added, 1 changed, 29 left unchanged." in texts(at)
    stored = store.cx_outcomes(store.open_db(demo_path), "2026 Q4").set_index(["team", "metric"])["value"]
    assert stored[("Stores North", "nps")] == 41.5
    grid = at.data_editor(key="outcomes_grid:2026 Q4").value
    assert grid.loc[grid["Team"] == "Stores North", "NPS"].tolist() == [41.5]


def test_cx_outcomes_import_names_the_bad_cell_then_imports_the_fixed_file(app, demo_path):
    at = app.run()
    at.switch_page("app_pages/cx_outcomes.py").run()
    before = store.count(store.open_db(demo_path), "cx_outcomes")
    bad = b"team,period,nps,csat\nStores North,2027 Q1,30,80\nE-commerce,2027 Q1,140,81\n"
    at.file_uploader(key="outcomes_upload").upload("outcomes.csv", bad).run()
    assert not at.exception
    assert "Nothing can be imported from outcomes.csv until this problem is fixed" in texts(at)
    assert "Row 3, nps: 140 is outside the NPS range -100 to 100." in texts(at)
    assert not any(b.label == "Import" for b in at.button)
    assert store.count(store.open_db(demo_path), "cx_outcomes") == before

    at.file_uploader(key="outcomes_upload").upload("outcomes.csv", bad.replace(b"140", b"40")).run()
    assert metric(at, "Figures to add") == "4"
    assert store.count(store.open_db(demo_path), "cx_outcomes") == before  # the preview wrote nothing
    at.button(key="outcomes_import").click().run()
    assert not at.exception
    assert "Imported outcomes.csv: 4 figures: 4 added, 0 changed, 0 left unchanged." in texts(at)
    assert store.count(store.open_db(demo_path), "cx_outcomes") == before + 4
    assert "importing it would change nothing" in texts(at)  # the same file again
