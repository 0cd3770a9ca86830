"""The Streamlit shell's cache: what an uploaded file would do is worked out once, not on every rerun."""

from __future__ import annotations

from collections import deque
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from cxchange import services, store, ui
from cxchange.importing import ImportMapping, ImportRejected

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "imports"


@pytest.fixture
def reads(own_workspace: Path, monkeypatch: pytest.MonkeyPatch) -> deque[str]:
    """The demo organisation as an own workspace, caches cleared; ui.parse_log, emptied: the name of every
    uploaded file a dry run has read since (each miss of the cache), in order."""
    monkeypatch.setenv("CXCHANGE_DB", str(own_workspace))
    st.cache_data.clear()
    ui.parse_log.clear()
    return ui.parse_log


def preview(data: bytes, wave: str = "2027 Q1", mapping: ImportMapping | None = None):
    return ui.dry_run(services.import_survey, data, "forms.csv", wave, None, mapping or ImportMapping())


def test_a_dry_run_reads_a_file_once_per_content_arguments_and_workspace(reads, demo_path):
    data = (FIXTURES / "googleforms.csv").read_bytes()
    first = preview(data)
    again = preview(bytes(bytearray(data)))  # the same content in another object, as a rerun uploads it
    assert list(reads) == ["forms.csv"]
    assert again.report_lines() == first.report_lines()
    assert "Would import forms.csv" in first.report_lines()[0]

    preview(data, mapping=ImportMapping(teams={"Click & Collect": "E-commerce"}))
    preview(data, wave="2027 Q2")
    assert len(reads) == 3
    services.save_mapping(store.open_db(demo_path), "forms", "{}")  # any write: the workspace may have changed
    preview(data)
    assert len(reads) == 4


def test_a_refused_file_is_not_read_again_either(reads):
    for _ in range(3):
        with pytest.raises(ImportRejected, match="is a PDF report"):
            preview(b"%PDF-1.7 binary")
    assert list(reads) == ["forms.csv"]


def test_the_import_page_reads_an_upload_once_however_often_it_reruns(reads):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    at.switch_page("app_pages/import_entry.py").run()
    at.selectbox(key="import_wave").select("New wave…").run()
    at.text_input(key="import_new_wave").input("2027 Q1").run()
    at.file_uploader[0].upload("googleforms.csv", (FIXTURES / "googleforms.csv").read_bytes()).run()
    assert not at.exception
    assert next(m.value for m in at.metric if m.label == "Complete responses") == "9"
    at.text_input(key="mapping_name").input("Forms").run()  # widgets that leave the preview as it is
    at.run()
    assert list(reads) == ["googleforms.csv"]

    teams = next(editor for editor in at.data_editor if editor.key.startswith("teams:"))
    row = int(teams.value.index[teams.value["Team in the file"] == "Click & Collect"][0])
    at.session_state[teams.key] = {
        "edited_rows": {row: {"Goes to": "E-commerce"}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    assert not at.exception
    assert list(reads) == ["googleforms.csv", "googleforms.csv"]  # a new mapping: read once more


def test_a_roster_dry_run_reads_the_file_once(reads):
    data = b"name,team,start\nNoor A.,Logistics Planning,2026-11-02\n"
    first = ui.dry_run(services.import_roster, data, "roster.csv")
    assert ui.dry_run(services.import_roster, data, "roster.csv").summary() == first.summary()
    assert list(reads) == ["roster.csv"]
    assert first.plan.counts() == {"add": 1}
