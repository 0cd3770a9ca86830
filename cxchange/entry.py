"""Team-level entry: results that exist only as team means (a workshop poll, another tool's report)."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from cxchange.model import ELEMENT_LABELS, ELEMENTS, SCALE_MAX, SCALE_MIN
from cxchange.text import blank, shown

GRID_COLUMNS: tuple[str, ...] = ("Team", *(ELEMENT_LABELS[e] for e in ELEMENTS), "n", "sd (optional)")


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


def check_grid(grid: pd.DataFrame, team_ids: Mapping[str, int]) -> tuple[pd.DataFrame, list[str]]:
    """Validate the grid; returns (rows to store: team_id, element, mean, n, sd) and the problems found.

    Each problem names the grid row (counting from 1), the column and the value. Empty rows are ignored.
    Where there is any problem, nothing should be stored.
    """
    problems, rows, seen = [], [], set()
    for number, row in enumerate(grid.itertuples(index=False), start=1):
        values = dict(zip(grid.columns, row, strict=True))
        if all(blank(v) for v in values.values()):
            continue
        team = str(values["Team"]).strip() if not pd.isna(values["Team"]) else ""
        if team not in team_ids:
            problems.append(f"Row {number}, Team: {team or '(empty)'!r} is not a team of this workspace.")
            continue
        if team in seen:
            problems.append(f"Row {number}, Team: {team} appears twice; keep one row per team.")
            continue
        seen.add(team)
        n = values["n"]
        if pd.isna(n) or float(n) < 1 or float(n) != int(float(n)):
            problems.append(f"Row {number}, n: {shown(n)} must be a whole number of respondents, at least 1.")
            continue
        sd = values["sd (optional)"]
        if not pd.isna(sd) and float(sd) < 0:
            problems.append(f"Row {number}, sd (optional): {shown(sd)} cannot be negative.")
            continue
        for element in ELEMENTS:
            mean = values[ELEMENT_LABELS[element]]
            if pd.isna(mean) or not SCALE_MIN <= float(mean) <= SCALE_MAX:
                problems.append(
                    f"Row {number}, {ELEMENT_LABELS[element]}: {shown(mean)} must be a mean between 1 and 5."
                )
                continue
            rows.append(
                {"team_id": team_ids[team], "element": element, "mean": float(mean), "n": int(float(n)), "sd": sd}
            )
    return pd.DataFrame(rows, columns=["team_id", "element", "mean", "n", "sd"]), problems
