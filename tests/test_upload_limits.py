"""Uploads bounded before they are parsed: a zip-bomb XLSX, a CSV past the row cap, a file too wide; each
refused in one sentence naming the file, the limit and where an admin changes it, on the import page too, and
parsed once per file. The limits are settings an admin lowers or raises; every reader of an upload obeys them."""

from __future__ import annotations

import io
import re
import time
import zipfile
from collections import deque
from pathlib import Path

import openpyxl
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest
from test_pages import as_read

from cxchange import services, store, ui
from cxchange.importing import ImportRejected
from cxchange.importing.reading import MAX_ROWS, Limits, read_survey

ROOT = Path(__file__).resolve().parent.parent
BOMB_BYTES = 300 * 1024 * 1024


def workbook_bytes(rows: list[list[object]]) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture(scope="module")
def bomb() -> bytes:
    """A valid XLSX whose shared string is 300 MB of one letter, written streaming: a few hundred KB packed."""
    normal = zipfile.ZipFile(io.BytesIO(workbook_bytes([["Team", "AW1"], ["Stores", 4]])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for part in normal.infolist():
            if part.filename != "xl/sharedStrings.xml":
                archive.writestr(part, normal.read(part))
        with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as strings:
            strings.write(b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>')
            block = b"a" * (1024 * 1024)
            for _ in range(BOMB_BYTES // len(block)):
                strings.write(block)
            strings.write(b"</t></si><si><t>Team</t></si><si><t>AW1</t></si><si><t>Stores</t></si></sst>")
    return out.getvalue()


@pytest.fixture(scope="module")
def too_long() -> bytes:
    """A CSV of one response more than the cap (a few MB)."""
    return b"Team,AW1\n" + b"Stores,4\n" * (MAX_ROWS + 4)


def test_a_zip_bomb_xlsx_is_refused_from_its_directory_before_anything_is_unpacked(bomb: bytes):
    assert len(bomb) < 2 * 1024 * 1024
    started = time.perf_counter()
    with pytest.raises(ImportRejected) as refused:
        read_survey(bomb, "survey.xlsx")
    took = time.perf_counter() - started
    assert str(refused.value) == (
        "survey.xlsx unpacks to 300 MB, more than the 200 MB an Excel import may: save it as CSV, or split it "
        'into smaller files (the limit "Most an Excel file may unpack to (MB)", set under Settings → Thresholds, '
        "Uploads)."
    )
    print(f"zip bomb of {len(bomb):,} bytes refused in {took * 1000:.0f} ms")


def test_a_tightly_packed_part_is_refused_even_under_the_size_limit(bomb: bytes):
    with pytest.raises(
        ImportRejected,
        match=r"survey\.xlsx is packed more tightly than any survey export "
        r"\(xl/sharedStrings\.xml unpacks [\d,]+ times its size; the limit is 100\)",
    ):
        read_survey(bomb, "survey.xlsx", limits=Limits(unpacked_bytes=10 * BOMB_BYTES))


def test_a_csv_past_the_row_cap_is_refused_before_it_is_parsed(too_long: bytes):
    started = time.perf_counter()
    with pytest.raises(ImportRejected) as refused:
        read_survey(too_long, "everyone.csv")
    took = time.perf_counter() - started
    assert str(refused.value) == (
        "everyone.csv has more than 1,000,000 rows (1,000,005 lines), more than one import takes: export one "
        'wave, or split the file into parts of at most 1,000,000 responses and import each (the limit "Most rows '
        'in an uploaded file", set under Settings → Thresholds, Uploads).'
    )
    print(f"CSV of {len(too_long):,} bytes refused in {took * 1000:.0f} ms")


def test_a_sheet_declaring_more_rows_than_the_cap_is_refused():
    data = workbook_bytes([["Team", "AW1"], *[["Stores", 4]] * 10])
    with pytest.raises(ImportRejected, match=r"^wide\.xlsx has more than 5 rows \(11 in sheet Sheet\)"):
        read_survey(data, "wide.xlsx", limits=Limits(rows=5))


def test_a_file_too_wide_is_refused():
    narrow = Limits(columns=3)
    with pytest.raises(
        ImportRejected,
        match=r"^wide\.csv has 4 columns, more than the 3 an import reads: export only the survey's columns "
        r'\(the limit "Most columns in an uploaded file", set under Settings → Thresholds, Uploads\)\.$',
    ):
        read_survey(b"Team,AW1,AW2,AW3\nStores,4,4,4\n", "wide.csv", limits=narrow)
    with pytest.raises(ImportRejected, match=r"^wide\.xlsx has 4 columns"):
        read_survey(workbook_bytes([["Team", "AW1", "AW2", "AW3"], ["Stores", 4, 4, 4]]), "wide.xlsx", limits=narrow)


def test_a_file_at_the_cap_is_read():
    survey = read_survey(b"Team,AW1\nA,4\nB,4\nC,4\n", "three.csv", limits=Limits(rows=3))
    assert sum(len(chunk) for chunk in survey.chunks()) == 3


def test_the_default_limits_are_the_settings_defaults():
    assert Limits.from_settings(store.settings.DEFAULTS) == Limits() == Limits(1_000_000, 16_384, 200 * 1024**2)


@pytest.fixture
def import_page(own_workspace: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[AppTest, deque[str]]:
    """The import page on an own workspace, and ui.parse_log emptied: every upload a dry run reads from now."""
    monkeypatch.setenv("CXCHANGE_DB", str(own_workspace))
    st.cache_data.clear()
    ui.parse_log.clear()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.switch_page("app_pages/import_entry.py").run()
    at.selectbox(key="import_wave").select("New wave…").run()
    at.text_input(key="import_new_wave").input("2027 Q1").run()
    return at, ui.parse_log


@pytest.mark.parametrize("kind", ["bomb", "too_long"])
def test_the_import_page_shows_the_refusal_and_parses_the_file_once(import_page, kind, request):
    at, parsed = import_page
    name = {"bomb": "survey.xlsx", "too_long": "everyone.csv"}[kind]
    at.file_uploader[0].upload(name, request.getfixturevalue(kind)).run()
    assert not at.exception
    assert as_read(at.error[0].value).startswith(name)
    assert ("200 MB" if kind == "bomb" else "1,000,000 rows") in as_read(at.error[0].value)
    at.run()  # reruns, as every click elsewhere on the page makes
    at.run()
    assert as_read(at.error[0].value).startswith(name)
    assert not at.exception
    assert list(parsed) == [name]  # refused once, remembered for the reruns


SURVEY = ROOT / "tests" / "fixtures" / "imports" / "qualtrics_choice_text.csv"
TEAMS_FILE = b"team,parent team,headcount\nPop-up Stores,Stores,12\nKiosks,Stores,8\nVans,Stores,6\n"
RESULTS_FILE = (
    b"team,n,awareness,desire,knowledge,ability,reinforcement\n"
    b"Stores North,12,3.5,3.2,3.0,2.9,3.1\nStores South,9,3.8,3.4,3.3,3.0,3.2\n"
)
OUTCOMES_FILE = b"team,period,nps,csat\nStores North,2026-10,31,4.2\nStores South,2026-10,28,4.0\n"
ROSTER_FILE = b"name,team,started\nAda Lovelace,Stores North,2026-09-01\nBo Chen,Stores South,2026-09-01\n"


def every_upload(db, data: dict[str, bytes]):
    """Each reader of an upload, as the app and the command line call it (dry runs: nothing is written)."""
    return {
        "survey": lambda: services.import_survey(db, data["survey"], "survey.csv", "2027 Q1", dry_run=True),
        "org file": lambda: services.import_teams(db, data["org file"], "teams.csv", dry_run=True),
        "team results": lambda: services.enter_team_results(
            db, data["team results"], "results.csv", "2026 Q4", dry_run=True
        ),
        "outcomes": lambda: services.import_outcomes(db, data["outcomes"], "outcomes.csv", dry_run=True),
        "roster": lambda: services.import_roster(db, data["roster"], "roster.csv", dry_run=True),
    }


FILES = {
    "survey": SURVEY.read_bytes(),
    "org file": TEAMS_FILE,
    "team results": RESULTS_FILE,
    "outcomes": OUTCOMES_FILE,
    "roster": ROSTER_FILE,
}


@pytest.mark.parametrize("kind", list(FILES))
def test_a_lowered_row_limit_refuses_a_file_every_reader_takes_by_default(own_workspace: Path, kind: str):
    database = store.open_db(own_workspace)
    try:
        every_upload(database, FILES)[kind]()  # read under the default limits (its content may have problems)
        services.save_settings(database, {"upload_max_rows": 1})
        with pytest.raises(ImportRejected) as refused:
            every_upload(database, FILES)[kind]()
    finally:
        database.close()
    said = str(refused.value)
    assert "more than 1 rows" in said
    assert said.endswith('(the limit "Most rows in an uploaded file", set under Settings → Thresholds, Uploads).'), said


def test_a_lowered_column_limit_refuses_a_survey_that_passes_the_default(own_workspace: Path):
    database = store.open_db(own_workspace)
    try:
        services.import_survey(database, SURVEY.read_bytes(), SURVEY.name, "2027 Q1", dry_run=True)
        services.save_settings(database, {"upload_max_columns": 10})
        with pytest.raises(ImportRejected) as refused:
            services.import_survey(database, SURVEY.read_bytes(), SURVEY.name, "2027 Q1", dry_run=True)
    finally:
        database.close()
    assert re.fullmatch(
        r"qualtrics_choice_text\.csv has \d+ columns, more than the 10 an import reads: export only the survey's "
        r'columns \(the limit "Most columns in an uploaded file", set under Settings → Thresholds, Uploads\)\.',
        str(refused.value),
    ), refused.value


def test_a_lowered_xlsx_size_limit_refuses_a_workbook_that_passes_the_default(own_workspace: Path):
    database = store.open_db(own_workspace)
    rows = [["Team", *(f"Column {number}" for number in range(20))]]
    rows += [["Stores North", *("an answer of some length" for _ in range(20))] for _ in range(3000)]
    workbook = workbook_bytes(rows)
    try:
        services.import_survey(database, workbook, "wide answers.xlsx", "2027 Q1", dry_run=True)  # the default: read
        services.save_settings(database, {"upload_max_unpacked_mb": 1})
        with pytest.raises(ImportRejected) as refused:
            services.import_survey(database, workbook, "wide answers.xlsx", "2027 Q1", dry_run=True)
    finally:
        database.close()
    assert str(refused.value).startswith("wide answers.xlsx unpacks to ")
    assert str(refused.value).endswith(
        'more than the 1 MB an Excel import may: save it as CSV, or split it into smaller files (the limit "Most an '
        'Excel file may unpack to (MB)", set under Settings → Thresholds, Uploads).'
    )


@pytest.mark.parametrize(
    ("values", "says"),
    [
        ({"upload_max_rows": 0}, "Most rows in an uploaded file must be at least 1, not 0."),
        ({"upload_max_columns": 20_000}, "Most columns in an uploaded file must be at most 16384, not 20000."),
        ({"upload_max_unpacked_mb": "lots"}, "Most an Excel file may unpack to (MB) must be a number, not 'lots'."),
        ({"upload_max_rows": 1.5}, "Most rows in an uploaded file must be a whole number, not 1.5."),
    ],
)
def test_an_invalid_upload_limit_is_refused_and_nothing_is_saved(db, values, says):
    with pytest.raises(ValueError, match=f"^{re.escape(says)}$"):
        services.save_settings(db, {"upload_max_rows": 5, **values})
    assert store.settings.settings(db)["upload_max_rows"] == 1_000_000
