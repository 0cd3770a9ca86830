"""Reading a survey export as it comes: which kind of file, which encoding, which tool's layout.

The user is never asked which tool made the file. Whatever cannot be read is refused with one
sentence saying what is wrong and what to do.
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import PurePath

import openpyxl
import pandas as pd

SNIFF_BYTES = 64 * 1024
CHUNK_ROWS = 50_000
ID_HEADERS = {"responseid", "response id", "respondent id", "id", "submission id", "response number"}


class ImportRejected(ValueError):
    """A file we will not import; the message is one sentence for the user, naming what to do."""


@dataclass
class Survey:
    """A survey export in one shape whatever the tool: headers, column ids, and its data rows in chunks.

    `chunks()` yields DataFrames of data rows indexed by the row number the user sees in the file,
    one column per file column (0, 1, …); an empty cell is "" or None. Reading in chunks keeps a
    million-row import's memory to one chunk. `id_column` is the column with the tool's response id.
    """

    tool: str
    headers: list[str]
    column_ids: list[str]
    chunks: Callable[[], Iterator[pd.DataFrame]]
    id_column: int | None = None
    encoding: str | None = None
    delimiter: str | None = None


def read_survey(data: bytes, file_name: str, chunk_rows: int = CHUNK_ROWS) -> Survey:
    """Read a CSV or XLSX export of any supported tool; raises ImportRejected with the reason.

    The file's layout is decided from its first rows; its data rows are read chunk by chunk later.
    """
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
        first_rows, rows_from = _xlsx_reader(data, name, chunk_rows)
        survey = _interpret(first_rows, rows_from, name)
        return survey
    encoding = _encoding(data, name)
    sample = data[:SNIFF_BYTES].decode(encoding, errors="ignore")
    if _looks_binary(sample):
        raise ImportRejected(
            f"{name} is not a CSV or Excel file (it holds binary data): export the responses as CSV or .xlsx."
        )
    delimiter = _delimiter(sample)
    first_rows, rows_from = _csv_reader(data, name, encoding, delimiter, chunk_rows)
    survey = _interpret(first_rows, rows_from, name)
    survey.encoding, survey.delimiter = encoding, delimiter
    return survey


def _encoding(data: bytes, name: str) -> str:
    """UTF-16 by its mark, else UTF-8 (with or without BOM) where every byte decodes, else Windows-1252.

    Checked incrementally, so a large file is never held twice in memory.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    if b"\x00" in data[:SNIFF_BYTES]:
        raise ImportRejected(
            f"{name} is not a CSV or Excel file (it holds binary data): export the responses as CSV or .xlsx."
        )
    for encoding in ("utf-8-sig", "cp1252"):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            for start in range(0, len(data), 1 << 20):
                decoder.decode(data[start : start + (1 << 20)])
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return encoding
    raise ImportRejected(
        f"{name} uses a text encoding we cannot read: save it again as 'CSV UTF-8' (Excel: File → Save As)."
    )


def _looks_binary(sample: str) -> bool:
    """Control characters that no survey export writes, in more than 1% of the sample."""
    control = sum(1 for char in sample if (ord(char) < 32 and char not in "\t\r\n") or 0x7F <= ord(char) < 0xA0)
    return control > max(1, len(sample) // 100)


def _delimiter(sample: str) -> str:
    """The separator that splits the header row into the most columns (quotes respected)."""
    lines = sample.splitlines(keepends=True)[:-1] or sample.splitlines(keepends=True)
    head = "".join(lines[:5])

    def columns(delimiter: str) -> int:
        try:
            return len(next(csv.reader(io.StringIO(head), delimiter=delimiter), []))
        except csv.Error:
            return 0

    return max((",", ";", "\t", "|"), key=columns)  # ties keep the earlier, the comma first


Rows = list[list[object]]
ChunksFrom = Callable[[int], Iterator[pd.DataFrame]]
"""Given how many header rows to skip, the data rows as DataFrames indexed by file row number."""


def _csv_reader(data: bytes, name: str, encoding: str, delimiter: str, chunk_rows: int) -> tuple[Rows, ChunksFrom]:
    """The first rows (for the layout) and a chunked reader of the rest, in pandas' C parser."""
    text = io.TextIOWrapper(io.BytesIO(data[: 2 * SNIFF_BYTES]), encoding=encoding, newline="")
    try:
        first_rows = [row for _, row in zip(range(4), csv.reader(text, delimiter=delimiter), strict=False)]
    except csv.Error as problem:
        raise ImportRejected(f"{name} is not a well-formed CSV file ({problem}): export it again.") from None
    width = max((len(row) for row in first_rows), default=0)
    spare = 50  # data rows may carry more fields than the headers; those have no question to belong to

    def chunks_from(header_rows: int) -> Iterator[pd.DataFrame]:
        reader = pd.read_csv(
            io.BytesIO(data),
            sep=delimiter,
            header=None,
            names=range(width + spare),
            dtype=str,
            keep_default_na=False,
            skip_blank_lines=False,
            skiprows=header_rows,
            encoding=encoding,
            engine="c",
            chunksize=chunk_rows,
        )
        start = header_rows + 1
        try:
            for chunk in reader:
                grid = chunk.iloc[:, :width].fillna("")
                yield grid.set_axis(pd.RangeIndex(start, start + len(grid), name="row"), axis=0)
                start += len(grid)
        except pd.errors.ParserError as problem:
            raise ImportRejected(f"{name} is not a well-formed CSV file ({problem}): export it again.") from None

    return first_rows, chunks_from


def _xlsx_reader(data: bytes, name: str, chunk_rows: int) -> tuple[Rows, ChunksFrom]:
    """The first rows and a chunked reader of the sheet with the most rows (openpyxl, read-only)."""

    def open_sheet():
        try:
            workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except (zipfile.BadZipFile, KeyError, OSError, ValueError):
            raise ImportRejected(
                f"{name} is not an Excel workbook we can read (a renamed or damaged file?): export the responses "
                "as .xlsx or CSV again."
            ) from None
        return workbook, max(workbook.worksheets, key=lambda ws: ws.max_row or 0)

    workbook, sheet = open_sheet()
    try:
        first_rows = [list(row) for _, row in zip(range(4), sheet.iter_rows(values_only=True), strict=False)]
    finally:
        workbook.close()
    width = max((len(row) for row in first_rows), default=0)

    def chunks_from(header_rows: int) -> Iterator[pd.DataFrame]:
        workbook, sheet = open_sheet()
        try:
            rows = sheet.iter_rows(min_row=header_rows + 1, values_only=True)
            start = header_rows + 1
            while batch := [
                (list(row) + [None] * width)[:width] for _, row in zip(range(chunk_rows), rows, strict=False)
            ]:
                yield pd.DataFrame(batch, dtype=object, index=pd.RangeIndex(start, start + len(batch), name="row"))
                start += len(batch)
        finally:
            workbook.close()

    return first_rows, chunks_from


def _text(cell: object) -> str:
    return "" if cell is None or (isinstance(cell, float) and cell != cell) else str(cell).strip()


def _interpret(first_rows: Rows, chunks_from: ChunksFrom, name: str) -> Survey:
    """Decide the tool's layout from the first rows: header rows, the column labels, the id column."""
    row = [[_text(cell) for cell in cells] for cells in first_rows[:3]]
    if not row or not any(row[0]):
        raise ImportRejected(f"{name} is empty or has no column headings in its first row: export it again.")
    width = max(len(cells) for cells in row)
    row = [cells + [""] * (width - len(cells)) for cells in row]
    first = row[0]
    if len(row) >= 3 and any(cell.startswith('{"ImportId"') for cell in row[2]):
        headers = [cell or first[i] for i, cell in enumerate(row[1])]
        tool, header_rows, id_column = "Qualtrics", 3, _index(first, "ResponseId")
    elif "Respondent ID" in first and "Collector ID" in first and len(row) >= 2:
        question = ""
        headers = []
        for i, statement in enumerate(row[1]):
            question = first[i] or question
            generic = statement.lower() in ("", "response", "open-ended response")
            headers.append(first[i] if generic and first[i] else question if generic else statement)
        tool, header_rows, id_column = "SurveyMonkey", 2, _index(first, "Respondent ID")
    else:
        tool = "Google Forms" if first[0] == "Timestamp" else "spreadsheet"
        if [cell.lower() for cell in first[:3]] == ["id", "start time", "completion time"]:
            tool = "Microsoft Forms"
        headers, header_rows = first, 1
        id_column = next((i for i, h in enumerate(first) if h.lower() in ID_HEADERS), None)
    return Survey(tool, headers, first, lambda: chunks_from(header_rows), id_column=id_column)


def _index(headers: list[str], wanted: str) -> int | None:
    return headers.index(wanted) if wanted in headers else None
