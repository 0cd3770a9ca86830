"""DESIGN.md's row rules, as a plan: what would happen to every row of a survey, before anything is written."""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from cxchange.importing.matching import ColumnMatch, find_team_column, match_columns, normalise, read_answer
from cxchange.importing.reading import ImportRejected, Survey
from cxchange.model import ELEMENTS

COMMENT_HEADERS = re.compile(
    r"\b(comment|comments|anything else|tell us|suggestion|suggestions|feedback|other thoughts)\b"
)

OUTCOMES = {
    "imported": "imported",
    "incomplete": "imported, kept out of the scores: not every ADKAR element answered",
    "blank": "skipped: blank row",
    "duplicate": "skipped: already imported in this wave",
    "duplicate in file": "skipped: the same response appears earlier in the file",
    "no team": "skipped: no team given",
    "no answers": "skipped: no question-bank item answered",
}

PROBLEMS = {"out of scale": "outside the 1–5 scale", "not applicable": "a non-answer (not applicable)"}


@dataclass(frozen=True)
class RowOutcome:
    """What happens to one row: its row number in the file, outcome key, reason and team."""

    row: int
    outcome: str
    reason: str
    team: str | None = None


@dataclass(frozen=True)
class Problem:
    """An answer reported and treated as missing: row, column header, the value, why."""

    row: int
    column: str
    value: str
    reason: str


@dataclass
class ImportMapping:
    """What the user told us: columns to item codes, labels to values, file teams to existing teams."""

    columns: dict[str, str] = field(default_factory=dict)
    labels: dict[str, int | None] = field(default_factory=dict)
    teams: dict[str, str] = field(default_factory=dict)
    team_column: str | None = None

    @classmethod
    def from_json(cls, text: str) -> ImportMapping:
        """Read a saved mapping; raises ValueError saying what is wrong with it."""
        try:
            data = json.loads(text)
        except json.JSONDecodeError as problem:
            raise ValueError(f"The mapping file is not valid JSON ({problem}).") from None
        if not isinstance(data, dict):
            raise ValueError("The mapping file must hold a JSON object with columns, labels and teams.")
        unknown = set(data) - {"columns", "labels", "teams", "team_column"}
        if unknown:
            raise ValueError(f"The mapping file has unknown keys: {', '.join(sorted(unknown))}.")
        return cls(
            columns=dict(data.get("columns", {})),
            labels=dict(data.get("labels", {})),
            teams=dict(data.get("teams", {})),
            team_column=data.get("team_column"),
        )

    def to_json(self) -> str:
        """The mapping as saved for reuse."""
        return json.dumps(
            {"columns": self.columns, "labels": self.labels, "teams": self.teams, "team_column": self.team_column},
            indent=2,
            ensure_ascii=False,
        )


@dataclass
class Plan:
    """Everything an import would do, for the preview and for the write.

    `responses` holds the rows to store (row, team, source_hash, comment, complete) and `values` their
    answers, one column per item code, on the same index. `outcomes` lists every row that is not
    simply imported (skipped, or kept out of the scores); every other data row is imported.
    """

    tool: str
    matches: list[ColumnMatch]
    team_column: str
    comment_column: str | None
    outcomes: list[RowOutcome]
    problems: list[Problem]
    unknown_labels: dict[str, list[str]]
    new_teams: list[str]
    responses: pd.DataFrame
    values: pd.DataFrame

    def counts(self) -> dict[str, int]:
        """How many rows end in each outcome ("imported" for complete responses)."""
        counts = Counter(outcome.outcome for outcome in self.outcomes)
        complete = int(self.responses["complete"].sum())
        return dict(counts) | ({"imported": complete} if complete else {})

    def per_team(self) -> pd.DataFrame:
        """Responses to be stored per team: complete and incomplete."""
        grouped = self.responses.groupby("team")["complete"]
        table = pd.DataFrame({"complete": grouped.sum(), "incomplete": grouped.size() - grouped.sum()})
        return table.astype(int).reset_index()

    def all_outcomes(self) -> list[RowOutcome]:
        """Every data row's outcome, in file order."""
        imported = self.responses[self.responses["complete"]]
        listed = [
            RowOutcome(int(row), "imported", OUTCOMES["imported"], team)
            for row, team in zip(imported["row"], imported["team"], strict=True)
        ]
        return sorted(listed + self.outcomes, key=lambda outcome: outcome.row)

    @property
    def skipped(self) -> list[RowOutcome]:
        """Rows not imported, or imported but kept out of the scores."""
        return self.outcomes

    @property
    def rows_skipped(self) -> int:
        """Rows not stored at all (blank, duplicate, no team, no answers)."""
        return sum(1 for outcome in self.outcomes if outcome.outcome != "incomplete")


def plan_import(
    survey: Survey,
    items: pd.DataFrame,
    team_names: list[str],
    existing_hashes: set[str],
    mapping: ImportMapping | None = None,
) -> Plan:
    """Apply the row rules to every row of `survey`; raises ImportRejected where the file cannot be used.

    Vectorised over columns: each distinct cell text is read once, however many rows repeat it.
    """
    mapping = mapping or ImportMapping()
    bank = dict(zip(items["code"], items["text"], strict=True))
    element_of = dict(zip(items["code"], items["element"], strict=True))
    matches = match_columns(survey.headers, bank, mapping.columns)
    if not any(element_of[m.item_code] in ELEMENTS for m in matches):
        raise ImportRejected(
            "No column matches a question of the ADKAR question bank: build the survey from the question-set "
            "file, or map the columns to questions."
        )
    team_index = find_team_column(survey.headers, mapping.team_column)
    if team_index is None and mapping.team_column is not None:
        team_index = find_team_column(survey.column_ids, mapping.team_column)
    if team_index is None:
        wanted = f"called {mapping.team_column!r} " if mapping.team_column else ""
        raise ImportRejected(f"No team column {wanted}was found: name the column 'Team' or choose it (--team-column).")
    grid = survey.grid
    _refuse_coded_teams(grid[team_index], survey.headers[team_index], mapping)
    matched = {m.column for m in matches} | {team_index}
    comment_index = next(
        (i for i, h in enumerate(survey.headers) if i not in matched and COMMENT_HEADERS.search(normalise(h))), None
    )

    values, problems, unknown = {}, [], {}
    for match in matches:
        column = grid[match.column]
        codes, cells = pd.factorize(column)
        read = {cell: read_answer(cell, mapping.labels) for cell in cells}
        decoded = np.array([read[cell].value for cell in cells] + [None], dtype=float)
        values[match.item_code] = decoded[codes]  # code -1 (an empty cell) picks the trailing None
        for cell, answer in read.items():
            if answer.problem == "unknown label":
                unknown.setdefault(str(cell).strip(), []).append(match.header)
            elif answer.problem in PROBLEMS:
                problems += [
                    Problem(int(row), match.header, str(cell).strip(), PROBLEMS[answer.problem])
                    for row in column.index[column == cell]
                ]
    values = pd.DataFrame(values, index=grid.index).astype("Float64")

    text = pd.DataFrame({column: _clean_column(grid[column]) for column in grid.columns}, index=grid.index)
    blank = text.eq("").all(axis=1)
    known = {normalise(name): name for name in team_names}
    teams = text[team_index].map({raw: _team(raw, mapping.teams, known) for raw in text[team_index].unique()})
    answered = values.notna().any(axis=1)
    hashes = _source_hashes(survey, text)
    in_wave = hashes.isin(existing_hashes)
    outcome = pd.Series("imported", index=grid.index, dtype=object)
    outcome[~answered] = "no answers"
    outcome[teams.isna()] = "no team"
    outcome[blank] = "blank"
    candidate = outcome.eq("imported")
    outcome[candidate & in_wave] = "duplicate"
    fresh = candidate & ~in_wave
    outcome[fresh & hashes.where(fresh).duplicated() & hashes.notna()] = "duplicate in file"
    kept = outcome.eq("imported")
    answered_elements = {
        element: values[[c for c in values.columns if element_of[c] == element]].notna().any(axis=1)
        for element in ELEMENTS
    }
    complete = pd.concat(answered_elements, axis=1).all(axis=1)
    outcome[kept & ~complete] = "incomplete"

    listed = outcome[outcome.ne("imported")]
    outcomes = [
        RowOutcome(int(row), kind, OUTCOMES[kind], None if kind in ("blank", "no team") else teams[row])
        for row, kind in listed.items()
    ]
    responses = pd.DataFrame(
        {
            "row": grid.index[kept],
            "team": teams[kept].to_numpy(),
            "source_hash": hashes[kept].to_numpy(),
            "comment": text[comment_index][kept].replace("", None).to_numpy() if comment_index is not None else None,
            "complete": complete[kept].to_numpy(),
        },
        index=grid.index[kept],
    )
    new_teams = [team for team in pd.unique(responses["team"]) if normalise(team) not in known]
    return Plan(
        tool=survey.tool,
        matches=matches,
        team_column=survey.headers[team_index],
        comment_column=None if comment_index is None else survey.headers[comment_index],
        outcomes=outcomes,
        problems=sorted(problems, key=lambda p: (p.row, p.column)),
        unknown_labels=unknown,
        new_teams=new_teams,
        responses=responses,
        values=values[kept],
    )


def _clean(cell: object) -> str:
    """A cell as text with its spacing tidied ("" for an empty cell)."""
    return "" if cell is None else " ".join(str(cell).split())


def _clean_column(column: pd.Series) -> pd.Series:
    """A column as tidied text, each distinct value tidied once (answer columns repeat a handful)."""
    return pd.Series(_per_value(column, _clean), index=column.index)


def _per_value(column: pd.Series, function) -> np.ndarray:
    """`function` applied once per distinct value of `column` (rows repeat few values), spread back to rows."""
    codes, uniques = pd.factorize(column)
    results = np.array([function(value) for value in uniques] + [function(None)], dtype=object)
    return results[codes]


def _refuse_coded_teams(column: pd.Series, header: str, mapping: ImportMapping) -> None:
    """Numeric team codes (as numeric exports write them) cannot be guessed: they must be mapped."""
    coded = sorted({str(cell).strip() for cell in column.dropna().unique()} - {""} - set(mapping.teams))
    if coded and all(re.fullmatch(r"\d+(\.0)?", code) for code in coded):
        raise ImportRejected(
            f"The team column {header!r} holds numbers ({', '.join(coded[:5])}), not team names, "
            "as tools write when exporting numeric values: export with choice text, or map each number to a team "
            '(e.g. "teams": {"' + coded[0] + '": "Stores North"}).'
        )


def _team(name: str, renames: Mapping[str, str], known: Mapping[str, str]) -> str | None:
    """The team a row belongs to: the user's renaming, else the existing team of that name, else as written."""
    if not name:
        return None
    name = renames.get(name, name)
    return known.get(normalise(name), name)


def _source_hashes(survey: Survey, text: pd.DataFrame) -> pd.Series:
    """Per row, a hash of the tool's response id, or of the row's whole content where the file has none.

    Only the hash is stored: the id itself (an e-mail or a name in some tools) never is.
    """
    if survey.id_column is not None:
        ids = text[survey.id_column]
        keys = ("id:" + ids).where(ids.ne(""), None)
    else:
        keys = pd.Series(None, index=text.index, dtype=object)
    missing = keys.isna()
    if missing.any():
        rows = text[missing]
        keys[missing] = "content:" + rows.apply(lambda row: json.dumps(row.tolist(), ensure_ascii=False), axis=1)
    return keys.map(lambda key: hashlib.sha256(key.encode()).hexdigest())
