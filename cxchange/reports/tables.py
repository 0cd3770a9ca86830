"""Tables as files: CSV (UTF-8 with a byte-order mark) and XLSX (openpyxl), formula-like cells neutralised."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from cxchange.reports.cells import guarded

TABLE_FORMATS: dict[str, str] = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def table_csv(table: pd.DataFrame, hidden: Sequence[bool] | None = None) -> bytes:
    """The table as CSV in UTF-8 with a byte-order mark (so Excel reads it right), formula-like cells neutralised.

    Rows flagged in `hidden` carry no number whatever the table holds.
    """
    safe = guarded(table, hidden)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(safe.columns)
    writer.writerows([["" if cell is None else cell for cell in row] for row in safe.itertuples(index=False)])
    return buffer.getvalue().encode("utf-8-sig")


_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def table_xlsx(table: pd.DataFrame, sheet: str = "Table", hidden: Sequence[bool] | None = None) -> bytes:
    """The table as an Excel workbook of one sheet: values only (never a formula), header bold, widths to fit.

    Formula-like text is stored as text with a leading apostrophe; rows flagged in `hidden` carry no number.
    """

    safe = guarded(table, hidden)
    workbook = Workbook()
    worksheet = workbook.active
    worksheet.title = _SHEET_FORBIDDEN.sub(" ", sheet).strip()[:31] or "Table"
    worksheet.append(list(safe.columns))
    for row in safe.itertuples(index=False):
        worksheet.append(list(row))
    for cell in worksheet[1]:
        cell.font = Font(bold=True)
    for row in worksheet.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # text, whatever it looks like
    for position, column in enumerate(safe.columns, start=1):
        lengths = [len(str(column))] + [len(str(value)) for value in safe.iloc[:, position - 1] if value is not None]
        width = min(max(lengths) + 2, 60)
        worksheet.column_dimensions[get_column_letter(position)].width = max(width, 8)
        if max(lengths) > 60:
            for (cell,) in worksheet.iter_rows(min_row=2, min_col=position, max_col=position):
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    worksheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
