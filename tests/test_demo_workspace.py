"""The demo workspace holds a made-up organisation: no real data goes into it, whichever way it comes
(files of every kind, typed results), so its banner never stands over real figures."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest
from test_pages import as_read

from cxchange import services, store
from cxchange.importing import ImportRejected

ROOT = Path(__file__).resolve().parent.parent


REAL_DATA = {
    "a roster file": (
        lambda db: services.import_roster(db, b"name,team,start\nNoor A.,Stores North,2026-11-02\n", "roster.csv"),
        "champions",
        r"^roster\.csv cannot go",
    ),
    "a CX outcomes file": (
        lambda db: services.import_outcomes(db, b"team,period,nps\nStores North,2027 Q1,30\n", "nps.csv"),
        "cx_outcomes",
        r"^nps\.csv cannot go",
    ),
    "an org file": (
        lambda db: services.import_teams(db, b"Team,Reports to,People\nPop-up Stores,Stores,6\n", "org.csv"),
        "teams",
        r"^org\.csv cannot go",
    ),
    "typed team-level results": (
        lambda db: services.save_team_results(
            db,
            int(store.org.waves(db, 1)["id"].iloc[-1]),
            pd.DataFrame([{"team_id": 16, "element": "awareness", "mean": 4.0, "n": 9, "sd": None}]),
        ),
        "team_results",
        r"^Typed team-level results cannot go",
    ),
    "typed CX figures": (
        lambda db: services.save_cx_outcomes(
            db, pd.DataFrame([{"team_id": 16, "period": "2027 Q1", "metric": "nps", "value": 30.0}])
        ),
        "cx_outcomes",
        r"^Typed CX outcome figures cannot go",
    ),
}


@pytest.mark.parametrize("what", list(REAL_DATA))
def test_the_demo_refuses_every_kind_of_real_data_and_writes_nothing(demo_db, what):
    write, table, message = REAL_DATA[what]
    before = store.count(demo_db, table)
    with pytest.raises(ImportRejected, match=message + r" into the demo workspace: .* Start an empty workspace"):
        write(demo_db)
    assert store.count(demo_db, table) == before


@pytest.mark.parametrize("what", list(REAL_DATA))
def test_a_workspace_of_ones_own_takes_the_same_data(own_db, what):
    write, table, _ = REAL_DATA[what]
    before = store.count(own_db, table)
    write(own_db)  # the refusal is the demo's, not the data's
    assert store.count(own_db, table) > before


UPLOADS = [
    ("app_pages/champions.py", "roster_upload", "roster.csv", b"name,team,start\nNoor A.,Stores North,2026-11-02\n"),
    ("app_pages/cx_outcomes.py", "outcomes_upload", "nps.csv", b"team,period,nps\nStores North,2027 Q1,30\n"),
    ("app_pages/settings.py", "org_upload", "org.csv", b"Team,Reports to,People\nPop-up Stores,Stores,6\n"),
    ("app_pages/import_entry.py", "entry_upload", "results.csv", b"team,n\nHR & People,12\n"),
]


@pytest.mark.parametrize(("page", "key", "name", "data"), UPLOADS, ids=[upload[2] for upload in UPLOADS])
def test_each_upload_page_of_the_demo_says_why_the_file_cannot_go_in(demo_path, monkeypatch, page, key, name, data):
    monkeypatch.setenv("CXCHANGE_DB", str(demo_path))
    st.cache_data.clear()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).switch_page(page).run()
    before = {table: store.count(store.open_db(demo_path), table) for table in ("champions", "cx_outcomes", "teams")}
    at.file_uploader(key=key).upload(name, data).run()
    assert not at.exception
    assert any(f"{name} cannot go into the demo workspace" in as_read(error.value) for error in at.error)
    assert not [button for button in at.button if button.label.startswith(("Import", "Apply"))]
    after = {table: store.count(store.open_db(demo_path), table) for table in before}
    assert after == before
