"""Table cells as every file writes them: safe in a spreadsheet, no hidden figure, no invisible character.

Pure (pandas and numpy): readiness rows re-checked for suppression, and table cells a spreadsheet shows but
never executes.
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from cxchange import readiness
from cxchange.text import MISSING

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""A spreadsheet reads text starting with these as a formula (OWASP's CSV injection guidance)."""
# MISSING (from text): what an empty cell reads in every table and file, never "None", "nan" or "NaT"; our own
# readers take it for a blank cell (text.blank), so a file exported and imported again loses nothing.
_INVISIBLE = re.compile("[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2800\ufeff]")
"""Characters a reader cannot see (zero-width, direction marks, word joiners, braille blank): never in a file."""


def safe_cell(value: Any) -> Any:
    """A value a spreadsheet shows but never executes: formula-like text gets a leading apostrophe.

    Numbers stay numbers (numpy's become Python's); missing values (None, NaN, NA, NaT) become None;
    text loses the characters no reader sees (_INVISIBLE).
    """
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (float, np.floating, np.datetime64, np.timedelta64)) and pd.isna(value):
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, numbers.Number):
        number = value.item() if isinstance(value, np.generic) else value
        if isinstance(number, float) and not math.isfinite(number):
            return None
        return number
    text = _INVISIBLE.sub("", str(value))
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _whole_numbers(column: pd.Series) -> bool:
    """Whether a float column holds only whole numbers: counts that a gap (a hidden n) turned into floats."""
    if not pd.api.types.is_float_dtype(column):
        return False
    values = column.dropna()
    return bool(len(values)) and bool(np.isfinite(values).all()) and bool((values == values.round()).all())


def _empty(cell: Any) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def guarded(table: pd.DataFrame, hidden: Sequence[bool] | None) -> pd.DataFrame:
    """The table as safe cells, with every number of a hidden row blanked (belt and braces on suppression),
    counts as whole numbers ("207", never "207.0") and every empty cell reading MISSING."""
    if hidden is not None and len(hidden) != len(table):
        raise ValueError(f"The table has {len(table)} rows but {len(hidden)} hidden flags were given.")
    whole = [_whole_numbers(table[column]) for column in table.columns] if table.columns.is_unique else []
    rows = []
    for position, row in enumerate(table.itertuples(index=False)):
        cells = [safe_cell(value) for value in row]
        if whole:
            cells = [
                int(cell) if is_whole and isinstance(cell, float) else cell
                for cell, is_whole in zip(cells, whole, strict=True)
            ]
        if hidden is not None and hidden[position]:
            cells = [None if isinstance(cell, numbers.Number) else cell for cell in cells]
        rows.append([MISSING if _empty(cell) else cell for cell in cells])
    return pd.DataFrame(rows, columns=[safe_cell(str(column)) for column in table.columns], dtype=object)


def blank_suppressed(frame: pd.DataFrame) -> pd.DataFrame:
    """readiness_by_team rows with every figure of a suppressed row blanked again, whatever they held.

    readiness_by_team blanks them already; an export checks once more, so a figure that slipped
    through upstream still never reaches a file.
    """
    hidden = frame["suppressed"].astype(bool)
    result = frame.copy()
    figures = [column for column in (*readiness.FIGURE_COLUMNS, "n", "direct_n") if column in result.columns]
    result[figures] = result[figures].astype(float)
    result.loc[hidden, figures] = np.nan
    result["barrier_point"] = result["barrier_point"].astype(object).where(~hidden, None)
    return result


def team_table(frame: pd.DataFrame, wave_id: int, min_n: int) -> tuple[pd.DataFrame, tuple[bool, ...]]:
    """readiness.team_table of the frame's teams in one wave, from rows re-checked for suppression.

    Returns the table and, per row, whether the team is hidden (for table_csv / table_xlsx).
    """
    safe = blank_suppressed(frame)
    hidden = tuple(bool(flag) for flag in readiness.wave_teams(safe, wave_id)["suppressed"])
    return readiness.team_table(safe, wave_id, min_n), hidden
