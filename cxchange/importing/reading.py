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
import pandas as pd

SNIFF_BYTES = 64 * 1024
ID_HEADERS = {"responseid", "response id", "respondent id", "id", "submission id", "response number"}


class ImportRejected(ValueError):
    """A file we will not import; the message is one sentence for the user, naming what to do."""


@dataclass
class Survey:
    """A survey export in one shape whatever the tool: headers, column ids, data rows with their row numbers.

    `grid` holds the data rows, indexed by the row number the user sees in the file, one column per
    file column (0, 1, …); an empty cell is "" or None. `id_column` is the column with the tool's
    response id, where there is one.
    """

    tool: str
    headers: list[str]
    column_ids: list[str]
    grid: pd.DataFrame
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


def _read_grid(data: bytes, file_name: str) -> tuple[pd.DataFrame, str | None, str | None]:
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
        return pd.DataFrame(_read_xlsx(data, name), dtype=object), None, None
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
    delimiter = _delimiter(text)
    return _read_csv(text, name, delimiter), encoding, delimiter


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


def _read_csv(text: str, name: str, delimiter: str) -> pd.DataFrame:
    """Every record of the file as strings ("" for empty), in pandas' C parser: no object per cell."""
    try:
        return pd.read_csv(
            io.StringIO(text),
            sep=delimiter,
            header=None,
            dtype=str,
            keep_default_na=False,
            skip_blank_lines=False,
            engine="c",
        )
    except pd.errors.ParserError:
        pass  # ragged rows (more fields further down): the csv module copes, more slowly
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as problem:
        raise ImportRejected(f"{name} is not a well-formed CSV file ({problem}): export it again.") from None
    return pd.DataFrame(rows, dtype=object).fillna("")


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


def _blank_cells(grid: pd.DataFrame) -> pd.DataFrame:
    """True where a cell is empty or only spaces."""
    return pd.DataFrame(
        {c: grid[c].isna() | grid[c].astype(str).str.strip().eq("") for c in grid.columns}, index=grid.index
    )


def _trim(grid: pd.DataFrame) -> pd.DataFrame:
    """Drop columns that are empty all the way down, and trailing empty rows; number columns 0, 1, …"""
    if grid.empty:
        return grid
    blank = _blank_cells(grid)
    grid = grid.loc[:, ~blank.all(axis=0)]
    filled = (~blank.loc[:, grid.columns]).any(axis=1)
    last = filled[filled].index.max() if filled.any() else -1
    grid = grid.loc[:last]
    return grid.set_axis(range(grid.shape[1]), axis=1)


def _text(cell: object) -> str:
    return "" if cell is None or (isinstance(cell, float) and cell != cell) else str(cell).strip()


def _interpret(grid: pd.DataFrame, name: str) -> Survey:
    grid = _trim(grid)
    if grid.empty:
        raise ImportRejected(f"{name} is empty: export the survey results again and upload that file.")
    row = [[_text(cell) for cell in grid.iloc[i]] for i in range(min(3, len(grid)))]
    first = row[0]
    if len(row) >= 3 and any(cell.startswith('{"ImportId"') for cell in row[2]):
        headers = [cell or first[i] for i, cell in enumerate(row[1])]
        survey = Survey("Qualtrics", headers, first, _numbered(grid, 3))
        survey.id_column = _index(first, "ResponseId")
    elif "Respondent ID" in first and "Collector ID" in first and len(row) >= 2:
        question = ""
        headers = []
        for i, statement in enumerate(row[1]):
            question = first[i] or question
            generic = statement.lower() in ("", "response", "open-ended response")
            headers.append(first[i] if generic and first[i] else question if generic else statement)
        survey = Survey("SurveyMonkey", headers, first, _numbered(grid, 2))
        survey.id_column = _index(first, "Respondent ID")
    else:
        tool = "Google Forms" if first and first[0] == "Timestamp" else "spreadsheet"
        if [cell.lower() for cell in first[:3]] == ["id", "start time", "completion time"]:
            tool = "Microsoft Forms"
        survey = Survey(tool, first, first, _numbered(grid, 1))
        survey.id_column = next((i for i, h in enumerate(first) if h.lower() in ID_HEADERS), None)
    if survey.grid.empty or _blank_cells(survey.grid).all(axis=None):
        raise ImportRejected(
            f"{name} has column headings but no responses: check the export's filters and export it again."
        )
    return survey


def _numbered(grid: pd.DataFrame, header_rows: int) -> pd.DataFrame:
    """The data rows, indexed by the row number a spreadsheet shows (header rows count)."""
    data = grid.iloc[header_rows:]
    return data.set_axis(pd.RangeIndex(header_rows + 1, header_rows + 1 + len(data), name="row"), axis=0)


def _index(headers: list[str], wanted: str) -> int | None:
    return headers.index(wanted) if wanted in headers else None
