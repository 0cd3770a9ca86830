"""Uploads bounded before they are parsed: a zip-bomb XLSX, a CSV past the row cap, a file too wide; each
refused in one sentence naming the file and the limit, on the import page too, and parsed once per file."""

from __future__ import annotations

import io
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from cxchange import services
from cxchange.importing import ImportRejected, reading
from cxchange.importing.reading import MAX_ROWS, read_survey

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
        "into smaller files."
    )
    print(f"zip bomb of {len(bomb):,} bytes refused in {took * 1000:.0f} ms")


def test_a_tightly_packed_part_is_refused_even_under_the_size_limit(bomb: bytes, monkeypatch):
    monkeypatch.setattr(reading, "MAX_UNPACKED_BYTES", 10 * BOMB_BYTES)
    with pytest.raises(
        ImportRejected,
        match=r"survey\.xlsx is packed more tightly than any survey export "
        r"\(xl/sharedStrings\.xml unpacks [\d,]+ times its size; the limit is 100\)",
    ):
        read_survey(bomb, "survey.xlsx")


def test_a_csv_past_the_row_cap_is_refused_before_it_is_parsed(too_long: bytes):
    started = time.perf_counter()
    with pytest.raises(ImportRejected) as refused:
        read_survey(too_long, "everyone.csv")
    took = time.perf_counter() - started
    assert str(refused.value) == (
        "everyone.csv has more than 1,000,000 rows (1,000,005 lines), more than one import takes: export one "
        "wave, or split the file into parts of at most 1,000,000 responses and import each."
    )
    print(f"CSV of {len(too_long):,} bytes refused in {took * 1000:.0f} ms")


def test_a_sheet_declaring_more_rows_than_the_cap_is_refused(monkeypatch):
    monkeypatch.setattr(reading, "MAX_ROWS", 5)
    data = workbook_bytes([["Team", "AW1"], *[["Stores", 4]] * 10])
    with pytest.raises(ImportRejected, match=r"^wide\.xlsx has more than 5 rows \(11 in sheet Sheet\)"):
        read_survey(data, "wide.xlsx")


def test_a_file_too_wide_is_refused(monkeypatch):
    monkeypatch.setattr(reading, "MAX_COLUMNS", 3)
    with pytest.raises(ImportRejected, match=r"^wide\.csv has 4 columns, more than the 3 an import reads"):
        read_survey(b"Team,AW1,AW2,AW3\nStores,4,4,4\n", "wide.csv")
    with pytest.raises(ImportRejected, match=r"^wide\.xlsx has 4 columns"):
        read_survey(workbook_bytes([["Team", "AW1", "AW2", "AW3"], ["Stores", 4, 4, 4]]), "wide.xlsx")


def test_a_file_at_the_cap_is_read(monkeypatch):
    monkeypatch.setattr(reading, "MAX_ROWS", 3)
    survey = read_survey(b"Team,AW1\nA,4\nB,4\nC,4\n", "three.csv")
    assert sum(len(chunk) for chunk in survey.chunks()) == 3


@pytest.fixture
def import_page(own_workspace: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[AppTest, list[str]]:
    """The import page on an own workspace, counting every file services parses."""
    monkeypatch.setenv("CXCHANGE_DB", str(own_workspace))
    st.cache_data.clear()
    parsed: list[str] = []

    def counted(data: bytes, file_name: str, *args, **kwargs):
        parsed.append(file_name)
        return reading.read_survey(data, file_name, *args, **kwargs)

    monkeypatch.setattr(services, "read_survey", counted)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.switch_page("app_pages/import_entry.py").run()
    at.selectbox(key="import_wave").select("New wave…").run()
    at.text_input(key="import_new_wave").input("2027 Q1").run()
    return at, parsed


@pytest.mark.parametrize("kind", ["bomb", "too_long"])
def test_the_import_page_shows_the_refusal_and_parses_the_file_once(import_page, kind, request):
    at, parsed = import_page
    name = {"bomb": "survey.xlsx", "too_long": "everyone.csv"}[kind]
    at.file_uploader[0].upload(name, request.getfixturevalue(kind)).run()
    assert not at.exception
    assert [e.value for e in at.error][0].startswith(name)
    assert ("200 MB" if kind == "bomb" else "1,000,000 rows") in at.error[0].value
    at.run()  # reruns, as every click elsewhere on the page makes
    at.run()
    assert at.error[0].value.startswith(name)
    assert not at.exception
    assert parsed == [name]  # refused once, remembered for the reruns
