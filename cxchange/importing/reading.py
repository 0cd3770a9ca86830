"""Reading a survey export as it comes: which kind of file, which encoding, which tool's layout.

The user is never asked which tool made the file. Whatever cannot be read is refused with one
sentence saying what is wrong and what to do.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import PurePath

import openpyxl

SNIFF_BYTES = 64 * 1024
ID_HEADERS = {"responseid", "response id", "respondent id", "id", "submission id", "response number"}


class ImportRejected(ValueError):
    """A file we will not import; the message is one sentence for the user, naming what to do."""


@dataclass
class Survey:
    """A survey export in one shape whatever the tool: headers, column ids, data rows with their row numbers.

    `rows` holds (row number as the user sees it in the file, cells). `id_column` is the column with
    the tool's response id, where there is one.
    """

    tool: str
    headers: list[str]
    column_ids: list[str]
    rows: list[tuple[int, list[object]]]
    id_column: int | None = None
    encoding: str | None = None
    delimiter: str | None = None
    notes: list[str] = field(default_factory=list)


def read_survey(data: bytes, file_name: str) -> Survey:
    """Read a CSV or XLSX export of any supported tool; raises ImportRejected with the reason."""
    grid, encoding, delimiter = _read_grid(data, file_name)
    survey = _interpret(grid, file_name)
    survey.encoding, survey.delimiter = encoding, delimiter
    return survey


def _read_grid(data: bytes, file_name: str) -> tuple[list[list[object]], str | None, str | None]:
    name = PurePath(file_name).name
    if not data.strip():
        raise ImportRejected(f"{name} is empty: export the survey results again and upload that file.")
    if data.startswith(b"%PDF"):
        raise ImportRejected(
            f"{name} is a PDF report, not the survey's data: download the responses as CSV or Excel (.xlsx)."
        )
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportRejected(f"{name} is an old Excel (.xls) file: open it in Excel and save it as .xlsx or CSV.")
    if data.startswith(b"PK\x03\x04"):
        return _read_xlsx(data, name), None, None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text, encoding = data.decode("utf-16"), "utf-16"
    else:
        if b"\x00" in data[:SNIFF_BYTES]:
            raise ImportRejected(
                f"{name} is not a CSV or Excel file (it holds binary data): export the responses as CSV or .xlsx."
            )
        text, encoding = _decode(data, name)
        if _looks_binary(text):
            raise ImportRejected(
                f"{name} is not a CSV or Excel file (it holds binary data): export the responses as CSV or .xlsx."
            )
    return _read_csv(text, name), encoding, _delimiter(text)


def _decode(data: bytes, name: str) -> tuple[str, str]:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise ImportRejected(
        f"{name} uses a text encoding we cannot read: save it again as 'CSV UTF-8' (Excel: File → Save As)."
    )


def _looks_binary(text: str) -> bool:
    """Control characters that no survey export writes, in more than 1% of the sample."""
    sample = text[:SNIFF_BYTES]
    control = sum(1 for char in sample if (ord(char) < 32 and char not in "\t\r\n") or 0x7F <= ord(char) < 0xA0)
    return control > max(1, len(sample) // 100)


def _delimiter(text: str) -> str:
    sample = text[:SNIFF_BYTES]
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        first = sample.splitlines()[0] if sample.splitlines() else ""
        return max(",;\t", key=first.count)


def _read_csv(text: str, name: str) -> list[list[object]]:
    try:
        return [list(row) for row in csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))]
    except csv.Error as problem:
        raise ImportRejected(f"{name} is not a well-formed CSV file ({problem}): export it again.") from None


def _read_xlsx(data: bytes, name: str) -> list[list[object]]:
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise ImportRejected(
            f"{name} is not an Excel workbook we can read (a renamed or damaged file?): export the responses "
            "as .xlsx or CSV again."
        ) from None
    try:
        sheet = max(workbook.worksheets, key=lambda ws: ws.max_row or 0)
        return [list(row) for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()


def _blank(cell: object) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _trim(grid: list[list[object]]) -> list[list[object]]:
    """Drop columns that are empty all the way down, and trailing empty rows."""
    width = max((len(row) for row in grid), default=0)
    grid = [row + [None] * (width - len(row)) for row in grid]
    keep = [c for c in range(width) if any(not _blank(row[c]) for row in grid)]
    grid = [[row[c] for c in keep] for row in grid]
    while grid and all(_blank(cell) for cell in grid[-1]):
        grid.pop()
    return grid


def _text(cell: object) -> str:
    return "" if cell is None else str(cell).strip()


def _interpret(grid: list[list[object]], name: str) -> Survey:
    grid = _trim(grid)
    if not grid:
        raise ImportRejected(f"{name} is empty: export the survey results again and upload that file.")
    first = [_text(cell) for cell in grid[0]]
    if len(grid) >= 3 and any(_text(cell).startswith('{"ImportId"') for cell in grid[2]):
        headers = [_text(cell) or first[i] for i, cell in enumerate(grid[1])]
        survey = Survey("Qualtrics", headers, first, _numbered(grid, 3))
        survey.id_column = _index(first, "ResponseId")
    elif "Respondent ID" in first and "Collector ID" in first and len(grid) >= 2:
        question = ""
        headers = []
        for i, statement in enumerate(_text(cell) for cell in grid[1]):
            question = first[i] or question
            generic = statement.lower() in ("", "response", "open-ended response")
            headers.append(first[i] if generic and first[i] else question if generic else statement)
        survey = Survey("SurveyMonkey", headers, first, _numbered(grid, 2))
        survey.id_column = _index(first, "Respondent ID")
    else:
        tool = "Google Forms" if first and first[0] == "Timestamp" else "spreadsheet"
        if first[:3] == ["ID", "Start time", "Completion time"] or first[:3] == ["Id", "Start time", "Completion time"]:
            tool = "Microsoft Forms"
        survey = Survey(tool, first, first, _numbered(grid, 1))
        survey.id_column = next((i for i, h in enumerate(first) if h.lower() in ID_HEADERS), None)
    if not survey.rows or all(all(_blank(cell) for cell in cells) for _, cells in survey.rows):
        raise ImportRejected(
            f"{name} has column headings but no responses: check the export's filters and export it again."
        )
    return survey


def _numbered(grid: list[list[object]], header_rows: int) -> list[tuple[int, list[object]]]:
    return [(number, row) for number, row in enumerate(grid[header_rows:], start=header_rows + 1)]


def _index(headers: list[str], wanted: str) -> int | None:
    return headers.index(wanted) if wanted in headers else None
