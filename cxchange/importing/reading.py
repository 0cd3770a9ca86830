"""Reading a survey export as it comes: which kind of file, which encoding, which tool's layout.

The user is never asked which tool made the file. Whatever cannot be read is refused with one
sentence saying what is wrong and what to do.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import PurePath
from typing import Any

import charset_normalizer
import pandas as pd

from cxchange.settings import SETTINGS_BY_NAME, UPLOAD_WHERE

SNIFF_BYTES = 64 * 1024
DECODE_BYTES = 1 << 20
CHUNK_ROWS = 50_000

# Bounds checked before a file is parsed, so that no upload can take the server's memory or an hour of it. An
# admin sets them (settings upload_max_*); services pass them in as Limits, this module reads no setting.
MAX_ROWS = SETTINGS_BY_NAME["upload_max_rows"].default
"""The most data rows a file may hold by default: a million responses; more is split, or a wave at a time."""
MAX_COLUMNS = SETTINGS_BY_NAME["upload_max_columns"].default
"""The most columns a file may hold by default (Excel's own limit)."""
MAX_UNPACKED_BYTES = SETTINGS_BY_NAME["upload_max_unpacked_mb"].default * 1024 * 1024
"""The most an XLSX may unpack to by default, all its parts together (200 MB: several times a million-row export)."""
MAX_PACKING_RATIO = 100
"""The most a large part of an XLSX may be compressed (unpacked size ÷ packed size); real exports pack 5–30×."""
RATIO_FROM_BYTES = 10 * 1024 * 1024
"""Parts smaller than this unpacked (10 MB) are not held to the ratio: a small, very regular part may pack well."""
ID_HEADERS = {"responseid", "response id", "respondent id", "id", "submission id", "response number"}

GLOBAL_IDS = {"ResponseId", "Respondent ID"}
"""Ids the survey tools make unique across surveys (Qualtrics, SurveyMonkey); others count 1, 2, 3 per form."""

METADATA = re.compile(
    r"^(startdate|enddate|status|responsetype|ipaddress|progress|durationinseconds|duration|finished|"
    r"recordeddate|responseid|respondentid|collectorid|recipient\w*|externalreference|externaldatareference|"
    r"location\w*|distributionchannel|userlanguage|q(recaptchascore|relevantid\w*|totalduration|language|"
    r"ballotboxstuffing|url)|emailaddress|email|firstname|lastname|name|customdata\d*|id|starttime|"
    r"completiontime|lastmodifiedtime|timestamp|score|totalscore|submissionid|responsenumber|submittedat)$"
)
"""Columns the tools add around the questions (Qualtrics, SurveyMonkey, Microsoft Forms, Google Forms), compared
as letters and digits only: never offered for mapping, never stored (names and e-mails never are)."""

TIMESTAMPS = ("startdate", "starttime", "timestamp", "recordeddate", "enddate", "completiontime", "submittedat")
"""The columns that say when a response was given, the preferred first: part of a response's identity and the
earliest one a new wave's opening date."""

TEST_STATUSES = {"survey preview", "survey test", "spam", "preview spam", "1", "2", "8", "16"}
"""Qualtrics Status values (as choice text or numeric codes) of responses that are not a respondent's answers."""

TEST_CHANNELS = {"preview", "test"}
"""Qualtrics DistributionChannel values of a preview or a test run."""


class ImportRejected(ValueError):
    """A file we will not import; the message is one sentence for the user, naming what to do."""


@dataclass(frozen=True)
class Limits:
    """How large an upload may be, checked before it is parsed (the admin's settings upload_max_*)."""

    rows: int = MAX_ROWS
    columns: int = MAX_COLUMNS
    unpacked_bytes: int = MAX_UNPACKED_BYTES

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> Limits:
        """The limits a workspace's settings set (their defaults where a setting is missing)."""
        return cls(
            int(settings.get("upload_max_rows", MAX_ROWS)),
            int(settings.get("upload_max_columns", MAX_COLUMNS)),
            int(settings.get("upload_max_unpacked_mb", MAX_UNPACKED_BYTES // 1024**2)) * 1024**2,
        )


DEFAULT_LIMITS = Limits()


def _set_by(name: str) -> str:
    """Where a limit is changed, for the refusal that names it: '(the limit "…", Settings → Thresholds, Uploads)'."""
    return f'(the limit "{SETTINGS_BY_NAME[name].label}", set under {UPLOAD_WHERE})'


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
    metadata: set[int] = field(default_factory=set)
    timestamp_column: int | None = None
    status_column: int | None = None
    finished_column: int | None = None
    channel_column: int | None = None

    @property
    def global_ids(self) -> bool:
        """Whether the tool's response ids are unique across its surveys (else they count per form)."""
        return self.id_column is not None and self.column_ids[self.id_column] in GLOBAL_IDS


def read_survey(data: bytes, file_name: str, chunk_rows: int = CHUNK_ROWS, limits: Limits = DEFAULT_LIMITS) -> Survey:
    """Read a CSV or XLSX export of any supported tool; raises ImportRejected with the reason.

    The file's layout is decided from its first rows; its data rows are read chunk by chunk later. A file past
    `limits` is refused before it is parsed, naming the limit and where an admin changes it.
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
        _check_zip(data, name, limits)
        first_rows, rows_from = _xlsx_reader(data, name, chunk_rows, limits)
        survey = _interpret(first_rows, rows_from, name)
        return survey
    encoding = _encoding(data, name)
    sample = data[:SNIFF_BYTES].decode(encoding, errors="ignore")
    if _looks_binary(sample):
        raise ImportRejected(
            f"{name} is not a CSV or Excel file (it holds binary data): export the responses as CSV or .xlsx."
        )
    lines = data.count(b"\n") + (not data.endswith(b"\n"))
    if lines > limits.rows + 3:  # 3: the header rows a survey tool may add (a line break in a cell counts too)
        raise ImportRejected(_too_many_rows(name, f"{lines:,} lines", limits))
    delimiter = _delimiter(_first_lines(data, encoding))
    first_rows, rows_from = _csv_reader(data, name, encoding, delimiter, chunk_rows, limits)
    survey = _interpret(first_rows, rows_from, name)
    survey.encoding, survey.delimiter = encoding, delimiter
    return survey


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:,.0f} MB" if size < 1024**3 else f"{size / 1024**3:,.1f} GB"


def _too_many_rows(name: str, found: str, limits: Limits) -> str:
    return (
        f"{name} has more than {limits.rows:,} rows ({found}), more than one import takes: export one wave, or "
        f"split the file into parts of at most {limits.rows:,} responses and import each "
        + _set_by("upload_max_rows")
        + "."
    )


def _too_many_columns(name: str, width: int, limits: Limits) -> str:
    return (
        f"{name} has {width:,} columns, more than the {limits.columns:,} an import reads: export only the survey's "
        "columns " + _set_by("upload_max_columns") + "."
    )


def _check_zip(data: bytes, name: str, limits: Limits) -> None:
    """Refuse an XLSX whose parts, as its zip directory declares them, unpack to more than the limit or are packed
    far tighter than any export (a zip bomb): before a byte of it is unpacked. Python's zip reader stops at
    the declared size, so a part cannot unpack to more than it declares."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, ValueError):
        raise ImportRejected(
            f"{name} is not an Excel workbook we can read (a renamed or damaged file?): export the responses "
            "as .xlsx or CSV again."
        ) from None
    unpacked = sum(part.file_size for part in parts)
    if unpacked > limits.unpacked_bytes:
        raise ImportRejected(
            f"{name} unpacks to {_megabytes(unpacked)}, more than the {_megabytes(limits.unpacked_bytes)} an Excel "
            "import may: save it as CSV, or split it into smaller files " + _set_by("upload_max_unpacked_mb") + "."
        )
    for part in parts:
        if part.file_size >= RATIO_FROM_BYTES and part.file_size > MAX_PACKING_RATIO * max(part.compress_size, 1):
            raise ImportRejected(
                f"{name} is packed more tightly than any survey export ({part.filename} unpacks "
                f"{part.file_size // max(part.compress_size, 1):,} times its size; the limit is "
                f"{MAX_PACKING_RATIO}): it is not imported. Export the responses from the survey tool again."
            )


def _encoding(data: bytes, name: str) -> str:
    """UTF-16 by its mark; UTF-8 (with or without BOM) where every byte of the file decodes; otherwise
    charset-normalizer's best guess on the whole file. A file that is UTF-8 but for a few bytes (a line
    pasted from another program) is refused naming the line, not read as another encoding ("ZÃ¼rich").

    Decoded incrementally, a megabyte at a time, so a large file is never held twice in memory.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    if b"\x00" in data[:SNIFF_BYTES]:
        raise ImportRejected(
            f"{name} is not a CSV or Excel file (it holds binary data): export the responses as CSV or .xlsx."
        )
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    try:
        for start in range(0, len(data), DECODE_BYTES):
            decoder.decode(data[start : start + DECODE_BYTES])
        decoder.decode(b"", final=True)
        return "utf-8-sig"
    except UnicodeDecodeError:
        pass
    valid, invalid, bad_lines = _utf8_damage(data)
    if valid >= invalid:
        shown = ", ".join(map(str, bad_lines[:3])) + (" and more" if len(bad_lines) > 3 else "")
        raise ImportRejected(
            f"{name} is UTF-8 except on line{'s' * (len(bad_lines) != 1)} {shown}, where {invalid} "
            f"byte{' is' if invalid == 1 else 's are'} not (text pasted from another program?): retype that text or "
            "save the file again as 'CSV UTF-8' (Excel: File → Save As)."
        )
    guesses = charset_normalizer.from_bytes(data)
    best = guesses.best()
    if best is None:
        raise ImportRejected(
            f"{name} uses a text encoding we cannot read: save it again as 'CSV UTF-8' (Excel: File → Save As)."
        )
    # Guesses that read the file equally well are ranked arbitrarily (cp1250 before cp1252 for French text,
    # which turns "à" into "ŕ"): among those, Windows-1252, what Excel writes in Western European locales.
    tied = {guess.encoding for guess in guesses if (guess.chaos, guess.coherence) == (best.chaos, best.coherence)}
    return "cp1252" if "cp1252" in tied else best.encoding


_NON_ASCII = re.compile("[\u0080-\ud7ff\ue000-\U0010ffff]")
_ESCAPED = re.compile("[\udc80-\udcff]")


def _utf8_damage(data: bytes) -> tuple[int, int, list[int]]:
    """How much of a file that is not all UTF-8 is: characters beyond ASCII that decode, bytes that do not,
    and the lines (1-based) holding those bytes."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")(errors="surrogateescape")
    valid = invalid = lines_before = 0
    bad_lines: list[int] = []
    for start in range(0, len(data) + 1, DECODE_BYTES):
        text = decoder.decode(data[start : start + DECODE_BYTES], final=start + DECODE_BYTES >= len(data))
        valid += len(_NON_ASCII.findall(text))
        for escaped in _ESCAPED.finditer(text):
            invalid += 1
            line = lines_before + text.count("\n", 0, escaped.start()) + 1
            if not bad_lines or bad_lines[-1] != line:
                bad_lines.append(line)
        lines_before += text.count("\n")
    return valid, invalid, bad_lines


def _looks_binary(sample: str) -> bool:
    """Control characters that no survey export writes, in more than 1% of the sample."""
    control = sum(1 for char in sample if (ord(char) < 32 and char not in "\t\r\n") or 0x7F <= ord(char) < 0xA0)
    return control > max(1, len(sample) // 100)


def _first_lines(data: bytes, encoding: str, count: int = 5) -> str:
    """The file's first lines, each read whole however long (a header of thousands of columns)."""
    text = io.TextIOWrapper(io.BytesIO(data), encoding=encoding, errors="ignore", newline="")
    return "".join(line for _, line in zip(range(count), text, strict=False))


def _delimiter(head: str) -> str:
    """The separator that splits the header row into the most columns (quotes respected)."""

    def columns(delimiter: str) -> int:
        try:
            return len(next(csv.reader(io.StringIO(head), delimiter=delimiter), []))
        except csv.Error:
            return 0

    return max((",", ";", "\t", "|"), key=columns)  # ties keep the earlier, the comma first


Rows = list[list[object]]
ChunksFrom = Callable[[int], Iterator[pd.DataFrame]]
"""Given how many header rows to skip, the data rows as DataFrames indexed by file row number."""


def _csv_reader(
    data: bytes, name: str, encoding: str, delimiter: str, chunk_rows: int, limits: Limits
) -> tuple[Rows, ChunksFrom]:
    """The first rows (for the layout) and a chunked reader of the rest, in pandas' C parser."""
    # The rows are read from the whole file, each whole: a header of 8,000 columns runs past any sample.
    text = io.TextIOWrapper(io.BytesIO(data), encoding=encoding, newline="")
    try:
        first_rows = [row for _, row in zip(range(4), csv.reader(text, delimiter=delimiter), strict=False)]
    except csv.Error as problem:
        raise ImportRejected(f"{name} is not a well-formed CSV file ({problem}): export it again.") from None
    width = max((len(row) for row in first_rows), default=0)
    if width > limits.columns:
        raise ImportRejected(_too_many_columns(name, width, limits))
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
                if start + len(chunk) - header_rows - 1 > limits.rows:
                    so_far = f"{start + len(chunk) - header_rows - 1:,} so far"
                    raise ImportRejected(_too_many_rows(name, so_far, limits))
                grid = chunk.iloc[:, :width].fillna("")
                yield grid.set_axis(pd.RangeIndex(start, start + len(grid), name="row"), axis=0)
                start += len(grid)
        except pd.errors.ParserError as problem:
            raise ImportRejected(f"{name} is not a well-formed CSV file ({problem}): export it again.") from None

    return first_rows, chunks_from


def _xlsx_reader(data: bytes, name: str, chunk_rows: int, limits: Limits) -> tuple[Rows, ChunksFrom]:
    """The first rows and a chunked reader of the sheet with the most rows (openpyxl, read-only)."""
    # Loaded where a workbook is read, as pandas' read_excel does: every command and page that reads no
    # workbook (a report, `readiness --json`) starts without it. tests/test_report_imports.py holds this.
    import openpyxl

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
        if (sheet.max_row or 0) > limits.rows + 3:  # the sheet's declared dimension: no row is read to know it
            raise ImportRejected(_too_many_rows(name, f"{sheet.max_row:,} in sheet {sheet.title}", limits))
        if (sheet.max_column or 0) > limits.columns:
            raise ImportRejected(_too_many_columns(name, sheet.max_column, limits))
        first_rows = [list(row) for _, row in zip(range(4), sheet.iter_rows(values_only=True), strict=False)]
    finally:
        workbook.close()
    width = max((len(row) for row in first_rows), default=0)
    if width > limits.columns:
        raise ImportRejected(_too_many_columns(name, width, limits))

    def chunks_from(header_rows: int) -> Iterator[pd.DataFrame]:
        workbook, sheet = open_sheet()
        try:
            rows = sheet.iter_rows(min_row=header_rows + 1, values_only=True)
            start = header_rows + 1
            while batch := [
                (list(row) + [None] * width)[:width] for _, row in zip(range(chunk_rows), rows, strict=False)
            ]:
                if start + len(batch) - header_rows - 1 > limits.rows:  # a sheet that declared no dimension
                    so_far = f"{start + len(batch) - header_rows - 1:,} so far"
                    raise ImportRejected(_too_many_rows(name, so_far, limits))
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
    survey = Survey(tool, headers, first, lambda: chunks_from(header_rows), id_column=id_column)
    _describe_columns(survey)
    return survey


def letters(text: object) -> str:
    """A heading reduced to its letters and digits, lower case: "Duration (in seconds)" is "durationinseconds"."""
    return re.sub(r"[^0-9a-z]", "", str(text).lower())


def _describe_columns(survey: Survey) -> None:
    """Which columns are the tool's metadata, and which of them say when, and whether it was a test."""
    names = [{letters(survey.column_ids[i]), letters(header)} - {""} for i, header in enumerate(survey.headers)]
    survey.metadata = {i for i, found in enumerate(names) if any(METADATA.match(name) for name in found)}
    survey.timestamp_column = next(
        (i for wanted in TIMESTAMPS for i, found in enumerate(names) if wanted in found and i in survey.metadata),
        None,
    )
    if survey.tool == "Qualtrics":
        survey.status_column = _index(survey.column_ids, "Status")
        survey.finished_column = _index(survey.column_ids, "Finished")
        survey.channel_column = _index(survey.column_ids, "DistributionChannel")


_DATE_FORMATS = ("%Y-%m-%d %H:%M:%S", "%m/%d/%Y %I:%M:%S %p", "%Y/%m/%d %I:%M:%S %p", "%d/%m/%Y %H:%M:%S", "ISO8601")
"""How the tools write when a response was given: Qualtrics, SurveyMonkey, Google Forms (its time zone cut
off), a European spreadsheet, and ISO dates."""


def date_format(column: pd.Series) -> str | None:
    """The format of _DATE_FORMATS that reads most cells of a timestamp column ("native" for Excel dates)."""
    cells = column[column.notna()]
    if not len(cells):
        return None
    if not isinstance(cells.iloc[0], str):
        return "native"
    text = _without_zone(cells)
    counts = {format: pd.to_datetime(text, errors="coerce", format=format).notna().sum() for format in _DATE_FORMATS}
    best = max(counts, key=counts.get)
    return best if counts[best] else None


def earliest_date(column: pd.Series, format: str | None) -> date | None:
    """The earliest date in a timestamp column written in `format` (see date_format); None if no cell reads."""
    if format is None:
        return None
    if format == "native":
        parsed = pd.to_datetime(column.where(column.map(type).ne(str)), errors="coerce")
    else:
        parsed = pd.to_datetime(_without_zone(column.astype(str)), errors="coerce", format=format)
    return parsed.min().date() if parsed.notna().any() else None


def _without_zone(cells: pd.Series) -> pd.Series:
    return cells.str.strip().str.replace(r"\s+(?!AM$|PM$)[A-Z]{2,5}([+-]\d+)?$", "", regex=True)


def _index(headers: list[str], wanted: str) -> int | None:
    return headers.index(wanted) if wanted in headers else None
