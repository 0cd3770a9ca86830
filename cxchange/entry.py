"""Team-level entry: results that exist only as team means (a workshop poll, another tool's report)."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from cxchange.importing.reading import DEFAULT_LIMITS, ImportRejected, Limits, read_survey
from cxchange.model import ELEMENT_LABELS, ELEMENTS, SCALE_MAX, SCALE_MIN
from cxchange.text import blank, heading_key, name_key, plural, shown

GRID_COLUMNS: tuple[str, ...] = ("Team", *(ELEMENT_LABELS[e] for e in ELEMENTS), "n", "sd (optional)")
SD_COLUMNS: dict[str, str] = {element: f"{ELEMENT_LABELS[element]} sd" for element in ELEMENTS}
"""Per-element sds a file may carry (awareness_sd …); the grid has one sd for all five."""
REQUIRED: tuple[str, ...] = GRID_COLUMNS[:-1]
FILE_HEADINGS: dict[str, str] = {
    heading_key(name): column
    for column, names in {
        "Team": ("team",),
        **{ELEMENT_LABELS[e]: (e, ELEMENT_LABELS[e]) for e in ELEMENTS},
        "n": ("n", "responses (n)", "respondents"),
        "sd (optional)": ("sd", "sd (optional)"),
        **{SD_COLUMNS[e]: (f"{e}_sd", SD_COLUMNS[e], f"{e} sd (optional)") for e in ELEMENTS},
    }.items()
    for name in names
}
"""A file's headings (compared ignoring case, spaces and underscores) -> the grid column they fill."""
MAX_TEAMS_NAMED = 30


def empty_grid() -> pd.DataFrame:
    """The entry grid with its columns and no rows."""
    return pd.DataFrame({column: pd.Series(dtype=object if column == "Team" else float) for column in GRID_COLUMNS})


def grid_from_results(results: pd.DataFrame, team_names: Mapping[int, str]) -> pd.DataFrame:
    """Stored team_results of one wave (team_id, element, mean, n, sd) as the entry grid."""
    if results.empty:
        return empty_grid()
    wide = results.pivot_table(index="team_id", columns="element", values="mean", aggfunc="first")
    meta = results.groupby("team_id").agg(n=("n", "max"), sd=("sd", "max"))
    grid = pd.DataFrame(
        {
            "Team": [team_names[team] for team in wide.index],
            **{ELEMENT_LABELS[e]: wide.get(e, pd.Series(index=wide.index, dtype=float)).to_numpy() for e in ELEMENTS},
            "n": meta["n"].to_numpy(),
            "sd (optional)": meta["sd"].to_numpy(),
        }
    )
    return grid.reset_index(drop=True)


def check_grid(
    grid: pd.DataFrame,
    team_ids: Mapping[str, int],
    row_numbers: Sequence[int] | None = None,
    headings: Mapping[str, str] | None = None,
    decimal_comma: bool = False,
) -> tuple[pd.DataFrame, list[str]]:
    """Validate the grid; returns (rows to store: team_id, element, mean, n, sd) and the problems found.

    One problem per bad cell, naming the row (the grid's counting from 1, or `row_numbers`: a file's own),
    the column (as `headings` call it: a file's own headers) and the value. Empty rows are ignored.
    Teams match ignoring case and repeated spaces. Where there is any problem, nothing should be stored.
    """
    headings = headings or {}
    known = {name_key(name): (name, int(team_id)) for name, team_id in team_ids.items()}
    problems, rows, seen = [], [], set()

    def problem(number: int, column: str, message: str) -> None:
        problems.append(f"Row {number}, {headings.get(column, column)}: {message}")

    numbers = range(1, len(grid) + 1) if row_numbers is None else row_numbers
    for number, row in zip(numbers, grid.itertuples(index=False), strict=True):
        values = dict(zip(grid.columns, row, strict=True))
        if all(blank(v) for v in values.values()):
            continue
        team = known.get(name_key(values.get("Team")))
        if team is None:
            given = "(empty)" if blank(values.get("Team")) else repr(str(values["Team"]).strip())
            problem(number, "Team", f"{given} is not a team of this workspace; teams are: {_names(team_ids)}.")
        elif team[0] in seen:
            problem(number, "Team", f"{team[0]} appears twice; keep one row per team.")
            continue
        else:
            seen.add(team[0])
        n = _number(values.get("n"), decimal_comma)
        if n is None or n < 1 or not n.is_integer():
            given = values.get("n") if n is None else n
            problem(number, "n", f"{shown(given)} must be a whole number of respondents, at least 1.")
        sds = {}
        for column in ("sd (optional)", *SD_COLUMNS.values()):
            value = values.get(column)
            sds[column] = sd = _number(value, decimal_comma)
            if blank(value):
                continue
            if sd is None:
                problem(number, column, f"{shown(value)} is not a number.")
            elif sd < 0:
                problem(number, column, f"{sd:g} cannot be negative.")
        checked = []
        for element in ELEMENTS:
            label = ELEMENT_LABELS[element]
            mean = _mean(number, label, values.get(label), decimal_comma, problem)
            own = sds[SD_COLUMNS[element]]
            checked.append((element, mean, own if own is not None else sds["sd (optional)"]))
        if team is None or n is None or n < 1 or not n.is_integer():
            continue
        rows += [
            {"team_id": team[1], "element": element, "mean": mean, "n": int(n), "sd": sd}
            for element, mean, sd in checked
        ]
    if problems:
        rows = []
    return pd.DataFrame(rows, columns=["team_id", "element", "mean", "n", "sd"]), problems


def _mean(number: int, label: str, value: object, decimal_comma: bool, problem: Callable) -> float | None:
    """An element mean as a float, or None after saying what is wrong with it."""
    mean = _number(value, decimal_comma)
    if blank(value):
        problem(number, label, "(empty) must be a mean between 1 and 5.")
    elif mean is None:
        problem(number, label, f"{shown(value)} is not a number.")
    elif not SCALE_MIN <= mean <= SCALE_MAX:
        problem(number, label, f"{mean:g} is outside {SCALE_MIN:g}–{SCALE_MAX:g}.")
        mean = None
    return mean


def _names(team_ids: Mapping[str, int]) -> str:
    names = sorted(team_ids, key=str.casefold)
    more = len(names) - MAX_TEAMS_NAMED
    return ", ".join(names[:MAX_TEAMS_NAMED]) + (f" and {more} more" if more > 0 else "") if names else "none yet"


def _number(cell: object, decimal_comma: bool) -> float | None:
    """A cell as a finite float, or None ("3,5" counts where the file's commas are decimal)."""
    if isinstance(cell, bool) or blank(cell):
        return None
    if isinstance(cell, int | float | np.number):
        return float(cell) if math.isfinite(float(cell)) else None
    text = str(cell).strip().replace("\u2212", "-").replace("\u00a0", "").replace(" ", "")
    if decimal_comma and re.fullmatch(r"[+-]?\d*,\d+", text):
        text = text.replace(",", ".")
    if not re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", text):
        return None
    return float(text)


# Team-level results from a file ----------------------------------------------------------------


@dataclass
class ResultsFile:
    """A file of team-level results read into the grid's shape, with what it calls each column."""

    file_name: str
    grid: pd.DataFrame
    headings: dict[str, str]
    """Grid column -> the file's own header, for messages that name the column the user sees."""
    decimal_comma: bool = False
    ignored_columns: list[str] = field(default_factory=list)


def read_team_results(data: bytes, file_name: str, limits: Limits = DEFAULT_LIMITS) -> ResultsFile:
    """Read a CSV or XLSX of team-level results: team, n, the five element means, optional sds.

    Headers match ignoring case, spaces and underscores, and the grid's own labels count too
    ("Awareness", "sd (optional)", "awareness_sd"). Raises ImportRejected, in one sentence, where the
    file cannot be read, a needed column is missing or two columns mean the same.
    """
    survey = read_survey(data, file_name, limits=limits)
    columns: dict[str, int] = {}
    headings: dict[str, str] = {}
    ignored = []
    for position, header in enumerate(survey.headers):
        column = FILE_HEADINGS.get(heading_key(header))
        if column is None:
            if header:
                ignored.append(header)
            continue
        if column in columns:
            raise ImportRejected(
                f"{file_name} has two columns for {column}, {headings[column]!r} and {header!r}: keep one."
            )
        columns[column], headings[column] = position, header
    missing = [column for column in REQUIRED if column not in columns]
    if missing:
        needed = "team, n, " + ", ".join(ELEMENTS)
        raise ImportRejected(
            f"{file_name} has no column for {', '.join(missing)}: it needs {needed} (sds optional, such as "
            f"awareness_sd); its columns are: {', '.join(h for h in survey.headers if h) or 'none'}."
        )
    frames = [chunk[list(columns.values())].set_axis(list(columns), axis=1) for chunk in survey.chunks()]
    grid = pd.concat(frames) if frames else pd.DataFrame(columns=list(columns))
    if grid.empty or all(blank(value) for value in grid.to_numpy().ravel()):
        raise ImportRejected(f"{file_name} has a header but no rows of results: one row per team is needed.")
    return ResultsFile(file_name, grid, headings, survey.delimiter not in (None, ","), ignored)


def check_results_file(found: ResultsFile, team_ids: Mapping[str, int]) -> tuple[pd.DataFrame, list[str]]:
    """check_grid on a file's rows, each named by its row in the file (the header is row 1)."""
    numbers = [int(number) for number in found.grid.index]
    return check_grid(found.grid.reset_index(drop=True), team_ids, numbers, found.headings, found.decimal_comma)


def results_preview(rows: pd.DataFrame, team_names: Mapping[int, str]) -> pd.DataFrame:
    """Checked rows (check_grid's) as one line per team: team, n and the five means, as a preview shows them."""
    if rows.empty:
        return pd.DataFrame(columns=["Team", "n", *(ELEMENT_LABELS[e] for e in ELEMENTS)])
    wide = rows.pivot_table(index="team_id", columns="element", values="mean", aggfunc="first", sort=False)
    n = rows.groupby("team_id", sort=False)["n"].first()
    return pd.DataFrame(
        {
            "Team": [team_names[team] for team in wide.index],
            "n": n.reindex(wide.index).to_numpy(),
            **{ELEMENT_LABELS[e]: wide[e].round(2).to_numpy() for e in ELEMENTS},
        }
    )


@dataclass
class EntryResult:
    """What entering a file of team-level results did, or on a dry run would do."""

    file_name: str
    wave: str
    initiative: str
    preview: pd.DataFrame
    replaced: list[str]
    """Teams whose earlier entry in the wave the file replaces."""
    dry_run: bool = False
    batch_id: int | None = None
    ignored_columns: list[str] = field(default_factory=list)

    def report_lines(self) -> list[str]:
        """What happened, one line each, as the command line prints it."""
        verb = "Would enter" if self.dry_run else "Entered"
        teams = plural(len(self.preview), "team")
        lines = [f"{verb} team-level results of {teams} from {self.file_name} into {self.wave} ({self.initiative})."]
        if self.batch_id is not None:
            lines[0] = lines[0][:-1] + f", batch {self.batch_id}."
        for row in self.preview.itertuples(index=False):
            means = ", ".join(f"{ELEMENT_LABELS[e]} {getattr(row, ELEMENT_LABELS[e]):.2f}" for e in ELEMENTS)
            lines.append(f"  {row.Team}: n = {row.n}; {means}")
        if self.replaced:
            was = "would replace" if self.dry_run else "replaced"
            lines.append(f"This {was} the earlier entry of {', '.join(self.replaced)}.")
        if self.ignored_columns:
            lines.append(f"Columns not used: {', '.join(self.ignored_columns)}.")
        if self.dry_run:
            lines.append("Dry run: nothing was written.")
        return lines
